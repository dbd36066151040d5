// Class meetings and sessions through /v1/classes against the Zoom emulator: idempotent create
// (also across lost answers and crashes), update, delete, end, roles, every bad input and Zoom
// refusal the issue names, the meeting.* webhooks and attendance.
import { beforeEach, describe, expect, it } from "vitest";
import { type As, api, clearTables, count, rows } from "../helpers/api.ts";
import { inOneDay, meetingRequest as request } from "../helpers/classes.ts";
import {
  addFault,
  deliver,
  emulator,
  linkZoom,
  OWNER_B,
  outbox,
  resetEmulator,
  stats,
} from "../helpers/zoom.ts";

type ClassMeeting = {
  classId: string;
  teacherId: string;
  zoomMeetingId: string | null;
  status: string;
  code?: string;
};

const put = (classId: string, body: unknown, as?: As) =>
  api<ClassMeeting>("PUT", `/v1/classes/${classId}/meeting`, body, as);
const ops = async () => (await stats()).requests;
const meetingWrites = async () => {
  const o = await ops();
  return { create: o["meetings.create"] ?? 0, update: o["meetings.update"] ?? 0 };
};
const teacherT1: As = { role: "teacher", sub: "t-1" };

beforeEach(async () => {
  await resetEmulator();
  await clearTables();
  expect((await linkZoom("tenant-a")).status).toBeLessThan(400);
  await api("PATCH", "/v1/tenant", { userCreateAction: "custCreate" });
  for (const n of [1, 2]) {
    const res = await api("POST", "/v1/teachers", {
      wiseUserId: `t-${n}`,
      email: `t${n}@school-a.example`,
      firstName: "Tess",
      lastName: `T${n}`,
      licensed: true,
    });
    expect(res.status).toBe(201);
  }
});

describe("scheduling a class", () => {
  it("creates the meeting once, answers the documented shape, and repeats change nothing", async () => {
    const startTime = inOneDay();
    const first = await put("c-1", request({ startTime }));
    expect(first.status).toBe(201);
    expect(Object.keys(first.body).sort()).toEqual(
      [
        "autoRecording",
        "classId",
        "durationMinutes",
        "hostIssue",
        "registration",
        "startTime",
        "status",
        "teacherId",
        "topic",
        "zoomMeetingId",
      ].sort(),
    );
    expect(first.body).toMatchObject({
      classId: "c-1",
      teacherId: "t-1",
      autoRecording: "cloud",
      registration: true,
      status: "scheduled",
      startTime: new Date(startTime).toISOString(),
    });
    expect(first.body.zoomMeetingId).toMatch(/^\d{9,12}$/);
    const again = await put("c-1", request({ startTime }));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const read = await api("GET", "/v1/classes/c-1/meeting");
    expect(read.body).toEqual(first.body);
    expect(await meetingWrites()).toEqual({ create: 1, update: 0 });
    // The join URL is stored for redirects but never answered.
    expect(JSON.stringify([first.body, read.body])).not.toMatch(/join|pwd|start_url|password/i);
  });

  it("updates the meeting when the schedule changes", async () => {
    await put("c-2", request());
    const res = await put("c-2", request({ topic: "Geometry", durationMinutes: 90, autoRecording: "none" }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ topic: "Geometry", durationMinutes: 90, autoRecording: "none" });
    expect(await meetingWrites()).toEqual({ create: 1, update: 1 });
  });

  it("a teacher schedules their own class with a recurrence", async () => {
    const res = await put(
      "c-3",
      request({
        timezone: "Asia/Kolkata",
        recurrence: { type: "weekly", weeklyDays: [2, 4], endTimes: 8 },
      }),
      teacherT1,
    );
    expect(res.status).toBe(201);
  });

  it("moves the class to a new meeting when the teacher changes", async () => {
    const first = await put("c-4", request());
    const moved = await put("c-4", request({ teacherId: "t-2" }));
    expect(moved.status).toBe(201);
    expect(moved.body.teacherId).toBe("t-2");
    expect(moved.body.zoomMeetingId).not.toBe(first.body.zoomMeetingId);
    expect((await ops())["meetings.delete"]).toBe(1);
  });
});

