// The ZoomAccount refresher under concurrency and faults: one refresh per account whatever the
// load, transient failures never end a link, terminal ones do (once), and no token leaks.
import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { unwrapToken } from "../../src/zoom/account-object.ts";
import { call } from "../helpers/app.ts";
import { dumpTables } from "../helpers/db.ts";
import { bearer } from "../helpers/jwt.ts";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  addFault,
  advanceZoomClock,
  emulator,
  freshStart,
  linkStatus,
  linkZoom,
  OWNER_B,
  stats,
} from "../helpers/zoom.ts";

async function liveCheck(tenant: string) {
  const res = await call("/v1/zoom/link?live=1", { headers: await bearer({ tenant }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; reason?: string; live: { ok: boolean; error?: string } };
}

beforeEach(async () => {
  await freshStart();
  await linkZoom("tenant-a");
});
afterEach(() => vi.restoreAllMocks());

describe("refresh under concurrency", () => {
  it("300 concurrent calls on an expired token make exactly one refresh grant and all succeed", async () => {
    await emulator("/config", { rateLimits: { enabled: false } });
    await liveCheck("tenant-a"); // warm: the refresher now holds the access token in memory
    await advanceZoomClock(3600); // Zoom now rejects that token with code 124
    const before = await stats();
    const results = await Promise.all(Array.from({ length: 300 }, () => liveCheck("tenant-a")));
    expect(results.every((r) => r.live.ok)).toBe(true);
    const after = await stats();
    expect(after.grants.refresh_token - before.grants.refresh_token).toBe(1);
    expect(after.invalidGrants).toBe(0);
    expect((await linkStatus("tenant-a")).lastRefreshAt).not.toBeNull();
  });

  it("two accounts refresh independently", async () => {
    await emulator("/config", { rateLimits: { enabled: false } });
    await linkZoom("tenant-b", { userId: OWNER_B });
    await advanceZoomClock(3600);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => liveCheck(i % 2 ? "tenant-a" : "tenant-b")),
    );
    expect(results.every((r) => r.live.ok)).toBe(true);
    expect((await stats()).grants.refresh_token).toBe(2);
    const rows = await env.DB.prepare(
      "SELECT zoom_account_id, last_refresh_at FROM zoom_credentials ORDER BY 1",
    ).all();
    expect(rows.results.map((r) => r.zoom_account_id)).toEqual([ACCOUNT_A, ACCOUNT_B]);
    expect(rows.results.every((r) => r.last_refresh_at !== null)).toBe(true);
  });

  it("a caller holding a stale token gets the newer one without another refresh", async () => {
    await advanceZoomClock(3600);
    expect((await liveCheck("tenant-a")).live.ok).toBe(true);
    const grants = (await stats()).grants.refresh_token;
    const stub = env.ZOOM_ACCOUNT.getByName(ACCOUNT_A);
    const fresh = unwrapToken(await stub.getAccessToken(ACCOUNT_A));
    const again = unwrapToken(await stub.refreshAfterRejection(ACCOUNT_A, "an-older-token"));
    expect(again.accessToken).toBe(fresh.accessToken);
    expect((await stats()).grants.refresh_token).toBe(grants);
  });
});

