// Discovery: records a Zoom meeting instance and its files (from recording.completed or a sweep
// listing) idempotently, and says which files need an archive message.
import { and, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { classes, recordingFiles, recordings } from "../db/schema.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { sha256Hex } from "../tokens/encoding.ts";
import { TokenVault } from "../tokens/vault.ts";
import type { ZoomRecordingFile, ZoomRecordingMeeting } from "../zoom/schemas.ts";

/** Zoom's download_token lives 24 hours; stop using it a little before. */
const DOWNLOAD_TOKEN_LIFETIME_MS = 23 * 3600_000;
/** `recording_type` of a file from `participant_audio_files` (Zoom gives those none). */
export const PARTICIPANT_AUDIO = "participant_audio";
/** A pending file whose message may have been lost is sent again by the sweep after this long. */
const STALE_PENDING_MS = 6 * 3600_000;

/** Our id of a meeting instance: stable for a tenant and UUID, so webhook and sweep agree. */
export async function recordingIdOf(tenantId: string, meetingUuid: string): Promise<string> {
  return `rec_${(await sha256Hex(`${tenantId}\n${meetingUuid}`)).slice(0, 24)}`;
}

/** Zoom's file id, or for files Zoom sends without one (CC, TIMELINE) an id derived from what is stable. */
export async function fileIdOf(meetingUuid: string, f: ZoomRecordingFile): Promise<string> {
  if (f.id) return f.id;
  const basis = [meetingUuid, f.file_type, f.recording_type ?? "", f.recording_start ?? ""].join("\n");
  return `derived-${(await sha256Hex(basis)).slice(0, 32)}`;
}

const CONTENT_TYPES: Record<string, string> = {
  mp4: "video/mp4",
  m4a: "audio/mp4",
  vtt: "text/vtt",
  txt: "text/plain",
  json: "application/json",
  csv: "text/csv",
};

export function extensionOf(f: Pick<ZoomRecordingFile, "file_extension" | "file_type">): string {
  const fromType: Record<string, string> = {
    MP4: "mp4",
    M4A: "m4a",
    CHAT: "txt",
    TRANSCRIPT: "vtt",
    CC: "vtt",
    TIMELINE: "json",
    CSV: "csv",
  };
  const ext = (f.file_extension ?? fromType[f.file_type.toUpperCase()] ?? "bin").toLowerCase();
  return /^[a-z0-9]{1,8}$/.test(ext) ? ext : "bin";
}

export const contentTypeOf = (extension: string) => CONTENT_TYPES[extension] ?? "application/octet-stream";

/** R2 key layout: tenants/{tenant}/recordings/{meetingUuid}/{fileId}.{ext} (segments URL-encoded). */
export const archiveKey = (tenantId: string, meetingUuid: string, fileId: string, ext: string) =>
  `tenants/${encodeURIComponent(tenantId)}/recordings/${encodeURIComponent(meetingUuid)}/${encodeURIComponent(fileId)}.${ext}`;

/**
 * Paths of Zoom's recording downloads (REST, webhook, archiving and transcript downloads). Nothing
 * else on a Zoom host (the API, sign-in pages) ever gets the bearer.
 */
const DOWNLOAD_PATHS = [
  "/rec/download/",
  "/rec/webhook_download/",
  "/rec/archive/download/",
  "/rec/archive/attached/download/",
  "/rec/meeting/transcript/download/",
];

/** The emulator's origin outside production: the configured Zoom base URL, http allowed there only. */
function emulatorOrigins(config: Config): string[] {
  if (config.environment === "production") return [];
  return [new URL(config.zoom.oauthBaseUrl).origin, new URL(config.zoom.apiBaseUrl).origin];
}

/**
 * Whether a bearer may be sent to `raw`: https on zoom.us or one of its subdomains (or, outside
 * production, the configured emulator origin), on a recording download path, with no credentials
 * in the URL. Anything else would hand the account's token (or the event's download_token) to
 * whoever the URL names, in cleartext for http.
 */
export function isZoomDownloadUrl(raw: string, config: Config): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  const zoomHost =
    url.protocol === "https:" &&
    (url.hostname === "zoom.us" || url.hostname.endsWith(".zoom.us")) &&
    (url.port === "" || url.port === "443");
  if (!zoomHost && !emulatorOrigins(config).includes(url.origin)) return false;
  return DOWNLOAD_PATHS.some((p) => url.pathname.startsWith(p) && url.pathname.length > p.length);
}

/**
 * Where a download may be redirected (Zoom's signed CDN URL, fetched without any bearer): https,
 * or the emulator's origin outside production; never plain http, which would expose the file.
 */
export function isAllowedFileLocation(raw: string, config: Config): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === "https:" || emulatorOrigins(config).includes(url.origin);
}

export interface Discovered {
  recordingId: string;
  /** Files to send to the archive queue: new ones, and with `includeRetryable` failed or stale ones. */
  toArchive: string[];
}

/**
 * Upserts the instance and its files: `recording_files` and, with "record a separate audio file of
 * each participant", `participant_audio_files`. A file Zoom still lists as `processing` (no size
 * yet) is recorded as processing and sent too: the consumer waits for Zoom to finish it. A file
 * whose download_url is not a Zoom download URL is never recorded (the instance then is never
 * trashed, since Zoom lists a file the archive lacks). Safe to run twice or concurrently: the file
 * rows are inserted with ON CONFLICT DO NOTHING and only the inserter gets the id back, so one
 * message per file; a processing row Zoom now lists as completed is sent again by whoever moves it.
 */
