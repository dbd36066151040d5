// Class meetings against Zoom as it is in 2026, through the real Worker and the emulator: settings
// sent explicitly from the tenant's meeting policy, attendance by identity (and re-fetched while
// partial), the 50-occurrence cap, 3001 at start and join clicks, hosts losing their license,
// licensing on schedule, adopting Zoom admins, custCreate approval and 124 under HTTP 400.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { handleRegistrationMessage } from "../../src/links/registration.ts";
import { type As, api, clearTables, count, rows } from "../helpers/api.ts";
import { call } from "../helpers/app.ts";
import { meetingRequest as request } from "../helpers/classes.ts";
import { addFault, advanceZoomClock, emulator, linkZoom, resetEmulator, stats } from "../helpers/zoom.ts";

type ClassMeeting = { zoomMeetingId: string; status: string; code?: string };
const put = (classId: string, body: unknown, as?: As) =>
  api<ClassMeeting>("PUT", `/v1/classes/${classId}/meeting`, body, as);
const ops = async () => (await stats()).requests;
const zoomMeeting = (id: string) =>
  emulator<{ settings: Record<string, unknown>; timezone: string }>(`/meetings/${id}`, undefined, "GET");

type Attendee = { name: string; email: string | null; wiseUserId?: string; matchedBy?: string };
type Sessions = {
  fetched: number;
  sessions: {
    zoomMeetingUuid: string;
    attendanceComplete: boolean;
    participants: Attendee[];
    unmatched: Attendee[];
  }[];
};

const teacher = (n: number, extra: Record<string, unknown> = {}) => ({
  wiseUserId: `t-${n}`,
  email: `t${n}@school-a.example`,
  firstName: "Tess",
  lastName: `T${n}`,
  licensed: true,
  ...extra,
});

beforeEach(async () => {
  await resetEmulator();
  await clearTables();
  expect((await linkZoom("tenant-a")).status).toBeLessThan(400);
  await api("PATCH", "/v1/tenant", { userCreateAction: "custCreate" });
  for (const n of [1, 2]) expect((await api("POST", "/v1/teachers", teacher(n))).status).toBe(201);
});

describe("meeting settings come from the tenant's policy, never from Zoom's account defaults", () => {
  it("a created meeting's settings in Zoom equal the default classroom policy", async () => {
    const res = await put("c-1", request({ autoRecording: "cloud" }));
    expect(res.status).toBe(201);
    const m = await zoomMeeting(res.body.zoomMeetingId);
    // The emulator's account defaults are the opposite (AI on, no waiting room, join before host...).
    expect(m.settings).toMatchObject({
      auto_recording: "cloud",
      waiting_room: true,
      join_before_host: false,
      mute_upon_entry: true,
      meeting_authentication: false,
      approval_type: 0,
      continuous_meeting_chat: { enable: false },
      auto_start_meeting_summary: false,
      auto_start_ai_companion_questions: false,
    });
    expect(m.timezone).toBe("UTC");
  });

  it("a changed policy is sent at the next PUT, and the meeting in Zoom follows it", async () => {
    const first = await put("c-2", request());
    const patched = await api("PATCH", "/v1/tenant", {
      meetingPolicy: { aiCompanion: true, waitingRoom: false, registrationApproval: "manual" },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.meetingPolicy).toMatchObject({ aiCompanion: true, muteUponEntry: true });
    const again = await put(
      "c-2",
      request({ startTime: (await api("GET", "/v1/classes/c-2/meeting")).body.startTime }),
    );
    expect(again.status).toBe(200);
    expect((await ops())["meetings.update"]).toBe(1);
    expect((await zoomMeeting(first.body.zoomMeetingId)).settings).toMatchObject({
      waiting_room: false,
      approval_type: 1,
      auto_start_meeting_summary: true,
      auto_start_ai_companion_questions: true,
      join_before_host: false,
    });
    // Unchanged policy and schedule: nothing sent.
    await put("c-2", request({ startTime: (await api("GET", "/v1/classes/c-2/meeting")).body.startTime }));
    expect((await ops())["meetings.update"]).toBe(1);
  });

  it.each([
    [{ meetingPolicy: { aiCompanion: "yes" } }],
    [{ meetingPolicy: { recordEverything: true } }],
    [{ meetingPolicy: { registrationApproval: "sometimes" } }],
    [{ hostLicensePolicy: "maybe" }],
    [{ licenseOnSchedule: "teacher" }],
    [{ allowZoomAdminTeachers: 1 }],
  ])("a bad policy %j is a 400 and changes nothing", async (patch) => {
    const before = (await api("GET", "/v1/tenant")).body;
    const res = await api("PATCH", "/v1/tenant", patch);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await api("GET", "/v1/tenant")).body).toEqual(before);
  });
});

