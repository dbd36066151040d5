// /v2 meeting registrants: add (with approval types, Zoom's per-meeting cap and daily limit per
// registrant) and list; and the lookup behind the join page of a personal link.
import type { Core } from "../core.ts";
import type { Meeting, Registrant } from "../db.ts";
import { json, validationError, ZoomError } from "../http.ts";
import { isoSeconds, newOpaque } from "../ids.ts";
import { paginate } from "../pagination.ts";
import { occurrences } from "../schedule.ts";
import { REGISTRANT_CAP } from "../seed.ts";
import {
  jsonBody,
  meetingNumber,
  param,
  type RestContext,
  type Route,
  resolveMeeting,
  str,
} from "./common.ts";

import { dayKey } from "./meeting-fields.ts";

const REGISTRANT_DAILY_LIMIT = 3;

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

// Zoom's specs accept only the read scope for registrant reads, as for meetings.
const READ = ["meeting:read:admin"];
const WRITE = ["meeting:write:admin"];

export const registrantRoutes: Route[] = [
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
