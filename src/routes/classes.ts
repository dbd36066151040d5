// /v1/classes/{classId}/meeting and /sessions: a Wise class's Zoom meeting and its attendance, for
// admins and the class's teacher. Students have no business here (403), and no answer carries the
// join URL, passcode or start URL.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { WiseId } from "../auth/jwt.ts";
import { ClassId } from "../classes/class-id.ts";
import {
  type ClassRow,
  classMeetingView,
  deleteClassMeeting,
  endClassMeeting,
  listClasses,
  putClassMeeting,
  requireClass,
} from "../classes/meetings.ts";
import { isKnownTimeZone, MAX_OCCURRENCES, Recurrence, seriesLength } from "../classes/schedule.ts";
import { listSessions, refreshSessions } from "../classes/sessions.ts";
import { database } from "../db/client.ts";
import { type AppEnv, bearerSecurity, createRouter, queryInt, requireRole } from "../http/context.ts";
import { ApiError } from "../http/problem.ts";
import { rosterChanged } from "../links/roster-object.ts";
import { ZoomClient } from "../zoom/client.ts";

export const classesRouter = createRouter();

/** A class write changes what its join links open: the class's roster object hears of every one. */
async function writingClass<T>(c: Context<AppEnv>, classId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } finally {
    await rosterChanged(c.env, c.get("principal").tenantId, classId);
  }
}

const ClassMeeting = z
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

const ClassMeetingRequest = z
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

const Attendee = z.object({
  name: z.string(),
  email: z.string().nullable(),
  registrantId: z.string().nullable(),
  joinTime: z.string().nullable(),
  leaveTime: z.string().nullable(),
  durationSeconds: z.number(),
});

const Session = z
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

const Params = z.object({ classId: ClassId.openapi({ param: { name: "classId", in: "path" } }) });

const common = { tags: ["Classes"], security: bearerSecurity };
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const view = (row: ClassRow) => classMeetingView(row);
const zoomFor = (c: Context<AppEnv>) =>
  ZoomClient.forTenant(c.env, c.get("config"), database(c.env.DB), c.get("principal").tenantId);

const invalid = (field: string, message: string) =>
  new ApiError(400, "invalid_request", "Invalid request", "The request does not match the API", {
    errors: [{ field, message }],
  });

