// Signed join and start links through the real Worker and the Zoom emulator: minting, clicks,
// registration, revocation, waiting page, rate limiting, and every forged or misused link.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index.ts";
import { handleRegistrationMessage } from "../../src/links/registration.ts";
import { CLICKS_PER_LINK, rosterChanged } from "../../src/links/roster-object.ts";
import { type LinkClaims, signLink } from "../../src/links/token.ts";
import { loadConfig } from "../../src/platform/config.ts";
import { BASE, call } from "../helpers/app.ts";
import {
  addActiveTeacher,
  type ClassOptions,
  callsBetween,
  createClass as createTestClass,
  type TestClass,
} from "../helpers/classes.ts";
import { clearTables, count } from "../helpers/db.ts";
import { bearer } from "../helpers/jwt.ts";
import {
  addFault,
  clearFaults,
  deliver,
  emulator,
  fetchAndSettle,
  outbox,
  resetEmulator,
  stats,
} from "../helpers/zoom.ts";

const config = loadConfig(env);

/** A class whose host is an active teacher of the tenant, as scheduling leaves it. */
async function createClass(tenant: string, opts: ClassOptions = {}): Promise<TestClass> {
  const cls = await createTestClass(tenant, opts);
  await addActiveTeacher(cls);
  return cls;
}
let ipCounter = 0;
/** Each test clicks from its own address so the per-IP limit never leaks between tests. */
let ip = "";

const click = (url: string, headers: Record<string, string> = {}) =>
  call(url.startsWith(BASE) ? url.slice(BASE.length) : url, {
    redirect: "manual",
    headers: { "cf-connecting-ip": ip, ...headers },
  });

async function mintJoin(
  cls: TestClass,
  students = [
    { id: "stu-1", name: "Asha Rao", email: "asha@example.com" },
    { id: "stu-2", name: "Ben Ito" },
  ],
  auth: Parameters<typeof bearer>[0] = { tenant: cls.tenant, role: "admin", sub: "admin-1" },
  extra: Record<string, unknown> = {},
) {
  return call(`/v1/classes/${cls.classId}/join-links`, {
    method: "POST",
    headers: { ...(await bearer(auth)), "content-type": "application/json" },
    body: JSON.stringify({ students, ...extra }),
  });
}

async function joinLinks(cls: TestClass, students?: Parameters<typeof mintJoin>[1]) {
  const res = await mintJoin(cls, students);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { links: { studentId: string; url: string }[]; expiresAt: string };
  return Object.fromEntries(body.links.map((l) => [l.studentId, l.url]));
}

async function startLink(cls: TestClass, auth: Parameters<typeof bearer>[0] = {}) {
  return call(`/v1/classes/${cls.classId}/start-link`, {
    method: "POST",
    headers: await bearer({ tenant: cls.tenant, role: "teacher", sub: cls.teacherId, ...auth }),
  });
}

const tokenOf = (url: string) => url.split("/").at(-1) ?? "";
const sec = (ms: number) => Math.floor(ms / 1000);

function claims(cls: TestClass, over: Partial<LinkClaims> = {}): LinkClaims {
  const now = Date.now();
  return {
    purpose: "join",
    tenant: cls.tenant,
    class: cls.classId,
    subject: "stu-1",
    exp: sec(now) + 3600,
    nbf: sec(now),
    iat: now,
    ...over,
  };
}

