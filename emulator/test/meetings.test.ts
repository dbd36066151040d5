// Meetings as Zoom schedules them in 2026: account defaults for omitted settings, local start times
// and weekly_days in the meeting's zone, at most 50 occurrences, past starts moved to now, expiry after
// 365 unused days, Basic hosts' limits, hidden guest emails, partial reports, UUID encoding, custCreate
// approval and 124 under HTTP 400.
import { beforeEach, describe, expect, it } from "vitest";
import { advance, api, apiJson, authorize, control, createMeeting, reset, simulate } from "./helpers.ts";

let token = "";
beforeEach(async () => {
  await reset();
  token = (await authorize()).access_token;
});

type Err = { code: number; message: string };
type Occ = { occurrences: { start_time: string }[]; start_time: string; timezone: string };
const BASIC_ADMIN = "Lp0aZr5cS9OyJm2kVt8uGg";

const inYears = (n: number) => `${new Date().getUTCFullYear() + n}`;

describe("settings a create leaves out", () => {
  it("take the account's (non-classroom) defaults", async () => {
    const m = await createMeeting(token, { settings: { waiting_room: true } });
    expect(m.settings).toMatchObject({
      waiting_room: true,
      join_before_host: true,
      auto_recording: "none",
      mute_upon_entry: false,
      auto_start_meeting_summary: true,
      auto_start_ai_companion_questions: true,
      continuous_meeting_chat: { enable: true },
      approval_type: 2,
    });
  });

  it("an update keeps what it omits and merges nested settings by field", async () => {
    const m = await createMeeting(token, { settings: { continuous_meeting_chat: { enable: false } } });
    await api(token, `/meetings/${m.id}`, { method: "PATCH", body: { settings: { mute_upon_entry: true } } });
    const got = await apiJson<{ settings: Record<string, unknown> }>(token, `/meetings/${m.id}`);
    expect(got.settings).toMatchObject({
      mute_upon_entry: true,
      continuous_meeting_chat: { enable: false, auto_add_invited_external_users: true },
      join_before_host: true,
    });
  });
});

describe("times and recurrence", () => {
  it("reads a start time without offset in the meeting's time zone", async () => {
    const y = inYears(2);
    const m = await createMeeting(token, { start_time: `${y}-07-01T09:30:00`, timezone: "Asia/Kolkata" });
    const got = await apiJson<Occ>(token, `/meetings/${m.id}`);
    expect(got.start_time).toBe(`${y}-07-01T04:00:00Z`);
    expect(got.timezone).toBe("Asia/Kolkata");
    const utc = await createMeeting(token, { start_time: `${y}-07-01T09:30:00Z`, timezone: "Asia/Kolkata" });
    expect((await apiJson<Occ>(token, `/meetings/${utc.id}`)).start_time).toBe(`${y}-07-01T09:30:00Z`);
  });

  it("puts weekly occurrences on weekly_days of the local calendar", async () => {
    // 2030-12-03 is a Tuesday; 23:30 in Kolkata is 18:00 UTC the same day.
    const m = await apiJson<Occ>(token, "/users/me/meetings", {
      method: "POST",
      body: {
        topic: "Weekly",
        type: 8,
        start_time: "2030-12-03T23:30:00",
        timezone: "Asia/Kolkata",
        recurrence: { type: 2, repeat_interval: 1, weekly_days: "3,5", end_times: 4 },
      },
    });
    expect(m.occurrences.map((o) => o.start_time)).toEqual([
      "2030-12-03T18:00:00Z", // Tuesday (3)
      "2030-12-05T18:00:00Z", // Thursday (5)
      "2030-12-10T18:00:00Z",
      "2030-12-12T18:00:00Z",
    ]);
  });

  it("schedules at most 50 occurrences and refuses end_times over 60", async () => {
    const body = (end_times: number) => ({
      topic: "Daily",
      type: 8,
      start_time: "2030-01-01T08:00:00Z",
      recurrence: { type: 1, repeat_interval: 1, end_times },
    });
    const m = await apiJson<Occ>(token, "/users/me/meetings", { method: "POST", body: body(60) });
    expect(m.occurrences).toHaveLength(50);
    const until = await apiJson<Occ>(token, "/users/me/meetings", {
      method: "POST",
      body: { ...body(1), recurrence: { type: 1, end_date_time: "2031-01-01T00:00:00Z" } },
    });
    expect(until.occurrences).toHaveLength(50);
    const over = await api(token, "/users/me/meetings", { method: "POST", body: body(61) });
    expect(over.status).toBe(400);
    expect(((await over.json()) as Err).code).toBe(300);
  });

  it("moves a past start time to now", async () => {
    const m = await createMeeting(token, { start_time: "2020-01-01T10:00:00Z" });
    const { nowMs } = await control<{ nowMs: number }>("/clock", undefined, "GET");
    const start = Date.parse((await apiJson<Occ>(token, `/meetings/${m.id}`)).start_time);
    expect(Math.abs(start - nowMs)).toBeLessThan(5_000);
  });

  it("a meeting unused for 365 days has expired (3001); one started keeps living", async () => {
    const idle = await createMeeting(token);
    const used = await createMeeting(token);
    await advance(200 * 86_400);
    token = (await authorize()).access_token;
    await simulate(used.id, { participants: [] });
    await advance(200 * 86_400);
    token = (await authorize()).access_token;
    const gone = await api(token, `/meetings/${idle.id}`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as Err).code).toBe(3001);
    expect((await api(token, `/meetings/${used.id}`)).status).toBe(200);
  });
});

