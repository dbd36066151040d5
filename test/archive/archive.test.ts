// Archiving through the real webhook, queue consumer and R2 against the emulator: discovery,
// streaming single puts and multipart uploads, verification by size and hash.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import {
  clearArchive,
  deliverTo,
  drain,
  expectedHash,
  fileRow,
  fileRows,
  queue,
  recordedMeeting,
} from "../helpers/archive.ts";
import { linkZoom, resetEmulator, stats } from "../helpers/zoom.ts";

const T = "tenant-a";
const MiB = 1024 * 1024;

beforeEach(async () => {
  await resetEmulator();
  await clearArchive();
  expect((await linkZoom(T)).status).toBe(200);
});

describe("archive from recording.completed", () => {
  it("records the instance, enqueues one message per file and archives each byte for byte", async () => {
    const rec = await recordedMeeting(T, [
      { fileType: "MP4", sample: true },
      { fileType: "M4A", sizeBytes: 300_000 },
      { fileType: "CHAT" },
      { fileType: "CC" },
      { fileType: "TIMELINE" },
    ]);
    expect(rec.webhook).toBeTruthy();
    if (!rec.webhook) throw new Error("no webhook");
    expect((await deliverTo(rec.webhook)).status).toBe(200);
    const messages = queue.messages.slice();
    expect(messages).toHaveLength(5);
    for (const m of messages) expect(m).toMatchObject({ kind: "archive-file", tenantId: T });

    await drain();
    const rows = await fileRows();
    expect(rows.map((r) => r.status)).toEqual(["archived", "archived", "archived", "archived", "archived"]);
    // CC and TIMELINE come without ids: they get stable derived ones.
    expect(
      rows
        .filter((r) => r.id.startsWith("derived-"))
        .map((r) => r.file_type)
        .sort(),
    ).toEqual(["CC", "TIMELINE"]);
    for (const f of rec.files) {
      const row = rows.find((r) => r.id === f.id) ?? rows.find((r) => r.file_type === f.file_type);
      const expected = await expectedHash(f.fileId);
      expect(row?.sha256).toBe(expected.sha256);
      expect(row?.bytes_archived).toBe(expected.size);
      const object = await env.RECORDINGS.get(row?.r2_key ?? "");
      expect(object?.size).toBe(expected.size);
      await object?.body.cancel();
    }
    const mp4 = rows.find((r) => r.file_type === "MP4");
    expect(mp4?.r2_key).toMatch(new RegExp(`^tenants/${T}/recordings/[^/]+/${mp4?.id}\\.mp4$`));
    const head = await env.RECORDINGS.head(mp4?.r2_key ?? "");
    expect(head?.httpMetadata?.contentType).toBe("video/mp4");
    expect(head?.customMetadata).toMatchObject({ fileType: "MP4", fileId: mp4?.id });
    // Downloaded with the webhook's download_token: no OAuth refresh needed, one download per file.
    expect((await stats()).requests["recordings.file"]).toBe(5);
  });

  it("uploads large files in equal multipart parts and the object equals the source", async () => {
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 12 * MiB + 12345 }]);
    if (!rec.webhook) throw new Error("no webhook");
    await deliverTo(rec.webhook);
    await drain();
    const f = rec.files[0];
    if (!f?.id) throw new Error("no file");
    const row = await fileRow(f.id);
    expect(row.status).toBe("archived");
    expect(row.upload_id).toBeNull();
    expect(row.sha256).toBe((await expectedHash(f.fileId)).sha256);
    expect((await env.RECORDINGS.head(row.r2_key))?.size).toBe(12 * MiB + 12345);
  });
});
