// Linking, link status and unlinking through the real Worker and the Zoom emulator: the first hop
// that binds the request to a browser, the pending link and its confirmation, a refused attempt that
// leaves the rightful tenant working, and installs started from the Zoom Marketplace.
import {
  createExecutionContext,
  createScheduledController,
  runDurableObjectAlarm,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { BASE, call } from "../helpers/app.ts";
import { count, rows } from "../helpers/db.ts";
import { bearer } from "../helpers/jwt.ts";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  addFault,
  beginLink,
  callback,
  confirmationOf,
  confirmLink,
  consent,
  fetchAndSettle,
  firstHop,
  freshStart,
  LINK_COOKIE,
  linkStatus,
  linkZoom,
  OWNER_A,
  OWNER_B,
  startLink,
  stats,
  ZOOM,
} from "../helpers/zoom.ts";

const RETURN_TO = "https://app.wise.test/settings/zoom";

beforeEach(async () => {
  await freshStart();
});

const admin = (tenant: string, sub = `admin-of-${tenant}`) => bearer({ tenant, sub });

async function pendingOf(tenant: string, sub = `admin-of-${tenant}`) {
  const res = await call("/v1/zoom/link/pending", { headers: await admin(tenant, sub) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { pending: Record<string, unknown>[] }).pending;
}

/** Start, consent and callback as the tenant's admin: the callback's answer and its confirmation secret. */
async function authorizeOnly(tenant: string, userId = OWNER_A, returnTo: string | null = RETURN_TO) {
  const res = await callback(
    await consent(await startLink(tenant, returnTo ?? undefined), "approve", userId),
  );
  return { res, confirmation: await confirmationOf(res) };
}

/** The every-10-minutes cron that revokes pending links nobody confirmed or claimed in time. */
async function runPendingCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "*/10 * * * *" }), env, ctx);
  await waitOnExecutionContext(ctx);
}

/** Whether the tenant's link still works at Zoom (a live call with its stored tokens). */
async function worksAtZoom(tenant: string) {
  const status = await linkStatus(tenant, true);
  return status.status === "linked" && (status.live as { ok: boolean } | undefined)?.ok === true;
}

