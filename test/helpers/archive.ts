// Archive test helpers: a recording Queue binding that keeps what the product sends, runs of the
// real queue consumer and cron handler, and meetings with cloud recordings made in the emulator.
import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { database } from "../../src/db/client.ts";
import worker from "../../src/index.ts";
import { loadConfig } from "../../src/platform/config.ts";
import { ZoomClient } from "../../src/zoom/client.ts";
import { BASE } from "./app.ts";
import { clearTables } from "./db.ts";
import { deliver, emulator, fetchAndSettle, outbox } from "./zoom.ts";

/** Stands in for the ARCHIVE_QUEUE producer so a test decides when and how messages are consumed. */
export class CapturedQueue {
  messages: unknown[] = [];
  async send(body: unknown) {
    this.messages.push(body);
  }
  async sendBatch(batch: Iterable<{ body: unknown }>) {
    for (const m of batch) this.messages.push(m.body);
  }
  take(): unknown[] {
    const out = this.messages;
    this.messages = [];
    return out;
  }
}

export const queue = new CapturedQueue();

export function testEnv(overrides: Record<string, unknown> = {}) {
  // The captured queue has the producer methods the product uses, not the whole Queue interface.
  return { ...env, ARCHIVE_QUEUE: queue, ...overrides } as unknown as typeof env;
}

let seq = 0;
/** Runs the real consumer on `bodies` delivered for the `attempts`-th time. */
export async function consume(bodies: unknown[], attempts = 1, overrides: Record<string, unknown> = {}) {
  const batch = createMessageBatch(
    "wise-zoom-archive",
    bodies.map((body) => ({ id: `msg-${++seq}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, testEnv(overrides), ctx);
  return getQueueResult(batch, ctx);
}

/** Consumes what is queued until nothing is left (retries are run at once, counting attempts). */
export async function drain(maxRounds = 10) {
  const results = [];
  let pending = queue.take().map((body) => ({ body, attempts: 1 }));
  for (let round = 0; pending.length && round < maxRounds; round++) {
    const next: { body: unknown; attempts: number }[] = [];
    for (const m of pending) {
      const r = await consume([m.body], m.attempts);
      results.push(r);
      if (r.retryMessages.length) next.push({ body: m.body, attempts: m.attempts + 1 });
    }
    next.push(...queue.take().map((body) => ({ body, attempts: 1 })));
    pending = next;
  }
  return results;
}

export async function runCron() {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: "0 3 * * *" }), testEnv(), ctx);
  await getQueueResult(createMessageBatch("x", []), ctx).catch(() => {});
}

/** Posts an emulator webhook delivery to the product and runs its event; what it queues is captured. */
export function deliverTo(d: { headers: Record<string, string>; body: string }) {
  return deliver(d, { queue });
}

export interface SimFile {
  fileId: string;
  id?: string;
  file_type: string;
  /** Set on per-participant audio files (participant_audio_files). */
  file_name?: string;
  file_size?: number;
  download_url: string;
}

/** Creates a meeting on the tenant's linked account and runs it with a cloud recording. */
export async function recordedMeeting(
  tenant: string,
  files: { fileType: string; sizeBytes?: number; sample?: boolean; processingMinutes?: number }[],
  opts: {
    processing?: boolean;
    /** More simulate options for the recording (processingMinutes, webhook, participantAudio...). */
    recording?: Record<string, unknown>;
    participants?: { name: string }[];
  } = {},
) {
  const client = await ZoomClient.forTenant(env, loadConfig(env), database(env.DB), tenant);
  const { z } = await import("zod");
  const meeting = await client.call({
    operation: "meetings.create",
    method: "POST",
    path: "/users/me/meetings",
    body: { topic: "Algebra", type: 2, start_time: "2026-12-01T10:00:00Z", duration: 45 },
    schema: z.object({ id: z.union([z.number(), z.string()]).transform(String), uuid: z.string() }),
  });
  const sim = await emulator<{ uuid: string; recording: { downloadToken: string; files: SimFile[] } }>(
    `/meetings/${meeting.id}/simulate`,
    {
      recording: { files, ...opts.recording },
      ...(opts.processing ? { processing: true } : {}),
      ...(opts.participants ? { participants: opts.participants } : {}),
    },
  );
  const completed = (await outbox()).filter(
    (d) => d.event === "recording.completed" && d.body.includes(JSON.stringify(sim.uuid)),
  );
  return {
    meetingId: meeting.id,
    uuid: sim.uuid,
    files: sim.recording.files,
    webhook: completed.at(-1),
    webhooks: completed,
  };
}

export async function expectedHash(fileId: string) {
  return emulator<{ size: number; sha256: string }>(`/files/${fileId}/sha256`, undefined, "GET");
}

export async function clearArchive() {
  queue.take();
  await clearTables();
  let cursor: string | undefined;
  do {
    const page = await env.RECORDINGS.list({ prefix: "tenants/", cursor });
    if (page.objects.length) await env.RECORDINGS.delete(page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
}

export interface FileRow {
  id: string;
  status: string;
  bytes_archived: number;
  size_bytes: number | null;
  sha256: string | null;
  r2_key: string;
  upload_id: string | null;
  parts: string | null;
  attempts: number;
  error: string | null;
  file_type: string;
}

export async function fileRows(): Promise<FileRow[]> {
  return (await env.DB.prepare("SELECT * FROM recording_files ORDER BY file_type, id").all<FileRow>())
    .results;
}

export async function fileRow(id: string): Promise<FileRow> {
  const row = await env.DB.prepare("SELECT * FROM recording_files WHERE id = ?").bind(id).first<FileRow>();
  if (!row) throw new Error(`no file row ${id}`);
  return row;
}

/** Calls the product's API with the captured queue (for routes that enqueue). */
export function callWithQueue(path: string, init: RequestInit = {}) {
  return fetchAndSettle(new Request(`${BASE}${path}`, init), { ARCHIVE_QUEUE: queue });
}