describe("a Basic host", () => {
  it("gets no cloud recording, no registration and a 40-minute cap", async () => {
    const m = await apiJson<{ id: number; settings: Record<string, unknown> }>(
      token,
      `/users/${BASIC_ADMIN}/meetings`,
      {
        method: "POST",
        body: { topic: "Basic", type: 2, settings: { auto_recording: "cloud", approval_type: 0 } },
      },
    );
    expect(m.settings).toMatchObject({ auto_recording: "local", approval_type: 2 });
    const run = await control<{ durationMinutes: number; recording?: unknown }>(
      `/meetings/${m.id}/simulate`,
      { durationMinutes: 90, recording: {} },
    );
    expect(run.durationMinutes).toBe(40);
    expect(run.recording).toBeUndefined();
  });

  it("a host unlicensed after scheduling: registration refused (3000)", async () => {
    const licensed = "Tq1vN7yUQiK2bXcE4sHf9w";
    const m = await apiJson<{ id: number }>(token, `/users/${licensed}/meetings`, {
      method: "POST",
      body: { topic: "Reg", type: 2, settings: { approval_type: 0 } },
    });
    await api(token, `/users/${licensed}`, { method: "PATCH", body: { type: 1 } });
    const res = await api(token, `/meetings/${m.id}/registrants`, {
      method: "POST",
      body: { first_name: "Sam", email: "sam@students.example" },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Err).code).toBe(3000);
  });
});

describe("participant reports", () => {
  it("hide guests' emails and ids, registrants included; users of the account keep theirs", async () => {
    const m = await createMeeting(token, { settings: { approval_type: 0 } });
    const reg = await apiJson<{ registrant_id: string }>(token, `/meetings/${m.id}/registrants`, {
      method: "POST",
      body: { first_name: "Sam", email: "sam@students.example" },
    });
    const run = await simulate(m.id, {
      participants: [
        { registrantId: reg.registrant_id },
        { name: "Guest", email: "guest@elsewhere.example" },
        { name: "Theo", email: "teacher1@school-a.example" },
      ],
    });
    const { participants } = await apiJson<{
      participants: { id: string; name: string; user_email: string; registrant_id: string }[];
    }>(token, `/past_meetings/${encodeURIComponent(encodeURIComponent(run.uuid))}/participants`);
    expect(participants.map((p) => [p.name, p.user_email, p.registrant_id, Boolean(p.id)])).toEqual([
      ["Olivia Owner", "owner@school-a.example", "", true],
      ["Sam", "", reg.registrant_id, false],
      ["Guest", "", "", false],
      ["Theo", "teacher1@school-a.example", "", true],
    ]);
  });

  it("list only part of the report until it is final; the details count everyone", async () => {
    const m = await createMeeting(token);
    const run = await simulate(m.id, {
      participants: [{ name: "A" }, { name: "B" }, { name: "C" }],
      reportDelayMinutes: 30,
    });
    const uuid = encodeURIComponent(encodeURIComponent(run.uuid));
    const early = await apiJson<{ participants: unknown[] }>(token, `/past_meetings/${uuid}/participants`);
    expect(early.participants).toHaveLength(2);
    expect((await apiJson(token, `/past_meetings/${uuid}`)).participants_count).toBe(4);
    await advance(31 * 60);
    const late = await apiJson<{ participants: unknown[] }>(token, `/past_meetings/${uuid}/participants`);
    expect(late.participants).toHaveLength(4);
  });
});

describe("UUIDs in paths", () => {
  it("a UUID that needs double encoding answers 404 when encoded once", async () => {
    const m = await createMeeting(token);
    const uuids: string[] = [];
    for (let i = 0; i < 5; i++) uuids.push((await simulate(m.id, { participants: [] })).uuid);
    const awkward = uuids.find((u) => u.startsWith("/") || u.includes("//")) as string;
    const plain = uuids.find((u) => !u.includes("/")) as string;
    const once = await api(token, `/past_meetings/${encodeURIComponent(awkward)}`);
    expect(once.status).toBe(404);
    expect(((await once.json()) as Err).code).toBe(3001);
    expect(
      (await api(token, `/past_meetings/${encodeURIComponent(encodeURIComponent(awkward))}`)).status,
    ).toBe(200);
    expect((await api(token, `/past_meetings/${encodeURIComponent(plain)}`)).status).toBe(200);
  });
});

describe("users", () => {
  it("custCreate is refused (200 No privilege) for a client Zoom has not approved", async () => {
    await control("/config", { clients: [{ clientId: "wise-local-client", custCreate: false }] });
    const res = await api(token, "/users", {
      method: "POST",
      body: { action: "custCreate", user_info: { email: "c@school-a.example", type: 1 } },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 200, message: "No privilege." });
    const invite = await api(token, "/users", {
      method: "POST",
      body: { action: "create", user_info: { email: "c@school-a.example", type: 1 } },
    });
    expect(invite.status).toBe(201);
  });

  it("an expired token gets 124 under HTTP 400 on GET /users and /users/summary, 401 elsewhere", async () => {
    await advance(3600 + 5);
    for (const path of ["/users", "/users/summary"]) {
      const res = await api(token, path);
      expect(res.status).toBe(400);
      expect(((await res.json()) as Err).code).toBe(124);
    }
    const other = await api(token, "/users/me");
    expect(other.status).toBe(401);
    expect(((await other.json()) as Err).code).toBe(124);
  });
});
