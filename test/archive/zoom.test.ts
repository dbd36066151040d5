// The archive against Zoom as it behaves: recording.completed days late with an expired
// download_token, files still processing, a dropped event found by the sweep, one event per file,
// per-participant audio files, storage figures of plain Pro and storage-plan accounts, and
// download URLs that must be Zoom's own before any bearer is sent.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { isZoomDownloadUrl } from "../../src/archive/discover.ts";
import { loadConfig } from "../../src/platform/config.ts";
import { api } from "../helpers/api.ts";
import { call } from "../helpers/app.ts";
import {
  clearArchive,
  consume,
  deliverTo,
  drain,
  expectedHash,
  fileRow,
  fileRows,
  queue,
  recordedMeeting,
  testEnv,
} from "../helpers/archive.ts";
import { bearer } from "../helpers/jwt.ts";
import { signedHeaders } from "../helpers/webhook-signing.ts";
import { addFault, advanceZoomClock, emulator, linkZoom, resetEmulator, stats } from "../helpers/zoom.ts";

const T = "tenant-a";
const GB = 1024 ** 3;
const LAST = 7;

beforeEach(async () => {
  await resetEmulator();
  await clearArchive();
  expect((await linkZoom(T)).status).toBe(200);
});

type Json = Record<string, unknown>;
/** Signs a body now with the test webhook secret, as Zoom would when it finally sends it. */
const signedNow = async (body: string) => ({ headers: await signedHeaders(body), body });
const requests = async (op: string) => (await stats()).requests[op] ?? 0;
const zoomState = async () =>
  (await env.DB.prepare("SELECT zoom_state FROM recordings").all()).results.map((r) => r.zoom_state);

