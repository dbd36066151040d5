// Faults while archiving: broken and truncated downloads, HTML pages, refused and expired tokens,
// rate limits, R2 losing a multipart upload, a consumer dying before its last write, duplicates.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { archiveRecordingFile } from "../../src/archive/archive-file.ts";
import { loadConfig } from "../../src/platform/config.ts";
import {
  clearArchive,
  consume,
  deliverTo,
  drain,
  expectedHash,
  fileRow,
  queue,
  recordedMeeting,
  testEnv,
} from "../helpers/archive.ts";
import { signedHeaders } from "../helpers/webhook-signing.ts";
import { addFault, advanceZoomClock, linkZoom, resetEmulator, stats } from "../helpers/zoom.ts";

const T = "tenant-a";
const MiB = 1024 * 1024;
const LAST = 7;

beforeEach(async () => {
  await resetEmulator();
  await clearArchive();
  expect((await linkZoom(T)).status).toBe(200);
});

/** One recorded file, discovered through its webhook; returns its id, emulator id and message. */
async function oneFile(spec: { fileType: string; sizeBytes?: number; sample?: boolean }) {
  const rec = await recordedMeeting(T, [spec]);
  if (!rec.webhook) throw new Error("no webhook");
  await deliverTo(rec.webhook);
  const [message] = queue.take();
  const file = rec.files[0];
  if (!file?.id || !message) throw new Error("no file");
  return { id: file.id, emuId: file.fileId, message, uuid: rec.uuid };
}

/** Signs a body as Zoom does, with the test webhook secret. */
const resign = async (body: string) => ({ headers: await signedHeaders(body), body });

async function expectArchivedLikeSource(id: string, emuId: string) {
  const row = await fileRow(id);
  const source = await expectedHash(emuId);
  expect(row).toMatchObject({ status: "archived", bytes_archived: source.size, sha256: source.sha256 });
  const object = await env.RECORDINGS.get(row.r2_key);
  const digest = new crypto.DigestStream("SHA-256");
  await object?.body.pipeTo(digest);
  const hex = Array.from(new Uint8Array(await digest.digest), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
  expect(hex).toBe(source.sha256);
}

describe("broken downloads", () => {
  it("a connection dropped mid-download resumes the multipart upload with a Range request", async () => {
    const f = await oneFile({ fileType: "M4A", sizeBytes: 17 * MiB + 1 });
    await addFault({ operation: "recordings.file", dropAfterBytes: 11 * MiB });
    const first = await consume([f.message]);
    expect(first.retryMessages).toHaveLength(1);
    const mid = await fileRow(f.id);
    expect(mid.status).toBe("pending");
    expect(mid.upload_id).toBeTruthy();
    expect(JSON.parse(mid.parts ?? "[]")).toHaveLength(2);
    expect(mid.bytes_archived).toBe(10 * MiB);
    expect(mid.error).toMatch(/interrupted|cut short|reset/);

    const second = await consume([f.message], 2);
    expect(second.explicitAcks).toHaveLength(1);
    await expectArchivedLikeSource(f.id, f.emuId);
  });

  it("a dropped single-put download is retried and stored whole", async () => {
    const f = await oneFile({ fileType: "M4A", sizeBytes: 3 * MiB });
    await addFault({ operation: "recordings.file", dropAfterBytes: MiB });
    expect((await consume([f.message])).retryMessages).toHaveLength(1);
    expect((await fileRow(f.id)).status).toBe("pending");
    expect(await env.RECORDINGS.head((await fileRow(f.id)).r2_key)).toBeNull();
    await consume([f.message], 2);
    await expectArchivedLikeSource(f.id, f.emuId);
  });

  it("a truncated body is never archived", async () => {
    const f = await oneFile({ fileType: "M4A", sizeBytes: 2 * MiB });
    await addFault({ operation: "recordings.file", truncateBody: 59 });
    const r = await consume([f.message]);
    expect(r.retryMessages).toHaveLength(1);
    const row = await fileRow(f.id);
    expect(row.status).toBe("pending");
    expect(await env.RECORDINGS.head(row.r2_key)).toBeNull();
    await consume([f.message], 2);
    await expectArchivedLikeSource(f.id, f.emuId);
  });

  it("an HTML page with 200 fails, and after the last attempt the file is failed with the reason", async () => {
    const f = await oneFile({ fileType: "MP4", sample: true });
    await addFault({ operation: "recordings.file", html200: true, times: 0 });
    expect((await consume([f.message])).retryMessages).toHaveLength(1);
    expect((await fileRow(f.id)).status).toBe("pending");
    const last = await consume([f.message], LAST);
    // Left for the dead-letter queue.
    expect(last.retryMessages).toHaveLength(1);
    const row = await fileRow(f.id);
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/HTML/);
    expect(row.sha256).toBeNull();
    expect(await env.RECORDINGS.head(row.r2_key)).toBeNull();
  });

  it("an HTML page from download_url itself is a failure too", async () => {
    const f = await oneFile({ fileType: "CHAT" });
    await addFault({ operation: "recordings.download", html200: true });
    await consume([f.message]);
    expect((await fileRow(f.id)).error).toMatch(/HTML|size/);
    await consume([f.message], 2);
    await expectArchivedLikeSource(f.id, f.emuId);
  });
});

