// The whole story in Debian's Chromium against `npm start`'s stack: link Zoom (and confirm), add a teacher,
// schedule a class, start it as the teacher, join as a student, record it, watch the archive
// (with seeking answered by 206), unlink. Each step is what a person does in the console.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser.ts";
import { app, cleanStart, demoToken, zoom } from "./stack.ts";

const browser = useBrowser();

async function api<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${app}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function fill(page: Page, form: string, values: Record<string, string>) {
  for (const [name, value] of Object.entries(values))
    await page.locator(`${form} [name="${name}"]`).fill(value);
}

describe("the whole story", () => {
  it("links, schedules, starts, joins, records, archives, plays with seeking, and unlinks", async () => {
    await cleanStart();
    const token = await demoToken();
    // Teachers created by this institute host through start links without a Zoom login.
    await api(token, "PATCH", "/v1/tenant", { userCreateAction: "custCreate" });

    const page = await browser.page();
    await page.goto(`${app}/console`);
    await page.getByRole("button", { name: "Use the demo tenant's token" }).click();

    // 1. Link Zoom through the emulator's consent page.
    await page.getByRole("button", { name: /^Link/ }).click();
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.getByRole("button", { name: "Confirm" }).click();
    await page.getByText("Zoom is linked").first().waitFor();
    await expect.poll(() => page.getByTestId("link-status").textContent()).toBe("linked");

    // 2. A teacher, licensed.
    await fill(page, "#teacher-form", {
      wiseUserId: "t-ada",
      email: "ada@school-a.example",
      firstName: "Ada",
      lastName: "Lovelace",
    });
    await page.getByRole("button", { name: "Add teacher" }).click();
    await page.locator('tr[data-teacher="t-ada"]').getByText("Licensed").waitFor();

    // 3. A class with registration.
    const start = new Date(Date.now() + 5 * 60_000);
    const local = new Date(start.getTime() - start.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await fill(page, "#class-form", {
      classId: "algebra-1",
      teacherId: "t-ada",
      topic: "Algebra",
      startTime: local,
    });
    await page.getByRole("button", { name: "Schedule class" }).click();
    const card = page.locator('li[data-class="algebra-1"]');
    await card.waitFor();

    // 4. The teacher's start link lands on Zoom's host start page.
    await card.getByRole("button", { name: "Start link" }).click();
    const startHref = await card.getByTestId("start-link").getAttribute("href");
    const teacher = await browser.page();
    await teacher.goto(startHref ?? "");
    await teacher.getByText(/started by host/).waitFor();

    // 5. A student's join link lands on that student's own registrant join page.
    await card.getByLabel("Roster for algebra-1").fill("stu-ana, Ana Student, ana@students.example");
    await card.getByRole("button", { name: "Make join links" }).click();
    const joinHref = await card.locator('a[data-student="stu-ana"]').getAttribute("href");
    const student = await browser.page();
    await student.goto(joinHref ?? "");
    await student.getByText("Joining as Ana Student").waitFor();

    // 6. The class happens and Zoom records it; the webhook drives the archive.
    const { classes } = await api<{ classes: { classId: string; zoomMeetingId: string }[] }>(
      token,
      "GET",
      "/v1/classes",
    );
    const meetingId = classes.find((c) => c.classId === "algebra-1")?.zoomMeetingId;
    const sim = await fetch(`${zoom}/__emulator/meetings/${meetingId}/simulate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        participants: [{ name: "Ana Student", email: "ana@students.example" }],
        durationMinutes: 30,
        recording: {
          files: [
            { fileType: "MP4", sample: true },
            { fileType: "CHAT", sizeBytes: 2048 },
          ],
        },
      }),
    });
    expect(sim.status).toBe(200);

    // 7. The console shows it archived, and the player plays and seeks.
    const play = page.locator("tr", { hasText: "Algebra" }).locator("button[data-play]");
    await play.waitFor({ timeout: 60_000 });
    const ranges: number[] = [];
    page.on("response", (r) => {
      if (new URL(r.url()).pathname.startsWith("/r/")) ranges.push(r.status());
    });
    await play.click();
    const video = page.locator("#player");
    await expect
      .poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(1);
    const duration = await video.evaluate((v: HTMLVideoElement) => v.duration);
    expect(duration).toBeGreaterThan(1);
    await video.evaluate(
      (v: HTMLVideoElement) =>
        new Promise<void>((resolve) => {
          v.addEventListener("seeked", () => resolve(), { once: true });
          v.currentTime = v.duration / 2;
        }),
    );
    expect(await video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(0.5);
    expect(ranges).toContain(206);
    // `SCREENSHOT=docs/console.png npm run test:e2e` refreshes the README's picture of the console.
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: true });

    // 8. Unlink.
    page.once("dialog", (d) => d.accept());
    await page.getByRole("button", { name: "Unlink" }).click();
    await expect.poll(() => page.getByTestId("link-status").textContent()).toBe("unlinked");
  });
});
