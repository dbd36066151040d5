// /v2 meetings and registrants: create, get (with a fresh two-hour start_url each time), list,
// update, delete, end; registrants with approval types and Zoom's daily caps.
import type { Core } from "../core.ts";
import type { Meeting, Recurrence, Registrant } from "../db.ts";
import { json, noContent, validationError, ZoomError } from "../http.ts";
import {
  base64url,
  isoDate,
  isoSeconds,
  newMeetingId,
  newMeetingUuid,
  newOpaque,
  randomBytes,
} from "../ids.ts";
import { paginate } from "../pagination.ts";
import { isTimeZone, MAX_OCCURRENCES, notInPast, occurrences, parseStartTime } from "../schedule.ts";
import { REGISTRANT_CAP } from "../seed.ts";
import { emitEvent } from "../webhooks.ts";
import {
  int,
  jsonBody,
  meetingNumber,
  param,
  type RestContext,
  type Route,
  resolveMeeting,
  resolveUser,
  str,
} from "./common.ts";

/** start_url is a host login: Zoom lets it live two hours. */
const START_URL_TTL_MS = 2 * 3600 * 1000;
const REGISTRANT_DAILY_LIMIT = 3;

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

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Settings given over the current ones; nested objects (continuous_meeting_chat...) merge by field. */
function mergeSettings(current: Record<string, unknown>, given: unknown): Record<string, unknown> {
  const out = { ...current };
  if (!isObject(given)) return out;
  for (const [k, v] of Object.entries(given)) {
    const was = out[k];
    out[k] = isObject(v) && isObject(was) ? { ...was, ...v } : v;
  }
  return out;
}

/** A Basic host has no cloud recording and no registration: Zoom falls back rather than refusing. */
function limitForHost(settings: Record<string, unknown>, host: { type: number }): Record<string, unknown> {
  if (host.type === 2) return settings;
  return {
    ...settings,
    ...(settings.auto_recording === "cloud" ? { auto_recording: "local" } : {}),
    ...(settings.approval_type === 0 || settings.approval_type === 1 ? { approval_type: 2 } : {}),
  };
}

function dayKey(core: Core): string {
  return isoDate(core.now());
}