describe("the first hop binds the link request to the browser", () => {
  it("returns a URL on this service that sets a __Host- cookie and sends the browser to Zoom with PKCE", async () => {
    const start = await beginLink("tenant-a", RETURN_TO);
    expect(start).toMatch(/^https:\/\/edge\.test\/oauth\/zoom\/start\/[A-Za-z0-9_-]{43}$/);
    const res = await call(start.slice(BASE.length), { redirect: "manual" });
    expect(res.status).toBe(302);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(new RegExp(`^${LINK_COOKIE}=[A-Za-z0-9_-]{43};`));
    expect(cookie).toContain("Max-Age=600");
    expect(cookie).toContain("Path=/");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain("Domain");
    const url = new URL(res.headers.get("location") ?? "");
    expect(url.origin).toBe(ZOOM);
    expect(url.pathname).toBe("/oauth/authorize");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("redirect_uri")).toBe("https://edge.test/oauth/zoom/callback");
    // Handle, state and cookie value are stored only as hashes (the state sealed for the hop).
    const state = url.searchParams.get("state") ?? "";
    expect(state.length).toBeGreaterThanOrEqual(43);
    const stored = JSON.stringify(await rows("SELECT * FROM oauth_states"));
    for (const secret of [state, start.split("/").at(-1) ?? "", cookie.split(";")[0]?.split("=")[1] ?? ""]) {
      expect(stored).not.toContain(secret);
    }
  });

  it("over plain http (local development) the cookie has a plain name and no Secure flag", async () => {
    const start = await beginLink("tenant-a");
    const res = await fetchAndSettle(
      new Request(`http://edge.test${new URL(start).pathname}`, { redirect: "manual" }),
      { PUBLIC_BASE_URL: "http://edge.test", WISE_ORIGINS: "http://edge.test" },
    );
    expect(res.status).toBe(302);
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^zoom_link=/);
    expect(cookie).not.toContain("Secure");
    expect(cookie).toContain("HttpOnly");
  });

  it("a replayed handle gets a page and changes nothing", async () => {
    const start = await beginLink("tenant-a");
    const first = await firstHop(start);
    const replay = await call(start.slice(BASE.length), { redirect: "manual" });
    expect(replay.status).toBe(400);
    expect(replay.headers.get("content-type")).toContain("text/html");
    expect(replay.headers.get("set-cookie")).toBeNull();
    expect(await replay.text()).toContain("expired or was already used");
    // The first browser still finishes its own request.
    const res = await callback(await consent(first.authorizeUrl));
    expect(res.status).toBe(200);
    expect(await confirmationOf(res)).not.toBeNull();
    for (const bad of ["x", "A".repeat(43), `${"A".repeat(42)}%2F`]) {
      expect((await call(`/oauth/zoom/start/${bad}`, { redirect: "manual" })).status).toBe(400);
    }
  });

  it("refuses a callback without the cookie, and the right browser can still finish", async () => {
    const back = await consent(await startLink("tenant-a", RETURN_TO));
    const res = await callback(back, null);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("started in another browser");
    expect(await count("zoom_pending_links")).toBe(0);
    expect((await stats()).grants.authorization_code).toBe(0);
    expect((await callback(back)).status).toBe(302);
    expect(await count("zoom_pending_links")).toBe(1);
  });

  it("refuses a callback with another browser's cookie", async () => {
    const mine = await consent(await startLink("tenant-a"));
    const other = await firstHop(await beginLink("tenant-a"));
    const res = await callback(mine, other.cookie);
    expect(res.status).toBe(400);
    expect(await count("zoom_pending_links")).toBe(0);
    expect((await stats()).grants.authorization_code).toBe(0);
  });

  it("refuses another tenant's state even with a valid cookie", async () => {
    const theirs = await consent(await startLink("tenant-b"), "approve", OWNER_B);
    const mine = await firstHop(await beginLink("tenant-a"));
    const res = await callback(theirs, mine.cookie);
    expect(res.status).toBe(400);
    expect(await count("zoom_pending_links")).toBe(0);
    expect(await count("zoom_credentials")).toBe(0);
  });

  it("refuses replayed, expired, unknown and missing states with a page", async () => {
    const redirect = await consent(await startLink("tenant-a"));
    expect((await callback(redirect)).status).toBe(200);
    await env.DB.prepare("DELETE FROM zoom_pending_links").run();

    const replay = await callback(redirect);
    expect(replay.status).toBe(400);
    expect(replay.headers.get("content-type")).toContain("text/html");
    expect(await replay.text()).toContain("expired or was already used");

    const late = await consent(await startLink("tenant-a"));
    await env.DB.prepare("UPDATE oauth_states SET expires_at = ?")
      .bind(Date.now() - 1)
      .run();
    expect((await callback(late)).status).toBe(400);

    const forged = new URL(late);
    forged.searchParams.set("state", "A".repeat(43));
    expect((await callback(forged)).status).toBe(400);
    expect((await call("/oauth/zoom/callback?state=&code=abc")).status).toBe(400);
    expect((await call("/oauth/zoom/callback")).status).toBe(400);
    expect(await count("zoom_pending_links")).toBe(0);
    expect(await count("zoom_credentials")).toBe(0);
  });

  it("a denied consent stores nothing and tells Wise", async () => {
    const res = await callback(await consent(await startLink("tenant-a", RETURN_TO), "deny"));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${RETURN_TO}?zoom_link=denied`);
    expect(await count("zoom_credentials")).toBe(0);
    expect((await stats()).grants.authorization_code).toBe(0);
  });

  it("revokes the fresh grant and shows a page when Zoom fails to name the user behind it", async () => {
    const redirect = await consent(await startLink("tenant-a", RETURN_TO));
    await addFault({ operation: "users.get", status: 503, times: 10 });
    const res = await callback(redirect);
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("Zoom is not answering");
    expect(await count("zoom_credentials")).toBe(0);
    expect(await count("zoom_pending_links")).toBe(0);
    const zoom = await stats();
    expect(zoom.grants.authorization_code).toBe(1);
    expect(zoom.validTokens).toEqual({ access: [], refresh: [] });
  });

  it("refuses a callback without a code", async () => {
    const redirect = await consent(await startLink("tenant-a"));
    redirect.searchParams.delete("code");
    const res = await callback(redirect);
    expect(res.status).toBe(400);
    expect(await count("zoom_pending_links")).toBe(0);
  });

  it("refuses a code issued for another authorization (PKCE verifier mismatch)", async () => {
    const mine = new URL(await startLink("tenant-a"));
    const other = await consent(await startLink("tenant-a"));
    // Our state (and our browser's cookie), with a code bound to the other request's challenge.
    const mixed = new URL(other);
    mixed.searchParams.set("state", mine.searchParams.get("state") ?? "");
    const res = await callback(mixed);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Zoom refused the authorization");
    expect(await count("zoom_pending_links")).toBe(0);
    expect((await stats()).invalidGrants).toBe(1);
  });

  it.each([
    "//evil.example/x",
    "https:evil.example",
    "javascript:alert(1)",
    "https://evil.example/settings",
    "https://app.wise.test.evil.example/",
    "https://user:pw@app.wise.test/",
    "/settings",
  ])("refuses returnTo %s without storing anything", async (returnTo) => {
    const res = await call("/v1/zoom/link", {
      method: "POST",
      headers: { ...(await bearer({ tenant: "tenant-a" })), "content-type": "application/json" },
      body: JSON.stringify({ returnTo }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await count("oauth_states")).toBe(0);
  });
});

describe("a link is pending until the admin who started it confirms it", () => {
  it("the callback stores an encrypted pending link; confirming makes it the tenant's link", async () => {
    const { res, confirmation } = await authorizeOnly("tenant-a");
    expect(res.status).toBe(302);
    const location = res.headers.get("location") ?? "";
    expect(location).toBe(`${RETURN_TO}?zoom_link=pending#zoom_confirm=${confirmation}`);
    expect(res.headers.get("set-cookie")).toContain(`${LINK_COOKIE}=;`);
    expect((await linkStatus("tenant-a")).status).toBe("unlinked");
    expect(await pendingOf("tenant-a")).toEqual([
      expect.objectContaining({ zoomAccountId: ACCOUNT_A, zoomUserEmail: "owner@school-a.example" }),
    ]);
    // Nothing plaintext at rest: neither Zoom's tokens nor the confirmation secret.
    const zoomTokens = (await stats()).validTokens;
    const stored = JSON.stringify(await rows("SELECT * FROM zoom_pending_links"));
    for (const secret of [...zoomTokens.access, ...zoomTokens.refresh, confirmation ?? "x"]) {
      expect(stored).not.toContain(secret);
    }

    const confirmed = await confirmLink("tenant-a", confirmation ?? "");
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toMatchObject({
      status: "linked",
      zoomAccountId: ACCOUNT_A,
      linkedBy: "admin-of-tenant-a",
      missingScopes: [],
    });
    expect(await worksAtZoom("tenant-a")).toBe(true);
    expect(await count("zoom_pending_links")).toBe(0);
    const audit = await rows("SELECT action, actor FROM audit_log");
    expect(audit).toEqual([{ action: "zoom.linked", actor: "admin-of-tenant-a" }]);
  });

  it("without returnTo the page sends the admin to Wise with the confirmation", async () => {
    const { res, confirmation } = await authorizeOnly("tenant-a", OWNER_A, null);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("Confirm the link in Wise");
    expect(page).toContain(`href="https://app.wise.test/#zoom_confirm=${confirmation}"`);
  });

  it("confirming activates exactly once, even when two confirmations race", async () => {
    const { confirmation } = await authorizeOnly("tenant-a");
    const answers = await Promise.all([
      confirmLink("tenant-a", confirmation ?? ""),
      confirmLink("tenant-a", confirmation ?? ""),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 404]);
    expect((await confirmLink("tenant-a", confirmation ?? "")).status).toBe(404);
    expect(await rows("SELECT action FROM audit_log")).toEqual([{ action: "zoom.linked" }]);
    expect(await count("zoom_credentials")).toBe(1);
  });

  it("another admin of the same tenant cannot confirm it", async () => {
    const { confirmation } = await authorizeOnly("tenant-a");
    const res = await confirmLink("tenant-a", confirmation ?? "", "another-admin");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(((await res.json()) as { code: string }).code).toBe("pending_link_not_found");
    expect(await pendingOf("tenant-a", "another-admin")).toEqual([]);
    expect((await linkStatus("tenant-a")).status).toBe("unlinked");
    // Still there for the admin who started it.
    expect((await confirmLink("tenant-a", confirmation ?? "")).status).toBe(200);
  });

  it("another tenant cannot confirm it, even with the same admin id and the secret", async () => {
    const { confirmation } = await authorizeOnly("tenant-a");
    const res = await confirmLink("tenant-b", confirmation ?? "", "admin-of-tenant-a");
    expect(res.status).toBe(404);
    expect((await linkStatus("tenant-b")).status).toBe("unlinked");
    expect((await linkStatus("tenant-a")).status).toBe("unlinked");
    expect(await count("zoom_pending_links")).toBe(1);
  });

  it("forced linking: the admin who started it cannot confirm without the secret the victim's browser got", async () => {
    // The attacker (tenant-b's admin) sends their first hop to school A's Zoom owner, who clicks Allow.
    const victimBrowser = await callback(
      await consent(await startLink("tenant-b", RETURN_TO), "approve", OWNER_A),
    );
    expect(victimBrowser.status).toBe(302);
    const [pending] = await pendingOf("tenant-b");
    expect(pending).toMatchObject({ zoomAccountId: ACCOUNT_A });
    for (const guess of ["A".repeat(43), "", "x".repeat(300), "not-a-secret"]) {
      const res = await confirmLink("tenant-b", guess);
      expect([400, 404]).toContain(res.status);
    }
    expect((await linkStatus("tenant-b")).status).toBe("unlinked");
    // Unconfirmed, it expires and its grant is revoked: school A's Zoom keeps no grant for tenant-b.
    await env.DB.prepare("UPDATE zoom_pending_links SET expires_at = ?")
      .bind(Date.now() - 1)
      .run();
    await runPendingCron();
    expect((await stats()).validTokens.refresh).toHaveLength(0);
  });

  it("an expired pending link cannot be confirmed, and the cron revokes its grant at Zoom", async () => {
    const { confirmation } = await authorizeOnly("tenant-a");
    expect((await stats()).validTokens.refresh).toHaveLength(1);
    await env.DB.prepare("UPDATE zoom_pending_links SET expires_at = ?")
      .bind(Date.now() - 1)
      .run();
    expect((await confirmLink("tenant-a", confirmation ?? "")).status).toBe(404);
    expect(await pendingOf("tenant-a")).toEqual([]);
    const before = await stats();
    await runPendingCron();
    const after = await stats();
    expect(after.revocations).toBe(before.revocations + 1);
    expect(after.validTokens.refresh).toHaveLength(0);
    expect(await count("zoom_pending_links")).toBe(0);
    expect((await linkStatus("tenant-a")).status).toBe("unlinked");
  });

  it("cancelling drops the pending link and revokes its grant", async () => {
    const { confirmation } = await authorizeOnly("tenant-a");
    const other = await call("/v1/zoom/link/pending", {
      method: "DELETE",
      headers: await admin("tenant-a", "someone"),
    });
    expect(other.status).toBe(204);
    expect(await count("zoom_pending_links")).toBe(1);
    const res = await call("/v1/zoom/link/pending", { method: "DELETE", headers: await admin("tenant-a") });
    expect(res.status).toBe(204);
    expect((await stats()).validTokens.refresh).toHaveLength(0);
    expect((await confirmLink("tenant-a", confirmation ?? "")).status).toBe(404);
  });

  it("refuses malformed confirmations with a problem and only admins may call", async () => {
    for (const body of ["{}", '{"confirmation":1}', '{"confirmation":"a","extra":1}', "nope"]) {
      const res = await call("/v1/zoom/link/confirm", {
        method: "POST",
        headers: { ...(await admin("tenant-a")), "content-type": "application/json" },
        body,
      });
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
    const teacher = await call("/v1/zoom/link/confirm", {
      method: "POST",
      headers: {
        ...(await bearer({ tenant: "tenant-a", role: "teacher" })),
        "content-type": "application/json",
      },
      body: JSON.stringify({ confirmation: "A".repeat(43) }),
    });
    expect(teacher.status).toBe(403);
  });

  it("moving to another Zoom account revokes the old grant once confirmed; the same account relinks at once", async () => {
    await linkZoom("tenant-a");
    const same = await authorizeOnly("tenant-a");
    // The same account for the same institute changes no hands: no confirmation, the new grant replaces the old.
    expect(same.confirmation).toBeNull();
    expect(same.res.headers.get("location")).toBe(`${RETURN_TO}?zoom_link=relinked`);
    expect(await worksAtZoom("tenant-a")).toBe(true);
    expect(await count("zoom_credentials")).toBe(1);

    const move = await authorizeOnly("tenant-a", OWNER_B);
    // Until confirmed, the current link keeps working.
    expect(await worksAtZoom("tenant-a")).toBe(true);
    const before = await stats();
    expect((await confirmLink("tenant-a", move.confirmation ?? "")).status).toBe(200);
    expect((await linkStatus("tenant-a")).zoomAccountId).toBe(ACCOUNT_B);
    expect((await stats()).revocations).toBe(before.revocations + 1);
    // The old account's refresher stopped: no alarm left to wake it.
    expect(await runDurableObjectAlarm(env.ZOOM_ACCOUNT.getByName(ACCOUNT_A))).toBe(false);
    const actions = await rows<{ action: string }>("SELECT action FROM audit_log ORDER BY id");
    expect(actions.map((r) => r.action)).toEqual(["zoom.linked", "zoom.relinked", "zoom.relinked"]);
  });
});