classesRouter.openapi(
  createRoute({
    ...common,
    middleware: [requireRole("admin", "teacher")] as const,
    method: "put",
    path: "/v1/classes/{classId}/meeting",
    summary: "Create or update the class's Zoom meeting (idempotent)",
    description:
      "The meeting is hosted by the class's teacher, cloud recording by default, with every class-critical Zoom setting sent explicitly from the tenant's meeting policy (PATCH /v1/tenant). A series holds at most 50 occurrences. An unlicensed teacher is licensed only when an admin schedules (or the tenant's licenseOnSchedule policy allows it). Repeating a request changes nothing.",
    request: {
      params: Params,
      body: { required: true, content: { "application/json": { schema: ClassMeetingRequest } } },
    },
    responses: {
      200: json(ClassMeeting, "Updated or unchanged"),
      201: json(ClassMeeting, "Created"),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const startTime = Date.parse(body.startTime);
    if (startTime <= Date.now()) throw invalid("startTime", "must be in the future");
    const end = body.recurrence?.endDateTime;
    if (end && Date.parse(end) <= startTime)
      throw invalid("recurrence.endDateTime", "must be after startTime");
    // Zoom would silently drop every occurrence after the 50th.
    if (body.recurrence && seriesLength(startTime, body.recurrence, body.timezone) > MAX_OCCURRENCES) {
      throw new ApiError(
        400,
        "too_many_occurrences",
        "Too many occurrences",
        `Zoom schedules at most ${MAX_OCCURRENCES} occurrences of a recurring meeting; end the series earlier or split it into several classes`,
        { errors: [{ field: "recurrence", message: `more than ${MAX_OCCURRENCES} occurrences` }] },
      );
    }
    const db = database(c.env.DB);
    const classId = c.req.valid("param").classId;
    const client = await zoomFor(c);
    const { row, created } = await writingClass(c, classId, () =>
      putClassMeeting(db, client, c.get("principal"), classId, { ...body, startTime }),
    );
    return created ? c.json(view(row), 201) : c.json(view(row), 200);
  },
);

classesRouter.openapi(
  createRoute({
    ...common,
    middleware: [requireRole("admin", "teacher")] as const,
    method: "get",
    path: "/v1/classes",
    summary: "The tenant's classes (a teacher sees their own), newest first",
    request: { query: z.object({ limit: queryInt(1, 500, 100) }) },
    responses: { 200: json(z.object({ classes: z.array(ClassMeeting) }), "The classes") },
  }),
  async (c) => {
    const rows = await listClasses(database(c.env.DB), c.get("principal"), c.req.valid("query").limit);
    return c.json({ classes: rows.map(view) }, 200);
  },
);

classesRouter.openapi(
  createRoute({
    ...common,
    middleware: [requireRole("admin", "teacher")] as const,
    method: "get",
    path: "/v1/classes/{classId}/meeting",
    summary: "The class's Zoom meeting",
    request: { params: Params },
    responses: { 200: json(ClassMeeting, "The meeting") },
  }),
  async (c) => {
    const row = await requireClass(database(c.env.DB), c.get("principal"), c.req.valid("param").classId);
    return c.json(view(row), 200);
  },
);

classesRouter.openapi(
  createRoute({
    ...common,
    middleware: [requireRole("admin", "teacher")] as const,
    method: "delete",
    path: "/v1/classes/{classId}/meeting",
    summary: "Delete the class's Zoom meeting (archived recordings stay)",
    request: { params: Params },
    responses: { 204: { description: "Deleted" } },
  }),
  async (c) => {
    const db = database(c.env.DB);
    const principal = c.get("principal");
    const classId = c.req.valid("param").classId;
    // Authorize before touching Zoom (a missing link must not hide a 403/404).
    await requireClass(db, principal, classId);
    const client = await zoomFor(c);
    await writingClass(c, classId, () => deleteClassMeeting(db, client, principal, classId));
    return c.body(null, 204);
  },
);

classesRouter.openapi(
  createRoute({
    ...common,
    middleware: [requireRole("admin", "teacher")] as const,
    method: "post",
    path: "/v1/classes/{classId}/meeting/end",
    summary: "End the class's live meeting for everyone",
    request: { params: Params },
    responses: { 200: json(ClassMeeting, "Ended") },
  }),
  async (c) => {
    const db = database(c.env.DB);
    const principal = c.get("principal");
    const classId = c.req.valid("param").classId;
    await requireClass(db, principal, classId);
    const client = await zoomFor(c);
    return c.json(
      view(await writingClass(c, classId, () => endClassMeeting(db, client, principal, classId))),
      200,
    );
  },
);

classesRouter.openapi(
  createRoute({
    ...common,
    middleware: [requireRole("admin", "teacher")] as const,
    method: "get",
    path: "/v1/classes/{classId}/sessions",
    summary: "Past sessions of the class with attendance",
    description:
      "refresh=1 first fetches instances Zoom has that are not stored yet, and again those whose report was partial.",
    request: { params: Params, query: z.object({ refresh: z.enum(["0", "1", "true", "false"]).optional() }) },
    responses: {
      200: json(
        z.object({ classId: z.string(), fetched: z.number(), sessions: z.array(Session) }),
        "Sessions",
      ),
    },
  }),
  async (c) => {
    const db = database(c.env.DB);
    const principal = c.get("principal");
    const row = await requireClass(db, principal, c.req.valid("param").classId);
    const refresh = c.req.valid("query").refresh;
    const fetched =
      refresh === "1" || refresh === "true" ? await refreshSessions(db, await zoomFor(c), row) : 0;
    return c.json(
      { classId: row.classId, fetched, sessions: await listSessions(db, principal.tenantId, row.classId) },
      200,
    );
  },
);
