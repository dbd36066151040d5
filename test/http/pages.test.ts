// Every HTML answer carries a strict Content-Security-Policy (no inline script without the page's
// nonce, no framing), and link pages send no Referer: the console, /docs, the OAuth callback's pages
// and the /j, /s and /r pages, redirects included.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { mintPlayToken } from "../../src/links/play-token.ts";
import { loadConfig } from "../../src/platform/config.ts";
import { call } from "../helpers/app.ts";
import { createClass } from "../helpers/classes.ts";
import { clearTables } from "../helpers/db.ts";
import { bearer } from "../helpers/jwt.ts";
import { resetEmulator } from "../helpers/zoom.ts";

function directives(res: Response): Map<string, string[]> {
  const header = res.headers.get("content-security-policy");
  expect(header, "Content-Security-Policy").toBeTruthy();
  return new Map(
    (header ?? "")
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name as string, values]),
  );
}

/** The page's policy is strict, and every script and style block in it runs under that policy. */
async function expectStrictPage(res: Response): Promise<string> {
  expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  const csp = directives(res);
  expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
  const scripts = csp.get("script-src") ?? csp.get("default-src") ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const banned of ["'unsafe-inline'", "'unsafe-eval'", "*", "data:", "https:", "http:"]) {
    expect(scripts).not.toContain(banned);
  }
  expect(csp.get("object-src") ?? csp.get("default-src")).toEqual(
    expect.arrayContaining([expect.stringMatching(/'none'|'self'/)]),
  );
  expect(csp.get("base-uri")).toEqual(["'none'"]);
  const nonces = scripts.filter((s) => s.startsWith("'nonce-")).map((s) => s.slice(7, -1));
  const html = await res.text();
  for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
    if (/\ssrc=/.test(tag)) continue;
    const nonce = /\snonce="([^"]+)"/.exec(tag)?.[1];
    expect(nonce && nonces.includes(nonce), `inline ${tag} runs only under the response's nonce`).toBe(true);
  }
  const styles = csp.get("style-src") ?? [];
  if (!styles.includes("'unsafe-inline'")) {
    for (const tag of html.match(/<style\b[^>]*>/g) ?? []) {
      expect(styles).toContain(`'nonce-${/\snonce="([^"]+)"/.exec(tag)?.[1]}'`);
    }
  }
  // Inline event handlers would be inline script that no nonce can allow.
  expect(html).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
  return html;
}

const ip = "198.51.100.200";
const click = (path: string) => call(path, { redirect: "manual", headers: { "cf-connecting-ip": ip } });

async function joinLink(startInMs: number): Promise<string> {
  const cls = await createClass("tenant-a", { startTime: Date.now() + startInMs });
  const res = await call(`/v1/classes/${cls.classId}/join-links`, {
    method: "POST",
    headers: {
      ...(await bearer({ tenant: "tenant-a", role: "admin" })),
      "content-type": "application/json",
    },
    body: JSON.stringify({ students: [{ id: "stu-1", name: "Asha Rao" }] }),
  });
  const { links } = (await res.json()) as { links: { url: string }[] };
  return new URL(links[0]?.url ?? "").pathname;
}

beforeEach(async () => {
  await resetEmulator();
  await clearTables();
});

describe("Content-Security-Policy", () => {
  it("covers the console, whose script is a same-origin file, and the API reference", async () => {
    const consolePage = await call("/console");
    expect(consolePage.status).toBe(200);
    const html = await expectStrictPage(consolePage);
    expect(html).toMatch(/<script src="\/console\/console.js"/);
    const docs = await call("/docs");
    expect(docs.status).toBe(200);
    await expectStrictPage(docs);
  });

  it("covers the OAuth callback's pages", async () => {
    const res = await call("/oauth/zoom/callback?code=abc&state=not-a-state");
    expect(res.status).toBeGreaterThanOrEqual(400);
    await expectStrictPage(res);
    const hop = await call("/oauth/zoom/start/not-a-handle");
    expect(hop.status).toBe(400);
    await expectStrictPage(hop);
  });

  it("covers /j, /s and /r pages, with their one script and style under a fresh nonce per response", async () => {
    for (const path of ["/j/forged", "/s/forged", "/r/forged", "/j/a/b/c"]) {
      const res = await click(path);
      expect(res.status, path).toBe(403);
      const csp = directives(res.clone());
      expect(csp.get("default-src")).toEqual(["'none'"]);
      expect(csp.get("style-src")?.[0]).toMatch(/^'nonce-/);
      await expectStrictPage(res);
    }
    const link = await joinLink(3 * 3600_000);
    const waiting = await click(link);
    expect(waiting.status).toBe(200);
    const again = await click(link);
    const html = await expectStrictPage(waiting);
    expect(html).toMatch(/<script nonce="[^"]+">/);
    expect(directives(again).get("script-src")).not.toEqual(directives(waiting).get("script-src"));
  });
});

describe("Referrer-Policy on link pages", () => {
  it("is no-referrer on every /j, /s and /r answer, redirects included", async () => {
    const open = await click(await joinLink(60_000));
    expect(open.status).toBe(302);
    expect(open.headers.get("referrer-policy")).toBe("no-referrer");
    for (const path of ["/j/forged", "/s/forged", "/r/forged"]) {
      const res = await click(path);
      expect(res.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(await res.text()).toContain('<meta name="referrer" content="no-referrer">');
    }
    const { token } = await mintPlayToken(
      loadConfig(env).linkKeys,
      { tenantId: "tenant-a", fileId: "missing", subject: "s" },
      600,
    );
    const missing = await click(`/r/${token}`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("referrer-policy")).toBe("no-referrer");
  });
});