describe("a refused link never breaks the rightful tenant's link", () => {
  it("two tenants' attempts on the same unlinked account: only the newest grant can be confirmed, and it works", async () => {
    const older = await authorizeOnly("tenant-a", OWNER_B);
    const newer = await authorizeOnly("tenant-b", OWNER_B);
    // Zoom revoked the older grant when it issued the newer one: the older pending link is gone.
    expect(await count("zoom_pending_links")).toBe(1);
    expect((await confirmLink("tenant-a", older.confirmation ?? "")).status).toBe(404);
    expect((await linkStatus("tenant-a")).status).toBe("unlinked");
    expect((await confirmLink("tenant-b", newer.confirmation ?? "")).status).toBe(200);
    expect(await worksAtZoom("tenant-b")).toBe(true);
  });

  it("another tenant's attempt on a linked account: readable refusal, and the owner keeps working at Zoom", async () => {
    expect((await linkZoom("tenant-a")).status).toBe(200);
    expect(await worksAtZoom("tenant-a")).toBe(true);
    const { res, confirmation } = await authorizeOnly("tenant-b", OWNER_A);
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("linked to another institute");
    expect(confirmation).toBeNull();
    expect((await linkStatus("tenant-b")).status).toBe("unlinked");
    expect(await count("zoom_pending_links")).toBe(0);
    // Zoom revoked tenant-a's tokens when it issued the new grant; tenant-a adopted that grant.
    expect((await stats()).validTokens.refresh).toHaveLength(1);
    expect(await worksAtZoom("tenant-a")).toBe(true);
    const audit = await rows("SELECT tenant_id, action FROM audit_log ORDER BY id");
    expect(audit.at(-1)).toEqual({ tenant_id: "tenant-a", action: "zoom.grant_adopted" });
    // And it keeps refreshing with it.
    expect(await runDurableObjectAlarm(env.ZOOM_ACCOUNT.getByName(ACCOUNT_A))).toBe(true);
    expect(await worksAtZoom("tenant-a")).toBe(true);
  });
});

