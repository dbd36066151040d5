// Cloud recordings as Zoom describes them: file metadata by type, the JSON shapes of the REST API
// and of recording.* webhooks, and the storage they use.

import sampleMp4 from "../assets/sample.mp4";
import type { Core } from "./core.ts";
import type { FileType, Recording, RecordingFile } from "./db.ts";

/** esbuild's binary loader gives bytes; wrangler's Data rule gives an ArrayBuffer. */
export const SAMPLE_MP4: Uint8Array =
  (sampleMp4 as unknown) instanceof ArrayBuffer
    ? new Uint8Array(sampleMp4 as unknown as ArrayBuffer)
    : sampleMp4;

export interface FileKind {
  extension: string;
  recordingType: string;
  contentType: string;
  defaultSize: number;
}

export const FILE_KINDS: Record<FileType, FileKind> = {
  MP4: {
    extension: "MP4",
    recordingType: "shared_screen_with_speaker_view",
    contentType: "video/mp4",
    defaultSize: 0,
  },
  M4A: { extension: "M4A", recordingType: "audio_only", contentType: "audio/mp4", defaultSize: 256 * 1024 },
  CHAT: { extension: "TXT", recordingType: "chat_file", contentType: "text/plain", defaultSize: 2 * 1024 },
  TRANSCRIPT: {
    extension: "VTT",
    recordingType: "audio_transcript",
    contentType: "text/vtt",
    defaultSize: 8 * 1024,
  },
  CC: { extension: "VTT", recordingType: "closed_caption", contentType: "text/vtt", defaultSize: 8 * 1024 },
  TIMELINE: {
    extension: "JSON",
    recordingType: "timeline",
    contentType: "application/json",
    defaultSize: 4 * 1024,
  },
};

/** CC and TIMELINE files come without id, status and file_size, as on Zoom. */
export function isBareFile(type: FileType): boolean {
  return type === "CC" || type === "TIMELINE";
}

export function downloadUrl(origin: string, f: RecordingFile): string {
  return `${origin}/rec/download/${f.downloadKey}`;
}

/** The URL recording.completed gives: it takes that event's download_token, not an OAuth token. */
export function webhookDownloadUrl(origin: string, f: RecordingFile): string {
  return `${origin}/rec/webhook_download/${f.downloadKey}`;
}

export type UrlKind = "rest" | "webhook";

const urlOf = (origin: string, f: RecordingFile, urls: UrlKind) =>
  urls === "webhook" ? webhookDownloadUrl(origin, f) : downloadUrl(origin, f);

/** A file still processing is listed without its size (Zoom does not know it yet). */
const sizeOf = (f: RecordingFile) => (f.status === "processing" ? {} : { file_size: f.size });

export function presentFile(origin: string, f: RecordingFile, urls: UrlKind = "rest") {
  const kind = FILE_KINDS[f.fileType];
  const base = {
    meeting_id: f.recordingUuid,
    recording_start: f.recordingStart,
    recording_end: f.recordingEnd,
    file_type: f.fileType,
    file_extension: kind.extension,
    play_url: `${origin}/rec/play/${f.downloadKey}`,
    download_url: urlOf(origin, f, urls),
    recording_type: kind.recordingType,
  };
  if (isBareFile(f.fileType)) return base;
  return { id: f.fileId, ...base, ...sizeOf(f), status: f.status };
}

/** One entry of `participant_audio_files` ("record a separate audio file of each participant"). */
export function presentParticipantAudio(origin: string, f: RecordingFile, urls: UrlKind = "rest") {
  return {
    id: f.fileId,
    recording_start: f.recordingStart,
    recording_end: f.recordingEnd,
    file_type: f.fileType,
    file_name: f.participant ?? "",
    ...sizeOf(f),
    file_extension: FILE_KINDS[f.fileType].extension,
    play_url: `${origin}/rec/play/${f.downloadKey}`,
    download_url: urlOf(origin, f, urls),
    status: f.status,
  };
}

/** Files Zoom lists: recording_files, and participant_audio_files only when there are any. */
function presentFiles(origin: string, files: RecordingFile[], urls: UrlKind) {
  const own = files.filter((f) => f.participant !== undefined);
  return {
    recording_files: files
      .filter((f) => f.participant === undefined)
      .map((f) => presentFile(origin, f, urls)),
    ...(own.length
      ? { participant_audio_files: own.map((f) => presentParticipantAudio(origin, f, urls)) }
      : {}),
  };
}

/** Processing files whose time has come are done (Zoom takes about twice the meeting's length). */
export function settleProcessing(core: Core, files: RecordingFile[]): RecordingFile[] {
  const now = core.now();
  return files.map((f) => {
    if (f.status !== "processing" || f.readyAt === undefined || f.readyAt > now) return f;
    const done: RecordingFile = { ...f, status: "completed" };
    core.db.putFile(done);
    return done;
  });
}

export function visibleFiles(core: Core, rec: Recording, state: "active" | "trashed"): RecordingFile[] {
  return settleProcessing(core, core.db.filesOf(rec.uuid)).filter((f) => f.state === state);
}

function totals(files: RecordingFile[]) {
  return {
    total_size: files.reduce((n, f) => n + (f.status === "processing" ? 0 : f.size), 0),
    recording_count: files.filter((f) => f.participant === undefined).length,
  };
}

/** REST shape (GET /users/{id}/recordings, GET /meetings/{id}/recordings). The spec types `type` as a string there. */
export function presentRecordingRest(origin: string, rec: Recording, files: RecordingFile[]) {
  return {
    uuid: rec.uuid,
    id: rec.meetingId,
    account_id: rec.accountId,
    host_id: rec.hostId,
    topic: rec.topic,
    type: String(rec.type),
    start_time: rec.startTime,
    timezone: rec.timezone,
    duration: rec.duration,
    ...totals(files),
    share_url: `${origin}/rec/share/${encodeURIComponent(rec.uuid)}`,
    ...presentFiles(origin, files, "rest"),
  };
}

/**
 * Webhook shape: `type` is an integer there. Only recording.completed carries `password` and
 * `host_email` (pass hostEmail); trashed, deleted and recovered allow neither. Events that carry a
 * download_token (pass urls "webhook") give download URLs that take that token.
 */
export function presentRecordingEvent(
  origin: string,
  rec: Recording,
  files: RecordingFile[],
  hostEmail?: string,
  urls: UrlKind = "rest",
) {
  const completedOnly = hostEmail === undefined ? {} : { password: rec.password, host_email: hostEmail };
  return {
    id: rec.meetingId,
    uuid: rec.uuid,
    host_id: rec.hostId,
    account_id: rec.accountId,
    topic: rec.topic,
    type: rec.type,
    start_time: rec.startTime,
    ...completedOnly,
    timezone: rec.timezone,
    duration: rec.duration,
    share_url: `${origin}/rec/share/${encodeURIComponent(rec.uuid)}`,
    ...totals(files),
    ...presentFiles(origin, files, urls),
  };
}

/** Bytes of storage an account uses: the seeded base plus files not in the trash. */
export function usedStorage(core: Core, accountId: string): number {
  const account = core.db.account(accountId);
  let used = account?.baseUsageBytes ?? 0;
  for (const rec of core.db.recordingsOfAccount(accountId)) {
    for (const f of core.db.filesOf(rec.uuid)) if (f.state === "active") used += f.size;
  }
  return used;
}
