// The whole story in a real browser: the console links Zoom through the emulator's consent page
// and confirms it, tests the connection and unlinks; a second browser cannot finish someone else's
// link; bad tokens get a readable sign-in hint.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser.ts";
import { app, cleanStart, demoToken, zoom } from "./stack.ts";

const browser = useBrowser();

async function signInWithDemo() {
  const page = await browser.page();
  await page.goto(`${app}/console`);
  await page.getByRole("button", { name: "Use the demo tenant's token" }).click();
  await page.getByText("Signed in as demo-admin").waitFor();
  return page;
}

describe("admin console", () => {
  it("explains a missing or expired token instead of showing a blank page", async () => {
    const page = await browser.page();
    await page.goto(`${app}/console`);
    await page.getByLabel("Admin token").fill("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl");
    await page.getByRole("button", { name: "Use this token" }).click();
    await page.getByText("Your token is missing, expired or not accepted").waitFor();
    expect(await page.locator("#app").isHidden()).toBe(true);
  });

  it("links Zoom through the consent page, tests the connection and unlinks", async () => {
    await cleanStart();
    const page = await signInWithDemo();
    // The console runs under the strict Content-Security-Policy: nothing of it may be blocked.
    const blocked: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
    });
    await page.getByRole("button", { name: "Link Zoom" }).click();
    // Zoom's (the emulator's) consent page: a plain form.
    await page.getByRole("button", { name: "Authorize" }).click();
    // Back in the console, the link waits for this admin's confirmation.
    await page.getByText("Confirm the link below.").waitFor();
    await page.getByText(/^Link Zoom account \S+ \(owner@school-a\.example\) to this institute\?$/).waitFor();
    expect(await page.getByTestId("link-status").textContent()).toBe("unlinked");
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByText("Zoom is linked.").waitFor();
    await expect.poll(() => page.getByTestId("link-status").textContent()).toBe("linked");
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText(/^OK at /).waitFor();

    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Unlink" }).click();
    await page.getByText("Zoom is unlinked.").waitFor();
    await expect.poll(() => page.getByTestId("link-status").textContent()).toBe("unlinked");
    expect(blocked).toEqual([]);
  });
});

describe("a link is bound to the browser that started it", () => {
  it("a second browser opening the first admin's authorize URL cannot link", async () => {
    await cleanStart();
    const token = await demoToken();
    const started = await fetch(`${app}/v1/zoom/link`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ returnTo: `${app}/console` }),
    });
    const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
    expect(authorizeUrl.startsWith(`${app}/oauth/zoom/start/`)).toBe(true);
    // The admin's browser takes the first hop (its cookie) and reaches Zoom's consent page.
    const first = await browser.page();
    await first.goto(authorizeUrl);
    await first.getByRole("button", { name: "Authorize" }).waitFor();
    const zoomAuthorize = first.url();
    expect(zoomAuthorize.startsWith(`${zoom}/oauth/authorize?`)).toBe(true);
    // Someone else's browser (another context: no cookie) opens the same Zoom URL and approves.
    const second = await browser.page();
    await second.goto(zoomAuthorize);
    await second.getByRole("button", { name: "Authorize" }).click();
    await second.getByText("This link was started in another browser").waitFor();
    // The first hop cannot be taken again either.
    await second.goto(authorizeUrl);
    await second.getByText("expired or was already used").waitFor();
    const status = await fetch(`${app}/v1/zoom/link`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await status.json()) as { status: string }).status).toBe("unlinked");
    const pending = await fetch(`${app}/v1/zoom/link/pending`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await pending.json()) as { pending: unknown[] }).pending).toEqual([]);
    // The admin's own browser still finishes it.
    await first.getByRole("button", { name: "Authorize" }).click();
    await first.getByText("Confirm the link below.").waitFor();
  });
});

describe("an install started from the Zoom Marketplace", () => {
  it("hands off to Wise, where a signed-in admin claims and confirms it", async () => {
    await cleanStart();
    const page = await browser.page();
    await page.goto(`${zoom}/marketplace/apps/wise-local-client/add`);
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.getByText("Finish linking Zoom in Wise").waitFor();
    await page.getByRole("link", { name: "Sign in to Wise and finish linking" }).click();
    await page.getByText("Zoom was added from the Marketplace.").waitFor();
    // The handoff secret left the address bar as soon as the page read it.
    expect(page.url()).toBe(`${app}/console`);
    await page.getByRole("button", { name: "Use the demo tenant's token" }).click();
    await page.getByText(/^Link Zoom account \S+ \(owner@school-a\.example\) to this institute\?$/).waitFor();
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByText("Zoom is linked.").waitFor();
    await expect.poll(() => page.getByTestId("link-status").textContent()).toBe("linked");
  });
});

describe("readable failures", () => {
  it("shows an API error as a message a person can act on", async () => {
    const page = await signInWithDemo();
    await page.locator('#class-form [name="classId"]').fill("bad-class");
    await page.locator('#class-form [name="teacherId"]').fill("nobody-here");
    await page.locator('#class-form [name="topic"]').fill("Nothing");
    await page.locator('#class-form [name="startTime"]').fill("2030-01-01T10:00");
    await page.getByRole("button", { name: "Schedule class" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    // A problem's title and detail, not a status code or a stack trace.
    expect(await alert.textContent()).toMatch(/^[A-Z][^{}<>]+\(\w+\)$/);
  });
});
