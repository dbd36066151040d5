// Debian's Chromium driven by playwright-core (nothing is downloaded), with the flags a closed
// network needs. A failing test leaves a screenshot and the page's HTML in test-results/e2e/.
import { mkdirSync, writeFileSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, type TestContext } from "vitest";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = "test-results/e2e";

let browser: Browser;
let pages: Page[] = [];

export function useBrowser(): { page(): Promise<Page> } {
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
      ],
    });
  });
  afterEach(async (ctx: TestContext) => {
    if (ctx.task.result?.state === "fail") {
      mkdirSync(ARTIFACTS, { recursive: true });
      const name = ctx.task.name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
      for (const [i, p] of pages.entries()) {
        await p.screenshot({ path: `${ARTIFACTS}/${name}-${i}.png`, fullPage: true }).catch(() => undefined);
        writeFileSync(`${ARTIFACTS}/${name}-${i}.html`, await p.content().catch(() => ""));
      }
    }
    await Promise.all(pages.map((p) => p.context().close()));
    pages = [];
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    async page() {
      const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
      const p = await context.newPage();
      pages.push(p);
      return p;
    },
  };
}
