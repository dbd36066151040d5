// The HTTP contract of routes/recordings.ts: request and answer schemas, and the OpenAPI
// declaration of each operation. The handlers are in the route file.
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, queryInt, requireRole } from "../../http/context.ts";
import { json, jsonBody } from "./shared.ts";

export const Status = z.enum(["processing", "pending", "archiving", "archived", "failed"]);
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_=+/.-]+$/);
export const FileOut = z
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
export const RecordingOut = z
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
export const When = z
  .string()
  .max(40)
  .refine((s) => Number.isFinite(Date.parse(s)), "must be an ISO date or date-time")
  .transform((s) => Date.parse(s));
export const ArchivePolicy = z
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

export const getRecordings = createRoute({
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
});

export const getRecording = createRoute({
  method: "get",
  path: "/v1/recordings/{id}",
  tags: ["Recordings"],
  summary: "One recording",
  security: bearerSecurity,
  middleware: [requireRole("admin", "teacher", "student")] as const,
  request: { params: z.object({ id: Id }) },
  responses: { 200: json(RecordingOut, "The recording") },
});

export const postRecordingsFilesPlaybackLink = createRoute({
  method: "post",
  path: "/v1/recordings/files/{fileId}/playback-link",
  tags: ["Recordings"],
  summary: "A signed /r/ playback link of an archived file for the caller",
  security: bearerSecurity,
  middleware: [requireRole("admin", "teacher", "student")] as const,
  request: { params: z.object({ fileId: Id }) },
  responses: { 200: json(z.object({ url: z.string(), expiresAt: z.string() }), "The link") },
});

export const postRecordingsRetry = createRoute({
  method: "post",
  path: "/v1/recordings/{id}/retry",
  tags: ["Recordings"],
  summary: "Archive the failed files of a recording again",
  security: bearerSecurity,
  middleware: [requireRole("admin", "teacher")] as const,
  request: { params: z.object({ id: Id }) },
  responses: { 202: json(z.object({ enqueued: z.number() }), "Files sent to the archive queue") },
});

export const deleteRecordings = createRoute({
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
});

export const putZoomArchivePolicy = createRoute({
  method: "put",
  path: "/v1/zoom/archive-policy",
  tags: ["Recordings"],
  summary: "When Zoom's copy of archived recordings is removed",
  security: bearerSecurity,
  middleware: [requireRole("admin")] as const,
  request: { body: jsonBody(ArchivePolicy) },
  responses: { 200: json(ArchivePolicy, "The policy") },
});

export const getZoomArchivePolicy = createRoute({
  method: "get",
  path: "/v1/zoom/archive-policy",
  tags: ["Recordings"],
  summary: "The archive policy",
  security: bearerSecurity,
  middleware: [requireRole("admin")] as const,
  responses: { 200: json(ArchivePolicy, "The policy (never by default)") },
});
