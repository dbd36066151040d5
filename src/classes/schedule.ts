// Pure rules of a class meeting: time zones, recurrence and its 50-occurrence cap, and the Zoom
// meeting body built from a validated request. No I/O, nothing Workers-specific (the contract tests
// check the bodies against Zoom's specs in Node).
import { z } from "zod";
import { InvalidInput } from "../platform/errors.ts";
import type { ZoomMeetingBody, ZoomMeetingSettings, ZoomRecurrence } from "../zoom/bodies.ts";
import type { MeetingPolicy } from "./policy.ts";

/** Zoom schedules at most 50 occurrences of a series (the rest are silently dropped). */
export const MAX_OCCURRENCES = 50;

/** Whether the runtime knows this IANA zone (and it is spelled like one). */
export function isKnownTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(tz) || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const Recurrence = z
  .object({
    type: z.enum(["daily", "weekly", "monthly"]),
    /** Every n days (1-90), weeks (1-12) or months (1-3), as Zoom allows. */
    interval: z.number().int().min(1).max(90).default(1),
    /** Weekdays for weekly classes, 1 = Sunday ... 7 = Saturday (Zoom's numbering). */
    weeklyDays: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional(),
    monthlyDay: z.number().int().min(1).max(31).optional(),
    endTimes: z.number().int().min(1).max(MAX_OCCURRENCES).optional(),
    endDateTime: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    const max = { daily: 90, weekly: 12, monthly: 3 }[r.type];
    if (r.interval > max)
      ctx.addIssue({ code: "custom", path: ["interval"], message: `at most ${max} for ${r.type}` });
    if ((r.endTimes === undefined) === (r.endDateTime === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["endTimes"],
        message: "give exactly one of endTimes or endDateTime",
      });
    }
    if (r.type === "weekly" && !r.weeklyDays) {
      ctx.addIssue({ code: "custom", path: ["weeklyDays"], message: "required for weekly classes" });
    }
    if (r.type !== "weekly" && r.weeklyDays) {
      ctx.addIssue({ code: "custom", path: ["weeklyDays"], message: "only for weekly classes" });
    }
    if (r.type === "monthly" && r.monthlyDay === undefined) {
      ctx.addIssue({ code: "custom", path: ["monthlyDay"], message: "required for monthly classes" });
    }
    if (r.type !== "monthly" && r.monthlyDay !== undefined) {
      ctx.addIssue({ code: "custom", path: ["monthlyDay"], message: "only for monthly classes" });
    }
  });
export type Recurrence = z.infer<typeof Recurrence>;

export type AutoRecording = "cloud" | "local" | "none";

/** A validated class meeting request. */
export interface ClassMeetingInput {
  teacherId: string;
  topic: string;
  /** Epoch ms. */
  startTime: number;
  durationMinutes: number;
  timezone?: string | undefined;
  recurrence?: Recurrence | undefined;
  registration: boolean;
  autoRecording: AutoRecording;
}

/** Zoom's time format: UTC, no milliseconds. */
export const zoomTime = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

export function zoomRecurrence(r: Recurrence): ZoomRecurrence {
  return {
    type: r.type === "daily" ? 1 : r.type === "weekly" ? 2 : 3,
    repeat_interval: r.interval,
    ...(r.weeklyDays ? { weekly_days: [...new Set(r.weeklyDays)].sort().join(",") } : {}),
    ...(r.monthlyDay !== undefined ? { monthly_day: r.monthlyDay } : {}),
    ...(r.endTimes !== undefined ? { end_times: r.endTimes } : {}),
    ...(r.endDateTime !== undefined ? { end_date_time: zoomTime(Date.parse(r.endDateTime)) } : {}),
  };
}

/** Marks the meeting as this claim's, so that a retry can find a meeting whose creation answer was lost. */
export const claimMarker = (claimToken: string) => `[wise-ref:${claimToken}]`;

const DAY_MS = 86_400_000;

/** The local calendar day (as a UTC midnight) and weekday (0 = Sunday) of an instant in a zone. */
function localDay(ms: number, tz: string): { day: number; weekday: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const day = Date.UTC(get("year"), get("month") - 1, get("day"));
  return { day, weekday: new Date(day).getUTCDay() };
}

/**
 * How many occurrences Zoom would schedule from `startTime` up to `until` (epoch ms), counted on
 * the class's local calendar; stops counting past `cap`. Day-level precision is enough for the cap.
 */
