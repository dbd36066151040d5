// How the product survives ZOOM.md behaviours no other suite covers: every body Zoom uses to end a
// grant, a refresh whose answer was lost, an authorization code used after its 5 minutes, and
// registrations Zoom answers without a personal link (a full meeting, manual approval).
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { api } from "../helpers/api.ts";
import { BASE, call } from "../helpers/app.ts";
import { addActiveTeacher, createClass, type TestClass } from "../helpers/classes.ts";
import { count } from "../helpers/db.ts";
import { bearer } from "../helpers/jwt.ts";
import {
  addFault,
  advanceZoomClock,
  callback,
  consent,
  type Delivery,
  deliver,
  emulator,
  freshStart,
  linkStatus,
  linkZoom,
  outbox,
  startLink,
  stats,
} from "../helpers/zoom.ts";

async function liveCheck(tenant: string) {
  const res = await call("/v1/zoom/link?live=1", { headers: await bearer({ tenant }) });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string; live: { ok: boolean } };
}

beforeEach(freshStart);
afterEach(() => vi.restoreAllMocks());

it("the access token's expiry is computed from expires_in (3599 s), not assumed to be an hour", async () => {
  const before = Date.now();
  expect((await linkZoom("tenant-a")).status).toBe(200);
  const after = Date.now();
  const row = await env.DB.prepare("SELECT access_token_expires_at AS at FROM zoom_credentials").first<{
    at: number;
  }>();
  expect(row?.at).toBeGreaterThanOrEqual(before + 3599_000);
  expect(row?.at).toBeLessThanOrEqual(after + 3599_000);
});

it("an access token that Zoom says lives 1800 s is stored with that expiry, not an hour's", async () => {
  await emulator("/config", { accessTokenTtlSeconds: 1800 });
  const before = Date.now();
  expect((await linkZoom("tenant-a")).status).toBe(200);
  const after = Date.now();
  const row = await env.DB.prepare("SELECT access_token_expires_at AS at FROM zoom_credentials").first<{
    at: number;
  }>();
  expect(row?.at).toBeGreaterThanOrEqual(before + 1800_000);
  expect(row?.at).toBeLessThanOrEqual(after + 1800_000);
});

describe("token answers that end a grant", () => {
  it.each([
    ["a bare invalid_grant", { error: "invalid_grant" }],
    ["Invalid Token!", { reason: "Invalid Token!", error: "invalid_grant" }],
    ["invalid_request for a dead token", { reason: "Invalid Token!", error: "invalid_request" }],
    ["4735 (owner gone)", { reason: "Owner of token does not exist.", error: "invalid_grant", code: 4735 }],
    ["4737 (token not found)", { reason: "Token does not exist.", error: "invalid_grant", code: 4737 }],
    ["4741 (revoked)", { reason: "Token has been revoked.", error: "invalid_grant", code: 4741 }],
  ])("a token answer of %s asks the admin to link again", async (_name, body) => {
    expect((await linkZoom("tenant-a")).status).toBe(200);
    await advanceZoomClock(3600);
    await addFault({ operation: "oauth.token", times: 1, status: 400, body });
    expect((await liveCheck("tenant-a")).live.ok).toBe(false);
    expect((await linkStatus("tenant-a")).status).toBe("needs_relink");
  });

  it("a refresh whose answer was lost strands the grant: the admin is asked to link again", async () => {
    expect((await linkZoom("tenant-a")).status).toBe(200);
    await advanceZoomClock(3600);
    // Zoom rotated the refresh token, but its answer never arrived.
    await addFault({ operation: "oauth.token", times: 1, dropAfterBytes: 10 });
    expect((await liveCheck("tenant-a")).live.ok).toBe(false);
    const status = await linkStatus("tenant-a");
    expect(status.status).toBe("needs_relink");
    expect(status.reason).toContain("invalid_grant");
    const s = await stats();
    expect(s.grants.refresh_token).toBe(1);
    expect(s.invalidGrants).toBe(1);
    // Installing again heals it.
    expect((await linkZoom("tenant-a")).status).toBe(200);
    expect((await liveCheck("tenant-a")).live.ok).toBe(true);
  });
});