/** Zoom allows 100 meeting creates or updates per host per day. */
function countMeetingWrite(c: RestContext, hostId: string): void {
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

function presentMeeting(c: RestContext, m: Meeting) {
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

function readRecurrence(v: unknown): Recurrence | undefined {
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
function readTime(core: Core, v: unknown, field: string, tz: string): string | undefined {
  if (v === undefined) return undefined;
  const s = str(v);
  const at = s ? parseStartTime(s, tz) : Number.NaN;
  if (Number.isNaN(at)) throw validationError(field, "Invalid field.");
  return isoSeconds(notInPast(at, core.now()));
}

const zoneOf = (v: unknown, fallback: string) => {
  const tz = str(v);
  return tz && isTimeZone(tz) ? tz : fallback;
};

async function createMeeting(c: RestContext) {
  const host = resolveUser(c, param(c, "userId"));
  if (host.status !== "active") throw new ZoomError(404, 1001, `User does not exist: ${param(c, "userId")}.`);
  const body = jsonBody(c);
  const type = int(body.type) ?? 2;
  if (![1, 2, 3, 8].includes(type)) throw validationError("type", "Invalid field.");
  const timezone = zoneOf(body.timezone, host.timezone);
  const startTime = readTime(c.core, body.start_time, "start_time", timezone) ?? isoSeconds(c.core.now());
  const recurrence =
    type === 8
      ? (readRecurrence(body.recurrence) ?? { type: 1, repeat_interval: 1, end_times: 1 })
      : undefined;
  countMeetingWrite(c, host.id);
  // Every omitted field takes the account's default (Zoom, since 2026-03-15).
  const settings = limitForHost(mergeSettings(ACCOUNT_MEETING_DEFAULTS, body.settings), host);
  const password = str(body.password) ?? String(100000 + Math.floor(Math.random() * 899999));
  const meeting: Meeting = {
    id: newMeetingId(),
    uuid: newMeetingUuid(c.core.nextUuidSequence()),
    hostId: host.id,
    accountId: c.account.id,
    topic: str(body.topic) ?? "Zoom Meeting",
    type,
    status: "waiting",
    startTime,
    duration: int(body.duration) ?? 60,
    timezone,
    agenda: str(body.agenda) ?? "",
    createdAt: isoSeconds(c.core.now()),
    lastUsedAt: c.core.now(),
    password,
    encryptedPassword: newOpaque(24),
    registrationKey: newOpaque(12),
    settings,
    recurrence,
    instances: 0,
  };
  c.core.db.putMeeting(meeting);
  return json(201, presentMeeting(c, meeting));
}

function listMeetings(c: RestContext) {
  const host = resolveUser(c, param(c, "userId"));
  const meetings = c.core.db.meetingsOf(host.id);
  const page = paginate(c.core, `meetings:${host.id}`, meetings, c.req.query, 300);
  return json(200, {
    ...page.meta,
    page_number: 1,
    meetings: page.items.map((m) => ({
      uuid: m.uuid,
      id: m.id,
      host_id: m.hostId,
      topic: m.topic,
      type: m.type,
      ...(m.startTime ? { start_time: m.startTime } : {}),
      duration: m.duration,
      timezone: m.timezone,
      agenda: m.agenda,
      created_at: m.createdAt,
      join_url: joinUrl(m, c.req.origin),
    })),
  });
}

function getMeeting(c: RestContext) {
  return json(200, presentMeeting(c, resolveMeeting(c, param(c, "meetingId"))));
}

async function updateMeeting(c: RestContext) {
  const meeting = resolveMeeting(c, param(c, "meetingId"));
  countMeetingWrite(c, meeting.hostId);
  await applyMeetingUpdate(c.core, meeting, jsonBody(c), { email: c.caller.email, id: c.caller.id });
  return noContent();
}

const EVENT_FIELDS = ["topic", "agenda", "start_time", "duration", "timezone", "type"] as const;

function eventFields(m: Meeting): Record<string, unknown> {
  return {
    topic: m.topic,
    agenda: m.agenda,
    ...(m.startTime ? { start_time: m.startTime } : {}),
    duration: m.duration,
    timezone: m.timezone,
    type: m.type,
  };
}

/**
 * Applies a meeting update (through the API, or by the host in Zoom's web portal) and sends
 * meeting.updated with the changed fields in `object` and their earlier values in `old_object`.
 */
export async function applyMeetingUpdate(
  core: Core,
  meeting: Meeting,
  body: Record<string, unknown>,
  operator: { email: string; id: string },
): Promise<Meeting> {
  const next: Meeting = { ...meeting };
  if (body.topic !== undefined) next.topic = str(body.topic) ?? next.topic;
  if (body.agenda !== undefined) next.agenda = str(body.agenda) ?? next.agenda;
  if (body.duration !== undefined) next.duration = int(body.duration) ?? next.duration;
  if (body.timezone !== undefined) next.timezone = zoneOf(body.timezone, next.timezone);
  if (body.start_time !== undefined)
    next.startTime = readTime(core, body.start_time, "start_time", next.timezone);
  if (body.password !== undefined) next.password = str(body.password) ?? next.password;
  if (body.type !== undefined) {
    const type = int(body.type);
    if (type === undefined || ![1, 2, 3, 8].includes(type)) throw validationError("type", "Invalid field.");
    next.type = type;
  }
  if (body.recurrence !== undefined) next.recurrence = readRecurrence(body.recurrence);
  // An update keeps what it omits (only a create falls back to the account's defaults).
  const host = core.db.user(meeting.hostId);
  next.settings = limitForHost(mergeSettings(next.settings, body.settings), host ?? { type: 1 });
  core.db.putMeeting(next);
  const before = eventFields(meeting);
  const after = eventFields(next);
  const changed = EVENT_FIELDS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  const settingsChanged = JSON.stringify(meeting.settings) !== JSON.stringify(next.settings);
  if (changed.length || settingsChanged) {
    const pick = (fields: Record<string, unknown>) =>
      Object.fromEntries(changed.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]]));
    await emitEvent(core, "meeting.updated", {
      account_id: meeting.accountId,
      operator: operator.email,
      operator_id: operator.id,
      scope: "all",
      object: {
        id: meeting.id,
        uuid: meeting.uuid,
        ...pick(after),
        ...(settingsChanged ? { settings: body.settings } : {}),
      },
      old_object: { id: meeting.id, uuid: meeting.uuid, ...pick(before) },
      time_stamp: core.now(),
    });
  }
  return next;
}

