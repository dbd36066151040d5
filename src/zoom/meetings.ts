// Typed calls for Zoom meetings and their past instances.
import { endMeetingBody, type ZoomMeetingBody } from "./bodies.ts";
import { encodeMeetingUuid, encodePathSegment as seg, type ZoomClient } from "./client.ts";
import {
  ZoomInstanceList,
  ZoomMeeting,
  ZoomMeetingList,
  ZoomParticipantList,
  ZoomPastMeeting,
  ZoomRegistrantList,
} from "./schemas.ts";

export type { ZoomMeetingBody, ZoomMeetingSettings, ZoomRecurrence } from "./bodies.ts";

/** Creates a meeting hosted by the user. Not idempotent at Zoom: callers guard it with a claim. */
export function createMeeting(client: ZoomClient, hostZoomUserId: string, body: ZoomMeetingBody) {
  return client.call({
    operation: "meetings.create",
    method: "POST",
    path: `/users/${seg(hostZoomUserId)}/meetings`,
    body,
    schema: ZoomMeeting,
  });
}

export function updateMeeting(client: ZoomClient, meetingId: string, body: Partial<ZoomMeetingBody>) {
  return client.call({
    operation: "meetings.update",
    method: "PATCH",
    path: `/meetings/${seg(meetingId)}`,
    body,
  });
}

export function getMeeting(client: ZoomClient, meetingId: string) {
  return client.call({
    operation: "meetings.get",
    method: "GET",
    path: `/meetings/${seg(meetingId)}`,
    schema: ZoomMeeting,
  });
}

export function deleteMeeting(client: ZoomClient, meetingId: string) {
  return client.call({ operation: "meetings.delete", method: "DELETE", path: `/meetings/${seg(meetingId)}` });
}

export function endMeeting(client: ZoomClient, meetingId: string) {
  return client.call({
    operation: "meetings.status",
    method: "PUT",
    path: `/meetings/${seg(meetingId)}/status`,
    body: endMeetingBody(),
  });
}

/** Every scheduled meeting of a host, across all pages. */
export function listMeetings(client: ZoomClient, hostZoomUserId: string) {
  return client.pages(
    {
      operation: "meetings.list",
      method: "GET",
      path: `/users/${seg(hostZoomUserId)}/meetings`,
      query: { type: "scheduled", page_size: 300 },
      schema: ZoomMeetingList,
    },
    "meetings",
  );
}

export function pastMeeting(client: ZoomClient, uuid: string) {
  return client.call({
    operation: "past_meetings.get",
    method: "GET",
    path: `/past_meetings/${encodeMeetingUuid(uuid)}`,
    schema: ZoomPastMeeting,
  });
}

export function pastParticipants(client: ZoomClient, uuid: string) {
  return client.pages(
    {
      operation: "past_meetings.participants",
      method: "GET",
      path: `/past_meetings/${encodeMeetingUuid(uuid)}/participants`,
      query: { page_size: 300 },
      schema: ZoomParticipantList,
    },
    "participants",
  );
}

export function pastInstances(client: ZoomClient, meetingId: string) {
  return client.call({
    operation: "past_meetings.instances",
    method: "GET",
    path: `/past_meetings/${seg(meetingId)}/instances`,
    schema: ZoomInstanceList,
  });
}

/** The meeting's approved registrants, across all pages (for attendance by registrant). */
export function listRegistrants(client: ZoomClient, meetingId: string) {
  return client.pages(
    {
      operation: "registrants.list",
      method: "GET",
      path: `/meetings/${seg(meetingId)}/registrants`,
      query: { status: "approved", page_size: 300 },
      schema: ZoomRegistrantList,
    },
    "registrants",
  );
}
