// Runs a meeting as if it happened: started, participants joined and left, ended, and optionally a
// cloud recording completed; each step leaves its signed webhook in the outbox.
import type { Core } from "./core.ts";
import type { FileType, Instance, Participant, Recording, RecordingFile } from "./db.ts";
import { ZoomError } from "./http.ts";
import { isoSeconds, newFileId, newMeetingUuid, newOpaque } from "./ids.ts";
import { FILE_KINDS, presentFile, presentRecordingEvent, SAMPLE_MP4 } from "./recordings.ts";
import { issueDownloadToken } from "./tokens.ts";
import { emitEvent } from "./webhooks.ts";

export interface SimulateInput {
  participants?: { name?: string; email?: string; registrantId?: string }[];
  durationMinutes?: number;
  recording?: {
    files?: { fileType?: string; sizeBytes?: number; sample?: boolean }[];
    /** TRANSCRIPT files finish later, through POST /__emulator/recordings/{uuid}/transcript. */
    transcriptLater?: boolean;
  };
  processing?: boolean;
  /** Minutes after the end during which the participant report is still partial (default 0). */
  reportDelayMinutes?: number;
}

/** Zoom cuts meetings of a Basic (unlicensed) host at 40 minutes. */
export const BASIC_HOST_MAX_MINUTES = 40;

const DEFAULT_FILES: { fileType?: string; sizeBytes?: number; sample?: boolean }[] = [
  { fileType: "MP4", sample: true },
  { fileType: "M4A" },
  { fileType: "CHAT" },
  { fileType: "TRANSCRIPT" },
  { fileType: "CC" },
  { fileType: "TIMELINE" },
];

export async function simulateMeeting(core: Core, rawId: string, input: SimulateInput, origin: string) {
  const meeting = /^\d+$/.test(rawId) ? core.db.liveMeeting(Number(rawId)) : undefined;
  if (!meeting) throw new ZoomError(404, 3001, `Meeting does not exist: ${rawId}.`);
  const host = core.db.user(meeting.hostId);
  const basicHost = host?.type !== 2;
  const asked = Math.max(1, Math.round(input.durationMinutes ?? 45));
  const durationMin = basicHost ? Math.min(asked, BASIC_HOST_MAX_MINUTES) : asked;
  const end = Math.floor(core.now() / 1000) * 1000;
  const start = end - durationMin * 60_000;
  // The first run of a meeting uses the UUID given at creation; later runs get new instance UUIDs.
  const uuid = meeting.instances === 0 ? meeting.uuid : newMeetingUuid(core.nextUuidSequence());
  core.db.putMeeting({
    ...meeting,
    instances: meeting.instances + 1,
    status: "waiting",
    lastUsedAt: core.now(),
  });
  const deliveries: string[] = [];
  const object = {
    id: String(meeting.id),
    uuid,
    host_id: meeting.hostId,
    topic: meeting.topic,
    type: meeting.type,
    start_time: isoSeconds(start),
    timezone: meeting.timezone,
    duration: meeting.duration,
  };
  const push = async (event: string, payload: Record<string, unknown>, top?: Record<string, unknown>) =>
    deliveries.push((await emitEvent(core, event, payload, { top })).id);

  await push("meeting.started", { account_id: meeting.accountId, object });

  const people = [
    {
      name: host ? `${host.firstName} ${host.lastName}` : "Host",
      email: host?.email ?? "",
      userId: meeting.hostId,
    },
    ...(input.participants ?? []).map((p) => {
      const reg = p.registrantId ? core.db.registrant(p.registrantId) : undefined;
      const email = p.email ?? reg?.email ?? "";
      const member = email ? core.db.userByEmail(email) : undefined;
      // Zoom shows email and user id only for users of the host's account; guests (registrants
      // included) come without them, since 2022-23.
      const internal = member?.accountId === meeting.accountId ? member : undefined;
      return {
        name: p.name ?? (reg ? `${reg.firstName} ${reg.lastName}`.trim() : "Guest"),
        email: internal ? email : "",
        registrantId: reg?.id ?? p.registrantId,
        userId: internal?.id ?? "",
      };
    }),
  ];
  const participants: Participant[] = people.map((p, i) => {
    const join = start + i * 30_000;
    const leave = Math.max(join + 60_000, end - i * 10_000);
    return {
      id: p.userId,
      name: p.name,
      user_id: String(16_778_240 + i),
      registrant_id: "registrantId" in p && p.registrantId ? p.registrantId : "",
      user_email: p.email,
      join_time: isoSeconds(join),
      leave_time: isoSeconds(Math.min(leave, end)),
      duration: Math.round((Math.min(leave, end) - join) / 1000),
      failover: false,
      status: "in_meeting",
      internal_user: Boolean(p.userId),
    };
  });
  const eventParticipant = (p: Participant) => ({
    user_id: p.user_id,
    user_name: p.name,
    id: p.id,
    participant_uuid: newOpaque(16),
    // Empty for guests, as in the report.
    email: p.user_email,
    ...(p.registrant_id ? { registrant_id: p.registrant_id } : {}),
  });
  for (const p of participants) {
    await push("meeting.participant_joined", {
      account_id: meeting.accountId,
      object: { ...object, participant: { ...eventParticipant(p), join_time: p.join_time } },
    });
  }
  for (const p of participants) {
    await push("meeting.participant_left", {
      account_id: meeting.accountId,
      object: {
        ...object,
        participant: {
          ...eventParticipant(p),
          leave_time: p.leave_time,
          leave_reason: `${p.name} left the meeting.`,
        },
      },
    });
  }
  await push("meeting.ended", {
    account_id: meeting.accountId,
    object: { ...object, end_time: isoSeconds(end) },
  });

  const instance: Instance = {
    uuid,
    meetingId: meeting.id,
    accountId: meeting.accountId,
    hostId: meeting.hostId,
    topic: meeting.topic,
    type: meeting.type,
    startTime: isoSeconds(start),
    endTime: isoSeconds(end),
    duration: durationMin,
    participants,
    reportReadyAt: end + Math.max(0, input.reportDelayMinutes ?? 0) * 60_000,
  };
  core.db.putInstance(instance);

  // A Basic host cannot record to the cloud: no recording, whatever was asked.
  if (!input.recording || basicHost)
    return { uuid, meetingId: meeting.id, durationMinutes: durationMin, deliveries };

  const rec: Recording = {
    uuid,
    meetingId: meeting.id,
    accountId: meeting.accountId,
    hostId: meeting.hostId,
    topic: meeting.topic,
    type: meeting.type,
    startTime: isoSeconds(start),
    duration: durationMin,
    timezone: meeting.timezone,
    password: newOpaque(6),
    state: "active",
  };
  core.db.putRecording(rec);
  const specs = input.recording.files?.length ? input.recording.files : DEFAULT_FILES;
  const files: RecordingFile[] = specs.map((s) => {
    const fileType = (s.fileType ?? "MP4").toUpperCase() as FileType;
    const kind = FILE_KINDS[fileType];
    if (!kind) throw new ZoomError(400, 300, `Unknown fileType: ${s.fileType}`);
    const sample = fileType === "MP4" && (s.sample === true || s.sizeBytes === undefined);
    const size = sample ? SAMPLE_MP4.length : (s.sizeBytes ?? kind.defaultSize);
    const file: RecordingFile = {
      fileId: newFileId(),
      recordingUuid: uuid,
      accountId: meeting.accountId,
      fileType,
      size,
      sample,
      status:
        input.processing || (input.recording?.transcriptLater && fileType === "TRANSCRIPT")
          ? "processing"
          : "completed",
      state: "active",
      recordingStart: isoSeconds(start),
      recordingEnd: isoSeconds(end),
      downloadKey: newOpaque(32),
    };
    core.db.putFile(file);
    return file;
  });
  const downloadToken = issueDownloadToken(core, meeting.accountId, meeting.hostId);
  if (!input.processing) {
    await push(
      "recording.completed",
      {
        account_id: meeting.accountId,
        object: presentRecordingEvent(
          origin,
          rec,
          files.filter((f) => f.status === "completed"),
          host?.email ?? "",
        ),
      },
      { download_token: downloadToken },
    );
  }
  return {
    uuid,
    meetingId: meeting.id,
    durationMinutes: durationMin,
    deliveries,
    recording: {
      uuid,
      downloadToken,
      totalSize: files.reduce((n, f) => n + f.size, 0),
      files: files.map((f) => ({ ...presentFile(origin, f), fileId: f.fileId, file_size: f.size })),
    },
  };
}