describe("transient failures never end a link", () => {
  it.each([
    ["a 500", { status: 500, zoomCode: 500, message: "Internal error" }],
    ["XML", { xml: true }],
    ["an HTML page", { html200: true }],
    ["a timeout", { status: 504, delayMs: 3000 }],
  ])(
    "the token endpoint answering %s: link stays linked, a later call succeeds",
    async (_name, fault) => {
      await advanceZoomClock(3600);
      await addFault({ operation: "oauth.token", times: 3, ...fault });
      const failed = await liveCheck("tenant-a");
      expect(failed.live.ok).toBe(false);
      expect(failed.status).toBe("linked");
      expect((await linkStatus("tenant-a")).status).toBe("linked");
      const ok = await liveCheck("tenant-a");
      expect(ok.live.ok).toBe(true);
      expect((await stats()).grants.refresh_token).toBe(1);
    },
    30_000,
  );

  it("a single failure is retried within the same call", async () => {
    await advanceZoomClock(3600);
    await addFault({ operation: "oauth.token", status: 503, times: 1 });
    expect((await liveCheck("tenant-a")).live.ok).toBe(true);
  });

  it("a caller gets a clear error and the credential is untouched", async () => {
    const before = await env.DB.prepare("SELECT refresh_token_enc, status FROM zoom_credentials").first();
    await advanceZoomClock(3600);
    await addFault({ operation: "oauth.token", status: 500, times: 3 });
    const stub = env.ZOOM_ACCOUNT.getByName(ACCOUNT_A);
    const { accessToken } = unwrapToken(await stub.getAccessToken(ACCOUNT_A));
    const result = await stub.refreshAfterRejection(ACCOUNT_A, accessToken);
    expect(result).toMatchObject({ ok: false, error: "unavailable" });
    expect(() => unwrapToken(result)).toThrow(/token endpoint/);
    expect(await env.DB.prepare("SELECT refresh_token_enc, status FROM zoom_credentials").first()).toEqual(
      before,
    );
  });
});

describe("terminal failures", () => {
  it("invalid_grant marks needs_relink once, audits, and stops calling Zoom", async () => {
    // Zoom forgets the grant (as after a lost refresh response or an expired refresh token).
    const { validTokens } = await stats();
    await fetch("https://zoom.us/oauth/revoke", {
      method: "POST",
      headers: { authorization: `Basic ${btoa("wise-local-client:wise-local-client-secret")}` },
      body: new URLSearchParams({ token: validTokens.refresh[0] ?? "" }),
    });
    const failed = await liveCheck("tenant-a");
    expect(failed.live.ok).toBe(false);
    const status = await linkStatus("tenant-a");
    expect(status.status).toBe("needs_relink");
    expect(status.reason).toContain("invalid_grant");
    const before = await stats();
    expect(before.invalidGrants).toBe(1);
    for (let i = 0; i < 3; i++) expect((await liveCheck("tenant-a")).live.ok).toBe(false);
    const after = await stats();
    expect(after.requests).toEqual(before.requests);
    const audit = await env.DB.prepare(
      "SELECT action FROM audit_log WHERE action = 'zoom.needs_relink'",
    ).all();
    expect(audit.results).toHaveLength(1);
    // Linking again heals it.
    await linkZoom("tenant-a");
    expect((await liveCheck("tenant-a")).live.ok).toBe(true);
  });

  it("Zoom's coded refusals (4738 app disabled by the admin) end the link with the code in the reason", async () => {
    await emulator("/accounts/emuAcctA1/app", { disabled: true });
    await advanceZoomClock(3600);
    expect((await liveCheck("tenant-a")).live.ok).toBe(false);
    const status = await linkStatus("tenant-a");
    expect(status.status).toBe("needs_relink");
    expect(status.reason).toContain("4738");
    await emulator("/accounts/emuAcctA1/app", { disabled: false });
    await linkZoom("tenant-a");
    expect((await liveCheck("tenant-a")).live.ok).toBe(true);
  });

  it("an invalid_grant caused by another writer's newer token is not believed", async () => {
    // A relink (another writer) happens while the refresher still holds the old pair: Zoom revoked the
    // old tokens (4741), so the old refresh token now answers invalid_grant; D1 has the new pair.
    await liveCheck("tenant-a");
    const stub = env.ZOOM_ACCOUNT.getByName(ACCOUNT_A);
    await linkZoom("tenant-a");
    const rows = await env.DB.prepare("SELECT refresh_token_hash FROM zoom_credentials").all();
    const res = unwrapToken(await stub.refreshAfterRejection(ACCOUNT_A, "whatever-was-rejected"));
    expect(res.accessToken).toBeTruthy();
    expect((await linkStatus("tenant-a")).status).toBe("linked");
    const now = await env.DB.prepare("SELECT refresh_token_hash FROM zoom_credentials").all();
    expect(now.results).toEqual(rows.results);
  });

  it("a refresh whose D1 write loses the compare-and-swap uses the winner's tokens", async () => {
    await advanceZoomClock(3600);
    // Slow the refresh down, and let another writer replace the credential meanwhile.
    await addFault({ operation: "oauth.token", delayMs: 700, times: 1 });
    const stub = env.ZOOM_ACCOUNT.getByName(ACCOUNT_A);
    const { accessToken } = unwrapToken(await stub.getAccessToken(ACCOUNT_A));
    const before = await env.DB.prepare("SELECT refresh_token_enc FROM zoom_credentials").first(
      "refresh_token_enc",
    );
    const pending = stub.refreshAfterRejection(ACCOUNT_A, accessToken);
    await new Promise((r) => setTimeout(r, 200));
    await env.DB.prepare("UPDATE zoom_credentials SET refresh_token_hash = 'written-by-someone-else'").run();
    expect((await pending).ok).toBe(true);
    // Zoom did rotate the pair, but the refresher's write lost: the other writer's row stands untouched.
    expect((await stats()).grants.refresh_token).toBe(1);
    const row = await env.DB.prepare(
      "SELECT refresh_token_hash, refresh_token_enc, status FROM zoom_credentials",
    ).first();
    expect(row).toEqual({
      refresh_token_hash: "written-by-someone-else",
      refresh_token_enc: before,
      status: "linked",
    });
  });

  it("an evicted refresher finishes its refresh or leaves D1 consistent for the next one", async () => {
    await advanceZoomClock(3600);
    await addFault({ operation: "oauth.token", delayMs: 500, times: 1 });
    const stub = env.ZOOM_ACCOUNT.getByName(ACCOUNT_A);
    const { accessToken } = unwrapToken(await stub.getAccessToken(ACCOUNT_A));
    const pending = stub.refreshAfterRejection(ACCOUNT_A, accessToken).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    await evictDurableObject(stub);
    await pending;
    expect((await liveCheck("tenant-a")).live.ok).toBe(true);
    expect((await linkStatus("tenant-a")).status).toBe("linked");
    expect((await stats()).invalidGrants).toBe(0);
  });
});

