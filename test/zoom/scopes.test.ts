// Scopes at linking, through the real Worker, its callback and the Zoom emulator: the authorize URL
// asks for one naming (ZOOM_SCOPE_SET), an app registered with either naming links, and a grant
// that lacks a needed scope is revoked and refused with a page naming what is missing.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { requestedScopes } from "../../src/zoom/scopes.ts";
import { BASE } from "../helpers/app.ts";
import { count } from "../helpers/db.ts";
import { bearer } from "../helpers/jwt.ts";
import {
  ACCOUNT_A,
  callback,
  confirmationOf,
  confirmLink,
  consent,
  emulator,
  fetchAndSettle,
  freshStart,
  LINK_COOKIE,
  linkStatus,
  startLink,
  stats,
} from "../helpers/zoom.ts";

beforeEach(async () => {
  await freshStart();
});

const CLASSIC = { ZOOM_SCOPE_SET: "classic" };

/**
 * POST /v1/zoom/link and its first hop with the Worker's env changed by `overrides`; returns Zoom's
 * authorization URL and the browser's cookie.
 */
async function startLinkWith(
  overrides: Record<string, string>,
  tenant = "tenant-a",
): Promise<{ url: string; cookie: string }> {
  const start = await beginLinkWith(overrides, tenant);
  const hop = await fetchAndSettle(new Request(start, { redirect: "manual" }), overrides);
  expect(hop.status).toBe(302);
  const cookie = new RegExp(`^${LINK_COOKIE}=([^;]+)`).exec(hop.headers.get("set-cookie") ?? "")?.[1] ?? "";
  return { url: hop.headers.get("location") ?? "", cookie };
}

/** The callback with the Worker's env changed by `overrides`, from the browser holding `cookie`. */
function callbackWith(redirect: URL, cookie: string, overrides: Record<string, string>) {
  return fetchAndSettle(
    new Request(`${BASE}${redirect.pathname}${redirect.search}`, {
      redirect: "manual",
      headers: { cookie: `${LINK_COOKIE}=${cookie}` },
    }),
    overrides,
  );
}

async function beginLinkWith(overrides: Record<string, string>, tenant: string): Promise<string> {
  const res = await fetchAndSettle(
    new Request(`${BASE}/v1/zoom/link`, {
      method: "POST",
      headers: {
        ...(await bearer({ tenant, sub: `admin-of-${tenant}` })),
        "content-type": "application/json",
      },
      body: "{}",
    }),
    overrides,
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { authorizeUrl: string }).authorizeUrl;
}

async function getWith(path: string, overrides: Record<string, string>, tenant = "tenant-a") {
  return fetchAndSettle(new Request(`${BASE}${path}`, { headers: await bearer({ tenant }) }), overrides);
}

describe("granular (the default)", () => {
  it("asks for the granular scopes of the table and links an app registered with granular scopes", async () => {
    const url = new URL(await startLink("tenant-a"));
    const asked = (url.searchParams.get("scope") ?? "").split(",");
    expect(asked.sort()).toEqual(requestedScopes("granular").sort());
    expect(asked).toContain("cloud_recording:read:list_user_recordings:admin");
    expect(asked.some((s) => s === "recording:read:admin")).toBe(false);

    const res = await callback(await consent(url.toString()));
    expect(res.status).toBe(200);
    const confirmation = await confirmationOf(res);
    expect((await confirmLink("tenant-a", confirmation ?? "")).status).toBe(200);
    const status = await linkStatus("tenant-a", true);
    expect(status).toMatchObject({ status: "linked", zoomAccountId: ACCOUNT_A, missingScopes: [] });
    expect(status.live).toMatchObject({ ok: true });
    expect(status.scopes).toContain("meeting:write:meeting:admin");
  });

  it("an app still registered with classic scopes cannot be asked for granular ones: Zoom shows its error", async () => {
    await emulator("/config", { clients: [{ clientId: "wise-local-client", scopeSet: "classic" }] });
    const page = await fetch(await startLink("tenant-a"));
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("Invalid scope");
  });
});

