// /v1/recordings (archived recordings, playback links, retry, delete) and the tenant's archive
// policy /v1/zoom/archive-policy. HTTP only: logic lives in src/archive/.
import { createRoute, z } from "@hono/zod-openapi";
import { visibleTo } from "../archive/access.ts";
import {
  deleteRecording,
  findRecordingFile,
  getRecording,
  listRecordings,
  mayView,
  presentRecording,
  retryRecording,
} from "../archive/manage.ts";
import { database } from "../db/client.ts";
import { getTenant, updateTenant } from "../db/tenants.ts";
import { bearerSecurity, createRouter, queryInt, requireRole } from "../http/context.ts";
import { ApiError, forbidden, notFound } from "../http/problem.ts";
import { mintPlayToken } from "../links/play-token.ts";

export const recordingsApi = createRouter();

const Status = z.enum(["processing", "pending", "archiving", "archived", "failed"]);
const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_=+/.-]+$/);

const FileOut = z
  .object({
    id: z.string(),
    fileType: z.string(),
    sizeBytes: z.number().nullable(),
    status: Status,
    /** A per-participant audio file ("record a separate audio file of each participant"). */
    participantAudio: z.boolean().optional(),
    bytesArchived: z.number(),
    sha256: z.string().optional(),
    archivedAt: z.string().optional(),
    error: z.string().optional(),
  })
  .openapi("RecordingFile");

const RecordingOut = z
  .object({
    id: z.string(),
    meetingId: z.string(),
    meetingUuid: z.string(),
    classId: z.string().nullable(),
    topic: z.string().nullable(),
    startTime: z.string(),
    durationMinutes: z.number().nullable(),
    zoomState: z.enum(["active", "trashed", "deleted"]),
    files: z.array(FileOut),
  })
  .openapi("Recording");

const When = z
  .string()
  .max(40)
  .refine((s) => Number.isFinite(Date.parse(s)), "must be an ISO date or date-time")
  .transform((s) => Date.parse(s));

const notYours = () => forbidden("Not a recording of your classes");

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

