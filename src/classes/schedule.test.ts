import { describe, expect, it } from "vitest";
import { ClassId } from "./class-id.ts";
import { DEFAULT_MEETING_POLICY } from "./policy.ts";
import {
  checkSchedule,
  claimMarker,
  countOccurrences,
  isKnownTimeZone,
  meetingBody,
  Recurrence,
  seriesLength,
  zoomRecurrence,
} from "./schedule.ts";

describe("ClassId", () => {
  it.each(["c1", "class-42", "a.b", "x:y_z", "A".repeat(128)])("accepts %s", (id) => {
    expect(ClassId.safeParse(id).success).toBe(true);
  });
  it.each(["", "..", "a..b", "../x", "a/b", "a%2Fb", "%2e%2e", ".hidden", "a b", "A".repeat(129), "é"])(
    "refuses %s",
    (id) => {
      expect(ClassId.safeParse(id).success).toBe(false);
    },
  );
});

describe("isKnownTimeZone", () => {
  it.each(["UTC", "Asia/Kolkata", "America/Argentina/Buenos_Aires", "Europe/London"])("knows %s", (tz) => {
    expect(isKnownTimeZone(tz)).toBe(true);
  });
  it.each(["Mars/Olympus", "Asia/../etc", "", "Europe/London; drop", "x".repeat(70)])("refuses %s", (tz) => {
    expect(isKnownTimeZone(tz)).toBe(false);
  });
});

describe("Recurrence", () => {
  it("maps a weekly class to Zoom's shape", () => {
    const r = Recurrence.parse({ type: "weekly", interval: 1, weeklyDays: [4, 2, 2], endTimes: 10 });
    expect(zoomRecurrence(r)).toEqual({ type: 2, repeat_interval: 1, weekly_days: "2,4", end_times: 10 });
  });
  it.each([
    [{ type: "weekly", endTimes: 3 }],
    [{ type: "daily" }],
    [{ type: "daily", endTimes: 3, endDateTime: "2030-01-01T00:00:00Z" }],
    [{ type: "monthly", endTimes: 3 }],
    [{ type: "weekly", interval: 13, weeklyDays: [1], endTimes: 3 }],
    [{ type: "daily", weeklyDays: [1], endTimes: 3 }],
    [{ type: "hourly", endTimes: 3 }],
    [{ type: "daily", endTimes: 51 }],
    [{ type: "daily", endTimes: 3, extra: 1 }],
  ])("refuses %j", (r) => {
    expect(Recurrence.safeParse(r).success).toBe(false);
  });
});

describe("meetingBody", () => {
  it("turns on the waiting room, automatic approval and the claim marker", () => {
    const body = meetingBody(
      "c1",
      {
        teacherId: "t1",
        topic: "Maths",
        startTime: Date.parse("2030-05-01T10:00:00.500Z"),
        durationMinutes: 45,
        registration: true,
        autoRecording: "cloud",
      },
      "tok",
      DEFAULT_MEETING_POLICY,
    );
    expect(body).toMatchObject({ type: 2, start_time: "2030-05-01T10:00:00Z", timezone: "UTC" });
    // Every class-critical setting is explicit: Zoom fills omitted ones from the account's defaults.
    expect(body.settings).toEqual({
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
    expect(body.agenda).toContain(claimMarker("tok"));
  });

  it("follows the policy: manual approval, AI Companion on", () => {
    const body = meetingBody(
      "c1",
      {
        teacherId: "t1",
        topic: "Maths",
        startTime: Date.parse("2030-05-01T10:00:00Z"),
        durationMinutes: 45,
        registration: true,
        autoRecording: "none",
        recurrence: Recurrence.parse({ type: "daily", endTimes: 3 }),
      },
      "tok",
      { ...DEFAULT_MEETING_POLICY, registrationApproval: "manual", aiCompanion: true },
    );
    expect(body.settings).toMatchObject({
      approval_type: 1,
      registration_type: 1,
      auto_start_meeting_summary: true,
      auto_start_ai_companion_questions: true,
    });
  });
});

describe("countOccurrences", () => {
  const start = Date.parse("2030-12-03T18:00:00Z"); // Tuesday, 23:30 in Kolkata
  it("counts weekly days on the class's local calendar", () => {
    const r = Recurrence.parse({ type: "weekly", weeklyDays: [3, 5], endDateTime: "2030-12-31T00:00:00Z" });
    // Tue 3, Thu 5, 10, 12, 17, 19, 24, 26 (31 is a Tuesday, after the end).
    expect(countOccurrences(start, r, "Asia/Kolkata", Date.parse("2030-12-30T18:00:00Z"))).toBe(8);
  });
  it("stops past the cap and knows endTimes", () => {
    const daily = Recurrence.parse({ type: "daily", endDateTime: "2031-12-31T00:00:00Z" });
    expect(seriesLength(start, daily, "UTC")).toBe(51);
    expect(seriesLength(start, Recurrence.parse({ type: "daily", endTimes: 50 }), "UTC")).toBe(50);
    const monthly = Recurrence.parse({ type: "monthly", monthlyDay: 3, endDateTime: "2031-03-05T00:00:00Z" });
    expect(seriesLength(start, monthly, "UTC")).toBe(4);
  });
});

describe("checkSchedule", () => {
  const now = Date.parse("2030-01-01T00:00:00Z");
  const fault = (f: () => void) => {
    try {
      f();
    } catch (err) {
      return err as { code: string; extras: { errors: { field: string }[] } };
    }
    throw new Error("accepted");
  };

  it("refuses a start that is not in the future", () => {
    const err = fault(() => checkSchedule({}, now, now));
    expect([err.code, err.extras.errors[0]?.field]).toEqual(["invalid_request", "startTime"]);
  });

  it("refuses a series that ends before it starts", () => {
    const recurrence = Recurrence.parse({ type: "daily", endDateTime: "2030-01-01T12:00:00Z" });
    const err = fault(() => checkSchedule({ recurrence }, now + 86_400_000, now));
    expect(err.extras.errors[0]?.field).toBe("recurrence.endDateTime");
  });

  it("refuses a series of more occurrences than Zoom schedules, and accepts one within", () => {
    const long = Recurrence.parse({ type: "daily", endDateTime: "2030-03-15T00:00:00Z" });
    expect(fault(() => checkSchedule({ recurrence: long }, now + 3600_000, now)).code).toBe(
      "too_many_occurrences",
    );
    const short = Recurrence.parse({ type: "daily", endTimes: 50 });
    expect(() => checkSchedule({ recurrence: short }, now + 3600_000, now)).not.toThrow();
  });
});