it("an authorization code older than 5 minutes (4733) is refused with a page, and nothing is stored", async () => {
  const redirect = await consent(await startLink("tenant-a"));
  await advanceZoomClock(301);
  const res = await callback(redirect);
  expect(res.status).toBe(400);
  expect(res.headers.get("content-type")).toContain("text/html");
  expect(await res.text()).toContain("Zoom refused the authorization");
  expect(await count("zoom_credentials")).toBe(0);
  expect((await linkStatus("tenant-a")).status).toBe("unlinked");
});

describe("registrations without a personal link", () => {
  let ip = 0;
  async function joinLink(cls: TestClass): Promise<string> {
    const res = await call(`/v1/classes/${cls.classId}/join-links`, {
      method: "POST",
      headers: {
        ...(await bearer({ tenant: cls.tenant, role: "admin", sub: "admin-1" })),
        "content-type": "application/json",
      },
      body: JSON.stringify({ students: [{ id: "stu-1", name: "Asha Rao", email: "asha@example.com" }] }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { links: { url: string }[] }).links[0]?.url ?? "";
  }
  const click = (url: string) =>
    call(url.slice(BASE.length), {
      redirect: "manual",
      headers: { "cf-connecting-ip": `203.0.113.${++ip}` },
    });

  async function registrationRow() {
    return env.DB.prepare(
      "SELECT status, last_error, join_url FROM class_registrants WHERE student_id = 'stu-1'",
    ).first();
  }

  it("a meeting full of registrants (3043): the student joins through the meeting's join URL", async () => {
    const cls = await createClass("tenant-a", { registration: true });
    await addActiveTeacher(cls);
    await emulator("/config", { registrantCap: 0 });
    const res = await click(await joinLink(cls));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(cls.joinUrl.split("?")[0]);
    expect(location.searchParams.get("uname")).toBe("Asha Rao");
    expect(await registrationRow()).toMatchObject({ status: "failed", last_error: "zoom_400_3043" });
  });

  it("manual approval gives no join_url: the student joins through the meeting's join URL", async () => {
    const cls = await createClass("tenant-a", { registration: true });
    await addActiveTeacher(cls);
    const token = (await stats()).validTokens.access.at(-1);
    const patched = await fetch(`https://api.zoom.us/v2/meetings/${cls.meetingId}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ settings: { approval_type: 1 } }),
    });
    expect(patched.status).toBe(204);
    const res = await click(await joinLink(cls));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(cls.joinUrl.split("?")[0]);
    expect(await registrationRow()).toMatchObject({
      status: "failed",
      last_error: "awaiting_host_approval",
      join_url: null,
    });
  });
});

it("a license changed in Zoom's web portal (user.updated with type) reaches the teacher", async () => {
  expect((await linkZoom("tenant-a")).status).toBe(200);
  const adopted = await api("POST", "/v1/teachers", {
    wiseUserId: "t-1",
    email: "teacher1@school-a.example",
    firstName: "Tea",
    lastName: "Cher",
  });
  expect(adopted.body).toMatchObject({ zoomUserId: "Tq1vN7yUQiK2bXcE4sHf9w", licensed: true });
  await emulator("/webhooks", undefined, "DELETE");
  const portal = (await emulator<{ access_token: string }>("/portal-token", {})).access_token;
  const res = await fetch("https://api.zoom.us/v2/users/Tq1vN7yUQiK2bXcE4sHf9w", {
    method: "PATCH",
    headers: { authorization: `Bearer ${portal}`, "content-type": "application/json" },
    body: JSON.stringify({ type: 1 }),
  });
  expect(res.status).toBe(204);
  const [updated] = await outbox();
  expect(updated?.event).toBe("user.updated");
  expect((await deliver(updated as Delivery)).status).toBe(200);
  const list = await api<{ teachers: { wiseUserId: string; licensed: boolean }[] }>("GET", "/v1/teachers");
  expect(list.body.teachers.find((t) => t.wiseUserId === "t-1")?.licensed).toBe(false);
});