export async function recordMeeting(
  db: Db,
  config: Config,
  owner: { tenantId: string; zoomAccountId: string },
  meeting: ZoomRecordingMeeting,
  opts: { downloadToken?: string | undefined; includeRetryable?: boolean; now?: number } = {},
): Promise<Discovered> {
  const now = opts.now ?? Date.now();
  const { tenantId, zoomAccountId } = owner;
  const recordingId = await recordingIdOf(tenantId, meeting.uuid);
  const linkedClass = await db
    .select({ classId: classes.classId })
    .from(classes)
    .where(and(eq(classes.tenantId, tenantId), eq(classes.zoomMeetingId, meeting.id)))
    .get();
  const startTime = Date.parse(meeting.start_time);
  let downloadTokenEnc: string | null = null;
  if (opts.downloadToken) {
    downloadTokenEnc = await new TokenVault(config.tokenKeys).encrypt(opts.downloadToken, {
      tenantId,
      zoomAccountId,
      field: `download_token:${recordingId}`,
    });
  }
  const tokenSet = downloadTokenEnc
    ? { downloadTokenEnc, downloadTokenExpiresAt: now + DOWNLOAD_TOKEN_LIFETIME_MS }
    : {};

  const listed = [
    ...meeting.recording_files.map((f) => ({ f, participant: false })),
    ...meeting.participant_audio_files.map((f) => ({ f, participant: true })),
  ];
  const files = [];
  let refused = 0;
  for (const { f, participant } of listed) {
    if (!isZoomDownloadUrl(f.download_url, config)) {
      refused++;
      continue;
    }
    const id = await fileIdOf(meeting.uuid, f);
    const ext = extensionOf(f);
    const processing = f.status === "processing";
    files.push({
      id,
      tenantId,
      recordingId,
      fileType: f.file_type.toUpperCase(),
      fileExtension: ext,
      recordingType: participant ? PARTICIPANT_AUDIO : (f.recording_type ?? null),
      sizeBytes: processing ? null : (f.file_size ?? null),
      downloadUrl: f.download_url,
      recordingStart: f.recording_start ? Date.parse(f.recording_start) || null : null,
      status: processing ? ("processing" as const) : ("pending" as const),
      r2Key: archiveKey(tenantId, meeting.uuid, id, ext),
    });
  }
  if (refused) {
    log("warn", "archive: files with a download_url that is not Zoom's were not recorded", {
      tenantId,
      recordingId,
      refused,
    });
    // Nothing usable at all: record nothing, not even the instance.
    if (!files.length) return { recordingId, toArchive: [] };
  }

  const upsertRecording = db
    .insert(recordings)
    .values({
      id: recordingId,
      tenantId,
      zoomAccountId,
      meetingUuid: meeting.uuid,
      meetingId: meeting.id,
      hostId: meeting.host_id ?? null,
      classId: linkedClass?.classId ?? null,
      topic: meeting.topic ?? null,
      startTime: Number.isFinite(startTime) ? startTime : now,
      durationMinutes: meeting.duration ?? null,
      zoomState: "active",
      ...tokenSet,
    })
    .onConflictDoUpdate({
      target: recordings.id,
      set: {
        classId: sql`coalesce(${recordings.classId}, ${linkedClass?.classId ?? null})`,
        updatedAt: now,
        ...tokenSet,
      },
    });
  const inserts = files.map((f) =>
    db.insert(recordingFiles).values(f).onConflictDoNothing().returning({ id: recordingFiles.id }),
  );
  // A file recorded while Zoom was processing it, now done: its size and URL, and a message.
  const finished = files
    .filter((f) => f.status === "pending")
    .map((f) =>
      db
        .update(recordingFiles)
        .set({ status: "pending", sizeBytes: f.sizeBytes, downloadUrl: f.downloadUrl, updatedAt: now })
        .where(
          and(
            eq(recordingFiles.tenantId, tenantId),
            eq(recordingFiles.id, f.id),
            eq(recordingFiles.status, "processing"),
          ),
        )
        .returning({ id: recordingFiles.id }),
    );
  const [, ...written] = await db.batch([upsertRecording, ...inserts, ...finished] as [
    typeof upsertRecording,
    ...typeof inserts,
  ]);
  const toArchive = [...new Set((written as { id: string }[][]).flat().map((r) => r.id))];

  if (opts.includeRetryable && files.length) {
    // Failed files get another round; pending ones whose message was lost are sent again. Taking
    // them back to pending with a conditional UPDATE means two sweeps cannot both send them.
    const again = await db
      .update(recordingFiles)
      .set({
        status: sql`case when ${recordingFiles.status} = 'processing' then 'processing' else 'pending' end`,
        attempts: 0,
        updatedAt: now,
      })
      .where(
        and(
          eq(recordingFiles.tenantId, tenantId),
          eq(recordingFiles.recordingId, recordingId),
          inArray(
            recordingFiles.id,
            files.map((f) => f.id),
          ),
          or(
            eq(recordingFiles.status, "failed"),
            and(
              inArray(recordingFiles.status, ["pending", "processing"]),
              lt(recordingFiles.updatedAt, now - STALE_PENDING_MS),
            ),
          ),
        ),
      )
      .returning({ id: recordingFiles.id });
    for (const r of again) if (!toArchive.includes(r.id)) toArchive.push(r.id);
  }
  return { recordingId, toArchive };
}
