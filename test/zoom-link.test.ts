// Linking, link status and unlinking through the real Worker and the Zoom emulator.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { call } from "./helpers/app.ts";
import { count } from "./helpers/db.ts";
import { bearer } from "./helpers/jwt.ts";
import {
  ACCOUNT_A,
  callback,
  consent,
  freshStart,
  linkStatus,
  linkZoom,
  OWNER_A,
  OWNER_B,
  startLink,
  stats,
} from "./helpers/zoom.ts";

const RETURN_TO = "https://app.wise.test/settings/zoom";

beforeEach(async () => {
  await freshStart();
});

describe("linking", () => {
  it("links through Zoom's consent page and returns to the Wise page", async () => {
    const authorizeUrl = await startLink("tenant-a", RETURN_TO);
    const url = new URL(authorizeUrl);
    expect(url.pathname).toBe("/oauth/authorize");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("redirect_uri")).toBe("https://edge.test/oauth/zoom/callback");
    // The state is stored hashed, never as sent.
    const state = url.searchParams.get("state") ?? "";
    expect(state.length).toBeGreaterThanOrEqual(43);
    const stored = await env.DB.prepare("SELECT * FROM oauth_states").all();
    expect(JSON.stringify(stored.results)).not.toContain(state);

    const res = await callback(await consent(authorizeUrl));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${RETURN_TO}?zoom_link=linked`);

    const status = await linkStatus("tenant-a");
    expect(status).toMatchObject({
      status: "linked",
      zoomAccountId: ACCOUNT_A,
      linkedBy: "admin-of-tenant-a",
      missingScopes: [],
    });
    expect(status.scopes).toContain("cloud_recording:delete:meeting_recording:admin");
    expect(Date.parse(String(status.accessTokenExpiresAt))).toBeGreaterThan(Date.now() + 3000_000);
    const audit = await env.DB.prepare("SELECT action, actor FROM audit_log").all();
    expect(audit.results).toEqual([{ action: "zoom.linked", actor: "admin-of-tenant-a" }]);
  });

  it("without returnTo shows a page instead of redirecting", async () => {
    const res = await linkZoom("tenant-a");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Zoom is linked");
  });

  it("a denied consent stores nothing and tells Wise", async () => {
    const res = await callback(await consent(await startLink("tenant-a", RETURN_TO), "deny"));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${RETURN_TO}?zoom_link=denied`);
    expect(await count("zoom_credentials")).toBe(0);
    expect((await stats()).grants.authorization_code).toBe(0);
  });

  it("refuses replayed, expired, unknown and missing states with a page", async () => {
    const redirect = await consent(await startLink("tenant-a"));
    expect((await callback(redirect)).status).toBe(200);
    await env.DB.prepare("DELETE FROM zoom_credentials").run();

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
    expect((await call("/oauth/zoom/callback?code=abc")).status).toBe(400);
    expect(await count("zoom_credentials")).toBe(0);
  });

  it("a state links only the tenant that started it", async () => {
    const forA = await startLink("tenant-a");
    const forB = await startLink("tenant-b");
    // Whoever's browser completes A's request, the credential belongs to tenant A.
    expect((await callback(await consent(forA))).status).toBe(200);
    expect((await linkStatus("tenant-a")).linkedBy).toBe("admin-of-tenant-a");
    expect((await linkStatus("tenant-b")).status).toBe("unlinked");
    // B's own request still works for B, with its own account.
    expect((await callback(await consent(forB, "approve", OWNER_B))).status).toBe(200);
    expect((await linkStatus("tenant-b")).zoomAccountId).toBe("emuAcctB2");
    expect(await count("zoom_credentials")).toBe(2);
  });

  it("refuses a callback without a code", async () => {
    const redirect = await consent(await startLink("tenant-a"));
    redirect.searchParams.delete("code");
    const res = await callback(redirect);
    expect(res.status).toBe(400);
    expect(await count("zoom_credentials")).toBe(0);
  });

  it("refuses a code issued for another authorization (PKCE verifier mismatch)", async () => {
    const mine = new URL(await startLink("tenant-a"));
    const other = await consent(await startLink("tenant-a"));
    // Our state, with a code bound to the other request's challenge.
    const mixed = new URL(other);
    mixed.searchParams.set("state", mine.searchParams.get("state") ?? "");
    const res = await callback(mixed);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Zoom refused the authorization");
    expect(await count("zoom_credentials")).toBe(0);
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

  it("refuses a Zoom account already linked to another tenant, and revokes what it got", async () => {
    expect((await linkZoom("tenant-a")).status).toBe(200);
    const before = await stats();
    const res = await linkZoom("tenant-b", { userId: OWNER_A });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("linked to another institute");
    expect((await linkStatus("tenant-b")).status).toBe("unlinked");
    expect((await linkStatus("tenant-a")).status).toBe("linked");
    expect((await stats()).revocations).toBe(before.revocations + 1);
  });

  it("relinking replaces the credential, and moving to another Zoom account revokes the old grant", async () => {
    await linkZoom("tenant-a");
    await linkZoom("tenant-a");
    expect(await count("zoom_credentials")).toBe(1);
    const before = await stats();
    await linkZoom("tenant-a", { userId: OWNER_B });
    expect((await linkStatus("tenant-a")).zoomAccountId).toBe("emuAcctB2");
    expect((await stats()).revocations).toBe(before.revocations + 1);
    // The old account's refresher stopped: no alarm left to wake it.
    expect(await runDurableObjectAlarm(env.ZOOM_ACCOUNT.getByName(ACCOUNT_A))).toBe(false);
    const actions = await env.DB.prepare("SELECT action FROM audit_log ORDER BY id").all();
    expect(actions.results.map((r) => r.action)).toEqual(["zoom.linked", "zoom.relinked", "zoom.relinked"]);
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
