// How a meeting is read from a request (settings merged by field, recurrence, start time in its
// zone) and shown in an answer (with its join and fresh start links); Zoom's daily write cap per host.
import type { Core } from "../core.ts";
import type { Meeting, Recurrence } from "../db.ts";
import { validationError, ZoomError } from "../http.ts";
import { base64url, isoDate, isoSeconds, randomBytes } from "../ids.ts";
import { isTimeZone, MAX_OCCURRENCES, notInPast, occurrences, parseStartTime } from "../schedule.ts";
import { int, type RestContext, str } from "./common.ts";

/** start_url is a host login: Zoom lets it live two hours. */
export const START_URL_TTL_MS = 2 * 3600 * 1000;
/**
 * The account's meeting defaults, filled into every field a create omits (Zoom does this since
 * 2026-03-15). Deliberately not a classroom's: AI Companion on, no waiting room, join before host,
 * continuous chat, no automatic recording, so a product that leaves a setting out shows it.
 */
export const ACCOUNT_MEETING_DEFAULTS: Record<string, unknown> = {
  host_video: false,
  participant_video: false,
  cn_meeting: false,
  in_meeting: false,
  join_before_host: true,
  jbh_time: 0,
  mute_upon_entry: false,
  watermark: false,
  use_pmi: false,
  approval_type: 2,
  audio: "voip",
  auto_recording: "none",
  enforce_login: false,
  enforce_login_domains: "",
  alternative_hosts: "",
  close_registration: false,
  show_share_button: false,
  allow_multiple_devices: true,
  registrants_confirmation_email: true,
  waiting_room: false,
  request_permission_to_unmute_participants: false,
  registrants_email_notification: true,
  meeting_authentication: false,
  encryption_type: "enhanced_encryption",
  approved_or_denied_countries_or_regions: { enable: false },
  breakout_room: { enable: false },
  internal_meeting: false,
  continuous_meeting_chat: { enable: true, auto_add_invited_external_users: true },
  participant_focused_meeting: false,
  push_change_to_calendar: false,
  alternative_hosts_email_notification: true,
  show_join_info: false,
  device_testing: false,
  focus_mode: false,
  private_meeting: false,
  email_notification: true,
  host_save_video_order: false,
  sign_language_interpretation: { enable: false },
  email_in_attendee_report: false,
  auto_start_meeting_summary: true,
  auto_start_ai_companion_questions: true,
};

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Settings given over the current ones; nested objects (continuous_meeting_chat...) merge by field. */
export function mergeSettings(current: Record<string, unknown>, given: unknown): Record<string, unknown> {
  const out = { ...current };
  if (!isObject(given)) return out;
  for (const [k, v] of Object.entries(given)) {
    const was = out[k];
    out[k] = isObject(v) && isObject(was) ? { ...was, ...v } : v;
  }
  return out;
}

/** A Basic host has no cloud recording and no registration: Zoom falls back rather than refusing. */
export function limitForHost(
  settings: Record<string, unknown>,
  host: { type: number },
): Record<string, unknown> {
  if (host.type === 2) return settings;
  return {
    ...settings,
    ...(settings.auto_recording === "cloud" ? { auto_recording: "local" } : {}),
    ...(settings.approval_type === 0 || settings.approval_type === 1 ? { approval_type: 2 } : {}),
  };
}

export function dayKey(core: Core): string {
  return isoDate(core.now());
}

/** Zoom allows 100 meeting creates or updates per host per day. */
export function countMeetingWrite(c: RestContext, hostId: string): void {
  const cap = c.core.config().meetingDailyCap;
  const key = `daily:meetingWrites:${hostId}:${dayKey(c.core)}`;
  if (c.core.db.counter(key) >= cap) {
    throw new ZoomError(
      429,
      429,
      `You have exceeded the daily rate limit of (${cap}) for Create/Update meeting API requests for this user (${hostId}) today. Try again tomorrow.`,
      undefined,
      {
        "X-RateLimit-Type": "Daily-limit",
        "Retry-After": isoSeconds(Date.parse(`${dayKey(c.core)}T00:00:00Z`) + 86_400_000),
      },
    );
  }
  c.core.db.increment(key);
}