describe("installs started from the Zoom Marketplace", () => {
  /** The Marketplace's Add button as Zoom's owner `userId`: the product's answer to the state-less callback. */
  async function marketplaceInstall(userId = OWNER_B) {
    const add = await fetch(
      `${ZOOM}/marketplace/apps/wise-local-client/add?redirect_uri=${encodeURIComponent(`${BASE}/oauth/zoom/callback`)}`,
      { redirect: "manual" },
    );
    expect(add.status).toBe(302);
    const back = await consent(
      new URL(add.headers.get("location") ?? "", ZOOM).toString(),
      "approve",
      userId,
    );
    expect(back.searchParams.has("state")).toBe(false);
    const res = await callback(back, null);
    const body = await res.text();
    return { res, body, handoff: /#zoom_handoff=([A-Za-z0-9_-]+)/.exec(body)?.[1] ?? null };
  }

  async function claim(tenant: string, handoff: string, sub = `admin-of-${tenant}`) {
    return call("/v1/zoom/link/claim", {
      method: "POST",
      headers: { ...(await admin(tenant, sub)), "content-type": "application/json" },
      body: JSON.stringify({ handoff }),
    });
  }

  it("sends the admin to Wise with a handoff; a Wise admin claims it, then confirms it", async () => {
    const { res, body, handoff } = await marketplaceInstall();
    expect(res.status).toBe(200);
    expect(body).toContain("Finish linking Zoom in Wise");
    expect(body).toContain(`href="https://app.wise.test/#zoom_handoff=${handoff}"`);
    expect(await count("zoom_credentials")).toBe(0);
    const stored = JSON.stringify(await rows("SELECT * FROM zoom_pending_links"));
    expect(stored).not.toContain(handoff ?? "x");
    for (const t of (await stats()).validTokens.refresh) expect(stored).not.toContain(t);

    const claimed = await claim("tenant-b", handoff ?? "");
    expect(claimed.status).toBe(200);
    const { confirmation, pending } = (await claimed.json()) as {
      confirmation: string;
      pending: Record<string, unknown>;
    };
    expect(pending).toMatchObject({ zoomAccountId: ACCOUNT_B, zoomUserEmail: "owner@school-b.example" });
    expect(await pendingOf("tenant-b")).toHaveLength(1);
    // Claimed means pending: another admin of the tenant still cannot confirm it.
    expect((await confirmLink("tenant-b", confirmation, "someone-else")).status).toBe(404);
    expect((await confirmLink("tenant-b", confirmation)).status).toBe(200);
    expect(await worksAtZoom("tenant-b")).toBe(true);
  });

  it("state-less callbacks are limited per address before any call to Zoom", async () => {
    const strict = { JOIN_RATE_LIMITER: env.TEST_STRICT_RATE_LIMITER };
    const attempt = () =>
      fetchAndSettle(
        new Request(`${BASE}/oauth/zoom/callback?code=forged-code`, {
          headers: { "cf-connecting-ip": "198.51.100.9" },
        }),
        strict,
      );
    const answers: number[] = [];
    for (let i = 0; i < 7; i++) answers.push((await attempt()).status);
    expect(answers.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(answers.slice(5)).toEqual([429, 429]);
    // Only the attempts within the budget reached Zoom's token endpoint.
    expect((await stats()).invalidGrants).toBe(5);
    expect(await count("zoom_pending_links")).toBe(0);
  });

  it("a handoff is claimed once: a replay (any tenant) finds nothing", async () => {
    const { handoff } = await marketplaceInstall();
    expect((await claim("tenant-b", handoff ?? "")).status).toBe(200);
    const replay = await claim("tenant-c", handoff ?? "");
    expect(replay.status).toBe(404);
    expect(((await replay.json()) as { code: string }).code).toBe("handoff_not_found");
    expect((await claim("tenant-b", handoff ?? "")).status).toBe(404);
    expect(await pendingOf("tenant-c")).toEqual([]);
    for (const bad of ["", "A".repeat(43), "x".repeat(300)])
      expect([400, 404]).toContain((await claim("tenant-c", bad)).status);
  });

  it("an unclaimed handoff expires: it cannot be claimed and its grant is revoked", async () => {
    const { handoff } = await marketplaceInstall();
    expect((await stats()).validTokens.refresh).toHaveLength(1);
    await env.DB.prepare("UPDATE zoom_pending_links SET expires_at = ?")
      .bind(Date.now() - 1)
      .run();
    expect((await claim("tenant-b", handoff ?? "")).status).toBe(404);
    await runPendingCron();
    expect((await stats()).validTokens.refresh).toHaveLength(0);
    expect(await count("zoom_pending_links")).toBe(0);
  });

  it("an account already linked to a tenant is not handed off, and that tenant's link keeps working", async () => {
    expect((await linkZoom("tenant-a")).status).toBe(200);
    const { res, body, handoff } = await marketplaceInstall(OWNER_A);
    expect(res.status).toBe(409);
    expect(body).toContain("already linked to a Wise institute");
    expect(handoff).toBeNull();
    expect(await count("zoom_pending_links")).toBe(0);
    expect(await worksAtZoom("tenant-a")).toBe(true);
    expect((await linkStatus("tenant-a")).zoomAccountId).toBe(ACCOUNT_A);
  });

  it("a handoff for an account linked elsewhere since then cannot be claimed", async () => {
    const { handoff } = await marketplaceInstall(OWNER_B);
    // Linking the account issued a newer grant (Zoom revoked the handoff's): the handoff is gone.
    expect((await linkZoom("tenant-b", { userId: OWNER_B })).status).toBe(200);
    const res = await claim("tenant-c", handoff ?? "");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe("handoff_not_found");
    expect(await pendingOf("tenant-c")).toEqual([]);
    expect(await worksAtZoom("tenant-b")).toBe(true);
    expect(await count("zoom_pending_links")).toBe(0);
  });
});

describe("the API document", () => {
  it("describes the pending, confirm and claim routes", async () => {
    const doc = (await (await call("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    expect(Object.keys(doc.paths["/v1/zoom/link/pending"] ?? {}).sort()).toEqual(["delete", "get"]);
    expect(Object.keys(doc.paths["/v1/zoom/link/confirm"] ?? {})).toEqual(["post"]);
    expect(Object.keys(doc.paths["/v1/zoom/link/claim"] ?? {})).toEqual(["post"]);
    expect(doc.paths["/v1/zoom/link/confirm"]?.post?.security).toEqual([{ wiseJwt: [] }]);
    expect(JSON.stringify(doc.paths["/v1/zoom/link"]?.post)).toContain("/oauth/zoom/start/{handle}");
  });
});

describe("status and unlinking", () => {
  it("checks the link live at Zoom", async () => {
    await linkZoom("tenant-a");
    const status = await linkStatus("tenant-a", true);
    expect(status.live).toMatchObject({ ok: true });
  });

  it("keeps tenants apart and admin routes for admins", async () => {
    await linkZoom("tenant-a");
    expect((await linkStatus("tenant-b")).status).toBe("unlinked");
    const del = await call("/v1/zoom/link", {
      method: "DELETE",
      headers: await bearer({ tenant: "tenant-b" }),
    });
    expect(del.status).toBe(204);
    expect((await linkStatus("tenant-a")).status).toBe("linked");
    for (const role of ["teacher", "student"]) {
      for (const method of ["GET", "POST", "DELETE"]) {
        const res = await call("/v1/zoom/link", {
          method,
          headers: await bearer({ tenant: "tenant-a", role }),
        });
        expect(res.status).toBe(403);
      }
    }
    expect((await linkStatus("tenant-a")).status).toBe("linked");
  });

  it("unlinks: revokes at Zoom, deletes the credential, audits, and is idempotent", async () => {
    await linkZoom("tenant-a");
    const before = await stats();
    expect(before.validTokens.refresh).toHaveLength(1);
    const headers = await bearer({ tenant: "tenant-a", sub: "admin-7" });
    expect((await call("/v1/zoom/link", { method: "DELETE", headers })).status).toBe(204);
    const after = await stats();
    expect(after.revocations).toBe(before.revocations + 1);
    expect(after.validTokens.refresh).toHaveLength(0);
    expect(await count("zoom_credentials")).toBe(0);
    const status = await linkStatus("tenant-a");
    expect(status.status).toBe("unlinked");
    expect(status.reason).toContain("Unlinked by admin-7");
    expect((await call("/v1/zoom/link", { method: "DELETE", headers })).status).toBe(204);
    const actions = await env.DB.prepare("SELECT action FROM audit_log ORDER BY id").all();
    expect(actions.results.map((r) => r.action)).toEqual(["zoom.linked", "zoom.unlinked"]);
  });

  it("unlinks even when Zoom's revocation fails", async () => {
    await linkZoom("tenant-a");
    await fetch("https://zoom.us/__emulator/faults", {
      method: "POST",
      body: JSON.stringify({ operation: "oauth.revoke", status: 500, times: 0 }),
    });
    const res = await call("/v1/zoom/link", {
      method: "DELETE",
      headers: await bearer({ tenant: "tenant-a" }),
    });
    expect(res.status).toBe(204);
    expect(await count("zoom_credentials")).toBe(0);
  });
});
