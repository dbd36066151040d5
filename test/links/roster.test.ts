// The ClassRoster object that answers join clicks from memory: revocations seen by the very next
// click (also while many clicks run and while the snapshot reloads), and every writer of a class's
// click state (scheduling routes, meeting.* webhooks, minting) seen without waiting for the TTL.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { api, clearTables } from "../helpers/api.ts";
import { BASE, call } from "../helpers/app.ts";
import { addTeacherThroughApi, createClass, type TestClass } from "../helpers/classes.ts";
import { bearer } from "../helpers/jwt.ts";
import { deliver, emulator, linkZoom, outbox, resetEmulator, stats } from "../helpers/zoom.ts";

let ipCounter = 0;
let ip = "";

const click = async (url: string) => {
  const res = await call(url.startsWith(BASE) ? url.slice(BASE.length) : url, {
    redirect: "manual",
    headers: { "cf-connecting-ip": ip },
  });
  await res.body?.cancel();
  return res.status;
};

async function joinLinks(cls: Pick<TestClass, "tenant" | "classId">, ids = ["stu-1", "stu-2"]) {
  const res = await api<{ links: { studentId: string; url: string }[] }>(
    "POST",
    `/v1/classes/${cls.classId}/join-links`,
    { students: ids.map((id) => ({ id, name: `Student ${id}` })) },
    { tenant: cls.tenant },
  );
  expect(res.status).toBe(200);
  return Object.fromEntries(res.body.links.map((l) => [l.studentId, l.url]));
}

const revoke = async (cls: TestClass, studentId?: string) =>
  (
    await call(`/v1/classes/${cls.classId}/join-links${studentId ? `/${studentId}` : ""}`, {
      method: "DELETE",
      headers: await bearer({ tenant: cls.tenant, role: "admin", sub: "admin-1" }),
    })
  ).status;

beforeEach(async () => {
  ip = `192.0.2.${++ipCounter}`;
  await resetEmulator();
  await clearTables();
});

describe("revocation through the roster object", () => {
  it("refuses a revoked link on the very next click, once the object has the class in memory", async () => {
    const cls = await createClass("tenant-a");
    const links = await joinLinks(cls);
    // Warm: the object now answers from its snapshot.
    expect(await click(links["stu-1"] ?? "")).toBe(302);
    expect(await click(links["stu-2"] ?? "")).toBe(302);
    expect(await revoke(cls, "stu-1")).toBe(204);
    expect(await click(links["stu-1"] ?? "")).toBe(410);
    expect(await click(links["stu-2"] ?? "")).toBe(302);
    expect(await revoke(cls)).toBe(204);
    expect(await click(links["stu-2"] ?? "")).toBe(410);
    const stored = await env.DB.prepare(
      "SELECT student_id FROM link_revocations WHERE class_id = ? ORDER BY student_id",
    )
      .bind(cls.classId)
      .all<{ student_id: string }>();
    expect(stored.results.map((r) => r.student_id)).toEqual(["*", "stu-1"]);
  });

  it("lets no click that starts after the revocation answered through, with clicks in flight", async () => {
    const cls = await createClass("tenant-a");
    const links = await joinLinks(cls);
    const url = links["stu-1"] ?? "";
    expect(await click(url)).toBe(302);
    const during = Array.from({ length: 20 }, () => click(url));
    expect(await revoke(cls, "stu-1")).toBe(204);
    const after = await Promise.all(Array.from({ length: 20 }, () => click(url)));
    expect(after.every((s) => s === 410)).toBe(true);
    // Clicks that raced the revocation may go either way, but each gets a clear answer.
    for (const s of await Promise.all(during)) expect([302, 410]).toContain(s);
  });

  it("keeps a revocation when a reload reads D1 from before it (the memory only ever rises)", async () => {
    const cls = await createClass("tenant-a");
    const links = await joinLinks(cls);
    expect(await click(links["stu-1"] ?? "")).toBe(302);
    expect(await revoke(cls, "stu-1")).toBe(204);
    // A snapshot read that missed the row (it raced the write) must not bring the link back.
    await env.DB.prepare("DELETE FROM link_revocations").run();
    await env.CLASS_ROSTER.getByName(`${cls.tenant}/${cls.classId}`).changed();
    expect(await click(links["stu-1"] ?? "")).toBe(410);
  });

  it("scopes objects by tenant: revoking in one tenant leaves the same class id of another open", async () => {
    const a = await createClass("tenant-a", { classId: "shared-id" });
    // One Zoom account links to one tenant: tenant-b's class row uses the same meeting.
    const b = await createClass("tenant-b", { classId: "shared-id", link: false });
    const linksA = await joinLinks(a);
    const linksB = await joinLinks(b);
    expect(await revoke(a)).toBe(204);
    expect(await click(linksA["stu-1"] ?? "")).toBe(410);
    expect(await click(linksB["stu-1"] ?? "")).toBe(302);
  });
});

describe("writers of the click state", () => {
  it("sees a re-minted roster at once: a student added after the snapshot gets their name", async () => {
    const cls = await createClass("tenant-a");
    const first = await joinLinks(cls, ["stu-1"]);
    expect(await click(first["stu-1"] ?? "")).toBe(302);
    const more = await joinLinks(cls, ["stu-3"]);
    const res = await call((more["stu-3"] ?? "").slice(BASE.length), {
      redirect: "manual",
      headers: { "cf-connecting-ip": ip },
    });
    expect(new URL(res.headers.get("location") ?? "").searchParams.get("uname")).toBe("Student stu-3");
  });

  it("sees meeting.started and meeting.deleted webhooks on the next click", async () => {
    const cls = await createClass("tenant-a", { startTime: Date.now() + 3 * 3600_000 });
    const links = await joinLinks(cls);
    const url = links["stu-1"] ?? "";
    expect(await click(url)).toBe(200); // waiting page
    await emulator(`/meetings/${cls.meetingId}/simulate`, { participants: [], durationMinutes: 30 });
    const started = (await outbox()).find((d) => d.event === "meeting.started");
    if (!started) throw new Error("no meeting.started");
    await deliver(started);
    expect(await click(url)).toBe(302);

    const token = (await stats()).validTokens.access.at(-1);
    const del = await fetch(`https://api.zoom.us/v2/meetings/${cls.meetingId}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(del.status).toBe(204);
    const deleted = (await outbox()).find((d) => d.event === "meeting.deleted");
    if (!deleted) throw new Error("no meeting.deleted");
    await deliver(deleted);
    expect(await click(url)).toBe(410);
  });

  it("sees a class deleted through DELETE /v1/classes/{classId}/meeting on the next click", async () => {
    expect((await linkZoom("tenant-a")).status).toBeLessThan(400);
    await addTeacherThroughApi();
    const put = await api("PUT", "/v1/classes/c-roster/meeting", {
      teacherId: "t-1",
      topic: "Algebra",
      startTime: new Date(Date.now() + 5 * 60_000).toISOString(),
      durationMinutes: 60,
      registration: false,
    });
    expect(put.status).toBe(201);
    const links = await joinLinks({ tenant: "tenant-a", classId: "c-roster" });
    expect(await click(links["stu-1"] ?? "")).toBe(302);
    expect((await api("DELETE", "/v1/classes/c-roster/meeting")).status).toBe(204);
    expect(await click(links["stu-1"] ?? "")).toBe(410);
  });
});
