// /v1/recordings and /v1/zoom/archive-policy: tenant scoping, roles, filters, retry, delete, and
// bad input that must change nothing.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { call } from "../helpers/app.ts";
import {
  callWithQueue,
  clearArchive,
  deliverTo,
  drain,
  fileRows,
  queue,
  recordedMeeting,
} from "../helpers/archive.ts";
import { bearer } from "../helpers/jwt.ts";
import { linkZoom, resetEmulator, stats } from "../helpers/zoom.ts";

const T = "tenant-a";
let recordingId = "";
let meetingId = "";

beforeEach(async () => {
  await resetEmulator();
  await clearArchive();
  await env.DB.prepare("DELETE FROM classes").run();
  expect((await linkZoom(T)).status).toBe(200);
  const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 30_000 }, { fileType: "CHAT" }]);
  meetingId = rec.meetingId;
  await env.DB.prepare(
    "INSERT INTO classes (tenant_id, class_id, teacher_id, zoom_account_id, zoom_meeting_id, topic, start_time, duration_minutes, registration, auto_recording, status) VALUES (?, 'class-1', 'teacher-1', 'emuAcctA1', ?, 'Algebra', 0, 45, 0, 'cloud', 'ended')",
  )
    .bind(T, meetingId)
    .run();
  await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
  await drain();
  recordingId = String((await env.DB.prepare("SELECT id FROM recordings").first())?.id);
});

const as = async (role: string, tenant = T) => ({
  ...(await bearer({ tenant, role, sub: `${role}-1` })),
  "content-type": "application/json",
});

describe("recordings API", () => {
  it("lists recordings with files, linked to the class, filtered", async () => {
    const res = await call("/v1/recordings?classId=class-1&status=archived", {
      headers: await as("teacher"),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      recordings: { id: string; classId: string; files: Record<string, unknown>[] }[];
    };
    expect(body.recordings).toHaveLength(1);
    expect(body.recordings[0]).toMatchObject({ id: recordingId, classId: "class-1", meetingId });
    expect(body.recordings[0]?.files[0]).toMatchObject({
      status: "archived",
      sha256: expect.any(String),
      archivedAt: expect.any(String),
    });
    const none = await call("/v1/recordings?status=failed", { headers: await as("admin") });
    expect(((await none.json()) as { recordings: unknown[] }).recordings).toHaveLength(0);
    const future = await call(`/v1/recordings?from=${new Date(Date.now() + 86_400_000).toISOString()}`, {
      headers: await as("admin"),
    });
    expect(((await future.json()) as { recordings: unknown[] }).recordings).toHaveLength(0);
    expect((await call("/v1/recordings?from=yesterday", { headers: await as("admin") })).status).toBe(400);
    expect((await call("/v1/recordings?status=done", { headers: await as("admin") })).status).toBe(400);
    expect((await call("/v1/recordings")).status).toBe(401);
  });

  it("keeps tenants apart", async () => {
    const other = await as("admin", "tenant-b");
    expect(
      ((await (await call("/v1/recordings", { headers: other })).json()) as { recordings: unknown[] })
        .recordings,
    ).toHaveLength(0);
    expect((await call(`/v1/recordings/${recordingId}`, { headers: other })).status).toBe(404);
    expect((await call(`/v1/recordings/${recordingId}`, { method: "DELETE", headers: other })).status).toBe(
      404,
    );
    expect(
      (await call(`/v1/recordings/${recordingId}/retry`, { method: "POST", headers: other })).status,
    ).toBe(404);
    expect((await fileRows()).every((f) => f.status === "archived")).toBe(true);
  });

  it("retries failed files", async () => {
    await env.DB.prepare(
      "UPDATE recording_files SET status='failed', error='boom' WHERE file_type='CHAT'",
    ).run();
    expect(
      (await call(`/v1/recordings/${recordingId}/retry`, { method: "POST", headers: await as("student") }))
        .status,
    ).toBe(403);
    const res = await callWithQueue(`/v1/recordings/${recordingId}/retry`, {
      method: "POST",
      headers: await as("teacher"),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ enqueued: 1 });
    expect(queue.messages).toHaveLength(1);
    await drain();
    expect((await fileRows()).map((f) => f.status)).toEqual(["archived", "archived"]);
  });

  it("deletes the archive copy; from Zoom only when fully archived", async () => {
    await env.DB.prepare("UPDATE recording_files SET status='failed' WHERE file_type='CHAT'").run();
    const refused = await call(`/v1/recordings/${recordingId}?fromZoom=true`, {
      method: "DELETE",
      headers: await as("admin"),
    });
    expect(refused.status).toBe(409);
    expect((await fileRows()).length).toBe(2);
    expect((await env.RECORDINGS.list({ prefix: "tenants/" })).objects.length).toBe(2);
    expect((await stats()).requests["recordings.delete"] ?? 0).toBe(0);
    await env.DB.prepare("UPDATE recording_files SET status='archived' WHERE file_type='CHAT'").run();
    expect(
      (await call(`/v1/recordings/${recordingId}`, { method: "DELETE", headers: await as("teacher") }))
        .status,
    ).toBe(403);
    const res = await call(`/v1/recordings/${recordingId}?fromZoom=true`, {
      method: "DELETE",
      headers: await as("admin"),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ trashedInZoom: true, objectsDeleted: 2 });
    expect((await env.RECORDINGS.list({ prefix: "tenants/" })).objects.length).toBe(0);
    expect(await fileRows()).toHaveLength(0);
    const audit = await env.DB.prepare(
      "SELECT action, actor FROM audit_log WHERE action LIKE 'recording.%' ORDER BY id",
    ).all();
    expect(audit.results).toEqual([
      { action: "recording.deleted_from_zoom", actor: "admin-1" },
      { action: "recording.deleted", actor: "admin-1" },
    ]);
  });

  it("archive policy: validated, admin only, stored in the tenant settings", async () => {
    const put = (body: unknown, role = "admin") =>
      as(role).then((headers) =>
        call("/v1/zoom/archive-policy", { method: "PUT", headers, body: JSON.stringify(body) }),
      );
    expect((await put({ deleteFromZoom: "when-storage-above" })).status).toBe(400);
    expect((await put({ deleteFromZoom: "sometimes" })).status).toBe(400);
    expect((await put({ deleteFromZoom: "never", extra: 1 })).status).toBe(400);
    expect((await put({ deleteFromZoom: "after-archive" }, "teacher")).status).toBe(403);
    const settings = async () =>
      (await env.DB.prepare("SELECT settings FROM tenants WHERE id=?").bind(T).first())?.settings;
    expect(JSON.parse(String((await settings()) ?? "{}")).archivePolicy).toBeUndefined();
    expect((await put({ deleteFromZoom: "when-storage-above", storageThresholdPercent: 70 })).status).toBe(
      200,
    );
    expect(JSON.parse(String(await settings())).archivePolicy).toEqual({
      deleteFromZoom: "when-storage-above",
      storageThresholdPercent: 70,
    });
    const got = await call("/v1/zoom/archive-policy", { headers: await as("admin") });
    expect(await got.json()).toEqual({ deleteFromZoom: "when-storage-above", storageThresholdPercent: 70 });
  });
});
