// Meeting times as Zoom reads them: local start times in the meeting's time zone, past starts moved
// to now, and the occurrences of a recurring series (weekly_days in local time, at most 50).
import type { Meeting, Recurrence } from "./db.ts";
import { isoSeconds } from "./ids.ts";

/** Zoom schedules at most 50 occurrences of a recurring meeting, whatever end_times says. */
export const MAX_OCCURRENCES = 50;
const DAY_MS = 86_400_000;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** How far the zone's wall clock is ahead of UTC at this instant. */
function offsetMs(utcMs: number, tz: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - Math.floor(utcMs / 1000) * 1000;
}

/** A wall-clock time (given as if it were UTC) in the zone, as a UTC instant. */
export function wallToUtc(wallMs: number, tz: string): number {
  const first = wallMs - offsetMs(wallMs, tz);
  return wallMs - offsetMs(first, tz);
}

const utcToWall = (utcMs: number, tz: string) => utcMs + offsetMs(utcMs, tz);

/**
 * Zoom's start_time: `...Z` (or an offset) is absolute, `yyyy-MM-ddTHH:mm:ss` is local time in the
 * meeting's time zone. Undefined when absent; NaN when unreadable.
 */
export function parseStartTime(value: string, tz: string): number {
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(value)) return Date.parse(value);
  const wall = Date.parse(`${value}Z`);
  return Number.isNaN(wall) ? Number.NaN : wallToUtc(wall, tz);
}

/** "If start_time is not specified or is set to a past value, it defaults to the current time." */
export const notInPast = (ms: number, now: number) => Math.max(ms, now);

export interface Occurrence {
  occurrence_id: string;
  start_time: string;
  duration: number;
  status: "available";
}

/** The series' occurrences, computed on the meeting's local calendar. */
export function occurrences(m: Pick<Meeting, "type" | "recurrence" | "startTime" | "duration" | "timezone">) {
  if (m.type !== 8 || !m.recurrence || !m.startTime) return undefined;
  const r: Recurrence = m.recurrence;
  const tz = isTimeZone(m.timezone) ? m.timezone : "UTC";
  const interval = Math.max(1, r.repeat_interval ?? 1);
  const count = Math.min(r.end_times ?? (r.end_date_time ? MAX_OCCURRENCES : 1), MAX_OCCURRENCES);
  const until = r.end_date_time ? Date.parse(r.end_date_time) : Number.POSITIVE_INFINITY;
  const startWall = utcToWall(Date.parse(m.startTime), tz);
  const timeOfDay = ((startWall % DAY_MS) + DAY_MS) % DAY_MS;
  const startDay = startWall - timeOfDay;
  const out: Occurrence[] = [];
  const push = (dayWall: number) => {
    const at = wallToUtc(dayWall + timeOfDay, tz);
    if (at > until || out.length >= count) return false;
    out.push({
      occurrence_id: String(at),
      start_time: isoSeconds(at),
      duration: m.duration,
      status: "available",
    });
    return true;
  };
  if (r.type === 1) {
    for (let i = 0; push(startDay + i * interval * DAY_MS); i++);
  } else if (r.type === 2) {
    // weekly_days: 1 = Sunday ... 7 = Saturday, on the local calendar; Zoom's default is the start's day.
    const startDow = new Date(startDay).getUTCDay();
    const days = (r.weekly_days ?? String(startDow + 1))
      .split(",")
      .map((d) => Number(d.trim()) - 1)
      .filter((d) => d >= 0 && d <= 6);
    const weekStart = startDay - startDow * DAY_MS;
    outer: for (let week = 0; week < 520; week += interval) {
      for (let d = 0; d < 7; d++) {
        const day = weekStart + (week * 7 + d) * DAY_MS;
        if (day < startDay || !days.includes(d)) continue;
        if (!push(day)) break outer;
      }
    }
  } else {
    const s = new Date(startDay);
    const dom = r.monthly_day ?? s.getUTCDate();
    for (let i = 0; i < 600; i++) {
      const day = Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + i * interval, dom);
      if (day < startDay) continue;
      if (!push(day)) break;
    }
  }
  return out;
}