describe("classic (ZOOM_SCOPE_SET=classic)", () => {
  it("links an app registered with classic scopes through the consent page and the callback", async () => {
    await emulator("/config", { clients: [{ clientId: "wise-local-client", scopeSet: "classic" }] });
    const start = await startLinkWith(CLASSIC);
    const url = new URL(start.url);
    expect((url.searchParams.get("scope") ?? "").split(",").sort()).toEqual(
      requestedScopes("classic").sort(),
    );

    const res = await callbackWith(await consent(url.toString()), start.cookie, CLASSIC);
    expect(res.status).toBe(200);
    const confirmation = await confirmationOf(res);
    const confirmed = await fetchAndSettle(
      new Request(`${BASE}/v1/zoom/link/confirm`, {
        method: "POST",
        headers: {
          ...(await bearer({ tenant: "tenant-a", sub: "admin-of-tenant-a" })),
          "content-type": "application/json",
        },
        body: JSON.stringify({ confirmation }),
      }),
      CLASSIC,
    );
    expect(confirmed.status).toBe(200);

    const status = (await (await getWith("/v1/zoom/link?live=1", CLASSIC)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ status: "linked", missingScopes: [], live: { ok: true } });
    expect(status.scopes).toContain("recording:read:admin");
    // The same classic grant is judged per operation under the default setting too.
    expect((await linkStatus("tenant-a")).missingScopes).toEqual([]);
  });
});

describe("a grant missing a needed scope", () => {
  it("is revoked at Zoom and refused with a page naming the scope; nothing is stored", async () => {
    const url = await startLink("tenant-a", "https://app.wise.test/settings/zoom");
    const declined = "cloud_recording:delete:meeting_recording:admin";
    const kept = requestedScopes("granular").filter((s) => s !== declined);
    const res = await callback(await consent(url, "approve", undefined, kept));

    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toContain("text/html");
    const page = await res.text();
    expect(page).toContain("did not grant every permission");
    expect(page).toContain(declined);
    expect(page).not.toContain("meeting:write:meeting:admin");

    expect(await count("zoom_credentials")).toBe(0);
    const zoom = await stats();
    expect(zoom.grants.authorization_code).toBe(1);
    expect(zoom.revocations).toBe(1);
    expect(zoom.validTokens).toEqual({ access: [], refresh: [] });
    expect((await linkStatus("tenant-a")).status).toBe("unlinked");
  });

  it("a classic grant missing one classic scope is refused the same way", async () => {
    await emulator("/config", { clients: [{ clientId: "wise-local-client", scopeSet: "classic" }] });
    const kept = requestedScopes("classic").filter((s) => s !== "recording:write:admin");
    const start = await startLinkWith(CLASSIC);
    const res = await callbackWith(
      await consent(start.url, "approve", undefined, kept),
      start.cookie,
      CLASSIC,
    );
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("recording:write:admin");
    expect(await count("zoom_credentials")).toBe(0);
    expect((await stats()).validTokens).toEqual({ access: [], refresh: [] });
  });
});

it("a misspelt ZOOM_SCOPE_SET is a configuration error, not a default", async () => {
  const res = await startLinkRaw({ ZOOM_SCOPE_SET: "granualr" });
  expect(res.status).toBe(500);
  expect(await res.text()).toContain("misconfigured");
  expect(env.ZOOM_SCOPE_SET).toBe("granular");
});

async function startLinkRaw(overrides: Record<string, string>) {
  return fetchAndSettle(
    new Request(`${BASE}/v1/zoom/link`, {
      method: "POST",
      headers: { ...(await bearer({ tenant: "tenant-a" })), "content-type": "application/json" },
      body: "{}",
    }),
    overrides,
  );
}