async function setPolicy(body: Record<string, unknown>) {
  const res = await call("/v1/zoom/archive-policy", {
    method: "PUT",
    headers: { ...(await bearer({ tenant: T })), "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

async function expectArchivedLikeSource(id: string, emuId: string) {
  const row = await fileRow(id);
  const source = await expectedHash(emuId);
  expect(row).toMatchObject({ status: "archived", bytes_archived: source.size, sha256: source.sha256 });
  expect((await env.RECORDINGS.head(row.r2_key))?.size).toBe(source.size);
}

describe("late and missing recordings", () => {
  it("a recording.completed 60 hours late with an expired download_token is archived after a fresh URL from the recordings API", async () => {
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 120_000 }], {
      recording: { webhookDelayMinutes: 60 * 60 },
    });
    await advanceZoomClock(60 * 3600);
    const due = await emulator<{ deliveries: { event: string; body: string }[] }>(
      "/webhooks/due",
      undefined,
      "GET",
    );
    const late = due.deliveries.find((d) => d.event === "recording.completed");
    if (!late) throw new Error("the late event is not due");
    const url = (JSON.parse(late.body).payload.object.recording_files as Json[])[0]?.download_url;
    expect(url).toMatch(/\/rec\/webhook_download\//);
    expect((await deliverTo(await signedNow(late.body))).status).toBe(200);
    const [message] = queue.take();
    const r = await consume([message]);
    expect(r.explicitAcks).toHaveLength(1);
    const file = rec.files[0];
    if (!file?.id) throw new Error("no file");
    await expectArchivedLikeSource(file.id, file.fileId);
    expect(await requests("recordings.get")).toBeGreaterThanOrEqual(1);
    const row = await env.DB.prepare("SELECT download_url FROM recording_files").first<{
      download_url: string;
    }>();
    expect(row?.download_url).toMatch(/\/rec\/download\//);
    const token = await env.DB.prepare("SELECT download_token_enc FROM recordings").first();
    expect(token?.download_token_enc).toBeNull();
  });

  it("a file still processing is waited for without spending attempts, then archived once Zoom is done", async () => {
    const rec = await recordedMeeting(T, [
      { fileType: "CHAT", sizeBytes: 4000 },
      { fileType: "M4A", sizeBytes: 70_000, processingMinutes: 40 },
    ]);
    const listed = JSON.parse(rec.webhook?.body ?? "{}").payload.object.recording_files as Json[];
    expect(listed.find((f) => f.file_type === "M4A")).toMatchObject({ status: "processing" });
    expect(listed.find((f) => f.file_type === "M4A")).not.toHaveProperty("file_size");
    await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
    const messages = queue.take();
    expect(messages).toHaveLength(2);
    const m4a = rec.files.find((f) => f.file_type === "M4A");
    const chat = rec.files.find((f) => f.file_type === "CHAT");
    if (!m4a?.id || !chat?.id) throw new Error("no files");
    const audioMessage = messages.find((m) => (m as Json).fileId === m4a.id);
    // Even on what would be the message's last delivery, a wait is not a failure.
    const first = await consume([audioMessage], LAST);
    expect(first.explicitAcks).toHaveLength(1);
    expect(first.retryMessages).toHaveLength(0);
    expect(await fileRow(m4a.id)).toMatchObject({ status: "processing", attempts: 0, size_bytes: null });
    const again = queue.take();
    expect(again).toEqual([audioMessage]);
    await consume(messages.filter((m) => m !== audioMessage));
    await expectArchivedLikeSource(chat.id, chat.fileId);
    await advanceZoomClock(41 * 60);
    const done = await consume(again);
    expect(done.explicitAcks).toHaveLength(1);
    await expectArchivedLikeSource(m4a.id, m4a.fileId);
    expect((await fileRow(m4a.id)).size_bytes).toBe(70_000);
  });

  it("a file recorded while processing is sent again as soon as a listing shows it done", async () => {
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 9000, processingMinutes: 40 }], {
      recording: { webhook: "none" },
    });
    await consume([{ kind: "sweep-account", tenantId: T }]);
    expect(queue.take()).toHaveLength(1);
    const id = rec.files[0]?.id ?? "";
    expect(await fileRow(id)).toMatchObject({ status: "processing", size_bytes: null });
    // The next listing while still processing sends nothing new.
    await consume([{ kind: "sweep-account", tenantId: T }]);
    expect(queue.take()).toHaveLength(0);
    await advanceZoomClock(41 * 60);
    await consume([{ kind: "sweep-account", tenantId: T }]);
    expect(queue.messages).toHaveLength(1);
    expect(await fileRow(id)).toMatchObject({ status: "pending", size_bytes: 9000 });
    await drain();
    await expectArchivedLikeSource(id, rec.files[0]?.fileId ?? "");
  });

  it("waiting for processing counts as a failed attempt once the meeting is days old", async () => {
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 5000 }], { processing: true });
    await consume([{ kind: "sweep-account", tenantId: T }]);
    const [message] = queue.take();
    await env.DB.prepare("UPDATE recordings SET start_time = ?")
      .bind(Date.now() - 4 * 86_400_000)
      .run();
    const r = await consume([message], LAST);
    expect(r.retryMessages).toHaveLength(1);
    expect(await fileRow(rec.files[0]?.id ?? "")).toMatchObject({ status: "failed" });
    expect((await fileRow(rec.files[0]?.id ?? "")).error).toMatch(/processing/);
  });

  it("a recording whose webhook was dropped is found by the sweep's windows and archived", async () => {
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 30_000 }], {
      recording: { webhook: "none" },
    });
    expect(rec.webhooks).toHaveLength(0);
    await consume([{ kind: "sweep-account", tenantId: T }]);
    expect(queue.messages).toHaveLength(1);
    await drain();
    const file = rec.files[0];
    await expectArchivedLikeSource(file?.id ?? "", file?.fileId ?? "");
  });

  it("one recording.completed per file: each archived, and Zoom's copy trashed only after the last", async () => {
    await setPolicy({ deleteFromZoom: "after-archive" });
    const rec = await recordedMeeting(
      T,
      [
        { fileType: "M4A", sizeBytes: 20_000 },
        { fileType: "CHAT", sizeBytes: 900 },
      ],
      { recording: { webhook: "perFile" } },
    );
    expect(rec.webhooks).toHaveLength(2);
    await deliverTo(rec.webhooks[0] as NonNullable<typeof rec.webhook>);
    expect(queue.messages).toHaveLength(1);
    await drain();
    expect(await zoomState()).toEqual(["active"]);
    expect(await requests("recordings.delete")).toBe(0);
    await deliverTo(rec.webhooks[1] as NonNullable<typeof rec.webhook>);
    await drain();
    expect((await fileRows()).map((f) => f.status)).toEqual(["archived", "archived"]);
    expect(await zoomState()).toEqual(["trashed"]);
    const recordings = await env.DB.prepare("SELECT count(*) AS n FROM recordings").first<{ n: number }>();
    expect(recordings?.n).toBe(1);
  });
});