/** Mints a new start link; every call of GET /meetings/{id} does, as on Zoom. */
export function mintStartUrl(core: Core, m: Meeting, origin: string): string {
  const zak = `eyJ${base64url(randomBytes(60))}`;
  core.db.run(
    "INSERT INTO start_links (zak, meeting_id, expires_at) VALUES (?, ?, ?)",
    zak,
    m.id,
    core.now() + START_URL_TTL_MS,
  );
  return `${origin}/s/${m.id}?zak=${zak}`;
}

export function joinUrl(m: Meeting, origin: string): string {
  return `${origin}/j/${m.id}?pwd=${m.encryptedPassword}`;
}

export function presentMeeting(c: RestContext, m: Meeting) {
  const host = c.core.db.user(m.hostId);
  const settings: Record<string, unknown> = { ...m.settings };
  const approval = settings.approval_type;
  const body: Record<string, unknown> = {
    uuid: m.uuid,
    id: m.id,
    host_id: m.hostId,
    host_email: host?.email ?? "",
    assistant_id: "",
    topic: m.topic,
    type: m.type,
    status: m.status,
    ...(m.startTime && m.type !== 3 ? { start_time: m.startTime } : {}),
    duration: m.duration,
    timezone: m.timezone,
    agenda: m.agenda,
    created_at: m.createdAt,
    start_url: mintStartUrl(c.core, m, c.req.origin),
    join_url: joinUrl(m, c.req.origin),
    password: m.password,
    h323_password: m.password.replace(/\D/g, "").padEnd(6, "0").slice(0, 10),
    pstn_password: m.password.replace(/\D/g, "").padEnd(6, "0").slice(0, 10),
    encrypted_password: m.encryptedPassword,
    pre_schedule: false,
    creation_source: "open_api",
    settings,
  };
  if (approval === 0 || approval === 1)
    body.registration_url = `${c.req.origin}/meeting/register/${m.registrationKey}`;
  const occ = occurrences(m);
  if (occ) {
    body.occurrences = occ;
    body.recurrence = m.recurrence;
  }
  return body;
}

export function readRecurrence(v: unknown): Recurrence | undefined {
  if (!v || typeof v !== "object") return undefined;
  const r = v as Record<string, unknown>;
  const type = int(r.type);
  if (type !== 1 && type !== 2 && type !== 3) throw validationError("recurrence.type", "Invalid field.");
  const endTimes = int(r.end_times);
  // The spec allows end_times up to 60; Zoom then schedules only the first 50 (see occurrences).
  if (endTimes !== undefined && (endTimes < 0 || endTimes > 60))
    throw validationError("recurrence.end_times", "Invalid field.");
  const weeklyDays = str(r.weekly_days);
  if (weeklyDays !== undefined && !/^[1-7](,[1-7])*$/.test(weeklyDays))
    throw validationError("recurrence.weekly_days", "Invalid field.");
  return {
    type,
    repeat_interval: int(r.repeat_interval),
    weekly_days: weeklyDays,
    monthly_day: int(r.monthly_day),
    end_times: endTimes === undefined ? undefined : Math.min(endTimes, MAX_OCCURRENCES),
    end_date_time: str(r.end_date_time),
  };
}

/** A start time read in the meeting's zone; a past one becomes now, as Zoom does. */
export function readTime(core: Core, v: unknown, field: string, tz: string): string | undefined {
  if (v === undefined) return undefined;
  const s = str(v);
  const at = s ? parseStartTime(s, tz) : Number.NaN;
  if (Number.isNaN(at)) throw validationError(field, "Invalid field.");
  return isoSeconds(notInPast(at, core.now()));
}

export const zoneOf = (v: unknown, fallback: string) => {
  const tz = str(v);
  return tz && isTimeZone(tz) ? tz : fallback;
};
