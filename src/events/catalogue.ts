// The catalogue of outbound events: each type's `data` schema (versioned), and the envelope every
// delivery carries. The OpenAPI document's `webhooks` section is generated from these schemas.
import { z } from "zod";

/** Bumped when a type's data changes incompatibly; sent in every body as `version`. */
export const EVENT_SCHEMA_VERSION = 1;

const RecordingRef = {
  recordingId: z.string(),
  classId: z.string().nullable().describe("The Wise class whose meeting was recorded, when known"),
  meetingUuid: z.string(),
  topic: z.string().nullable(),
};

export const eventDataSchemas = {
  "recording.archived": z
    .object({
      ...RecordingRef,
      files: z.array(
        z.object({
          fileId: z.string(),
          fileType: z.string(),
          sizeBytes: z.number().int().nullable(),
          sha256: z.string().nullable(),
          playbackLinkRoute: z
            .string()
            .describe("POST this API route (as the tenant) for a signed playback link of the file"),
        }),
      ),
      totalBytes: z.number().int(),
    })
    .describe("Every file of a recording is in the archive (R2), verified by size"),
  "recording.failed": z
    .object({
      ...RecordingRef,
      fileId: z.string(),
      fileType: z.string(),
      reason: z.string(),
      attempts: z.number().int(),
      retryRoute: z.string().describe("POST this API route to archive the recording's failed files again"),
    })
    .describe("A file could not be archived after its last attempt"),
  "recording.deleted_from_zoom": z
    .object({
      ...RecordingRef,
      action: z.enum(["trash"]),
      files: z.number().int(),
      bytes: z.number().int(),
    })
    .describe("Zoom's copy of an archived recording was trashed under the tenant's archive policy"),
  "zoom.link.needs_relink": z
    .object({ zoomAccountId: z.string(), reason: z.string() })
    .describe("Zoom refused the link's tokens: an admin must link Zoom again"),
  "zoom.link.unlinked": z
    .object({
      zoomAccountId: z.string(),
      by: z.enum(["admin", "zoom"]).describe("An admin unlinked, or the app was removed in Zoom"),
      actor: z.string(),
    })
    .describe("The tenant's Zoom account is no longer linked"),
  "teacher.status_changed": z
    .object({
      teacherId: z.string(),
      zoomUserId: z.string().nullable(),
      previousStatus: z.string().nullable(),
      status: z.string(),
      licensed: z.boolean().nullable(),
    })
    .describe("A teacher's Zoom user changed state (activated, deactivated, removed, licensed)"),
  "class.started": z
    .object({ classId: z.string(), zoomMeetingId: z.string(), meetingUuid: z.string().nullable() })
    .describe("A class's Zoom meeting started"),
  "class.ended": z
    .object({
      classId: z.string(),
      zoomMeetingId: z.string(),
      meetingUuid: z.string(),
      endedAt: z.string().nullable(),
      attendance: z.object({
        participants: z.number().int(),
        complete: z.boolean().describe("False while Zoom's report is not final; fetched again later"),
        route: z.string().describe("GET this API route for the sessions with attendance"),
      }),
    })
    .describe("A class's meeting ended and its attendance is ready"),
  "storage.low": z
    .object({
      zoomAccountId: z.string(),
      usedBytes: z.number().int(),
      planBytes: z.number().int(),
      usedPercent: z.number(),
      thresholdPercent: z.number(),
    })
    .describe("The Zoom account's cloud storage rose above the tenant's storageAlertPercent"),
} as const;

export type EventType = keyof typeof eventDataSchemas;
export type EventData<T extends EventType> = z.input<(typeof eventDataSchemas)[T]>;

export const EVENT_TYPES = Object.keys(eventDataSchemas) as EventType[];

export const isEventType = (t: string): t is EventType => Object.hasOwn(eventDataSchemas, t);

/** The JSON body of every delivery (Standard Webhooks' recommended shape, plus `version`). */
export function envelope(event: { id: string; type: string; createdAt: number; data: string }): string {
  // `data` is kept as stored text so the body is byte-identical on every retry.
  return `{"type":${JSON.stringify(event.type)},"version":${EVENT_SCHEMA_VERSION},"id":${JSON.stringify(event.id)},"timestamp":${JSON.stringify(new Date(event.createdAt).toISOString())},"data":${event.data}}`;
}

/** OpenAPI 3.1 `webhooks`: one POST per event type with its versioned body schema. */
export function openApiWebhooks(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const type of EVENT_TYPES) {
    const data = eventDataSchemas[type];
    const body = z.object({
      type: z.literal(type),
      version: z.literal(EVENT_SCHEMA_VERSION),
      id: z.string().describe("Same as the webhook-id header: stable across retries, use it to dedupe"),
      timestamp: z.string().describe("When the change happened (ISO 8601)"),
      data,
    });
    out[type] = {
      post: {
        summary: data.description ?? type,
        description: `Standard Webhooks delivery (headers webhook-id, webhook-timestamp, webhook-signature). Schema version ${EVENT_SCHEMA_VERSION}.`,
        operationId: `event_${type.replace(/\./g, "_")}_v${EVENT_SCHEMA_VERSION}`,
        requestBody: {
          required: true,
          content: { "application/json": { schema: z.toJSONSchema(body, { target: "draft-2020-12" }) } },
        },
        responses: {
          "2XX": { description: "Received. Anything else is retried (410 disables the subscription)" },
        },
      },
    };
  }
  return out;
}
