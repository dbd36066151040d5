// The whole story as Wise sees it through outbound events: an admin links Zoom, a teacher accepts
// Zoom's invitation, a class runs and is recorded, the recording is archived, the admin unlinks.
// The receiver (the emulator's, verifying with the standardwebhooks library) gets each event once.
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { beforeEach, expect, it } from "vitest";
import { EVENT_TYPES } from "../../src/events/catalogue.ts";
import { api, rows } from "../helpers/api.ts";
import { callWithQueue, clearArchive, drain, queue } from "../helpers/archive.ts";
import { createClass } from "../helpers/classes.ts";
import { clearReceiver, type Received, received, subscribe } from "../helpers/events.ts";
import { bearer } from "../helpers/jwt.ts";
import { type Delivery, deliver, emulator, linkZoom, outbox, resetEmulator } from "../helpers/zoom.ts";

const T = "tenant-a";

beforeEach(async () => {
  await resetEmulator();
  await clearArchive();
  await clearReceiver();
});

const clearOutbox = () => emulator("/webhooks", undefined, "DELETE");

async function deliverAll() {
  for (const d of await outbox()) expect((await deliver(d as Delivery, { queue })).status).toBe(200);
  await clearOutbox();
  await drain();
}

it("link, teacher, class, recording archived, unlink: each event reaches Wise once, verified", async () => {
  const { secret } = await subscribe(T, "wise", EVENT_TYPES);
  expect((await linkZoom(T)).status).toBe(200);

  const teacher = await api<{ zoomUserId: string; status: string }>("POST", "/v1/teachers", {
    wiseUserId: "t-1",
    email: "teacher@school-a.example",
    firstName: "Tess",
    lastName: "Cher",
    licensed: false,
  });
  expect(teacher.body.status).toBe("pending");
  await clearOutbox();
  await emulator(`/users/${teacher.body.zoomUserId}/accept`);
  await deliverAll();

  const cls = await createClass(T, { link: false, teacherId: "t-1" });
  await clearOutbox();
  await emulator(`/meetings/${cls.meetingId}/simulate`, {
    participants: [{ name: "Ada" }, { name: "Grace" }],
    durationMinutes: 30,
    recording: { files: [{ fileType: "MP4", sample: true }, { fileType: "CHAT" }] },
  });
  await deliverAll();
  // Every file is in the archive, so recording.archived was written with the last one.
  expect((await rows("SELECT status FROM recording_files")).every((r) => r.status === "archived")).toBe(true);

  const unlinked = await callWithQueue("/v1/zoom/link", {
    method: "DELETE",
    headers: await bearer({ tenant: T, role: "admin", sub: "admin-1" }),
  });
  expect(unlinked.status).toBe(204);
  // The ZoomAccount object dispatched through its own Queue binding; run the fan-out here as well
  // (whichever runs first sends, the other finds nothing to do).
  for (const { id } of await rows<{ id: string }>(
    "SELECT id FROM outbound_events WHERE type = 'zoom.link.unlinked'",
  )) {
    await queue.send({ kind: "event-fanout", eventId: id });
  }
  await drain();
  let got: Received[] = [];
  for (let i = 0; i < 50; i++) {
    got = await received("wise");
    if (got.some((r) => r.type === "zoom.link.unlinked")) break;
    await new Promise((r) => setTimeout(r, 200));
  }

  const types = got.map((r) => r.type).sort();
  expect(types).toEqual(
    [
      "class.ended",
      "class.started",
      "recording.archived",
      "teacher.status_changed",
      "zoom.link.unlinked",
    ].sort(),
  );
  const ids = got.map((r) => r.webhookId);
  expect(new Set(ids).size).toBe(ids.length);
  const byType = new Map<string, { id: string; data: Record<string, unknown> }>();
  for (const r of got) {
    expect(r.verifiedSecrets).toBe(1);
    const body = new Webhook(secret).verify(r.body, {
      "webhook-id": r.webhookId ?? "",
      "webhook-timestamp": r.timestamp ?? "",
      "webhook-signature": r.signature ?? "",
    }) as { id: string; type: string; data: Record<string, unknown> };
    expect(body.id).toBe(r.webhookId);
    byType.set(body.type, body);
  }
  expect(byType.get("teacher.status_changed")?.data).toMatchObject({
    teacherId: "t-1",
    previousStatus: "pending",
    status: "active",
  });
  expect(byType.get("class.started")?.data).toMatchObject({
    classId: cls.classId,
    zoomMeetingId: cls.meetingId,
  });
  expect(byType.get("class.ended")?.data).toMatchObject({
    classId: cls.classId,
    // The host and the two students.
    attendance: { participants: 3, complete: true, route: `/v1/classes/${cls.classId}/sessions` },
  });
  const archived = byType.get("recording.archived")?.data as {
    classId: string;
    files: { fileType: string; sizeBytes: number; playbackLinkRoute: string }[];
    totalBytes: number;
  };
  expect(archived.classId).toBe(cls.classId);
  expect(archived.files.map((f) => f.fileType).sort()).toEqual(["CHAT", "MP4"]);
  expect(archived.totalBytes).toBe(archived.files.reduce((n, f) => n + f.sizeBytes, 0));
  expect(archived.files[0]?.playbackLinkRoute).toMatch(/^\/v1\/recordings\/files\/[^/]+\/playback-link$/);
  expect(byType.get("zoom.link.unlinked")?.data).toMatchObject({ by: "admin", actor: "admin-1" });

  // Every delivery is recorded as delivered, once.
  const deliveries = await env.DB.prepare("SELECT status, attempts FROM event_deliveries").all();
  expect(deliveries.results).toHaveLength(5);
  for (const d of deliveries.results) expect(d).toMatchObject({ status: "delivered", attempts: 1 });
});