describe("bad input is refused before anything is written", () => {
  it.each([
    ["duration 0", "c-x", { durationMinutes: 0 }],
    ["duration 1441", "c-x", { durationMinutes: 1441 }],
    ["a start time in the past", "c-x", { startTime: new Date(Date.now() - 60_000).toISOString() }],
    ["a start time without offset", "c-x", { startTime: "2031-01-01T10:00:00" }],
    ["an unknown time zone", "c-x", { timezone: "Mars/Olympus_Mons" }],
    ["a malformed recurrence", "c-x", { recurrence: { type: "weekly", endTimes: 3 } }],
    [
      "a recurrence ending before it starts",
      "c-x",
      { recurrence: { type: "daily", endDateTime: "2020-01-01T00:00:00Z" } },
    ],
    ["a missing registration flag", "c-x", { registration: undefined }],
    ["an unknown field", "c-x", { joinUrl: "https://evil.test" }],
    ["a class id with ..", "a..b", {}],
    ["a class id with an encoded slash", "a%2Fb", {}],
    ["a class id that is too long", "c".repeat(129), {}],
  ])("%s -> 400", async (_name, classId, extra) => {
    const before = await ops();
    const res = await put(classId, request(extra));
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(await count("classes")).toBe(0);
    expect(await ops()).toEqual(before);
  });

  // Dot segments (also percent-encoded ones) are resolved by URL parsing before routing, and a raw
  // slash adds a path segment: either way no route matches, so nothing can address another path.
  it.each(["..", "%2E%2E", "a/b", "a/%2e%2e"])("a class id of %s matches no route (404)", async (classId) => {
    const before = await ops();
    const res = await put(classId, request());
    expect(res.status).toBe(404);
    expect(await count("classes")).toBe(0);
    expect(await ops()).toEqual(before);
  });

  it("an unknown teacher, or a teacher of another tenant, is a 404", async () => {
    await linkZoom("tenant-b", { userId: OWNER_B });
    await api(
      "POST",
      "/v1/teachers",
      { wiseUserId: "t-b", email: "teacher@school-b.example", firstName: "Bea", lastName: "B" },
      { tenant: "tenant-b" },
    );
    const before = await ops();
    expect((await put("c-5", request({ teacherId: "nobody" }))).status).toBe(404);
    expect((await put("c-5", request({ teacherId: "t-b" }))).status).toBe(404);
    expect(await count("classes")).toBe(0);
    expect(await ops()).toEqual(before);
  });
});

describe("who may call", () => {
  it("students get 403 on every class route, and nothing leaks", async () => {
    await put("c-6", request());
    const student: As = { role: "student", sub: "s-1" };
    const calls = [
      await put("c-6", request(), student),
      await api("GET", "/v1/classes/c-6/meeting", undefined, student),
      await api("DELETE", "/v1/classes/c-6/meeting", undefined, student),
      await api("POST", "/v1/classes/c-6/meeting/end", undefined, student),
      await api("GET", "/v1/classes/c-6/sessions", undefined, student),
    ];
    for (const res of calls) {
      expect(res.status).toBe(403);
      expect(JSON.stringify(res.body)).not.toMatch(/zoom\.us|pwd=|join/i);
    }
    expect(await meetingWrites()).toEqual({ create: 1, update: 0 });
    expect((await ops())["meetings.delete"]).toBeUndefined();
  });

  it("a teacher may not edit, read, end or delete another teacher's class, nor schedule for them", async () => {
    await put("c-7", request());
    const t2: As = { role: "teacher", sub: "t-2" };
    expect((await put("c-7", request({ teacherId: "t-2" }), t2)).status).toBe(403);
    expect((await put("c-7", request({ topic: "Mine now" }), t2)).status).toBe(403);
    expect((await api("GET", "/v1/classes/c-7/meeting", undefined, t2)).status).toBe(403);
    expect((await api("DELETE", "/v1/classes/c-7/meeting", undefined, t2)).status).toBe(403);
    expect((await api("POST", "/v1/classes/c-7/meeting/end", undefined, t2)).status).toBe(403);
    expect((await put("c-8", request({ teacherId: "t-2" }), teacherT1)).status).toBe(403);
    expect(await meetingWrites()).toEqual({ create: 1, update: 0 });
    expect(await rows("SELECT class_id, teacher_id, topic FROM classes")).toEqual([
      { class_id: "c-7", teacher_id: "t-1", topic: "Algebra" },
    ]);
  });
});

