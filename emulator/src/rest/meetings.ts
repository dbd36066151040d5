// /v2 meetings: create, get (with a fresh two-hour start_url each time), list, update, delete, end,
// with Zoom's daily write cap per host. Registrants are in registrants.ts.
import type { Core } from "../core.ts";
import type { Meeting } from "../db.ts";
import { json, noContent, validationError, ZoomError } from "../http.ts";
import { isoSeconds, newMeetingId, newMeetingUuid, newOpaque } from "../ids.ts";
import { paginate } from "../pagination.ts";
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

import {
  ACCOUNT_MEETING_DEFAULTS,
  countMeetingWrite,
  joinUrl,
  limitForHost,
  mergeSettings,
  presentMeeting,
  readRecurrence,
  readTime,
  zoneOf,
} from "./meeting-fields.ts";

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
];