beforeEach(async () => {
  ip = `198.51.100.${++ipCounter}`;
  await resetEmulator();
  await clearTables();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("minting join links", () => {
  it("returns one signed /j/ link per student, records the roster, and defaults expiry to class end plus grace", async () => {
    const start = Date.now() + 5 * 60_000;
    const cls = await createClass("tenant-a", { startTime: start, durationMinutes: 45 });
    const res = await mintJoin(cls);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { links: { studentId: string; url: string }[]; expiresAt: string };
    expect(body.links.map((l) => l.studentId)).toEqual(["stu-1", "stu-2"]);
    for (const l of body.links) expect(l.url).toMatch(/^https:\/\/edge\.test\/j\/v1\.s2\.[\w-]+\.[\w-]{43}$/);
    expect(Date.parse(body.expiresAt)).toBe(start + 45 * 60_000 + config.joinLinkGraceMinutes * 60_000);
    const rows = await env.DB.prepare(
      "SELECT student_id, name, email, status FROM class_registrants ORDER BY student_id",
    ).all();
    expect(rows.results).toEqual([
      { student_id: "stu-1", name: "Asha Rao", email: "asha@example.com", status: "not_required" },
      { student_id: "stu-2", name: "Ben Ito", email: null, status: "not_required" },
    ]);
  });

  it("lets the class's teacher mint, but not another teacher, a student or another tenant", async () => {
    const cls = await createClass("tenant-a");
    expect(
      (await mintJoin(cls, undefined, { tenant: "tenant-a", role: "teacher", sub: "teacher-1" })).status,
    ).toBe(200);
    await env.DB.prepare("DELETE FROM class_registrants").run();
    expect(
      (await mintJoin(cls, undefined, { tenant: "tenant-a", role: "teacher", sub: "teacher-2" })).status,
    ).toBe(403);
    expect(
      (await mintJoin(cls, undefined, { tenant: "tenant-a", role: "student", sub: "stu-1" })).status,
    ).toBe(403);
    const other = await mintJoin(cls, undefined, { tenant: "tenant-b", role: "admin", sub: "admin-b" });
    expect(other.status).toBe(404);
    expect(await count("class_registrants")).toBe(0);
  });

  it("refuses bad rosters with a 400 and writes nothing", async () => {
    const cls = await createClass("tenant-a");
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: `s${i}`, name: `S ${i}` }));
    const bad: unknown[][] = [
      [],
      many,
      [
        { id: "a", name: "A" },
        { id: "a", name: "B" },
      ],
      [{ id: "a", name: "A", email: "not-an-email" }],
      [{ id: "a", name: "A\u0000B" }],
      [{ id: "a", name: "A\u202eB" }],
      [{ id: "../x", name: "A" }],
      [{ id: "a", name: "A", role: "admin" }],
    ];
    for (const students of bad) {
      const res = await mintJoin(cls, students as never);
      expect([JSON.stringify(students).slice(0, 60), res.status]).toEqual([
        JSON.stringify(students).slice(0, 60),
        400,
      ]);
    }
    expect((await mintJoin(cls, undefined, undefined, { expiresAt: "2000-01-01T00:00:00Z" })).status).toBe(
      400,
    );
    expect(await count("class_registrants")).toBe(0);
  });

  it("mints 1,000 links in one call", async () => {
    const cls = await createClass("tenant-a");
    const students = Array.from({ length: 1000 }, (_, i) => ({ id: `s${i}`, name: `Student ${i}` }));
    const links = await joinLinks(cls, students);
    expect(Object.keys(links)).toHaveLength(1000);
    expect(await count("class_registrants")).toBe(1000);
  });

  it("refuses cancelled classes and classes of another tenant", async () => {
    const cls = await createClass("tenant-a", { status: "cancelled" });
    expect((await mintJoin(cls)).status).toBe(409);
    expect((await startLink(cls)).status).toBe(409);
    expect(await count("class_registrants")).toBe(0);
  });
});

