// Who sees and plays which recordings: students only those of classes they are on the roster of,
// teachers those of their own classes, admins all; revoking a student from a class ends their
// playback links of that class.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type As, api } from "../helpers/api.ts";
import { call } from "../helpers/app.ts";
import { clearArchive, deliverTo, drain, recordedMeeting } from "../helpers/archive.ts";
import { linkZoom, resetEmulator } from "../helpers/zoom.ts";

const T = "tenant-a";
const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();

interface Recorded {
  classId: string;
  teacherId: string;
  recordingId: string;
  fileId: string;
}
const classes: Recorded[] = [];
const [A, B] = [0, 1] as const;
const cls = (i: number) => classes[i] as Recorded;

const student = (sub: string): As => ({ role: "student", sub });
const teacher = (sub: string): As => ({ role: "teacher", sub });

/** A class of the tenant with a recorded, archived meeting. */
async function recordedClass(classId: string, teacherId: string): Promise<Recorded> {
  const rec = await recordedMeeting(T, [{ fileType: "MP4", sample: true }]);
  await env.DB.prepare(
    "INSERT INTO classes (tenant_id, class_id, teacher_id, zoom_account_id, zoom_meeting_id, topic, start_time, duration_minutes, registration, auto_recording, status) VALUES (?, ?, ?, 'emuAcctA1', ?, 'Algebra', 0, 45, 0, 'cloud', 'ended')",
  )
    .bind(T, classId, teacherId, rec.meetingId)
    .run();
  await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
  await drain();
  const row = await env.DB.prepare("SELECT id FROM recordings WHERE class_id = ?")
    .bind(classId)
    .first<{ id: string }>();
  return { classId, teacherId, recordingId: row?.id ?? "", fileId: rec.files[0]?.id ?? "" };
}

async function roster(classId: string, ...studentIds: string[]) {
  const res = await api("POST", `/v1/classes/${classId}/join-links`, {
    students: studentIds.map((id) => ({ id, name: `Student ${id}` })),
    expiresAt,
  });
  expect(res.status).toBe(200);
}

const listed = async (as: As) => {
  const res = await api<{ recordings: { id: string }[] }>("GET", "/v1/recordings", undefined, as);
  expect(res.status).toBe(200);
  return res.body.recordings.map((r) => r.id).sort();
};

async function playbackLink(fileId: string, as: As) {
  return api<{ url: string; type?: string; code?: string }>(
    "POST",
    `/v1/recordings/files/${encodeURIComponent(fileId)}/playback-link`,
    undefined,
    as,
  );
}

async function play(url: string) {
  const res = await call(new URL(url).pathname, { headers: { range: "bytes=0-9" } });
  await res.body?.cancel();
  return res.status;
}

beforeAll(async () => {
  await resetEmulator();
  await clearArchive();
  expect((await linkZoom(T)).status).toBe(200);
  classes.push(await recordedClass("class-a", "t-a"), await recordedClass("class-b", "t-b"));
  expect(classes.every((c) => c.recordingId && c.fileId)).toBe(true);
  await roster(cls(A).classId, "s-1", "s-2", "s-3");
  await roster(cls(B).classId, "s-9");
});

