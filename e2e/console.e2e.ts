// The whole story in a real browser: the console links Zoom through the emulator's consent page,
// tests the connection and unlinks; bad tokens get a readable sign-in hint.
import { describe, expect, inject, it } from "vitest";
import { useBrowser } from "./browser.ts";

const app = inject("appUrl");
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
    const page = await signInWithDemo();
    await page.getByRole("button", { name: "Link Zoom" }).click();
    // Zoom's (the emulator's) consent page: a plain form.
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.getByText("Zoom is linked.").waitFor();
    await expect.poll(() => page.getByTestId("link-status").textContent()).toBe("linked");
    await page.getByRole("button", { name: "Test connection" }).click();
    await page.getByText(/^OK at /).waitFor();

    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Unlink" }).click();
    await page.getByText("Zoom is unlinked.").waitFor();
    await expect.poll(() => page.getByTestId("link-status").textContent()).toBe("unlinked");
  });
});
