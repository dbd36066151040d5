// Runs a meeting as if it happened: started, participants joined and left, ended, and optionally a
// cloud recording completed; each step leaves its signed webhook in the outbox.
import type { Core } from "./core.ts";
import type { FileType, Instance, Participant, Recording, RecordingFile } from "./db.ts";
import { ZoomError } from "./http.ts";
import { isoSeconds, newFileId, newMeetingUuid, newOpaque } from "./ids.ts";
import {
  FILE_KINDS,
  presentFile,
  presentParticipantAudio,
  presentRecordingEvent,
  SAMPLE_MP4,
} from "./recordings.ts";
import { issueDownloadToken } from "./tokens.ts";
import { emitEvent } from "./webhooks.ts";

export interface SimulateInput {
  participants?: { name?: string; email?: string; registrantId?: string }[];
  durationMinutes?: number;
  recording?: {
    /** `processingMinutes`: this file is listed as processing (no size) that long after the end. */
    files?: { fileType?: string; sizeBytes?: number; sample?: boolean; processingMinutes?: number }[];
    /** TRANSCRIPT files finish later, through POST /__emulator/recordings/{uuid}/transcript. */
    transcriptLater?: boolean;
    /** Every file processes this long after the end (Zoom: about twice the meeting, up to a day); recording.completed comes then. */
    processingMinutes?: number;
    /** recording.completed held this much longer (Zoom has sent it days late, its download_token expired). */
    webhookDelayMinutes?: number;
    /** `once` (default) one recording.completed; `perFile` one per file as each is done; `none` dropped. */
    webhook?: "once" | "perFile" | "none";
    /** "Record a separate audio file of each participant": one M4A per participant in participant_audio_files. */
    participantAudio?: boolean;
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
  const opts = input.recording;
  const minutes = (n: number | undefined) => Math.max(0, n ?? 0) * 60_000;
  const specs = opts.files?.length ? opts.files : DEFAULT_FILES;
  const makeFile = (
    s: { fileType?: string; sizeBytes?: number; sample?: boolean; processingMinutes?: number },
    participant?: string,
  ): RecordingFile => {
    const fileType = (s.fileType ?? "MP4").toUpperCase() as FileType;
    const kind = FILE_KINDS[fileType];
    if (!kind) throw new ZoomError(400, 300, `Unknown fileType: ${s.fileType}`);
    const sample = fileType === "MP4" && (s.sample === true || s.sizeBytes === undefined);
    const size = sample ? SAMPLE_MP4.length : (s.sizeBytes ?? kind.defaultSize);
    const processingFor = minutes(opts.processingMinutes) + minutes(s.processingMinutes);
    const held = input.processing || (opts.transcriptLater && fileType === "TRANSCRIPT");
    return {
      fileId: newFileId(),
      recordingUuid: uuid,
      accountId: meeting.accountId,
      fileType,
      size,
      sample,
      status: held || processingFor > 0 ? "processing" : "completed",
      ...(!held && processingFor > 0 ? { readyAt: end + processingFor } : {}),
      ...(participant !== undefined ? { participant } : {}),
      state: "active",
      recordingStart: isoSeconds(start),
      recordingEnd: isoSeconds(end),
      downloadKey: newOpaque(32),
    };
  };
  const files: RecordingFile[] = specs.map((spec) => makeFile(spec));
  if (opts.participantAudio) {
    for (const p of people) files.push(makeFile({ fileType: "M4A" }, p.name));
  }
  for (const f of files) core.db.putFile(f);
  const downloadToken = issueDownloadToken(core, meeting.accountId, meeting.hostId);
  const mode = opts.webhook ?? "once";
  if (!input.processing && mode !== "none") {
    // Sent when processing is over (plus any delay); each file as it will be listed then.
    const lateBy = minutes(opts.webhookDelayMinutes);
    const asAt = (at: number) =>
      files.map((f) =>
        f.readyAt !== undefined && f.readyAt <= at ? { ...f, status: "completed" as const } : f,
      );
    const send = async (at: number, listed: RecordingFile[]) => {
      if (!listed.length) return;
      const d = await emitEvent(
        core,
        "recording.completed",
        {
          account_id: meeting.accountId,
          object: presentRecordingEvent(origin, rec, listed, host?.email ?? "", "webhook"),
        },
        { top: { download_token: downloadToken }, delayMs: Math.max(0, at - core.now()) },
      );
      deliveries.push(d.id);
    };
    const whole = end + minutes(opts.processingMinutes) + lateBy;
    if (mode === "once") {
      // A file still processing then is listed as such, without its size.
      await send(
        whole,
        asAt(whole).filter((f) => f.status === "completed" || f.readyAt !== undefined),
      );
    } else {
      for (const f of files) {
        if (f.status === "processing" && f.readyAt === undefined) continue;
        const at = (f.readyAt ?? end) + lateBy;
        await send(at, [{ ...f, status: "completed" }]);
      }
    }
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
      files: files.map((f) => ({
        ...(f.participant === undefined ? presentFile(origin, f) : presentParticipantAudio(origin, f)),
        fileId: f.fileId,
        file_size: f.size,
      })),
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
        "webhook",
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
      object: presentRecordingEvent(origin, rec, files, host?.email ?? "", "webhook"),
    },
    { top: { download_token: issueDownloadToken(core, rec.accountId, rec.hostId) } },
  );
  return { deliveries: [d.id] };
}