describe("attendance by identity", () => {
  it("matches by registrant id, then by the Wise student the registrant was made for; guests stay unmatched", async () => {
    const created = await put("c-10", request());
    const id = created.body.zoomMeetingId;
    const links = await api("POST", "/v1/classes/c-10/join-links", {
      students: [
        { id: "stu-sam", name: "Sam Student", email: "sam@students.example" },
        { id: "stu-kim", name: "Kim Kid" },
      ],
    });
    expect(links.status).toBe(200);
    await handleRegistrationMessage(env, {
      kind: "register-students",
      tenantId: "tenant-a",
      classId: "c-10",
      studentIds: ["stu-sam", "stu-kim"],
    });
    const regs = await rows<{ student_id: string; zoom_registrant_id: string }>(
      "SELECT student_id, zoom_registrant_id FROM class_registrants ORDER BY student_id",
    );
    const regOf = (s: string) => regs.find((r) => r.student_id === s)?.zoom_registrant_id;
    expect(regOf("stu-sam")).toBeTruthy();
    expect(regOf("stu-kim")).toBeTruthy();
    const kimRegistrant = regOf("stu-kim");
    // As if Kim's registrant id had never been stored (manual approval gives none): Zoom's registrant
    // list says whom that registrant was made for.
    await rows("UPDATE class_registrants SET zoom_registrant_id = NULL WHERE student_id = 'stu-kim'");
    await emulator(`/meetings/${id}/simulate`, {
      participants: [
        { registrantId: regOf("stu-sam") },
        { registrantId: kimRegistrant },
        // Someone typing a student's name, without registrant id or email: never guessed.
        { name: "Sam Student" },
        { name: "Visitor", email: "visitor@elsewhere.example" },
        { name: "Tess", email: "t2@school-a.example" },
      ],
    });
    const res = await api<Sessions>("GET", "/v1/classes/c-10/sessions?refresh=1");
    expect(res.status).toBe(200);
    const [session] = res.body.sessions;
    const matched = Object.fromEntries((session?.participants ?? []).map((p) => [p.wiseUserId, p.matchedBy]));
    expect(matched).toEqual({
      "t-1": "email",
      "stu-sam": "registrant",
      "stu-kim": "registrant",
      "t-2": "email",
    });
    expect(session?.unmatched.map((p) => [p.name, p.email])).toEqual([
      ["Sam Student", null],
      ["Visitor", null],
    ]);
  });

  it("a participant without email or registrant id is unmatched, not guessed by name", async () => {
    const created = await put("c-11", request());
    await api("POST", "/v1/classes/c-11/join-links", {
      students: [{ id: "stu-ana", name: "Ana Able", email: "ana@students.example" }],
    });
    await emulator(`/meetings/${created.body.zoomMeetingId}/simulate`, {
      participants: [{ name: "Ana Able" }, { name: "ana@students.example" }],
    });
    const res = await api<Sessions>("GET", "/v1/classes/c-11/sessions?refresh=1");
    const [session] = res.body.sessions;
    expect(session?.participants.map((p) => p.wiseUserId)).toEqual(["t-1"]);
    expect(session?.unmatched.map((p) => p.name)).toEqual(["Ana Able", "ana@students.example"]);
    expect(await count("session_attendance")).toBe(3);
    expect(await rows("SELECT count(*) AS n FROM session_attendance WHERE wise_user_id = 'stu-ana'")).toEqual(
      [{ n: 0 }],
    );
  });

  it("a partial report (read before Zoom finished it) is fetched again by the next refresh", async () => {
    const created = await put("c-12", request());
    await emulator(`/meetings/${created.body.zoomMeetingId}/simulate`, {
      participants: [{ name: "A" }, { name: "B" }, { name: "C" }],
      reportDelayMinutes: 30,
    });
    const early = await api<Sessions>("GET", "/v1/classes/c-12/sessions?refresh=1");
    expect(early.body.fetched).toBe(1);
    const [partial] = early.body.sessions;
    expect(partial?.attendanceComplete).toBe(false);
    expect((partial?.participants.length ?? 0) + (partial?.unmatched.length ?? 0)).toBe(2);
    await advanceZoomClock(31 * 60);
    const late = await api<Sessions>("GET", "/v1/classes/c-12/sessions?refresh=1");
    expect(late.body.fetched).toBe(1);
    const [full] = late.body.sessions;
    expect(full?.attendanceComplete).toBe(true);
    expect((full?.participants.length ?? 0) + (full?.unmatched.length ?? 0)).toBe(4);
    expect(await count("session_attendance")).toBe(4);
    // Complete now: not fetched again.
    expect((await api<Sessions>("GET", "/v1/classes/c-12/sessions?refresh=1")).body.fetched).toBe(0);
  });
});

