// Cloud recordings and their files.
import { MeetingTables } from "./meetings.ts";

export type FileType = "MP4" | "M4A" | "CHAT" | "TRANSCRIPT" | "CC" | "TIMELINE";

export interface RecordingFile {
  /** Internal id; published as `id` except for CC and TIMELINE files, which Zoom sends without one. */
  fileId: string;
  recordingUuid: string;
  accountId: string;
  fileType: FileType;
  size: number;
  sample: boolean;
  status: "completed" | "processing";
  /** Emulator time (ms) when a processing file is done by itself; without it, only the control API finishes it. */
  readyAt?: number;
  /** One participant's own audio (listed under `participant_audio_files`, not `recording_files`). */
  participant?: string;
  state: "active" | "trashed" | "deleted";
  recordingStart: string;
  recordingEnd: string;
  downloadKey: string;
}

export interface Recording {
  uuid: string;
  meetingId: number;
  accountId: string;
  hostId: string;
  topic: string;
  type: number;
  startTime: string;
  duration: number;
  timezone: string;
  password: string;
  state: "active" | "trashed" | "deleted";
}

export class RecordingTables extends MeetingTables {
  recording(uuid: string): Recording | undefined {
    return this.doc<Recording>("recordings", "uuid", uuid);
  }

  recordingsOfMeeting(meetingId: number): Recording[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM recordings WHERE meeting_id = ? ORDER BY seq",
      meetingId,
    ).map((r) => JSON.parse(r.doc));
  }

  recordingsOfHost(hostId: string): Recording[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM recordings WHERE host_id = ? ORDER BY start_time DESC, seq DESC",
      hostId,
    ).map((r) => JSON.parse(r.doc));
  }

  recordingsOfAccount(accountId: string): Recording[] {
    return this.all<{ doc: string }>("SELECT doc FROM recordings WHERE account_id = ?", accountId).map((r) =>
      JSON.parse(r.doc),
    );
  }

  putRecording(r: Recording): void {
    const existing = this.one<{ seq: number }>("SELECT seq FROM recordings WHERE uuid = ?", r.uuid);
    this.run(
      "INSERT INTO recordings (uuid, meeting_id, host_id, account_id, start_time, seq, doc) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uuid) DO UPDATE SET doc = excluded.doc",
      r.uuid,
      r.meetingId,
      r.hostId,
      r.accountId,
      r.startTime,
      existing?.seq ?? this.nextSeq(),
      JSON.stringify(r),
    );
  }

  file(fileId: string): RecordingFile | undefined {
    return this.doc<RecordingFile>("files", "file_id", fileId);
  }

  fileByDownloadKey(key: string): RecordingFile | undefined {
    return this.doc<RecordingFile>("files", "download_key", key);
  }

  filesOf(recordingUuid: string): RecordingFile[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM files WHERE recording_uuid = ? ORDER BY seq",
      recordingUuid,
    ).map((r) => JSON.parse(r.doc));
  }

  putFile(f: RecordingFile): void {
    const existing = this.one<{ seq: number }>("SELECT seq FROM files WHERE file_id = ?", f.fileId);
    this.run(
      "INSERT INTO files (file_id, recording_uuid, download_key, seq, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (file_id) DO UPDATE SET doc = excluded.doc",
      f.fileId,
      f.recordingUuid,
      f.downloadKey,
      existing?.seq ?? this.nextSeq(),
      JSON.stringify(f),
    );
  }
}
