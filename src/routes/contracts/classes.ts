// The HTTP contract of routes/classes.ts: request and answer schemas, and the OpenAPI
// declaration of each operation. The handlers are in the route file.
import { createRoute, z } from "@hono/zod-openapi";
import { WiseId } from "../../auth/jwt.ts";
import { type ClassRow, classMeetingView } from "../../classes/class-access.ts";
import { ClassId } from "../../classes/class-id.ts";
import { isKnownTimeZone, Recurrence } from "../../classes/schedule.ts";
import { bearerSecurity, queryInt, requireRole } from "../../http/context.ts";
import { json, jsonBody } from "./shared.ts";

export const ClassMeeting = z
  .object({
    classId: z.string(),
    teacherId: z.string(),
    zoomMeetingId: z.string().nullable().openapi({ description: "A string: Zoom's ids exceed 2^53" }),
    topic: z.string(),
    startTime: z.string(),
    durationMinutes: z.number().int(),
    registration: z.boolean(),
    autoRecording: z.enum(["cloud", "local", "none"]),
    status: z.enum(["creating", "scheduled", "live", "ended", "deleted", "cancelled"]),
    hostIssue: z.enum(["host_deactivated", "host_removed"]).nullable().openapi({
      description: "Set when the host's Zoom user was deactivated or removed in Zoom: the class cannot start",
    }),
  })
  .openapi("ClassMeeting");
export const ClassMeetingRequest = z
  .object({
    teacherId: WiseId,
    topic: z.string().trim().min(1).max(200),
    startTime: z.iso
      .datetime({ offset: true })
      .openapi({ description: "ISO 8601 with offset, in the future" }),
    durationMinutes: z.number().int().min(1).max(1440),
    timezone: z.string().max(64).refine(isKnownTimeZone, "unknown time zone").optional(),
    recurrence: Recurrence.optional(),
    registration: z.boolean(),
    autoRecording: z.enum(["cloud", "local", "none"]).default("cloud"),
  })
  .strict()
  .openapi("ClassMeetingRequest");
export const Attendee = z.object({
  name: z.string(),
  email: z.string().nullable(),
  registrantId: z.string().nullable(),
  joinTime: z.string().nullable(),
  leaveTime: z.string().nullable(),
  durationSeconds: z.number(),
});
export const Session = z
  .object({
    zoomMeetingUuid: z.string(),
    startTime: z.string(),
    endTime: z.string().nullable(),
    durationMinutes: z.number().nullable(),
    attendanceComplete: z.boolean().openapi({
      description: "false while Zoom's report was still partial when read; refresh=1 fetches it again",
    }),
    participants: z.array(
      Attendee.extend({
        wiseUserId: z.string(),
        matchedBy: z.enum(["registrant", "email"]).nullable(),
      }),
    ),
    unmatched: z
      .array(Attendee)
      .openapi({ description: "Participants no registrant id or email identifies (never matched by name)" }),
  })
  .openapi("ClassSession");
export const Params = z.object({ classId: ClassId.openapi({ param: { name: "classId", in: "path" } }) });
export const common = { tags: ["Classes"], security: bearerSecurity };
export const view = (row: ClassRow) => classMeetingView(row);
export const putClassesMeeting = createRoute({
  ...common,
  middleware: [requireRole("admin", "teacher")] as const,
  method: "put",
  path: "/v1/classes/{classId}/meeting",
  summary: "Create or update the class's Zoom meeting (idempotent)",
  description:
    "The meeting is hosted by the class's teacher, cloud recording by default, with every class-critical Zoom setting sent explicitly from the tenant's meeting policy (PATCH /v1/tenant). A series holds at most 50 occurrences. An unlicensed teacher is licensed only when an admin schedules (or the tenant's licenseOnSchedule policy allows it). Repeating a request changes nothing.",
  request: {
    params: Params,
    body: jsonBody(ClassMeetingRequest),
  },
  responses: {
    200: json(ClassMeeting, "Updated or unchanged"),
    201: json(ClassMeeting, "Created"),
  },
});

export const getClasses = createRoute({
  ...common,
  middleware: [requireRole("admin", "teacher")] as const,
  method: "get",
  path: "/v1/classes",
  summary: "The tenant's classes (a teacher sees their own), newest first",
  request: { query: z.object({ limit: queryInt(1, 500, 100) }) },
  responses: { 200: json(z.object({ classes: z.array(ClassMeeting) }), "The classes") },
});

export const getClassesMeeting = createRoute({
  ...common,
  middleware: [requireRole("admin", "teacher")] as const,
  method: "get",
  path: "/v1/classes/{classId}/meeting",
  summary: "The class's Zoom meeting",
  request: { params: Params },
  responses: { 200: json(ClassMeeting, "The meeting") },
});

export const deleteClassesMeeting = createRoute({
  ...common,
  middleware: [requireRole("admin", "teacher")] as const,
  method: "delete",
  path: "/v1/classes/{classId}/meeting",
  summary: "Delete the class's Zoom meeting (archived recordings stay)",
  request: { params: Params },
  responses: { 204: { description: "Deleted" } },
});

export const postClassesMeetingEnd = createRoute({
  ...common,
  middleware: [requireRole("admin", "teacher")] as const,
  method: "post",
  path: "/v1/classes/{classId}/meeting/end",
  summary: "End the class's live meeting for everyone",
  request: { params: Params },
  responses: { 200: json(ClassMeeting, "Ended") },
});

export const getClassesSessions = createRoute({
  ...common,
  middleware: [requireRole("admin", "teacher")] as const,
  method: "get",
  path: "/v1/classes/{classId}/sessions",
  summary: "Past sessions of the class with attendance",
  description:
    "refresh=1 first fetches instances Zoom has that are not stored yet, and again those whose report was partial.",
  request: { params: Params, query: z.object({ refresh: z.enum(["0", "1", "true", "false"]).optional() }) },
  responses: {
    200: json(z.object({ classId: z.string(), fetched: z.number(), sessions: z.array(Session) }), "Sessions"),
  },
});
