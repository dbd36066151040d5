// A recording whose download keeps failing is shown with its reason, and Retry archives it.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser.ts";
import { app, cleanStart, control, zoom } from "./stack.ts";

const browser = useBrowser();

describe("archive failures in the console", () => {
  it("shows a failed file with its reason and retries it", async () => {
    await cleanStart();
    const page = await browser.page();
    await page.goto(`${app}/console`);
    await page.getByRole("button", { name: "Use the demo tenant's token" }).click();
    await page.getByRole("button", { name: /^Link/ }).click();
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => page.getByTestId("link-status").textContent()).toBe("linked");

    // A meeting of the account (no class needed) records; Zoom's file server answers an HTML page.
    const stats = (await (await control("/stats", undefined, "GET")).json()) as {
      validTokens: { access: string[] };
    };
    const meeting = (await (
      await fetch(`${zoom}/v2/users/me/meetings`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${stats.validTokens.access.at(-1)}`,
          "content-type": "application/json",
        },
        body: JSON.stringify({
          topic: "Physics",
          type: 2,
          start_time: new Date().toISOString(),
          duration: 30,
        }),
      })
    ).json()) as { id: number };
    await control("/faults", { operation: "recordings.file", html200: true, times: 0 });
    await control(`/meetings/${meeting.id}/simulate`, {
      recording: { files: [{ fileType: "MP4", sizeBytes: 4096 }] },
    });

    const reason = page.locator("[data-file-error]");
    await reason.waitFor({ timeout: 60_000 });
    expect(await reason.textContent()).toMatch(/^Reason: .*HTML/i);

    const fileId = await reason.getAttribute("data-file-error");

    await control("/faults", undefined, "DELETE");
    await page.getByRole("button", { name: "Retry" }).click();
    await page.locator(`[data-file-status="${fileId}"]:text("archived")`).waitFor({ timeout: 60_000 });
  });
});
