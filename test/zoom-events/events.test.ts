// Changes made in Zoom itself reach the product through webhooks: an invitation accepted, a meeting
// changed or deleted in Zoom's web portal, recordings trashed, deleted or recovered, hosts
// deactivated or removed, a transcript finished later. Duplicated and reordered deliveries (Zoom
// retries three times) change nothing twice.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { api, rows } from "../helpers/api.ts";
import { clearArchive, deliverTo, drain, fileRows, queue } from "../helpers/archive.ts";
import { createClass } from "../helpers/classes.ts";
import { type Delivery, deliver, emulator, linkZoom, outbox, resetEmulator, stats } from "../helpers/zoom.ts";

const TEACHER_1 = "Tq1vN7yUQiK2bXcE4sHf9w";

async function zoomApi(path: string, init: { method?: string; body?: unknown } = {}) {
  // The admin acting in Zoom's web portal, not the app: no app scope limits what they can do.
  const token = (await emulator<{ access_token: string }>("/portal-token", {})).access_token;
  const res = await fetch(`https://api.zoom.us/v2${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res;
}

const clearOutbox = () => emulator("/webhooks", undefined, "DELETE");
const duplicate = async (d: Delivery) =>
  (await emulator<{ delivery: Delivery }>(`/webhooks/${d.id}/duplicate`)).delivery;
const audits = (action: string) =>
  rows<{ actor: string; details: string }>(
    "SELECT actor, details FROM audit_log WHERE action = ? ORDER BY id",
    action,
  );
const classRow = async (classId: string) =>
  (await rows<Record<string, unknown>>("SELECT * FROM classes WHERE class_id = ?", classId))[0];

beforeEach(async () => {
  await resetEmulator();
  await clearArchive();
});

it("an invited teacher who accepts becomes active without a sync", async () => {
  await linkZoom("tenant-a");
  const created = await api<{ zoomUserId: string; status: string }>("POST", "/v1/teachers", {
    wiseUserId: "t-1",
    email: "invitee@school-a.example",
    firstName: "Ina",
    lastName: "Vitee",
    licensed: false,
  });
  expect(created.body.status).toBe("pending");
  await clearOutbox();
  await emulator(`/users/${created.body.zoomUserId}/accept`);
  const [accepted] = await outbox();
  expect(accepted?.event).toBe("user.invitation_accepted");
  const before = (await stats()).requests["users.list"] ?? 0;
  expect((await deliver(accepted as Delivery)).status).toBe(200);
  const list = await api<{ teachers: { wiseUserId: string; status: string; zoomUserId: string }[] }>(
    "GET",
    "/v1/teachers",
  );
  expect(list.body.teachers.find((t) => t.wiseUserId === "t-1")).toMatchObject({
    status: "active",
    zoomUserId: created.body.zoomUserId,
  });
  expect((await stats()).requests["users.list"] ?? 0).toBe(before);
});

describe("meetings changed in Zoom's web portal", () => {
  it("the class follows, each change is audited once, and a reordered or duplicated update changes nothing", async () => {
    const cls = await createClass("tenant-a");
    await clearOutbox();
    await emulator(`/meetings/${cls.meetingId}/edit`, { topic: "Geometry" });
    await emulator(`/meetings/${cls.meetingId}/edit`, { duration: 90, start_time: "2026-12-24T09:00:00Z" });
    const [first, second] = await outbox();
    if (!first || !second) throw new Error("two meeting.updated expected");
    expect([first.event, second.event]).toEqual(["meeting.updated", "meeting.updated"]);

    // The later change arrives first.
    await emulator("/webhooks/reorder", { ids: [second.id, first.id] });
    const [early, late] = await outbox();
    await deliver(early as Delivery);
    const row = await classRow(cls.classId);
    expect(row).toMatchObject({
      topic: "Geometry",
      duration_minutes: 90,
      start_time: Date.parse("2026-12-24T09:00:00Z"),
    });
    const audited = await audits("class.updated_in_zoom");
    expect(audited).toHaveLength(1);
    expect(audited[0]?.actor).toBe("zoom");
    expect(JSON.parse(audited[0]?.details ?? "{}")).toMatchObject({
      classId: cls.classId,
      changed: { topic: { from: "Algebra", to: "Geometry" }, durationMinutes: { from: 60, to: 90 } },
    });

    // The older change, late, and Zoom's duplicate of the newer one: nothing changes, nothing is audited.
    await deliver(late as Delivery);
    await deliver(await duplicate(early as Delivery));
    expect(await classRow(cls.classId)).toEqual(row);
    expect(await audits("class.updated_in_zoom")).toHaveLength(1);

    // A newer change still applies.
    await clearOutbox();
    await emulator(`/meetings/${cls.meetingId}/edit`, { topic: "Physics" });
    await deliver((await outbox())[0] as Delivery);
    expect((await classRow(cls.classId))?.topic).toBe("Physics");
    expect(await audits("class.updated_in_zoom")).toHaveLength(2);
    const seen = await api<{ topic: string; durationMinutes: number }>(
      "GET",
      `/v1/classes/${cls.classId}/meeting`,
    );
    expect(seen.body).toMatchObject({ topic: "Physics", durationMinutes: 90 });
  });

  it("a meeting deleted in Zoom marks the class deleted, audited once however often it arrives", async () => {
    const cls = await createClass("tenant-a");
    await clearOutbox();
    await zoomApi(`/meetings/${cls.meetingId}`, { method: "DELETE" });
    const [deleted] = await outbox();
    expect(deleted?.event).toBe("meeting.deleted");
    await deliver(deleted as Delivery);
    await deliver(await duplicate(deleted as Delivery));
    expect((await classRow(cls.classId))?.status).toBe("deleted");
    expect(await audits("class.deleted_in_zoom")).toHaveLength(1);
  });
});

describe("hosts deactivated or removed in Zoom", () => {
  it("flags the host's classes in the API, and reactivation clears the flag", async () => {
    const cls = await createClass("tenant-a");
    await rows("UPDATE classes SET host_zoom_user_id = ? WHERE class_id = ?", TEACHER_1, cls.classId);
    const hostIssue = async () =>
      (await api<{ hostIssue: string | null }>("GET", `/v1/classes/${cls.classId}/meeting`)).body.hostIssue;
    expect(await hostIssue()).toBeNull();

    await clearOutbox();
    await zoomApi(`/users/${TEACHER_1}/status`, { method: "PUT", body: { action: "deactivate" } });
    const [deactivated] = await outbox();
    await deliver(deactivated as Delivery);
    await deliver(await duplicate(deactivated as Delivery));
    expect(await hostIssue()).toBe("host_deactivated");
    expect(await audits("class.host_flagged")).toHaveLength(1);

    await clearOutbox();
    await zoomApi(`/users/${TEACHER_1}/status`, { method: "PUT", body: { action: "activate" } });
    await deliver((await outbox())[0] as Delivery);
    expect(await hostIssue()).toBeNull();

    await clearOutbox();
    await zoomApi(`/users/${TEACHER_1}`, { method: "DELETE" });
    const [removed] = await outbox();
    expect(removed?.event).toBe("user.disassociated");
    await deliver(removed as Delivery);
    expect(await hostIssue()).toBe("host_removed");
    expect(await audits("class.host_flagged")).toHaveLength(2);

    // The admin gives the class to another teacher: a new meeting, a new host, no flag.
    await rows(
      "INSERT INTO teachers (tenant_id, wise_user_id, zoom_user_id, email, status, licensed) VALUES ('tenant-a', 't-owner', 'Qm3tWgkXRSmZ0aW1Jp7dAA', 'owner@school-a.example', 'active', 1)",
    );
    const moved = await api<{ hostIssue: string | null; status: string }>(
      "PUT",
      `/v1/classes/${cls.classId}/meeting`,
      {
        teacherId: "t-owner",
        topic: "Algebra",
        startTime: new Date(Date.now() + 86_400_000).toISOString(),
        durationMinutes: 60,
        registration: false,
      },
    );
    expect(moved.status).toBeLessThan(300);
    expect(moved.body.hostIssue).toBeNull();
  });
});

it("a deactivation delivered after the reactivation that followed it changes nothing", async () => {
  const cls = await createClass("tenant-a");
  await rows("UPDATE classes SET host_zoom_user_id = ? WHERE class_id = ?", TEACHER_1, cls.classId);
  await rows(
    "INSERT INTO teachers (tenant_id, wise_user_id, zoom_user_id, email, status, licensed) VALUES ('tenant-a', 't-1', ?, 'teacher1@school-a.example', 'active', 1)",
    TEACHER_1,
  );
  await clearOutbox();
  await zoomApi(`/users/${TEACHER_1}/status`, { method: "PUT", body: { action: "deactivate" } });
  await zoomApi(`/users/${TEACHER_1}/status`, { method: "PUT", body: { action: "activate" } });
  const [deactivated, activated] = await outbox();
  expect([deactivated?.event, activated?.event]).toEqual(["user.deactivated", "user.activated"]);
  await deliver(activated as Delivery);
  await deliver(deactivated as Delivery);
  expect(await rows("SELECT status FROM teachers")).toEqual([{ status: "active" }]);
  expect(
    (await api<{ hostIssue: string | null }>("GET", `/v1/classes/${cls.classId}/meeting`)).body.hostIssue,
  ).toBeNull();
  expect(await audits("class.host_flagged")).toHaveLength(0);
});

describe("recordings changed in Zoom", () => {
  it("trashed, recovered and deleted in Zoom: the archive keeps its copy and records each once", async () => {
    const cls = await createClass("tenant-a", { startTime: Date.now() - 3600_000 });
    const sim = await emulator<{ uuid: string }>(`/meetings/${cls.meetingId}/simulate`, {
      recording: { files: [{ fileType: "MP4", sample: true }] },
    });
    await deliverTo((await outbox()).find((d) => d.event === "recording.completed") as Delivery);
    await drain();
    const [file] = await fileRows();
    expect(file?.status).toBe("archived");
    const uuid = encodeURIComponent(encodeURIComponent(sim.uuid));
    const state = async () =>
      (await rows<{ zoom_state: string }>("SELECT zoom_state FROM recordings"))[0]?.zoom_state;

    for (const [call, event, expected] of [
      [
        () => zoomApi(`/meetings/${uuid}/recordings?action=trash`, { method: "DELETE" }),
        "recording.trashed",
        "trashed",
      ],
      [
        () => zoomApi(`/meetings/${uuid}/recordings/status`, { method: "PUT", body: { action: "recover" } }),
        "recording.recovered",
        "active",
      ],
      [
        () => zoomApi(`/meetings/${uuid}/recordings?action=delete`, { method: "DELETE" }),
        "recording.deleted",
        "deleted",
      ],
    ] as const) {
      await clearOutbox();
      await call();
      const [d] = await outbox();
      expect(d?.event).toBe(event);
      await deliverTo(d as Delivery);
      await deliverTo(await duplicate(d as Delivery));
      expect(await state()).toBe(expected);
    }
    const audited = await audits("recording.changed_in_zoom");
    expect(audited.map((a) => JSON.parse(a.details).zoomState)).toEqual(["trashed", "active", "deleted"]);
    expect(await env.RECORDINGS.head(file?.r2_key ?? "")).not.toBeNull();
    expect((await fileRows())[0]?.status).toBe("archived");
  });
});

it("a trash and a recovery delivered in reverse order leave the recording as Zoom has it", async () => {
  const cls = await createClass("tenant-a", { startTime: Date.now() - 3600_000 });
  const sim = await emulator<{ uuid: string }>(`/meetings/${cls.meetingId}/simulate`, {
    recording: { files: [{ fileType: "MP4", sample: true }] },
  });
  await deliverTo((await outbox()).find((d) => d.event === "recording.completed") as Delivery);
  const uuid = encodeURIComponent(encodeURIComponent(sim.uuid));
  await clearOutbox();
  await zoomApi(`/meetings/${uuid}/recordings?action=trash`, { method: "DELETE" });
  await new Promise((r) => setTimeout(r, 5)); // distinct event times
  await zoomApi(`/meetings/${uuid}/recordings/status`, { method: "PUT", body: { action: "recover" } });
  const [trashed, recovered] = await outbox();
  expect([trashed?.event, recovered?.event]).toEqual(["recording.trashed", "recording.recovered"]);
  await deliverTo(recovered as Delivery);
  await deliverTo(trashed as Delivery);
  expect(await rows("SELECT zoom_state FROM recordings")).toEqual([{ zoom_state: "active" }]);
  expect(await audits("recording.changed_in_zoom")).toHaveLength(0);
});

it("recording.transcript_completed records the transcript for archiving like recording.completed", async () => {
  const cls = await createClass("tenant-a", { startTime: Date.now() - 3600_000 });
  const sim = await emulator<{ uuid: string }>(`/meetings/${cls.meetingId}/simulate`, {
    recording: {
      files: [{ fileType: "MP4", sample: true }, { fileType: "TRANSCRIPT" }],
      transcriptLater: true,
    },
  });
  await deliverTo((await outbox()).find((d) => d.event === "recording.completed") as Delivery);
  await drain();
  expect((await fileRows()).map((f) => f.file_type)).toEqual(["MP4"]);

  await clearOutbox();
  await emulator(`/recordings/${encodeURIComponent(sim.uuid)}/transcript`);
  const [transcript] = await outbox();
  expect(transcript?.event).toBe("recording.transcript_completed");
  await deliverTo(transcript as Delivery);
  expect(queue.messages).toHaveLength(1);
  await deliverTo(await duplicate(transcript as Delivery));
  expect(queue.messages).toHaveLength(1);
  await drain();
  expect((await fileRows()).map((f) => [f.file_type, f.status])).toEqual([
    ["MP4", "archived"],
    ["TRANSCRIPT", "archived"],
  ]);
});
