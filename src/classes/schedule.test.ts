import { describe, expect, it } from "vitest";
import {
  ClassId,
  claimMarker,
  isKnownTimeZone,
  meetingBody,
  Recurrence,
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
    [{ type: "daily", endTimes: 61 }],
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
    );
    expect(body).toMatchObject({
      type: 2,
      start_time: "2030-05-01T10:00:00Z",
      settings: { waiting_room: true, approval_type: 0, auto_recording: "cloud" },
    });
    expect(body.agenda).toContain(claimMarker("tok"));
  });
});