describe("the stricter Zoom", () => {
  it("a weekly class in a time zone lands on its local weekdays", async () => {
    // Next year's first Tuesday at 23:30 in Kolkata is 18:00 UTC the same day.
    const year = new Date().getUTCFullYear() + 1;
    let day = Date.UTC(year, 0, 1);
    while (new Date(day).getUTCDay() !== 2) day += 86400_000;
    const start = new Date(day + 18 * 3600_000).toISOString();
    const res = await put(
      "c-60",
      request({
        startTime: start,
        timezone: "Asia/Kolkata",
        recurrence: { type: "weekly", weeklyDays: [3, 5], endTimes: 4 },
      }),
    );
    expect(res.status).toBe(201);
    const token = (await stats()).validTokens.access.at(-1);
    const m = (await (
      await fetch(`https://api.zoom.us/v2/meetings/${res.body.zoomMeetingId}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { timezone: string; occurrences: { start_time: string }[] };
    expect(m.timezone).toBe("Asia/Kolkata");
    const weekdays = m.occurrences.map((o) =>
      new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Kolkata", weekday: "short" }).format(
        new Date(o.start_time),
      ),
    );
    expect(weekdays).toEqual(["Tue", "Thu", "Tue", "Thu"]);
  });

  it("sessions of instances whose UUIDs need double encoding are fetched (Zoom answers 404 to single)", async () => {
    const created = await put("c-61", request({ recurrence: { type: "daily", endTimes: 10 } }));
    for (let i = 0; i < 5; i++) {
      await emulator(`/meetings/${created.body.zoomMeetingId}/simulate`, { participants: [] });
    }
    const res = await api<Sessions>("GET", "/v1/classes/c-61/sessions?refresh=1");
    expect(res.body.fetched).toBe(5);
    expect(
      res.body.sessions.some((s) => s.zoomMeetingUuid.startsWith("/") || s.zoomMeetingUuid.includes("//")),
    ).toBe(true);
  });
});

describe("recurrence limits", () => {
  it.each([
    ["endTimes 51", { type: "daily", endTimes: 51 }, "invalid_request"],
    ["a daily series of 60 days", { type: "daily", endDateTime: "END60" }, "too_many_occurrences"],
    [
      "weekly on 3 days for 20 weeks",
      { type: "weekly", weeklyDays: [2, 4, 6], endDateTime: "END140" },
      "too_many_occurrences",
    ],
  ])("%s: 400 and nothing written or sent", async (_name, recurrence, code) => {
    const start = Date.now() + 86400_000;
    const r = { ...recurrence } as Record<string, unknown>;
    if (typeof r.endDateTime === "string")
      r.endDateTime = new Date(start + Number(r.endDateTime.slice(3)) * 86400_000).toISOString();
    const before = await ops();
    const res = await put("c-20", request({ startTime: new Date(start).toISOString(), recurrence: r }));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(await count("classes")).toBe(0);
    expect(await ops()).toEqual(before);
  });

  it("exactly 50 occurrences are scheduled", async () => {
    const res = await put("c-21", request({ recurrence: { type: "daily", endTimes: 50 } }));
    expect(res.status).toBe(201);
  });
});

describe("3001 (expired or deleted in Zoom) at a click", () => {
  it("a start click reports it (404 page, no 500), the class shows deleted and the next PUT makes a new meeting", async () => {
    const created = await put("c-30", request());
    const link = await api<{ url: string }>(
      "POST",
      "/v1/classes/c-30/start-link",
      {},
      {
        role: "teacher",
        sub: "t-1",
      },
    );
    expect(link.status).toBe(200);
    await addFault({
      operation: "meetings.get",
      status: 404,
      zoomCode: 3001,
      message: "Meeting does not exist",
    });
    const res = await call(new URL(link.body.url).pathname, { redirect: "manual" });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect((await api("GET", "/v1/classes/c-30/meeting")).body.status).toBe("deleted");
    expect(await rows("SELECT action FROM audit_log WHERE action = 'class.meeting_gone'")).toHaveLength(1);
    const again = await put("c-30", request());
    expect(again.status).toBe(201);
    expect(again.body.zoomMeetingId).not.toBe(created.body.zoomMeetingId);
  });

  it("a join click whose registration meets 3001 reports it instead of sending the student to a dead meeting", async () => {
    await put("c-31", request({ startTime: new Date(Date.now() + 5 * 60_000).toISOString() }));
    const links = await api<{ links: { url: string }[] }>("POST", "/v1/classes/c-31/join-links", {
      students: [{ id: "stu-1", name: "Stu One", email: "stu1@students.example" }],
    });
    await addFault({
      operation: "registrants.create",
      status: 404,
      zoomCode: 3001,
      message: "Meeting does not exist",
      times: 0,
    });
    const url = links.body.links[0]?.url ?? "";
    const res = await call(new URL(url).pathname, { redirect: "manual" });
    expect(res.status).toBe(404);
    expect(res.headers.get("location")).toBeNull();
    expect((await api("GET", "/v1/classes/c-31/meeting")).body.status).toBe("deleted");
  });
});

describe("hosts and licenses", () => {
  it("unlicensing a host of scheduled classes is refused by default (409), nothing changes", async () => {
    await put("c-40", request());
    const before = await ops();
    const res = await api("PATCH", "/v1/teachers/t-1", { licensed: false });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "teacher_hosts_classes", classIds: ["c-40"] });
    expect(await ops()).toEqual(before);
    expect(await rows("SELECT licensed FROM teachers WHERE wise_user_id = 't-1'")).toEqual([{ licensed: 1 }]);
    // Without classes the same request is fine.
    expect((await api("PATCH", "/v1/teachers/t-2", { licensed: false })).status).toBe(200);
  });

  it("a series still running keeps its host licensed; one that ended does not", async () => {
    const day = 86400_000;
    await rows(
      `INSERT INTO classes (tenant_id, class_id, teacher_id, zoom_account_id, zoom_meeting_id, topic, start_time,
        duration_minutes, recurrence, registration, auto_recording, status)
       VALUES ('tenant-a', 'c-run', 't-1', 'emuAcctA1', '11111111111', 'Running', ?, 60, ?, 0, 'cloud', 'scheduled'),
              ('tenant-a', 'c-over', 't-2', 'emuAcctA1', '22222222222', 'Over', ?, 60, ?, 0, 'cloud', 'scheduled')`,
      Date.now() - 30 * day,
      JSON.stringify({ type: "weekly", interval: 1, weeklyDays: [2], endTimes: 10 }),
      Date.now() - 30 * day,
      JSON.stringify({ type: "daily", interval: 1, endDateTime: new Date(Date.now() - day).toISOString() }),
    );
    const running = await api("PATCH", "/v1/teachers/t-1", { licensed: false });
    expect(running.body).toMatchObject({ code: "teacher_hosts_classes", classIds: ["c-run"] });
    expect((await api("PATCH", "/v1/teachers/t-2", { licensed: false })).status).toBe(200);
  });

  it("under the relicense policy an unlicensed host is licensed again when the class starts", async () => {
    await api("PATCH", "/v1/tenant", { hostLicensePolicy: "relicense" });
    await put("c-41", request());
    expect((await api("PATCH", "/v1/teachers/t-1", { licensed: false })).body).toMatchObject({
      licensed: false,
    });
    const link = await api<{ url: string }>(
      "POST",
      "/v1/classes/c-41/start-link",
      {},
      {
        role: "teacher",
        sub: "t-1",
      },
    );
    const res = await call(new URL(link.body.url).pathname, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(await rows("SELECT licensed FROM teachers WHERE wise_user_id = 't-1'")).toEqual([{ licensed: 1 }]);
    const zoomUser = await rows<{ zoom_user_id: string }>(
      "SELECT zoom_user_id FROM teachers WHERE wise_user_id = 't-1'",
    );
    const token = (await stats()).validTokens.access.at(-1);
    const user = await fetch(`https://api.zoom.us/v2/users/${zoomUser[0]?.zoom_user_id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await user.json()) as { type: number }).type).toBe(2);
  });

  it("a sync finds a host unlicensed in Zoom: reported under refuse, licensed again under relicense", async () => {
    await put("c-42", request());
    const [t1] = await rows<{ zoom_user_id: string }>(
      "SELECT zoom_user_id FROM teachers WHERE wise_user_id = 't-1'",
    );
    const token = (await stats()).validTokens.access.at(-1);
    await fetch(`https://api.zoom.us/v2/users/${t1?.zoom_user_id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ type: 1 }),
    });
    const refused = await api("POST", "/v1/teachers/sync");
    expect(refused.body.unlicensedHosts).toEqual([
      { wiseUserId: "t-1", classIds: ["c-42"], relicensed: false },
    ]);
    await api("PATCH", "/v1/tenant", { hostLicensePolicy: "relicense" });
    const relicensed = await api("POST", "/v1/teachers/sync");
    expect(relicensed.body.unlicensedHosts).toEqual([
      { wiseUserId: "t-1", classIds: ["c-42"], relicensed: true },
    ]);
    expect(await rows("SELECT licensed FROM teachers WHERE wise_user_id = 't-1'")).toEqual([{ licensed: 1 }]);
  });

  it("auto-recycle never takes the seat of a host whose class is next week", async () => {
    await emulator("/config", { plan: { seats: 4 } }); // owner, teacher1, t-1, t-2
    await api("PATCH", "/v1/tenant", { licensePolicy: "auto-recycle" });
    await put("c-43", request({ startTime: new Date(Date.now() + 7 * 86400_000).toISOString() }));
    await put(
      "c-44",
      request({ teacherId: "t-2", startTime: new Date(Date.now() + 7 * 86400_000).toISOString() }),
    );
    const res = await api("POST", "/v1/teachers", teacher(3));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("no_seat_available");
    expect(await rows("SELECT wise_user_id FROM teachers WHERE licensed = 0")).toEqual([]);
  });
});

describe("licensing on schedule", () => {
  beforeEach(async () => {
    expect((await api("POST", "/v1/teachers", teacher(3, { licensed: false }))).status).toBe(201);
  });
  const t3: As = { role: "teacher", sub: "t-3" };

  it("a teacher cannot license themselves by scheduling their own class (409, no seat taken)", async () => {
    const before = await ops();
    const res = await put("c-50", request({ teacherId: "t-3" }), t3);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("teacher_not_licensed");
    expect(await ops()).toEqual(before);
    expect(await count("classes")).toBe(0);
    expect(await rows("SELECT licensed FROM teachers WHERE wise_user_id = 't-3'")).toEqual([{ licensed: 0 }]);
  });

  it("an admin's schedule licenses the teacher; the anyone policy lets the teacher; never stops both", async () => {
    await emulator("/config", { plan: { seats: 10 } });
    expect((await put("c-51", request({ teacherId: "t-3" }))).status).toBe(201);
    expect(await rows("SELECT licensed FROM teachers WHERE wise_user_id = 't-3'")).toEqual([{ licensed: 1 }]);
    expect((await api("POST", "/v1/teachers", teacher(4, { licensed: false }))).status).toBe(201);
    await api("PATCH", "/v1/tenant", { licenseOnSchedule: "never" });
    expect((await put("c-52", request({ teacherId: "t-4" }))).body.code).toBe("teacher_not_licensed");
    await api("PATCH", "/v1/tenant", { licenseOnSchedule: "anyone" });
    expect((await put("c-52", request({ teacherId: "t-4" }), { role: "teacher", sub: "t-4" })).status).toBe(
      201,
    );
  });
});

describe("teachers from Zoom's users", () => {
  it.each([
    ["the account owner", "owner@school-a.example"],
    ["a Zoom admin", "assistant@school-a.example"],
  ])("adopting %s is refused unless the tenant allows it", async (_who, email) => {
    const body = { wiseUserId: "t-adm", email, firstName: "A", lastName: "Dmin" };
    const res = await api("POST", "/v1/teachers", body);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("zoom_admin_not_adoptable");
    expect(await rows("SELECT * FROM teachers WHERE wise_user_id = 't-adm'")).toEqual([]);
    await api("PATCH", "/v1/tenant", { allowZoomAdminTeachers: true });
    expect((await api("POST", "/v1/teachers", body)).status).toBe(201);
  });

  it("custCreate without Zoom's approval: 409 saying what to change, nothing stored", async () => {
    await emulator("/config", { clients: [{ clientId: "wise-local-client", custCreate: false }] });
    const res = await api("POST", "/v1/teachers", teacher(5));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("zoom_cust_create_not_approved");
    expect(await rows("SELECT * FROM teachers WHERE wise_user_id = 't-5'")).toEqual([]);
  });

  it("a 124 under HTTP 400 (GET /users with an expired token) is refreshed and retried once", async () => {
    await advanceZoomClock(3600 + 10);
    const res = await api("POST", "/v1/teachers/sync");
    expect(res.status).toBe(200);
    expect((await stats()).grants.refresh_token).toBe(1);
  });
});