export function countOccurrences(
  startTime: number,
  r: Recurrence,
  tz: string,
  until: number,
  cap = MAX_OCCURRENCES + 1,
): number {
  const start = localDay(startTime, tz);
  const last = localDay(until, tz).day;
  let n = 0;
  if (r.type === "daily") {
    for (let d = start.day; d <= last && n < cap; d += r.interval * DAY_MS) n++;
  } else if (r.type === "weekly") {
    const days = new Set((r.weeklyDays ?? [start.weekday + 1]).map((d) => d - 1));
    const weekStart = start.day - start.weekday * DAY_MS;
    for (let week = 0; n < cap; week += r.interval) {
      const base = weekStart + week * 7 * DAY_MS;
      if (base > last) break;
      for (let d = 0; d < 7 && n < cap; d++) {
        const day = base + d * DAY_MS;
        if (day >= start.day && day <= last && days.has(d)) n++;
      }
    }
  } else {
    const s = new Date(start.day);
    for (let i = 0; n < cap; i += r.interval) {
      const day = Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + i, r.monthlyDay ?? s.getUTCDate());
      if (day > last) break;
      if (day >= start.day) n++;
    }
  }
  return n;
}

/** The series' length as Zoom would schedule it (endTimes, or counted up to endDateTime). */
export function seriesLength(startTime: number, r: Recurrence, tz: string | undefined): number {
  if (r.endTimes !== undefined) return r.endTimes;
  return countOccurrences(startTime, r, tz ?? "UTC", Date.parse(r.endDateTime ?? ""));
}

/** The settings every class meeting carries, explicit so Zoom's account defaults never apply. */
export function meetingSettings(input: ClassMeetingInput, policy: MeetingPolicy): ZoomMeetingSettings {
  return {
    auto_recording: input.autoRecording,
    waiting_room: policy.waitingRoom,
    join_before_host: policy.joinBeforeHost,
    mute_upon_entry: policy.muteUponEntry,
    meeting_authentication: policy.meetingAuthentication,
    approval_type: input.registration ? (policy.registrationApproval === "manual" ? 1 : 0) : 2,
    // One registration covers every occurrence of a recurring class.
    ...(input.recurrence && input.registration ? { registration_type: 1 as const } : {}),
    continuous_meeting_chat: { enable: policy.continuousChat },
    auto_start_meeting_summary: policy.aiCompanion,
    auto_start_ai_companion_questions: policy.aiCompanion,
  };
}

/**
 * The Zoom meeting for a class. The time zone is always sent (UTC when the class names none), so
 * weekly days are never read in the host's own zone.
 */
export function meetingBody(
  classId: string,
  input: ClassMeetingInput,
  claimToken: string,
  policy: MeetingPolicy,
): ZoomMeetingBody {
  return {
    topic: input.topic,
    type: input.recurrence ? 8 : 2,
    start_time: zoomTime(input.startTime),
    duration: input.durationMinutes,
    timezone: input.timezone ?? "UTC",
    agenda: `Wise class ${classId} ${claimMarker(claimToken)}`,
    ...(input.recurrence ? { recurrence: zoomRecurrence(input.recurrence) } : {}),
    settings: meetingSettings(input, policy),
  };
}

/** A field of the request that cannot be scheduled, in the API's invalid_request shape. */
const invalidField = (field: string, message: string) =>
  new InvalidInput("The request does not match the API", {
    code: "invalid_request",
    title: "Invalid request",
    extras: { errors: [{ field, message }] },
  });

/**
 * The schedule rules a class meeting must meet before Zoom is asked: it starts in the future, a
 * series ends after its start, and a series has at most MAX_OCCURRENCES occurrences (Zoom would
 * silently drop every occurrence after the 50th).
 */
export function checkSchedule(
  input: { recurrence?: Recurrence | undefined; timezone?: string | undefined },
  startTime: number,
  now = Date.now(),
): void {
  if (startTime <= now) throw invalidField("startTime", "must be in the future");
  const end = input.recurrence?.endDateTime;
  if (end && Date.parse(end) <= startTime)
    throw invalidField("recurrence.endDateTime", "must be after startTime");
  if (input.recurrence && seriesLength(startTime, input.recurrence, input.timezone) > MAX_OCCURRENCES) {
    throw new InvalidInput(
      `Zoom schedules at most ${MAX_OCCURRENCES} occurrences of a recurring meeting; end the series earlier or split it into several classes`,
      {
        code: "too_many_occurrences",
        title: "Too many occurrences",
        extras: { errors: [{ field: "recurrence", message: `more than ${MAX_OCCURRENCES} occurrences` }] },
      },
    );
  }
}
