// Pure rules of a class meeting: safe class ids, time zones, recurrence, and the Zoom meeting body
// built from a validated request. No I/O.
import { z } from "zod";
import { WiseId } from "../auth/jwt.ts";
import type { ZoomMeetingBody, ZoomRecurrence } from "../zoom/meetings.ts";

/** Class ids come from Wise and end up in paths and keys: safe characters only, no "..". */
export const ClassId = WiseId.refine((s) => !s.includes(".."), "must not contain ..");

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
    endTimes: z.number().int().min(1).max(60).optional(),
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

/** The Zoom meeting for a class: waiting room on, automatic approval when registration is on. */
export function meetingBody(classId: string, input: ClassMeetingInput, claimToken: string): ZoomMeetingBody {
  return {
    topic: input.topic,
    type: input.recurrence ? 8 : 2,
    start_time: zoomTime(input.startTime),
    duration: input.durationMinutes,
    ...(input.timezone ? { timezone: input.timezone } : {}),
    agenda: `Wise class ${classId} ${claimMarker(claimToken)}`,
    ...(input.recurrence ? { recurrence: zoomRecurrence(input.recurrence) } : {}),
    settings: {
      auto_recording: input.autoRecording,
      waiting_room: true,
      join_before_host: false,
      approval_type: input.registration ? 0 : 2,
      // One registration covers every occurrence of a recurring class.
      ...(input.recurrence && input.registration ? { registration_type: 1 as const } : {}),
    },
  };
}
