// /v2/past_meetings: details, participants (attendance) and the instance list of a meeting.
import type { Instance } from "../db.ts";
import { json } from "../http.ts";
import { paginate } from "../pagination.ts";
import {
  meetingNotFound,
  meetingNumber,
  param,
  type RestContext,
  type Route,
  resolveInstance,
} from "./common.ts";

function instanceOrFail(c: RestContext): Instance {
  const raw = param(c, "meetingId");
  const instance = resolveInstance(c, raw);
  if (!instance) throw meetingNotFound(raw);
  return instance;
}

function details(c: RestContext) {
  const i = instanceOrFail(c);
  const host = c.core.db.user(i.hostId);
  return json(200, {
    id: i.meetingId,
    uuid: i.uuid,
    host_id: i.hostId,
    type: i.type,
    topic: i.topic,
    user_name: host ? `${host.firstName} ${host.lastName}` : "",
    user_email: host?.email ?? "",
    start_time: i.startTime,
    end_time: i.endTime,
    duration: i.duration,
    total_minutes: i.participants.reduce((n, p) => n + Math.round(p.duration / 60), 0),
    participants_count: i.participants.length,
    dept: "",
    source: "Zoom",
  });
}

function participants(c: RestContext) {
  const i = instanceOrFail(c);
  // Until the report is final Zoom lists only part of it (the details already count everyone).
  const ready = c.core.now() >= (i.reportReadyAt ?? 0);
  const listed = ready ? i.participants : i.participants.slice(0, Math.ceil(i.participants.length / 2));
  const page = paginate(c.core, `participants:${i.uuid}:${ready}`, listed, c.req.query, 300);
  return json(200, { ...page.meta, participants: page.items });
}

function instances(c: RestContext) {
  const raw = param(c, "meetingId");
  const id = meetingNumber(raw);
  const meeting = id === undefined ? undefined : c.core.db.meeting(id);
  if (!meeting || meeting.accountId !== c.account.id) throw meetingNotFound(raw);
  return json(200, {
    meetings: c.core.db.instancesOf(meeting.id).map((i) => ({ uuid: i.uuid, start_time: i.startTime })),
  });
}

const READ = ["meeting:read:admin"];

export const pastMeetingRoutes: Route[] = [
  {
    method: "GET",
    path: "/past_meetings/{meetingId}",
    operation: "past_meetings.get",
    label: "LIGHT",
    scopes: READ,
    granular: ["meeting:read:past_meeting", "meeting:read:past_meeting:admin"],
    handler: details,
  },
  {
    method: "GET",
    path: "/past_meetings/{meetingId}/participants",
    operation: "past_meetings.participants",
    label: "MEDIUM",
    scopes: READ,
    granular: ["meeting:read:list_past_participants", "meeting:read:list_past_participants:admin"],
    handler: participants,
  },
  {
    method: "GET",
    path: "/past_meetings/{meetingId}/instances",
    operation: "past_meetings.instances",
    label: "MEDIUM",
    scopes: READ,
    granular: ["meeting:read:list_past_instances", "meeting:read:list_past_instances:admin"],
    handler: instances,
  },
];
