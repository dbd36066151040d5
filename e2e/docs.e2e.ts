// The API reference in a real browser: Scalar's renderer, served by this deployment, draws the
// operations of /openapi.json under the page's Content-Security-Policy without a violation and
// without reaching any other origin.
import { describe, expect, it } from "vitest";
import { useBrowser } from "./browser.ts";
import { app } from "./stack.ts";

const browser = useBrowser();

describe("API reference", () => {
  it("renders the operations under its CSP, with nothing blocked and nothing fetched elsewhere", async () => {
    const page = await browser.page();
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { cspViolations: string[] }).cspViolations = seen;
      document.addEventListener("securitypolicyviolation", (e) =>
        seen.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    const blocked: string[] = [];
    page.on("console", (m) => {
      if (/Content.Security.Policy|unsafe-eval/i.test(m.text())) blocked.push(m.text());
    });
    const elsewhere: string[] = [];
    page.on("request", (r) => {
      const url = new URL(r.url());
      if (url.origin !== app && !["data:", "blob:"].includes(url.protocol)) elsewhere.push(r.url());
    });

    const res = await page.goto(`${app}/docs`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()["content-security-policy"]).toContain("script-src 'self' 'nonce-");
    // Operations' summaries, from the OpenAPI document, drawn by the renderer: the first tag's
    // open at load, another tag's once it is chosen in the sidebar.
    await page.getByRole("heading", { name: "Liveness and a cheap D1 check" }).waitFor({ timeout: 30_000 });
    await page.getByRole("link", { name: "Links", exact: true }).first().click();
    await page.getByText("Signed join links for a roster").first().waitFor();
    const violations = await page.evaluate(
      () => (window as unknown as { cspViolations: string[] }).cspViolations,
    );
    expect(violations).toEqual([]);
    expect(blocked).toEqual([]);
    expect(elsewhere).toEqual([]);
  });
});
