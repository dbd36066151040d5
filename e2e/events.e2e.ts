// Events to Wise in the console: subscribe an endpoint (the emulator's receiver), see a delivery of
// zoom.link.unlinked after linking and unlinking, and replay it under the same webhook-id.
import { expect, it } from "vitest";
import { useBrowser } from "./browser.ts";
import { app, cleanStart, control, demoToken, zoom } from "./stack.ts";

const browser = useBrowser();

interface Received {
  webhookId: string;
  type: string;
  verifiedSecrets: number;
}

const received = async () =>
  ((await (await control("/receiver/e2e", undefined, "GET")).json()) as { deliveries: Received[] })
    .deliveries;

it("subscribes, shows a delivered event and replays it, under the strict CSP", async () => {
  await cleanStart();
  await control("/receiver", undefined, "DELETE");
  const token = await demoToken();
  const origin = new URL(zoom).origin;
  const patched = await fetch(`${app}/v1/tenant`, {
    method: "PATCH",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ webhookOrigins: [origin] }),
  });
  expect(patched.status).toBe(200);

  const page = await browser.page();
  const blocked: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
  });
  await page.goto(`${app}/console`);
  await page.getByRole("button", { name: "Use the demo tenant's token" }).click();
  await page.getByText("Signed in as demo-admin").waitFor();
  await page.getByLabel("Endpoint URL").fill(`${origin}/hooks/e2e`);
  await page.getByRole("button", { name: "Subscribe to every event" }).click();
  const shown = page.locator("#event-secret");
  await shown.getByText(/whsec_/).waitFor();
  const secret = /whsec_\S+/.exec((await shown.textContent()) ?? "")?.[0] ?? "";
  expect(secret).toMatch(/^whsec_/);
  await control("/receiver/e2e", { secrets: [secret], mode: "ok" }, "PUT");
  await page.getByText(`${origin}/hooks/e2e`).waitFor();

  await page.getByRole("button", { name: "Link Zoom" }).click();
  await page.getByRole("button", { name: "Authorize" }).click();
  await page.getByText("Confirm the link below.").waitFor();
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.getByText("Zoom is linked.").waitFor();
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Unlink" }).click();
  await page.getByText("Zoom is unlinked.").waitFor();
  await expect
    .poll(async () => (await received()).map((r) => [r.type, r.verifiedSecrets]), { timeout: 30_000 })
    .toEqual([["zoom.link.unlinked", 1]]);
  const [first] = await received();

  await page.reload();
  const status = page.locator(`[data-delivery-status="${first?.webhookId}"]`);
  await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe("delivered");
  await page.locator(`[data-replay="${first?.webhookId}"]`).click();
  await page.getByText("Event queued again.").waitFor();
  await expect
    .poll(async () => (await received()).map((r) => r.webhookId), { timeout: 30_000 })
    .toEqual([first?.webhookId, first?.webhookId]);
  expect(blocked).toEqual([]);
});