describe("GET /j/{token}", () => {
  it("redirects to the meeting's join URL with the student's name, with no Zoom call", async () => {
    const cls = await createClass("tenant-a");
    const links = await joinLinks(cls);
    const before = (await stats()).requests;
    const res = await click(links["stu-1"] ?? "");
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(cls.joinUrl.split("?")[0]);
    expect(location.searchParams.get("uname")).toBe("Asha Rao");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(callsBetween(before, (await stats()).requests)).toEqual({});
  });

  it("verifies links signed with an older key of the ring", async () => {
    const cls = await createClass("tenant-a");
    await joinLinks(cls);
    const old = config.linkKeys.slice(1);
    expect(old[0]?.id).toBe("s1");
    expect((await click(`/j/${await signLink(old, claims(cls))}`)).status).toBe(302);
  });

  it("answers every forged or malformed token with a 403 page and no Zoom call or write", async () => {
    const cls = await createClass("tenant-a");
    const links = await joinLinks(cls);
    const good = tokenOf(links["stu-1"] ?? "");
    const other = tokenOf(links["stu-2"] ?? "");
    const [v, kid, payload, sig] = good.split(".") as [string, string, string, string];
    const [, , otherPayload] = other.split(".") as [string, string, string, string];
    const foreignKey = [{ id: "s2", secret: new Uint8Array(32).fill(7) }];
    const unknownKey = [{ id: "s9", secret: new Uint8Array(32).fill(7) }];
    const bad = [
      good.slice(0, -1),
      good.slice(0, 40),
      `${good}=`,
      `${v}.${kid}.${payload}==.${sig}`,
      `${v}.${kid}.${payload}.${sig.slice(0, -2)}*!`,
      `${v}.${kid}.${payload}.${sig}.extra`,
      `${v}.${kid}.${otherPayload}.${sig}`,
      await signLink(unknownKey, claims(cls)),
      await signLink(foreignKey, claims(cls)),
      good.replace(".", "%2E"),
      encodeURIComponent(good).replace(/\./g, "%2e"),
      `${good.slice(0, 10)}%C3%A9${good.slice(12)}`,
      `${good.slice(0, -1)}%41`,
      `${v}.${kid}.${payload}.${sig.slice(0, -1)}\u0430`,
      `${good}/x`,
      `${good}A`.padEnd(2100, "A"),
      await signLink(config.linkKeys, claims(cls, { purpose: "start", subject: "teacher-1" })),
    ];
    const before = (await stats()).requests;
    const rowsBefore = await env.DB.prepare("SELECT * FROM class_registrants ORDER BY student_id").all();
    for (const token of bad) {
      const res = await click(`/j/${token}`);
      const text = await res.text();
      expect([token.slice(0, 50), res.status]).toEqual([token.slice(0, 50), 403]);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(text).toContain("not valid");
      expect(text).toContain('name="viewport"');
    }
    expect(callsBetween(before, (await stats()).requests)).toEqual({});
    expect(
      (await env.DB.prepare("SELECT * FROM class_registrants ORDER BY student_id").all()).results,
    ).toEqual(rowsBefore.results);
  });

  it("sends expired links to a 410 page that says to ask the teacher, and not-yet-valid ones to a 403", async () => {
    const cls = await createClass("tenant-a");
    await joinLinks(cls);
    const now = Date.now();
    const expired = await click(`/j/${await signLink(config.linkKeys, claims(cls, { exp: sec(now) - 5 }))}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("Ask your teacher");
    const early = await click(`/j/${await signLink(config.linkKeys, claims(cls, { nbf: sec(now) + 3600 }))}`);
    expect(early.status).toBe(403);
    expect(await early.text()).toContain("not active yet");
  });

  it("opens nothing of another tenant's class with the same id", async () => {
    const cls = await createClass("tenant-b");
    const forA = await signLink(config.linkKeys, claims(cls, { tenant: "tenant-a" }));
    const res = await click(`/j/${forA}`);
    expect(res.status).toBe(404);
    expect(res.headers.get("location")).toBeNull();
  });

  it("answers a cancelled or deleted class with a 410 page", async () => {
    const cls = await createClass("tenant-a");
    const links = await joinLinks(cls);
    for (const status of ["cancelled", "deleted"]) {
      await env.DB.prepare("UPDATE classes SET status = ?").bind(status).run();
      // As every writer of a class does after its D1 write.
      await rosterChanged(env, cls.tenant, cls.classId);
      const res = await click(links["stu-1"] ?? "");
      expect(res.status).toBe(410);
      expect(await res.text()).toContain("cancelled");
    }
  });

  it("shows a waiting page before the class opens, which opens Zoom once the meeting starts", async () => {
    const cls = await createClass("tenant-a", { startTime: Date.now() + 2 * 3600_000 });
    const links = await joinLinks(cls);
    const url = links["stu-1"] ?? "";
    const waiting = await click(url);
    expect(waiting.status).toBe(200);
    const page = await waiting.text();
    expect(page).toContain("opens soon");
    expect(page).toContain("/status");
    expect(page).not.toContain(cls.joinUrl);
    const poll = await click(`${url}/status`);
    expect(await poll.json()).toMatchObject({ state: "waiting" });
    expect(poll.headers.get("cache-control")).toBe("no-store");

    // Zoom's meeting.started webhook marks the class live (the classes feature's handler).
    await emulator(`/meetings/${cls.meetingId}/simulate`, { participants: [], durationMinutes: 30 });
    const started = (await outbox()).find((d) => d.event === "meeting.started");
    if (!started) throw new Error("the simulation sent no meeting.started");
    expect((await deliver(started)).status).toBe(200);
    expect(await (await click(`${url}/status`)).json()).toEqual({ state: "open" });
    expect((await click(url)).status).toBe(302);
  });

  it("opens ten minutes before the scheduled start", async () => {
    const cls = await createClass("tenant-a", { startTime: Date.now() + 9 * 60_000 });
    const links = await joinLinks(cls);
    expect((await click(links["stu-1"] ?? "")).status).toBe(302);
  });
});

describe("registration", () => {
  it("registers students in the background so a click needs no Zoom call", async () => {
    const cls = await createClass("tenant-a", { registration: true });
    const links = await joinLinks(cls);
    expect(
      (await env.DB.prepare("SELECT status FROM class_registrants").all()).results.every(
        (r) => r.status === "pending" || r.status === "registered",
      ),
    ).toBe(true);
    await handleRegistrationMessage(env, {
      kind: "register-students",
      tenantId: "tenant-a",
      classId: cls.classId,
      studentIds: ["stu-1", "stu-2"],
    });
    const rows = await env.DB.prepare("SELECT student_id, status, join_url FROM class_registrants").all<{
      status: string;
      join_url: string;
    }>();
    expect(rows.results.map((r) => r.status)).toEqual(["registered", "registered"]);

    const before = (await stats()).requests;
    const res = await click(links["stu-1"] ?? "");
    expect(res.status).toBe(302);
    const location = res.headers.get("location") ?? "";
    expect(location).toContain(`/w/${cls.meetingId}?tk=`);
    expect(callsBetween(before, (await stats()).requests)).toEqual({});
    // Processing the same message again changes nothing.
    const again = (await stats()).requests;
    await handleRegistrationMessage(env, {
      kind: "register-students",
      tenantId: "tenant-a",
      classId: cls.classId,
      studentIds: ["stu-1", "stu-2"],
    });
    expect(callsBetween(again, (await stats()).requests)).toEqual({});
  });

  it("registers on the spot when the click comes before the background step", async () => {
    const cls = await createClass("tenant-a", { registration: true });
    const links = await joinLinks(cls);
    const before = (await stats()).requests;
    const res = await click(links["stu-2"] ?? "");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toContain(`/w/${cls.meetingId}?tk=`);
    expect(callsBetween(before, (await stats()).requests)).toEqual({ "registrants.create": 1 });
    const row = await env.DB.prepare(
      "SELECT status, day_attempts FROM class_registrants WHERE student_id = 'stu-2'",
    ).first();
    expect(row).toEqual({ status: "registered", day_attempts: 1 });
  });

  for (const fault of [
    {
      name: "429",
      rule: { status: 429, zoomCode: 429, message: "Too many requests", headers: { "Retry-After": "1" } },
      error: "zoom_rate_limited",
    },
    {
      name: "503",
      rule: { status: 503, zoomCode: 503, message: "Service unavailable" },
      error: "zoom_unavailable",
    },
  ]) {
    it(`falls back to the meeting's join URL when Zoom answers ${fault.name} on click, and logs it`, async () => {
      const cls = await createClass("tenant-a", { registration: true });
      const links = await joinLinks(cls);
      await addFault({ operation: "registrants.create", times: 0, ...fault.rule });
      const warn = vi.spyOn(console, "warn");
      const res = await click(links["stu-1"] ?? "");
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get("location") ?? "");
      expect(`${location.origin}${location.pathname}`).toBe(cls.joinUrl.split("?")[0]);
      expect(location.searchParams.get("uname")).toBe("Asha Rao");
      const logged = warn.mock.calls
        .map((c) => String(c[0]))
        .find((l) => l.includes("registering on click failed"));
      expect(logged).toContain(fault.error);
      expect(logged).toContain("stu-1");
      const row = await env.DB.prepare(
        "SELECT status, last_error FROM class_registrants WHERE student_id = 'stu-1'",
      ).first();
      expect(row).toEqual({ status: "pending", last_error: fault.error });
    });
  }

  it("never adds a student at Zoom more than three times a day", async () => {
    const cls = await createClass("tenant-a", { registration: true });
    const links = await joinLinks(cls);
    await addFault({
      operation: "registrants.create",
      times: 0,
      status: 503,
      zoomCode: 503,
      message: "down",
    });
    const before = (await stats()).requests;
    for (let i = 0; i < 5; i++) expect((await click(links["stu-1"] ?? "")).status).toBe(302);
    expect(callsBetween(before, (await stats()).requests)).toEqual({ "registrants.create": 3 });
  });

  it("is dispatched by the Worker's queue handler; other kinds go to the archive consumer", async () => {
    const cls = await createClass("tenant-a", { registration: true });
    await joinLinks(cls);
    const batch = createMessageBatch("wise-zoom-archive", [
      {
        id: "m-reg",
        timestamp: Date.now(),
        attempts: 1,
        body: {
          kind: "register-students",
          tenantId: "tenant-a",
          classId: cls.classId,
          studentIds: ["stu-1"],
        },
      },
      { id: "m-other", timestamp: Date.now(), attempts: 1, body: { kind: "archive-file" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    // The registration is done; the malformed archive message is dropped (a retry cannot fix it).
    expect(result.explicitAcks).toEqual(["m-reg", "m-other"]);
    expect(result.retryMessages).toEqual([]);
    const row = await env.DB.prepare(
      "SELECT status FROM class_registrants WHERE student_id = 'stu-1'",
    ).first();
    expect(row).toEqual({ status: "registered" });
  });

  it("retries the background message later when Zoom rate-limits, and drops malformed messages", async () => {
    const cls = await createClass("tenant-a", { registration: true });
    await joinLinks(cls);
    await addFault({
      operation: "registrants.create",
      times: 0,
      status: 429,
      zoomCode: 429,
      message: "Too many requests",
      headers: { "Retry-After": "40", "X-RateLimit-Type": "QPS" },
    });
    const outcome = await handleRegistrationMessage(env, {
      kind: "register-students",
      tenantId: "tenant-a",
      classId: cls.classId,
      studentIds: ["stu-1", "stu-2"],
    });
    expect(outcome.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(
      (await env.DB.prepare("SELECT status FROM class_registrants").all()).results.map((r) => r.status),
    ).toEqual(["pending", "pending"]);
    for (const body of [
      null,
      "x",
      { kind: "register-students" },
      {
        kind: "register-students",
        tenantId: "tenant-a",
        classId: cls.classId,
        studentIds: Array(51).fill("s"),
      },
    ]) {
      expect(await handleRegistrationMessage(env, body)).toEqual({});
    }
  });
});

describe("revocation", () => {
  it("refuses a revoked student's replayed link with a 410, keeps others, and accepts links minted afterwards", async () => {
    const cls = await createClass("tenant-a");
    const links = await joinLinks(cls);
    const res = await call(`/v1/classes/${cls.classId}/join-links/stu-1`, {
      method: "DELETE",
      headers: await bearer({ tenant: "tenant-a", role: "teacher", sub: "teacher-1" }),
    });
    expect(res.status).toBe(204);
    const replay = await click(links["stu-1"] ?? "");
    expect(replay.status).toBe(410);
    expect(await replay.text()).toContain("withdrawn");
    expect((await click(links["stu-2"] ?? "")).status).toBe(302);
    const fresh = await joinLinks(cls, [{ id: "stu-1", name: "Asha Rao" }]);
    expect((await click(fresh["stu-1"] ?? "")).status).toBe(302);
  });

  it("revokes every link of a class, and only the class's teacher or an admin of the tenant may", async () => {
    const cls = await createClass("tenant-a");
    const links = await joinLinks(cls);
    const revoke = async (auth: Parameters<typeof bearer>[0]) =>
      (await call(`/v1/classes/${cls.classId}/join-links`, { method: "DELETE", headers: await bearer(auth) }))
        .status;
    expect(await revoke({ tenant: "tenant-a", role: "teacher", sub: "teacher-2" })).toBe(403);
    expect(await revoke({ tenant: "tenant-b", role: "admin", sub: "admin-b" })).toBe(404);
    expect(await count("link_revocations")).toBe(0);
    expect((await click(links["stu-1"] ?? "")).status).toBe(302);
    expect(await revoke({ tenant: "tenant-a", role: "admin", sub: "admin-1" })).toBe(204);
    expect((await click(links["stu-1"] ?? "")).status).toBe(410);
    expect((await click(links["stu-2"] ?? "")).status).toBe(410);
  });
});

describe("start links", () => {
  it("redirects the teacher to a fresh start_url at each click, never stored or logged", async () => {
    const cls = await createClass("tenant-a");
    const res = await startLink(cls);
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };
    expect(url).toMatch(/^https:\/\/edge\.test\/s\/v1\./);
    const log = vi.spyOn(console, "log");
    const first = await click(url);
    const second = await click(url);
    expect(first.status).toBe(302);
    const a = first.headers.get("location") ?? "";
    const b = second.headers.get("location") ?? "";
    expect(a).toContain(`/s/${cls.meetingId}?zak=`);
    expect(b).not.toBe(a);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const zak = new URL(a).searchParams.get("zak") ?? "";
    const logged = log.mock.calls.map((c) => String(c[0])).join("\n");
    expect(logged).not.toContain(zak);
    for (const table of ["classes", "class_registrants", "audit_log", "link_revocations"]) {
      const rows = await env.DB.prepare(`SELECT * FROM ${table}`).all();
      expect(JSON.stringify(rows.results)).not.toContain(zak);
    }
  });

  it("is for the class's teacher or an admin only, and opens only for the current host", async () => {
    const cls = await createClass("tenant-a");
    expect((await startLink(cls, { sub: "teacher-2" })).status).toBe(403);
    expect((await startLink(cls, { role: "student", sub: "stu-1" })).status).toBe(403);
    const res = await startLink(cls, { role: "admin", sub: "admin-1" });
    const { url } = (await res.json()) as { url: string };
    await env.DB.prepare("UPDATE classes SET teacher_id = 'teacher-2'").run();
    expect((await click(url)).status).toBe(403);
  });

  it("expires with the class: by default at its end plus grace, never later, and none once it is over", async () => {
    const start = Date.now() + 5 * 60_000;
    const cls = await createClass("tenant-a", { startTime: start, durationMinutes: 45 });
    const classOver = start + 45 * 60_000 + config.joinLinkGraceMinutes * 60_000;
    const res = await startLink(cls);
    const body = (await res.json()) as { url: string; expiresAt: string };
    expect(Date.parse(body.expiresAt)).toBe(classOver);
    const payload = JSON.parse(
      atob((tokenOf(body.url).split(".")[2] ?? "").replace(/-/g, "+").replace(/_/g, "/")),
    );
    expect(payload.exp).toBe(sec(classOver));
    const mint = async (expiresAt: string) =>
      call(`/v1/classes/${cls.classId}/start-link`, {
        method: "POST",
        headers: {
          ...(await bearer({ tenant: cls.tenant, role: "teacher", sub: cls.teacherId })),
          "content-type": "application/json",
        },
        body: JSON.stringify({ expiresAt }),
      });
    const earlier = await mint(new Date(classOver - 60_000).toISOString());
    expect(earlier.status).toBe(200);
    expect(Date.parse(((await earlier.json()) as { expiresAt: string }).expiresAt)).toBe(classOver - 60_000);
    const later = await mint(new Date(classOver + 60_000).toISOString());
    expect(later.status).toBe(400);
    expect(await later.json()).toMatchObject({ code: "bad_request" });
    const auditsBefore = await count("audit_log");
    await env.DB.prepare("UPDATE classes SET start_time = ? WHERE class_id = ?")
      .bind(Date.now() - 24 * 3600_000, cls.classId)
      .run();
    const over = await startLink(cls);
    expect(over.status).toBe(409);
    expect(await over.json()).toMatchObject({ code: "class_over" });
    expect(await count("audit_log")).toBe(auditsBefore);
  });

  it("is revoked per class and teacher: earlier links of the class are refused, a new one and other classes open", async () => {
    const cls = await createClass("tenant-a");
    const other = await createClass("tenant-a", { link: false });
    const old = ((await (await startLink(cls)).json()) as { url: string }).url;
    const otherLink = ((await (await startLink(other)).json()) as { url: string }).url;
    const revoke = async (auth: Parameters<typeof bearer>[0]) =>
      (await call(`/v1/classes/${cls.classId}/start-link`, { method: "DELETE", headers: await bearer(auth) }))
        .status;
    expect(await revoke({ tenant: "tenant-a", role: "teacher", sub: "teacher-2" })).toBe(403);
    expect(await revoke({ tenant: "tenant-a", role: "student", sub: "stu-1" })).toBe(403);
    expect(await revoke({ tenant: "tenant-b", role: "admin", sub: "admin-b" })).toBe(404);
    expect(await count("start_link_revocations")).toBe(0);
    expect((await click(old)).status).toBe(302);
    expect(await revoke({ tenant: "tenant-a", role: "teacher", sub: cls.teacherId })).toBe(204);
    const before = (await stats()).requests;
    const refused = await click(old);
    expect(refused.status).toBe(410);
    expect(await refused.text()).toContain("withdrawn");
    expect(callsBetween(before, (await stats()).requests)).toEqual({});
    expect((await click(otherLink)).status).toBe(302);
    const fresh = ((await (await startLink(cls)).json()) as { url: string }).url;
    expect((await click(fresh)).status).toBe(302);
    expect(await revoke({ tenant: "tenant-a", role: "admin", sub: "admin-1" })).toBe(204);
    expect((await click(fresh)).status).toBe(410);
    const doc = (await (await call("/openapi.json")).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.paths["/v1/classes/{classId}/start-link"]).toHaveProperty("delete");
  });

  it("is refused for a teacher who was removed, deactivated or replaced as the class's host", async () => {
    for (const change of [
      "DELETE FROM teachers WHERE wise_user_id = 'teacher-1'",
      "UPDATE teachers SET status = 'inactive' WHERE wise_user_id = 'teacher-1'",
      "UPDATE teachers SET status = 'pending' WHERE wise_user_id = 'teacher-1'",
      "UPDATE classes SET teacher_id = 'teacher-2'",
    ]) {
      await clearTables();
      await resetEmulator();
      const cls = await createClass("tenant-a");
      const { url } = (await (await startLink(cls)).json()) as { url: string };
      expect((await click(url)).status).toBe(302);
      await env.DB.prepare(change).run();
      const before = (await stats()).requests;
      const res = await click(url);
      expect(res.status, change).toBe(403);
      expect(res.headers.get("location")).toBeNull();
      expect(callsBetween(before, (await stats()).requests)).toEqual({});
    }
  });

  it("refuses join tokens on /s and start tokens on /j", async () => {
    const cls = await createClass("tenant-a");
    const links = await joinLinks(cls);
    const join = tokenOf(links["stu-1"] ?? "");
    expect((await click(`/s/${join}`)).status).toBe(403);
    const { url } = (await (await startLink(cls)).json()) as { url: string };
    const before = (await stats()).requests;
    const res = await click(`/j/${tokenOf(url)}`);
    expect(res.status).toBe(403);
    expect(callsBetween(before, (await stats()).requests)).toEqual({});
  });

  it("shows a page that retries by itself when Zoom is unavailable or rate-limits", async () => {
    const cls = await createClass("tenant-a");
    const { url } = (await (await startLink(cls)).json()) as { url: string };
    for (const rule of [
      { status: 503, zoomCode: 503, message: "down" },
      { status: 429, zoomCode: 429, message: "slow down", headers: { "Retry-After": "30" } },
    ]) {
      await addFault({ operation: "meetings.get", times: 0, ...rule });
      const res = await click(url);
      expect(res.status).toBe(503);
      expect(res.headers.get("location")).toBeNull();
      const text = await res.text();
      expect(text).toContain("Zoom is not answering");
      expect(text).toMatch(/http-equiv="refresh"/);
      await clearFaults();
    }
  });

  it("never gives a student a start_url, registration on or off", async () => {
    for (const registration of [false, true]) {
      await resetEmulator();
      await env.DB.batch(
        ["zoom_credentials", "classes", "class_registrants"].map((t) => env.DB.prepare(`DELETE FROM ${t}`)),
      );
      const cls = await createClass("tenant-a", { registration });
      const links = await joinLinks(cls);
      for (const url of Object.values(links)) {
        const location = (await click(url)).headers.get("location") ?? "";
        expect(location).not.toMatch(/zak=|\/s\//);
      }
    }
  });
});

describe("per-IP rate limiting", () => {
  const strict = () => ({ JOIN_RATE_LIMITER: env.TEST_STRICT_RATE_LIMITER });
  const clickStrict = async (url: string, from: string) => {
    const res = await fetchAndSettle(new Request(url, { headers: { "cf-connecting-ip": from } }), strict());
    await res.clone().text();
    return res;
  };

  it("charges only refused links: past the limit forged clicks get 429 pages, valid links still open", async () => {
    const cls = await createClass("tenant-a");
    const links = await joinLinks(cls);
    const url = links["stu-1"] ?? "";
    const { url: start } = (await (await startLink(cls)).json()) as { url: string };
    // Valid clicks are not charged: far more than the limit of 5 all open.
    for (let i = 0; i < 8; i++) expect((await clickStrict(url, ip)).status).toBe(302);
    // The binding counts in fixed windows: 11 requests put at least 6 in one window of limit 5.
    const statuses: number[] = [];
    for (let i = 0; i < 11 && !statuses.includes(429); i++) {
      statuses.push((await clickStrict(`${BASE}/j/forged-${i}`, ip)).status);
    }
    expect(statuses.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
    expect(statuses).toContain(429);
    expect((await clickStrict(url, ip)).status).toBe(302);
    expect((await clickStrict(start, ip)).status).toBe(302);
    const limited = await clickStrict(`${BASE}/j/forged-again`, ip);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("60");
    expect(await limited.text()).toContain("Too many");
    expect((await clickStrict(`${BASE}/s/forged`, ip)).status).toBe(429);
    expect((await clickStrict(`${BASE}/r/forged`, ip)).status).toBe(429);
    expect((await clickStrict(`${BASE}/j/forged`, "203.0.113.7")).status).toBe(403);
  });

  it("limits one valid link per window in the class's roster object, leaving other links open", async () => {
    const cls = await createClass("tenant-a");
    const links = await joinLinks(cls);
    const leaked = links["stu-1"] ?? "";
    for (let i = 0; i < CLICKS_PER_LINK; i++) expect((await click(leaked)).status).toBe(302);
    const refused = await click(leaked);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("location")).toBeNull();
    expect(await refused.text()).toContain("opened too many times");
    expect((await click(links["stu-2"] ?? "")).status).toBe(302);

    const { url: start } = (await (await startLink(cls)).json()) as { url: string };
    for (let i = 0; i < CLICKS_PER_LINK; i++) expect((await click(start)).status).toBe(302);
    const before = (await stats()).requests;
    expect((await click(start)).status).toBe(429);
    // The refused start click asked Zoom for nothing (no host URL).
    expect(callsBetween(before, (await stats()).requests)).toEqual({});
  });

  it("is configured generously (600 a minute) for the real binding", async () => {
    // Up to two fixed windows are crossed in this loop, so 1,201 requests must trip a limit of 600.
    let limitedAt = 0;
    for (let i = 1; i <= 1201 && !limitedAt; i++) {
      const res = await click(`/j/forged-${i}`);
      if (res.status === 429) limitedAt = i;
      await res.body?.cancel();
    }
    expect(limitedAt).toBeGreaterThan(600);
  });
});