async function deleteMeeting(c: RestContext) {
  const meeting = resolveMeeting(c, param(c, "meetingId"));
  c.core.db.putMeeting(meeting, true);
  await emitEvent(c.core, "meeting.deleted", {
    account_id: c.account.id,
    operator: c.caller.email,
    operator_id: c.caller.id,
    object: {
      uuid: meeting.uuid,
      id: meeting.id,
      host_id: meeting.hostId,
      topic: meeting.topic,
      type: meeting.type,
      ...(meeting.startTime ? { start_time: meeting.startTime } : {}),
      duration: meeting.duration,
      timezone: meeting.timezone,
    },
  });
  return noContent();
}

function updateMeetingStatus(c: RestContext) {
  const meeting = resolveMeeting(c, param(c, "meetingId"));
  const action = str(jsonBody(c).action);
  if (action !== "end" && action !== "recover") throw validationError("action", "Invalid field.");
  if (action === "end") c.core.db.putMeeting({ ...meeting, status: "waiting" });
  return noContent();
}

function registrantJoinUrl(m: Meeting, r: Registrant, origin: string): string {
  return `${origin}/w/${m.id}?tk=${r.joinToken}&pwd=${m.encryptedPassword}`;
}

async function addRegistrant(c: RestContext) {
  const meeting = resolveMeeting(c, param(c, "meetingId"));
  const body = jsonBody(c);
  const email = str(body.email)?.trim();
  const firstName = str(body.first_name)?.trim();
  if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) throw validationError("email", "Invalid field.");
  if (!firstName) throw validationError("first_name", "Invalid field.");
  const approval = meeting.settings.approval_type;
  if (c.core.db.user(meeting.hostId)?.type !== 2) {
    throw new ZoomError(400, 3000, `Registration is only available for licensed hosts: ${meeting.id}.`);
  }
  if (approval !== 0 && approval !== 1) {
    throw new ZoomError(400, 3000, `Registration has not been enabled for this meeting: ${meeting.id}.`);
  }
  const dayCounter = `daily:registrant:${meeting.id}:${email.toLowerCase()}:${dayKey(c.core)}`;
  if (c.core.db.counter(dayCounter) >= REGISTRANT_DAILY_LIMIT) {
    throw new ZoomError(
      429,
      429,
      `You have exceeded the daily rate limit of (${REGISTRANT_DAILY_LIMIT}) for Add meeting registrant API requests for the registrant (${email}). You can resume these API requests at GMT 00:00:00.`,
      undefined,
      { "X-RateLimit-Type": "Daily-limit" },
    );
  }
  c.core.db.increment(dayCounter);
  // Registering the same email again returns the existing registration, as Zoom does.
  const existing = c.core.db
    .registrantsOf(meeting.id)
    .find((r) => r.email.toLowerCase() === email.toLowerCase());
  const registrant: Registrant = existing ?? {
    id: newOpaque(16),
    meetingId: meeting.id,
    email,
    firstName,
    lastName: str(body.last_name) ?? "",
    status: approval === 0 ? "approved" : "pending",
    createTime: isoSeconds(c.core.now()),
    joinToken: newOpaque(32),
  };
  if (!existing) {
    // Zoom takes at most 4,999 registrants per meeting (3043 beyond).
    if (c.core.db.registrantsOf(meeting.id).length >= (c.core.config().registrantCap ?? REGISTRANT_CAP)) {
      throw new ZoomError(400, 3043, "Meeting has reached maximum attendee capacity.");
    }
    c.core.db.putRegistrant(registrant);
  }
  const result: Record<string, unknown> = {
    id: meeting.id,
    registrant_id: registrant.id,
    topic: meeting.topic,
    ...(meeting.startTime ? { start_time: meeting.startTime } : {}),
  };
  if (registrant.status === "approved")
    result.join_url = registrantJoinUrl(meeting, registrant, c.req.origin);
  const occ = occurrences(meeting);
  if (occ) result.occurrences = occ;
  return json(201, result);
}