describe("per-participant audio files", () => {
  it("are archived, listed as participant audio and playable", async () => {
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 10_000 }], {
      participants: [{ name: "Kim" }, { name: "Ana" }],
      recording: { participantAudio: true },
    });
    await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
    expect(queue.messages).toHaveLength(4);
    await drain();
    for (const f of rec.files) await expectArchivedLikeSource(f.id ?? "", f.fileId);
    const list = await api<{ recordings: { files: Json[] }[] }>("GET", "/v1/recordings");
    const files = list.body.recordings[0]?.files ?? [];
    expect(files.filter((f) => f.participantAudio === true)).toHaveLength(3);
    expect(files.every((f) => f.status === "archived")).toBe(true);
    const own = rec.files.find((f) => f.file_name === "Kim");
    const link = await call(`/v1/recordings/files/${own?.id}/playback-link`, {
      method: "POST",
      headers: await bearer({ tenant: T, role: "admin" }),
    });
    expect(link.status).toBe(200);
    const played = await call(new URL(((await link.json()) as { url: string }).url).pathname);
    expect(played.status).toBe(200);
    expect((await played.arrayBuffer()).byteLength).toBe(own?.file_size);
  });

  it("an instance holding an unarchived participant audio file is never trashed", async () => {
    await setPolicy({ deleteFromZoom: "after-archive" });
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 10_000 }], {
      participants: [{ name: "Kim" }],
      recording: { participantAudio: true },
    });
    await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
    const messages = queue.take();
    const main = rec.files[0]?.id;
    // The participants' files stay pending; the meeting's own file is archived.
    await consume(messages.filter((m) => (m as Json).fileId === main));
    expect(await zoomState()).toEqual(["active"]);
    // Even with the archive unaware of them (as before it knew such files), Zoom's list keeps its copy.
    await env.DB.prepare("DELETE FROM recording_files WHERE recording_type = 'participant_audio'").run();
    const { enforceArchivePolicy } = await import("../../src/archive/policy.ts");
    expect(await enforceArchivePolicy(testEnv(), loadConfig(testEnv()), T)).toEqual([]);
    expect(await zoomState()).toEqual(["active"]);
    expect(await requests("recordings.delete")).toBe(0);
  });
});

describe("plan usage and the storage policy", () => {
  interface Usage {
    seats: Record<string, number | null>;
    cloudStorage: { usedBytes: number | null; planBytes: number | null };
  }
  /** An archived, verified one-file recording for the storage policy to trash. */
  async function archivedRecording() {
    const rec = await recordedMeeting(T, [{ fileType: "CHAT", sizeBytes: 1000 }]);
    await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
    await drain();
  }

  it('a plain Pro account: storage only in free_storage (plan_storage "0") is read and enforced', async () => {
    await emulator("/config", { plan: { storage: "0", freeStorage: "5 GB", usage: "4.5 GB" } });
    const usage = await api<Usage>("GET", "/v1/zoom/usage?refresh=1");
    expect(usage.status).toBe(200);
    expect(usage.body.seats.purchased).toBe(5);
    expect(usage.body.cloudStorage.planBytes).toBe(5 * GB);
    expect(usage.body.cloudStorage.usedBytes).toBeGreaterThanOrEqual(4.5 * GB);
    await setPolicy({ deleteFromZoom: "when-storage-above", storageThresholdPercent: 80 });
    await archivedRecording();
    expect(await zoomState()).toEqual(["trashed"]);
  });

  it("an account with a storage plan: plan_storage is read and enforced", async () => {
    await emulator("/config", { plan: { storage: "10 GB", freeStorage: "0", usage: "9 GB" } });
    const usage = await api<Usage>("GET", "/v1/zoom/usage?refresh=1");
    expect(usage.body.cloudStorage.planBytes).toBe(10 * GB);
    await setPolicy({ deleteFromZoom: "when-storage-above", storageThresholdPercent: 95 });
    await archivedRecording();
    expect(await zoomState()).toEqual(["active"]);
    await setPolicy({ deleteFromZoom: "when-storage-above", storageThresholdPercent: 80 });
    await consume([{ kind: "sweep-account", tenantId: T }]);
    expect(await zoomState()).toEqual(["trashed"]);
  });

  it("free storage used up and exceeded: plan_storage_exceed counts as usage", async () => {
    await emulator("/config", { plan: { storage: "0", freeStorage: "1 GB", usage: "3 GB" } });
    const usage = await api<Usage>("GET", "/v1/zoom/usage?refresh=1");
    expect(usage.body.cloudStorage.planBytes).toBe(GB);
    expect(usage.body.cloudStorage.usedBytes).toBeGreaterThanOrEqual(3 * GB);
    // No storage left at all: everything used is beyond it, and the policy still acts.
    await emulator("/config", { plan: { storage: "0", freeStorage: "0", usage: "2 GB" } });
    const none = await api<Usage>("GET", "/v1/zoom/usage?refresh=1");
    expect(none.body.cloudStorage.planBytes).toBe(0);
    expect(none.body.cloudStorage.usedBytes).toBeGreaterThanOrEqual(2 * GB);
    await setPolicy({ deleteFromZoom: "when-storage-above", storageThresholdPercent: 90 });
    await archivedRecording();
    expect(await zoomState()).toEqual(["trashed"]);
  });
});