describe("credentials", () => {
  it("a 401 on the OAuth token is refreshed once and the download succeeds", async () => {
    const f = await oneFile({ fileType: "M4A", sizeBytes: 100_000 });
    await env.DB.prepare("UPDATE recordings SET download_token_enc = NULL").run();
    await addFault({
      operation: "recordings.download",
      status: 401,
      zoomCode: 124,
      message: "Invalid access token.",
    });
    const r = await consume([f.message]);
    expect(r.explicitAcks).toHaveLength(1);
    expect((await stats()).grants.refresh_token).toBe(1);
    await expectArchivedLikeSource(f.id, f.emuId);
  });

  it("an expired download_token falls back to the account's OAuth token", async () => {
    const f = await oneFile({ fileType: "M4A", sizeBytes: 100_000 });
    await advanceZoomClock(25 * 3600);
    const r = await consume([f.message]);
    expect(r.explicitAcks).toHaveLength(1);
    await expectArchivedLikeSource(f.id, f.emuId);
    const rec = await env.DB.prepare("SELECT download_token_enc FROM recordings").first();
    expect(rec?.download_token_enc).toBeNull();
  });

  it("a 429 on the download is retried after Retry-After", async () => {
    const f = await oneFile({ fileType: "M4A", sizeBytes: 100_000 });
    await addFault({ operation: "recordings.download", status: 429, headers: { "retry-after": "7" } });
    // The test harness's queue result does not keep delaySeconds, so the decision is read directly.
    const decision = await archiveRecordingFile(
      testEnv(),
      loadConfig(testEnv()),
      { tenantId: T, fileId: f.id },
      { number: 1, last: false },
    );
    expect(decision).toMatchObject({ outcome: "retry", retryAfterSeconds: 7 });
    expect((await fileRow(f.id)).status).toBe("pending");
    await consume([f.message], 2);
    await expectArchivedLikeSource(f.id, f.emuId);
  });
});

describe("crash and concurrency", () => {
  it("R2 losing the multipart upload between attempts: the upload starts over and completes", async () => {
    const f = await oneFile({ fileType: "M4A", sizeBytes: 16 * MiB });
    await addFault({ operation: "recordings.file", dropAfterBytes: 6 * MiB });
    await consume([f.message]);
    const mid = await fileRow(f.id);
    expect(mid.upload_id).toBeTruthy();
    await env.RECORDINGS.resumeMultipartUpload(mid.r2_key, mid.upload_id ?? "").abort();
    const second = await consume([f.message], 2);
    const after = await fileRow(f.id);
    if (second.retryMessages.length) {
      expect(after.upload_id).toBeNull();
      expect(after.error).toMatch(/R2/);
      await consume([f.message], 3);
    }
    await expectArchivedLikeSource(f.id, f.emuId);
  });

  it("a consumer that died after the upload but before D1: the next attempt verifies, no new download", async () => {
    const f = await oneFile({ fileType: "M4A", sizeBytes: 2 * MiB });
    await consume([f.message]);
    await expectArchivedLikeSource(f.id, f.emuId);
    const downloads = (await stats()).requests["recordings.file"];
    // The row as that consumer left it: claimed, lease run out, nothing recorded.
    await env.DB.prepare(
      "UPDATE recording_files SET status='archiving', lease_until=?, sha256=NULL, bytes_archived=0, archived_at=NULL WHERE id=?",
    )
      .bind(Date.now() - 1000, f.id)
      .run();
    const r = await consume([f.message], 2);
    expect(r.explicitAcks).toHaveLength(1);
    expect((await stats()).requests["recordings.file"]).toBe(downloads);
    await expectArchivedLikeSource(f.id, f.emuId);
  });

  it("the same webhook twice and the sweep at once: one message, one download, one object per file", async () => {
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 9 * MiB }, { fileType: "CHAT" }]);
    if (!rec.webhook) throw new Error("no webhook");
    // Zoom's retry of the event is a new body (new event_ts), so the delivery dedupe cannot catch it.
    const resent = await resign(rec.webhook.body.replace(/"event_ts":\d+/, `"event_ts":${Date.now()}`));
    expect(resent.body).not.toBe(rec.webhook.body);
    await Promise.all([
      deliverTo(rec.webhook),
      deliverTo(resent),
      deliverTo(rec.webhook),
      consume([{ kind: "sweep-account", tenantId: T }]),
    ]);
    const messages = queue.take();
    expect(messages).toHaveLength(2);
    // Deliver each message twice, concurrently, as a queue may.
    await Promise.all([...messages, ...messages].map((m) => consume([m])));
    await drain();
    const rows = await env.DB.prepare("SELECT status FROM recording_files").all();
    expect(rows.results.map((r) => r.status)).toEqual(["archived", "archived"]);
    expect((await stats()).requests["recordings.file"]).toBe(2);
    const listed = await env.RECORDINGS.list({ prefix: `tenants/${T}/` });
    expect(listed.objects).toHaveLength(2);
  });
});