describe("Zoom failures", () => {
  it("a create whose answer was lost is found on retry, never made twice", async () => {
    await addFault({ operation: "meetings.create", dropAfterBytes: 0 });
    const startTime = inOneDay();
    const lost = await put("c-10", request({ startTime }));
    expect(lost.status).toBe(503);
    expect((await api("GET", "/v1/classes/c-10/meeting")).body.status).toBe("creating");
    const retry = await put("c-10", request({ startTime }));
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe("scheduled");
    expect(retry.body.zoomMeetingId).toMatch(/^\d+$/);
    const o = await ops();
    expect(o["meetings.create"]).toBe(1);
    expect(o["meetings.list"]).toBe(1);
    expect(o["meetings.update"]).toBeUndefined();
  });

  it("a retry after a crash between claim and create looks in Zoom, then creates once", async () => {
    const startTime = Date.now() + 86400_000;
    await rows(
      `INSERT INTO classes (tenant_id, class_id, teacher_id, zoom_account_id, host_zoom_user_id, topic, start_time,
        duration_minutes, registration, auto_recording, status, claim_token, claimed_at)
       SELECT 'tenant-a', 'c-11', 't-1', 'emuAcctA1', zoom_user_id, 'Algebra', ?, 60, 1, 'cloud', 'creating', 'crashed', ?
       FROM teachers WHERE wise_user_id = 't-1'`,
      startTime,
      Date.now() - 10 * 60_000,
    );
    const res = await put("c-11", request({ startTime: new Date(startTime).toISOString() }));
    expect(res.status).toBe(201);
    expect(await meetingWrites()).toEqual({ create: 1, update: 0 });
    expect((await ops())["meetings.list"]).toBe(1);
  });

  it("a create in progress elsewhere answers 409 and creates nothing", async () => {
    await rows(
      `INSERT INTO classes (tenant_id, class_id, teacher_id, zoom_account_id, topic, start_time, duration_minutes,
        registration, auto_recording, status, claim_token, claimed_at)
       VALUES ('tenant-a', 'c-12', 't-1', 'emuAcctA1', 'Algebra', ?, 60, 1, 'cloud', 'creating', 'other', ?)`,
      Date.now() + 86400_000,
      Date.now(),
    );
    const res = await put("c-12", request());
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("class_meeting_in_progress");
    expect(res.headers.get("retry-after")).toBeTruthy();
    expect(await meetingWrites()).toEqual({ create: 0, update: 0 });
  });

  it("two concurrent creates make one meeting", async () => {
    const [a, b] = await Promise.all([put("c-13", request()), put("c-13", request())]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    expect(await meetingWrites()).toEqual({ create: 1, update: 0 });
  });

  it("5xx on create: 503, and the retry checks Zoom before creating", async () => {
    await addFault({ operation: "meetings.create", status: 502 });
    const res = await put("c-14", request());
    expect(res.status).toBe(503);
    expect(res.body.code).toBe("zoom_unavailable");
    const retry = await put("c-14", request());
    expect(retry.status).toBe(201);
    const o = await ops();
    expect(o["meetings.create"]).toBe(2); // the faulted one made nothing
    expect(o["meetings.list"]).toBe(1);
  });

  it("Zoom's validation error (300): 400 and nothing stored", async () => {
    await addFault({ operation: "meetings.create", status: 400, zoomCode: 300, message: "Invalid field." });
    const res = await put("c-15", request());
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("zoom_validation");
    expect(await count("classes")).toBe(0);
  });

  it("the 100 writes per host per day: 429 saying when to retry, nothing stored", async () => {
    await emulator("/config", { meetingDailyCap: 1 });
    expect((await put("c-16", request())).status).toBe(201);
    const res = await put("c-17", request());
    expect(res.status).toBe(429);
    expect(res.body).toMatchObject({ code: "meeting_write_limit" });
    const body = res.body as unknown as { retryAfterSeconds: number; retryAt: string };
    expect(body.retryAfterSeconds).toBeGreaterThan(0);
    expect(Date.parse(body.retryAt)).toBeGreaterThan(Date.now());
    expect(Number(res.headers.get("retry-after"))).toBe(body.retryAfterSeconds);
    expect(await rows("SELECT class_id FROM classes")).toEqual([{ class_id: "c-16" }]);
  });

  it("Zoom's per-second 429 that persists: 429 problem", async () => {
    await addFault({
      operation: "meetings.create",
      status: 429,
      zoomCode: 429,
      message: "Too many",
      times: 10,
    });
    const res = await put("c-18", request());
    expect(res.status).toBe(429);
    expect(res.body.code).toBe("zoom_rate_limited");
    expect(await count("classes")).toBe(0);
  });

  it("no free seat for an unlicensed host: 409 with seat counts, nothing stored", async () => {
    await api("PATCH", "/v1/teachers/t-2", { licensed: false });
    await emulator("/config", { plan: { seats: 3 } }); // owner, teacher1, t-1
    const res = await put("c-19", request({ teacherId: "t-2" }));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("no_seat_available");
    expect(await count("classes")).toBe(0);
    expect(await meetingWrites()).toEqual({ create: 0, update: 0 });
  });

  it("a meeting deleted in Zoom (3001 on update) is recorded and made again", async () => {
    const first = await put("c-20", request());
    await addFault({
      operation: "meetings.update",
      status: 404,
      zoomCode: 3001,
      message: "Meeting does not exist",
    });
    const res = await put("c-20", request({ topic: "Renamed" }));
    expect(res.status).toBe(201);
    expect(res.body.zoomMeetingId).not.toBe(first.body.zoomMeetingId);
    expect(res.body).toMatchObject({ topic: "Renamed", status: "scheduled" });
  });

  it("ending a meeting deleted in Zoom (3001): 409 and the class shows deleted", async () => {
    await put("c-21", request());
    await addFault({
      operation: "meetings.status",
      status: 404,
      zoomCode: 3001,
      message: "Meeting does not exist",
    });
    const res = await api("POST", "/v1/classes/c-21/meeting/end");
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("zoom_meeting_gone");
    expect((await api("GET", "/v1/classes/c-21/meeting")).body.status).toBe("deleted");
  });
});

describe("deleting and ending", () => {
  it("DELETE removes the Zoom meeting and keeps the class as cancelled; PUT schedules it again", async () => {
    await put("c-30", request());
    expect((await api("DELETE", "/v1/classes/c-30/meeting")).status).toBe(204);
    expect((await api("GET", "/v1/classes/c-30/meeting")).body.status).toBe("cancelled");
    expect((await ops())["meetings.delete"]).toBe(1);
    const again = await put("c-30", request());
    expect(again.status).toBe(201);
    expect(again.body.status).toBe("scheduled");
    expect((await api("DELETE", "/v1/classes/nope/meeting")).status).toBe(404);
  });

  it("POST end ends the meeting", async () => {
    await put("c-31", request());
    const res = await api("POST", "/v1/classes/c-31/meeting/end", undefined, teacherT1);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ended");
    expect((await ops())["meetings.status"]).toBe(1);
    const rescheduled = await put("c-31", request({ topic: "Next week" }));
    expect(rescheduled.body).toMatchObject({ status: "scheduled", topic: "Next week" });
  });
});

describe("webhooks and attendance", () => {
  it("meeting.started/ended set live then ended and store attendance matched to Wise users", async () => {
    const created = await put("c-40", request());
    const id = created.body.zoomMeetingId;
    const links = await api("POST", "/v1/classes/c-40/join-links", {
      students: [{ id: "stu-sam", name: "Sam Student", email: "sam@students.example" }],
    });
    expect(links.status).toBe(200);
    await emulator(`/meetings/${id}/simulate`, {
      participants: [
        { name: "Sam Student", email: "sam@students.example" },
        { name: "Tess", email: "t2@school-a.example" },
      ],
      durationMinutes: 40,
    });
    const deliveries = await outbox();
    const started = deliveries.find((d) => d.event === "meeting.started");
    const ended = deliveries.find((d) => d.event === "meeting.ended");
    if (!started || !ended) throw new Error("simulation sent no meeting events");
    await deliver(started);
    expect((await api("GET", "/v1/classes/c-40/meeting")).body.status).toBe("live");
    await deliver(ended);
    expect((await api("GET", "/v1/classes/c-40/meeting")).body.status).toBe("ended");
    const sessions = await api<{
      sessions: { durationMinutes: number; participants: Record<string, unknown>[] }[];
    }>("GET", "/v1/classes/c-40/sessions", undefined, teacherT1);
    expect(sessions.status).toBe(200);
    expect(sessions.body.sessions).toHaveLength(1);
    const [session] = sessions.body.sessions;
    expect(session?.durationMinutes).toBe(40);
    // Users of the Zoom account keep their email in Zoom's report and are matched by it; a student
    // who is a guest comes without email (as on Zoom) and, without a registrant id, stays unmatched.
    expect(session?.participants).toHaveLength(2);
    expect(session?.participants.find((p) => p.email === "t2@school-a.example")).toMatchObject({
      wiseUserId: "t-2",
      matchedBy: "email",
    });
    expect((session as unknown as { unmatched: Record<string, unknown>[] }).unmatched).toEqual([
      expect.objectContaining({ name: "Sam Student", email: null, registrantId: null }),
    ]);
    expect(session?.participants[0]?.durationSeconds).toBeGreaterThan(0);
    const lastClassAt = await rows<{ last_class_at: number }>(
      "SELECT last_class_at FROM teachers WHERE wise_user_id = 't-1'",
    );
    expect(lastClassAt[0]?.last_class_at).toBeGreaterThan(0);
  });

  it("sessions refresh on demand fetches every instance of a recurring class once", async () => {
    const created = await put("c-41", request({ recurrence: { type: "daily", endTimes: 5 } }));
    const id = created.body.zoomMeetingId;
    await emulator(`/meetings/${id}/simulate`, { participants: [{ name: "A" }] });
    await emulator(`/meetings/${id}/simulate`, { participants: [{ name: "B" }, { name: "C" }] });
    const res = await api<{
      fetched: number;
      sessions: { zoomMeetingUuid: string; participants: unknown[] }[];
    }>("GET", "/v1/classes/c-41/sessions?refresh=1");
    expect(res.status).toBe(200);
    expect(res.body.fetched).toBe(2);
    expect(new Set(res.body.sessions.map((s) => s.zoomMeetingUuid)).size).toBe(2);
    // Guests named A, B, C are unmatched: only the host is identified.
    expect(res.body.sessions.map((s) => s.participants.length).sort()).toEqual([1, 1]);
    const again = await api<{ fetched: number }>("GET", "/v1/classes/c-41/sessions?refresh=1");
    expect(again.body.fetched).toBe(0);
    expect(await count("session_attendance")).toBe(5);
  });

  it("meeting.deleted in Zoom marks the class deleted; the next PUT makes a new meeting", async () => {
    const created = await put("c-42", request());
    // Delete through our route to make Zoom emit the event, then pretend we never saw the deletion.
    await api("DELETE", "/v1/classes/c-42/meeting");
    await rows("UPDATE classes SET status = 'scheduled' WHERE class_id = 'c-42'");
    const deleted = (await outbox()).find((d) => d.event === "meeting.deleted");
    if (!deleted) throw new Error("no meeting.deleted event");
    await deliver(deleted);
    expect((await api("GET", "/v1/classes/c-42/meeting")).body.status).toBe("deleted");
    const again = await put("c-42", request());
    expect(again.status).toBe(201);
    expect(again.body.zoomMeetingId).not.toBe(created.body.zoomMeetingId);
  });
});

describe("the whole admin flow", () => {
  it("creates a teacher, licenses them, schedules a class and reads usage with the expected Zoom calls only", async () => {
    await resetEmulator();
    await clearTables();
    await linkZoom("tenant-a");
    const created = await api("POST", "/v1/teachers", {
      wiseUserId: "t-9",
      email: "new.teacher@school-a.example",
      firstName: "Nina",
      lastName: "New",
    });
    expect(created.body).toMatchObject({ status: "pending", licensed: false });
    await emulator(`/users/${created.body.zoomUserId}/accept`);
    expect((await api("POST", "/v1/teachers/sync")).status).toBe(200);
    expect((await api("PATCH", "/v1/teachers/t-9", { licensed: true })).body).toMatchObject({
      status: "active",
      licensed: true,
    });
    const startTime = inOneDay();
    expect((await put("c-50", request({ teacherId: "t-9", startTime }))).status).toBe(201);
    expect((await put("c-50", request({ teacherId: "t-9", startTime }))).status).toBe(200);
    const usage = await api<{ seats: { licensed: number } }>("GET", "/v1/zoom/usage");
    expect(usage.body.seats.licensed).toBe(3);
    const { requests } = await stats();
    expect(requests).toEqual({
      "oauth.authorize": 2, // the linking: consent page and form
      "oauth.token": 1,
      "users.get": 2, // the link's own check, and the email lookup before creating
      "users.create": 1,
      "users.list": 3, // sync: active, inactive, pending
      "users.update": 1,
      "meetings.create": 1,
      "users.summary": 1,
      "accounts.plans.usage": 1,
    });
  });

  it("a teacher whose Zoom invitation is pending cannot host yet (409), nothing written", async () => {
    await api("PATCH", "/v1/tenant", { userCreateAction: "create" });
    await api("POST", "/v1/teachers", {
      wiseUserId: "t-p",
      email: "p@school-a.example",
      firstName: "P",
      lastName: "P",
    });
    const res = await put("c-51", request({ teacherId: "t-p" }));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("teacher_not_ready");
    expect(await count("classes")).toBe(0);
    expect(await meetingWrites()).toEqual({ create: 0, update: 0 });
  });
});

describe("class list", () => {
  it("lists the tenant's classes for admins and only their own for a teacher", async () => {
    await put("c-l1", request());
    await put("c-l2", request({ teacherId: "t-2" }));
    const all = await api<{ classes: { classId: string; zoomMeetingId: string }[] }>("GET", "/v1/classes");
    expect(all.status).toBe(200);
    expect(all.body.classes.map((c) => c.classId).sort()).toEqual(["c-l1", "c-l2"]);
    expect(JSON.stringify(all.body)).not.toMatch(/join_url|joinUrl|start_url|password/);
    const mine = await api<{ classes: { classId: string }[] }>("GET", "/v1/classes", undefined, teacherT1);
    expect(mine.body.classes.map((c) => c.classId)).toEqual(["c-l1"]);
    const other = await api<{ classes: unknown[] }>("GET", "/v1/classes", undefined, { tenant: "tenant-b" });
    expect(other.body.classes).toEqual([]);
    expect((await api("GET", "/v1/classes", undefined, { role: "student" })).status).toBe(403);
  });
});