recordingsApi.openapi(
  createRoute({
    method: "get",
    path: "/v1/recordings",
    tags: ["Recordings"],
    summary: "Archived recordings with their files and archive status",
    description:
      "Admins see every recording of the tenant, teachers those of their own classes, students those of classes they are on the roster of (join links minted for them, not revoked since).",
    security: bearerSecurity,
    middleware: [requireRole("admin", "teacher", "student")] as const,
    request: {
      query: z.object({
        classId: z.string().min(1).max(128).optional(),
        from: When.optional(),
        to: When.optional(),
        status: Status.optional(),
        limit: queryInt(1, 200, 50),
      }),
    },
    responses: { 200: json(z.object({ recordings: z.array(RecordingOut) }), "Newest first") },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const principal = c.get("principal");
    const list = await listRecordings(database(c.env.DB), principal.tenantId, q, visibleTo(principal));
    return c.json({ recordings: list }, 200);
  },
);

recordingsApi.openapi(
  createRoute({
    method: "get",
    path: "/v1/recordings/{id}",
    tags: ["Recordings"],
    summary: "One recording",
    security: bearerSecurity,
    middleware: [requireRole("admin", "teacher", "student")] as const,
    request: { params: z.object({ id: Id }) },
    responses: { 200: json(RecordingOut, "The recording") },
  }),
  async (c) => {
    const db = database(c.env.DB);
    const principal = c.get("principal");
    const { row, files } = await getRecording(db, principal.tenantId, c.req.valid("param").id);
    if (!(await mayView(db, principal, row.id))) throw notYours();
    return c.json(presentRecording(row, files), 200);
  },
);

recordingsApi.openapi(
  createRoute({
    method: "post",
    path: "/v1/recordings/files/{fileId}/playback-link",
    tags: ["Recordings"],
    summary: "A signed /r/ playback link of an archived file for the caller",
    security: bearerSecurity,
    middleware: [requireRole("admin", "teacher", "student")] as const,
    request: { params: z.object({ fileId: Id }) },
    responses: { 200: json(z.object({ url: z.string(), expiresAt: z.string() }), "The link") },
  }),
  async (c) => {
    const config = c.get("config");
    const principal = c.get("principal");
    const { tenantId, userId } = principal;
    const { fileId } = c.req.valid("param");
    const db = database(c.env.DB);
    const found = await findRecordingFile(db, tenantId, fileId);
    if (!found) throw notFound("No such recording file");
    if (!(await mayView(db, principal, found.recording.id))) throw notYours();
    if (found.file.status !== "archived") {
      throw new ApiError(409, "not_archived", "Not archived yet", "The file is not archived yet", {
        status: found.file.status,
      });
    }
    // Long enough to watch the whole recording, pausing included.
    const ttl = config.playLinkTtlSeconds + (found.recording.durationMinutes ?? 0) * 60;
    const { token, expiresAt } = await mintPlayToken(
      config.linkKeys,
      { tenantId, fileId, subject: userId },
      ttl,
    );
    return c.json(
      { url: `${config.publicBaseUrl}/r/${token}`, expiresAt: new Date(expiresAt * 1000).toISOString() },
      200,
    );
  },
);

recordingsApi.openapi(
  createRoute({
    method: "post",
    path: "/v1/recordings/{id}/retry",
    tags: ["Recordings"],
    summary: "Archive the failed files of a recording again",
    security: bearerSecurity,
    middleware: [requireRole("admin", "teacher")] as const,
    request: { params: z.object({ id: Id }) },
    responses: { 202: json(z.object({ enqueued: z.number() }), "Files sent to the archive queue") },
  }),
  async (c) => {
    const principal = c.get("principal");
    const id = c.req.valid("param").id;
    await getRecording(database(c.env.DB), principal.tenantId, id);
    if (!(await mayView(database(c.env.DB), principal, id))) throw notYours();
    const enqueued = await retryRecording(c.env, principal.tenantId, id);
    return c.json({ enqueued }, 202);
  },
);

recordingsApi.openapi(
  createRoute({
    method: "delete",
    path: "/v1/recordings/{id}",
    tags: ["Recordings"],
    summary: "Delete the archive copy, and Zoom's copy when asked (only if fully archived)",
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    request: {
      params: z.object({ id: Id }),
      query: z.object({ fromZoom: z.enum(["true", "false"]).default("false") }),
    },
    responses: { 200: json(z.object({ trashedInZoom: z.boolean(), objectsDeleted: z.number() }), "Deleted") },
  }),
  async (c) => {
    const p = c.get("principal");
    const result = await deleteRecording(
      c.env,
      c.get("config"),
      p,
      c.req.valid("param").id,
      c.req.valid("query").fromZoom === "true",
    );
    return c.json(result, 200);
  },
);

const ArchivePolicy = z
  .object({
    deleteFromZoom: z.enum(["never", "after-archive", "when-storage-above"]),
    storageThresholdPercent: z.number().int().min(1).max(99).optional(),
  })
  .strict()
  .refine((p) => p.deleteFromZoom !== "when-storage-above" || p.storageThresholdPercent !== undefined, {
    message: "storageThresholdPercent is required with when-storage-above",
    path: ["storageThresholdPercent"],
  })
  .openapi("ArchivePolicy");

recordingsApi.openapi(
  createRoute({
    method: "put",
    path: "/v1/zoom/archive-policy",
    tags: ["Recordings"],
    summary: "When Zoom's copy of archived recordings is removed",
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    request: { body: { required: true, content: { "application/json": { schema: ArchivePolicy } } } },
    responses: { 200: json(ArchivePolicy, "The policy") },
  }),
  async (c) => {
    const policy = c.req.valid("json");
    const t = await updateTenant(database(c.env.DB), c.get("principal").tenantId, {
      settings: { archivePolicy: policy },
    });
    return c.json(t.settings.archivePolicy ?? policy, 200);
  },
);

recordingsApi.openapi(
  createRoute({
    method: "get",
    path: "/v1/zoom/archive-policy",
    tags: ["Recordings"],
    summary: "The archive policy",
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    responses: { 200: json(ArchivePolicy, "The policy (never by default)") },
  }),
  async (c) => {
    const t = await getTenant(database(c.env.DB), c.get("principal").tenantId);
    return c.json(t.settings.archivePolicy ?? { deleteFromZoom: "never" as const }, 200);
  },
);