describe("download URLs", () => {
  const bad = [
    "http://zoom.us/rec/download/abc",
    "https://zoom.us/v2/users/me",
    "https://evil.example/rec/download/x",
    "https://zoom.us.evil.example/rec/download/x",
    "https://user:pw@zoom.us/rec/download/x",
    "https://zoom.us/rec/download/",
  ];

  it("only https Zoom recording download paths pass; the emulator's origin only outside production", () => {
    const config = loadConfig(testEnv());
    for (const url of bad) expect(isZoomDownloadUrl(url, config), url).toBe(false);
    for (const url of [
      "https://zoom.us/rec/download/abc",
      "https://us06web.zoom.us/rec/webhook_download/abc/def",
      "https://zoom.us/rec/archive/download/xyz",
    ])
      expect(isZoomDownloadUrl(url, config), url).toBe(true);
    const local = { ...config, zoom: { ...config.zoom, oauthBaseUrl: "http://localhost:8788" } };
    expect(isZoomDownloadUrl("http://localhost:8788/rec/download/abc", local)).toBe(true);
    expect(isZoomDownloadUrl("http://localhost:8788/v2/users/me", local)).toBe(false);
    expect(
      isZoomDownloadUrl("http://localhost:8788/rec/download/abc", { ...local, environment: "production" }),
    ).toBe(false);
  });

  it("refuses each bad download_url in recording.completed: nothing recorded, nothing fetched with the bearer", async () => {
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 10_000 }]);
    const original = rec.webhook?.body ?? "";
    const before = await stats();
    for (const url of bad) {
      const event = JSON.parse(original);
      event.payload.object.recording_files[0].download_url = url;
      expect((await deliverTo(await signedNow(JSON.stringify(event)))).status).toBe(200);
    }
    expect(queue.take()).toHaveLength(0);
    expect(await fileRows()).toHaveLength(0);
    expect(await zoomState()).toEqual([]);
    const after = await stats();
    for (const op of ["recordings.download", "users.get", "recordings.file"])
      expect(after.requests[op] ?? 0, op).toBe(before.requests[op] ?? 0);
  });

  it("refuses a bad URL met at download time (after a refresh): the file fails, no bearer sent", async () => {
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 10_000 }]);
    await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
    const [message] = queue.take();
    await env.DB.prepare("UPDATE recording_files SET download_url = ?")
      .bind("https://evil.example/rec/download/x")
      .run();
    const r = await consume([message]);
    expect(r.explicitAcks).toHaveLength(1);
    expect(await fileRow(rec.files[0]?.id ?? "")).toMatchObject({ status: "failed" });
    expect(await requests("recordings.download")).toBe(0);
  });

  it("follows Zoom's redirect to its CDN without the bearer", async () => {
    await emulator("/config", { downloads: { fileOrigin: "https://cdn.zoom-files.example" } });
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 40_000 }]);
    await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
    await drain();
    await expectArchivedLikeSource(rec.files[0]?.id ?? "", rec.files[0]?.fileId ?? "");
    expect(await requests("recordings.file")).toBe(1);
    expect(await requests("recordings.file.with_authorization")).toBe(0);
  });

  it("refuses a redirect to plain http: nothing fetched there, nothing archived", async () => {
    await emulator("/config", { downloads: { fileOrigin: "http://cdn.zoom-files.example" } });
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 40_000 }]);
    await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
    const [message] = queue.take();
    const r = await consume([message]);
    expect(r.explicitAcks).toHaveLength(1);
    expect(await fileRow(rec.files[0]?.id ?? "")).toMatchObject({ status: "failed" });
    expect(await requests("recordings.file")).toBe(0);
  });

  it("a redirect from download_url to any other host is fetched without the bearer", async () => {
    await addFault({
      operation: "recordings.download",
      status: 302,
      headers: { location: "https://files.other-host.example/file/none?exp=1&sig=00" },
    });
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 40_000 }]);
    await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
    const [message] = queue.take();
    await consume([message]);
    expect(await requests("recordings.file.with_authorization")).toBe(0);
    expect(await requests("recordings.file")).toBe(1);
  });
});