describe("keeping links alive", () => {
  it("the alarm refreshes an idle link after days without use", async () => {
    const stub = env.ZOOM_ACCOUNT.getByName(ACCOUNT_A);
    await env.DB.prepare("UPDATE zoom_credentials SET linked_at = ?")
      .bind(Date.now() - 7 * 24 * 3600_000)
      .run();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stats()).grants.refresh_token).toBe(1);
    expect((await linkStatus("tenant-a")).lastRefreshAt).not.toBeNull();
  });

  it("an alarm that fires before anything is due refreshes nothing and stays planned", async () => {
    const stub = env.ZOOM_ACCOUNT.getByName(ACCOUNT_A);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stats()).grants.refresh_token).toBe(0);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stats()).grants.refresh_token).toBe(0);
  });

  it("unlinking stops the alarm", async () => {
    await call("/v1/zoom/link", { method: "DELETE", headers: await bearer({ tenant: "tenant-a" }) });
    expect(await runDurableObjectAlarm(env.ZOOM_ACCOUNT.getByName(ACCOUNT_A))).toBe(false);
  });
});

describe("no token in the clear", () => {
  it("after linking and a refresh, no valid token appears in D1, R2 or the logs", async () => {
    const lines: string[] = [];
    for (const method of ["log", "warn", "error", "info"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
      });
    }
    await linkZoom("tenant-b", { userId: OWNER_B });
    await advanceZoomClock(3600);
    await liveCheck("tenant-a");
    await liveCheck("tenant-b");
    const { validTokens } = await stats();
    const secrets = [...validTokens.access, ...validTokens.refresh];
    expect(secrets.length).toBeGreaterThanOrEqual(4);

    const dump = JSON.stringify(await dumpTables());
    let objects = "";
    for (const o of (await env.RECORDINGS.list()).objects)
      objects += `${o.key}${JSON.stringify(o.customMetadata)}`;
    for (const token of secrets) {
      expect(dump).not.toContain(token);
      expect(objects).not.toContain(token);
      expect(lines.join("\n")).not.toContain(token);
      // Not even a recognisable part of one.
      expect(dump).not.toContain(token.slice(10, 40));
    }
    expect(lines.length).toBeGreaterThan(0);
  });
});