function listRegistrants(c: RestContext) {
  const meeting = resolveMeeting(c, param(c, "meetingId"));
  const status = c.req.query.status || "approved";
  const all = c.core.db.registrantsOf(meeting.id).filter((r) => r.status === status);
  const page = paginate(c.core, `registrants:${meeting.id}:${status}`, all, c.req.query, 300);
  return json(200, {
    ...page.meta,
    page_number: 1,
    registrants: page.items.map((r) => ({
      id: r.id,
      email: r.email,
      first_name: r.firstName,
      last_name: r.lastName,
      status: r.status,
      create_time: r.createTime,
      ...(r.status === "approved" ? { join_url: registrantJoinUrl(meeting, r, c.req.origin) } : {}),
      custom_questions: [],
    })),
  });
}

/** For the join page: the meeting and, for a personal link, the registrant. */
export function lookupJoin(core: Core, rawId: string, token?: string) {
  const id = meetingNumber(rawId);
  const meeting = id === undefined ? undefined : core.db.liveMeeting(id);
  if (!meeting) return undefined;
  const registrant = token ? core.db.registrantsOf(meeting.id).find((r) => r.joinToken === token) : undefined;
  return { meeting, registrant };
}

export function lookupStart(core: Core, rawId: string, zak: string) {
  const id = meetingNumber(rawId);
  const link = core.db.one<{ meeting_id: number; expires_at: number }>(
    "SELECT meeting_id, expires_at FROM start_links WHERE zak = ?",
    zak,
  );
  if (!link || link.meeting_id !== id || link.expires_at <= core.now()) return undefined;
  const meeting = core.db.liveMeeting(link.meeting_id);
  if (!meeting) return undefined;
  const host = core.db.user(meeting.hostId);
  return { meeting, hostName: host ? `${host.firstName} ${host.lastName}` : meeting.hostId };
}

// Zoom's specs accept only the read scope for meeting reads (unlike user reads, where write also counts).
const READ = ["meeting:read:admin"];
const WRITE = ["meeting:write:admin"];

export const meetingRoutes: Route[] = [
  {
    method: "POST",
    path: "/users/{userId}/meetings",
    operation: "meetings.create",
    label: "LIGHT",
    scopes: WRITE,
    granular: ["meeting:write:meeting", "meeting:write:meeting:admin"],
    handler: createMeeting,
  },
  {
    method: "GET",
    path: "/users/{userId}/meetings",
    operation: "meetings.list",
    label: "MEDIUM",
    scopes: READ,
    granular: ["meeting:read:list_meetings", "meeting:read:list_meetings:admin"],
    handler: listMeetings,
  },
  {
    method: "GET",
    path: "/meetings/{meetingId}",
    operation: "meetings.get",
    label: "LIGHT",
    scopes: READ,
    granular: ["meeting:read:meeting", "meeting:read:meeting:admin"],
    handler: getMeeting,
  },
  {
    method: "PATCH",
    path: "/meetings/{meetingId}",
    operation: "meetings.update",
    label: "LIGHT",
    scopes: WRITE,
    granular: ["meeting:update:meeting:admin", "meeting:update:meeting"],
    handler: updateMeeting,
  },
  {
    method: "DELETE",
    path: "/meetings/{meetingId}",
    operation: "meetings.delete",
    label: "LIGHT",
    scopes: WRITE,
    granular: ["meeting:delete:meeting", "meeting:delete:meeting:admin"],
    handler: deleteMeeting,
  },
  {
    method: "PUT",
    path: "/meetings/{meetingId}/status",
    operation: "meetings.status",
    label: "LIGHT",
    scopes: WRITE,
    granular: ["meeting:update:status", "meeting:update:status:admin"],
    handler: updateMeetingStatus,
  },
  {
    method: "POST",
    path: "/meetings/{meetingId}/registrants",
    operation: "registrants.create",
    label: "LIGHT",
    scopes: WRITE,
    granular: ["meeting:write:registrant", "meeting:write:registrant:admin"],
    handler: addRegistrant,
  },
  {
    method: "GET",
    path: "/meetings/{meetingId}/registrants",
    operation: "registrants.list",
    label: "MEDIUM",
    scopes: READ,
    granular: ["meeting:read:list_registrants", "meeting:read:list_registrants:admin"],
    handler: listRegistrants,
  },
];