describe("recordings by role", () => {
  it("lists and reads for a student only the recordings of classes they are on the roster of", async () => {
    expect(await listed(student("s-1"))).toEqual([cls(A).recordingId]);
    expect(await listed(student("s-9"))).toEqual([cls(B).recordingId]);
    expect(await listed(student("nobody"))).toEqual([]);
    // Asking by class gives nothing of another class.
    const other = await api<{ recordings: unknown[] }>(
      "GET",
      `/v1/recordings?classId=${cls(B).classId}`,
      undefined,
      student("s-1"),
    );
    expect(other.body.recordings).toEqual([]);
    const one = await api("GET", `/v1/recordings/${cls(B).recordingId}`, undefined, student("s-1"));
    expect(one.status).toBe(403);
    expect(one.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect((await api("GET", `/v1/recordings/${cls(A).recordingId}`, undefined, student("s-1"))).status).toBe(
      200,
    );
  });

  it("lets a teacher see only their classes' recordings, and an admin all", async () => {
    expect(await listed(teacher("t-a"))).toEqual([cls(A).recordingId]);
    expect(await listed(teacher("t-b"))).toEqual([cls(B).recordingId]);
    expect(await listed(teacher("t-other"))).toEqual([]);
    expect(await listed({ role: "admin" })).toEqual([cls(A).recordingId, cls(B).recordingId].sort());
    expect((await api("GET", `/v1/recordings/${cls(B).recordingId}`, undefined, teacher("t-a"))).status).toBe(
      403,
    );
    const retry = await api("POST", `/v1/recordings/${cls(B).recordingId}/retry`, undefined, teacher("t-a"));
    expect(retry.status).toBe(403);
    const file = await playbackLink(cls(B).fileId, teacher("t-a"));
    expect(file.status).toBe(403);
    expect((await playbackLink(cls(B).fileId, teacher("t-b"))).status).toBe(200);
  });

  it("refuses a student a playback link for another class's file", async () => {
    const refused = await playbackLink(cls(B).fileId, student("s-1"));
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("forbidden");
    expect(refused.headers.get("content-type")).toMatch(/application\/problem\+json/);
    expect((await playbackLink(cls(B).fileId, student("nobody"))).status).toBe(403);
    const own = await playbackLink(cls(A).fileId, student("s-1"));
    expect(own.status).toBe(200);
    expect(await play(own.body.url)).toBe(206);
  });
});

describe("revocation ends playback", () => {
  it("refuses a revoked student's older playback link, and lets them back in only when re-rostered", async () => {
    const { classId, fileId } = cls(A);
    const before = await playbackLink(fileId, student("s-2"));
    const bystander = await playbackLink(fileId, student("s-3"));
    const admin = await playbackLink(fileId, { role: "admin" });
    expect([before.status, bystander.status, admin.status]).toEqual([200, 200, 200]);
    expect(await play(before.body.url)).toBe(206);

    const del = await api("DELETE", `/v1/classes/${classId}/join-links/s-2`);
    expect(del.status, JSON.stringify(del.body)).toBe(204);
    const res = await call(new URL(before.body.url).pathname);
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    await res.body?.cancel();
    // Off the class: nothing listed, no new link.
    expect(await listed(student("s-2"))).toEqual([]);
    expect((await playbackLink(fileId, student("s-2"))).status).toBe(403);
    // The others of the class, and the admin, keep playing.
    expect(await play(bystander.body.url), "bystander").toBe(206);
    expect(await play(admin.body.url), "admin").toBe(206);

    // Put back on the roster: a new link plays; the old one stays refused.
    await new Promise((r) => setTimeout(r, 5));
    await roster(classId, "s-2");
    expect(await listed(student("s-2"))).toEqual([cls(A).recordingId]);
    const after = await playbackLink(fileId, student("s-2"));
    expect(after.status).toBe(200);
    expect(await play(after.body.url)).toBe(206);
    expect(await play(before.body.url)).toBe(403);
  });

  it("refuses every student's older playback link after the whole class's links are revoked", async () => {
    const { classId, fileId } = cls(B);
    const s9 = await playbackLink(fileId, student("s-9"));
    const teacherLink = await playbackLink(fileId, teacher("t-b"));
    const otherClass = await playbackLink(cls(A).fileId, student("s-1"));
    expect(await play(s9.body.url)).toBe(206);
    expect((await api("DELETE", `/v1/classes/${classId}/join-links`)).status).toBe(204);
    expect(await play(s9.body.url)).toBe(403);
    expect(await listed(student("s-9"))).toEqual([]);
    expect((await playbackLink(fileId, student("s-9"))).status).toBe(403);
    // The class's teacher is not on its roster, and other classes are untouched.
    expect(await play(teacherLink.body.url)).toBe(206);
    expect(await play(otherClass.body.url)).toBe(206);
  });
});