/** Finishes processing files and sends recording.completed (for simulations run with processing: true). */
export async function completeRecording(core: Core, uuid: string, origin: string) {
  const rec = core.db.recording(uuid);
  if (!rec) throw new ZoomError(404, 3301, "There is no recording for this meeting.");
  const files = core.db.filesOf(uuid).map((f) => ({ ...f, status: "completed" as const }));
  for (const f of files) core.db.putFile(f);
  const host = core.db.user(rec.hostId);
  const downloadToken = issueDownloadToken(core, rec.accountId, rec.hostId);
  const d = await emitEvent(
    core,
    "recording.completed",
    {
      account_id: rec.accountId,
      object: presentRecordingEvent(
        origin,
        rec,
        files.filter((f) => f.state === "active"),
        host?.email ?? "",
      ),
    },
    { top: { download_token: downloadToken } },
  );
  return { deliveries: [d.id], downloadToken };
}

/** Finishes a recording's audio transcript and sends recording.transcript_completed with its files. */
export async function completeTranscript(core: Core, uuid: string, origin: string) {
  const rec = core.db.recording(uuid);
  if (!rec) throw new ZoomError(404, 3301, "There is no recording for this meeting.");
  const files = core.db
    .filesOf(uuid)
    .filter((f) => f.fileType === "TRANSCRIPT" && f.state === "active")
    .map((f) => ({ ...f, status: "completed" as const }));
  if (!files.length) throw new ZoomError(404, 3301, "There is no transcript for this recording.");
  for (const f of files) core.db.putFile(f);
  const host = core.db.user(rec.hostId);
  const d = await emitEvent(
    core,
    "recording.transcript_completed",
    {
      account_id: rec.accountId,
      object: presentRecordingEvent(origin, rec, files, host?.email ?? ""),
    },
    { top: { download_token: issueDownloadToken(core, rec.accountId, rec.hostId) } },
  );
  return { deliveries: [d.id] };
}
