// Teachers through /v1/teachers against the Zoom emulator: create or adopt, licenses and seats,
// settings, removal, sync, user.* webhooks, and every bad input and Zoom refusal the issue names.
import { beforeEach, describe, expect, it } from "vitest";
import { api, clearTables, count, rows } from "../helpers/api.ts";
import {
  addFault,
  deliver,
  emulator,
  linkZoom,
  OWNER_B,
  outbox,
  resetEmulator,
  stats,
} from "../helpers/zoom.ts";

const LICENSED_A = "Tq1vN7yUQiK2bXcE4sHf9w";

const teacher = (n: number, extra: Record<string, unknown> = {}) => ({
  wiseUserId: `t-${n}`,
  email: `teacher${n}.new@school-a.example`,
  firstName: "Tina",
  lastName: `Teacher${n}`,
  licensed: false,
  ...extra,
});

const ops = async () => (await stats()).requests;

beforeEach(async () => {
  await resetEmulator();
  await clearTables();
  expect((await linkZoom("tenant-a")).status).toBeLessThan(400);
});

describe("creating teachers", () => {
  it("invites a new teacher once, however often the request is repeated", async () => {
    const first = await api("POST", "/v1/teachers", teacher(1));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      wiseUserId: "t-1",
      email: "teacher1.new@school-a.example",
      status: "pending",
      licensed: false,
      license: "basic",
    });
    expect(typeof first.body.zoomUserId).toBe("string");
    const again = await api("POST", "/v1/teachers", teacher(1));
    expect(again.status).toBe(200);
    expect(again.body.zoomUserId).toBe(first.body.zoomUserId);
    expect((await ops())["users.create"]).toBe(1);
    const list = await api<{ teachers: unknown[] }>("GET", "/v1/teachers");
    expect(list.body.teachers).toHaveLength(1);
  });

  it("creates an active user with custCreate when the tenant says so", async () => {
    expect((await api("PATCH", "/v1/tenant", { userCreateAction: "custCreate" })).status).toBe(200);
    const res = await api("POST", "/v1/teachers", teacher(2, { licensed: true }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "active", licensed: true });
  });

  it("adopts the Zoom user that already has the email instead of creating another", async () => {
    const res = await api("POST", "/v1/teachers", teacher(3, { email: "Teacher1@School-A.example" }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ zoomUserId: LICENSED_A, status: "active", licensed: true });
    expect((await ops())["users.create"]).toBeUndefined();
  });

  it("adopts when Zoom answers 1005 because the user appeared between lookup and create", async () => {
    await addFault({ operation: "users.get", status: 404, zoomCode: 1001, message: "User does not exist" });
    const res = await api("POST", "/v1/teachers", teacher(4, { email: "teacher1@school-a.example" }));
    expect(res.status).toBe(201);
    expect(res.body.zoomUserId).toBe(LICENSED_A);
    expect((await ops())["users.create"]).toBe(1);
  });

  it.each([
    ["an invalid email", { email: "not-an-email" }],
    ["a wiseUserId with a path trick", { wiseUserId: "../t" }],
    ["an encoded slash in the wiseUserId", { wiseUserId: "a%2Fb" }],
    ["a missing name", { firstName: "" }],
    ["an unknown field", { role: "admin" }],
    ["licensed as a string", { licensed: "yes" }],
  ])("refuses %s with 400 and writes nothing", async (_name, extra) => {
    const before = await ops();
    const res = await api("POST", "/v1/teachers", teacher(5, extra));
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(await count("teachers")).toBe(0);
    expect(await ops()).toEqual(before);
  });

  it("answers 409 when the email belongs to another Zoom account (1009)", async () => {
    await api("PATCH", "/v1/tenant", { userCreateAction: "custCreate" });
    const res = await api("POST", "/v1/teachers", teacher(6, { email: "teacher@school-b.example" }));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("zoom_email_taken");
    expect(await count("teachers")).toBe(0);
  });

  it("answers 409 with seat counts when no paid seat is free (2034), writing nothing", async () => {
    await emulator("/config", { plan: { seats: 2 } });
    const res = await api("POST", "/v1/teachers", teacher(7, { licensed: true }));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: "no_seat_available", seats: { licensed: 2, basic: 1 } });
    expect(await count("teachers")).toBe(0);
  });

  it.each([
    [
      "Zoom's validation error (300)",
      { status: 400, zoomCode: 300, message: "Validation Failed." },
      400,
      "zoom_validation",
    ],
    ["Zoom's 5xx", { status: 500 }, 503, "zoom_unavailable"],
    [
      "Zoom's 429",
      { status: 429, zoomCode: 429, message: "Too many requests", times: 10 },
      429,
      "zoom_rate_limited",
    ],
  ])("maps %s to a clear problem and writes nothing", async (_name, fault, status, code) => {
    await addFault({ operation: "users.create", ...fault });
    const res = await api("POST", "/v1/teachers", teacher(8));
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(await count("teachers")).toBe(0);
  });

  it("is for admins only", async () => {
    for (const role of ["teacher", "student"] as const) {
      const res = await api("POST", "/v1/teachers", teacher(9), { role, sub: "t-9" });
      expect(res.status).toBe(403);
      expect((await api("GET", "/v1/teachers", undefined, { role })).status).toBe(403);
    }
    expect(await count("teachers")).toBe(0);
  });
});

describe("licenses and settings", () => {
  it("licenses, unlicenses and turns cloud recording off", async () => {
    await api("PATCH", "/v1/tenant", { userCreateAction: "custCreate" });
    await api("POST", "/v1/teachers", teacher(10));
    const on = await api("PATCH", "/v1/teachers/t-10", { licensed: true, cloudRecording: false });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ licensed: true, license: "licensed", cloudRecording: false });
    const off = await api("PATCH", "/v1/teachers/t-10", { licensed: false });
    expect(off.body).toMatchObject({ licensed: false });
    const o = await ops();
    expect(o["users.update"]).toBe(2);
    expect(o["users.settings.update"]).toBe(1);
  });

  it("answers 404 for an unknown teacher and for another tenant's teacher", async () => {
    await api("POST", "/v1/teachers", teacher(11));
    await linkZoom("tenant-b", { userId: OWNER_B });
    expect((await api("PATCH", "/v1/teachers/nobody", { licensed: true })).status).toBe(404);
    const other = await api("PATCH", "/v1/teachers/t-11", { licensed: true }, { tenant: "tenant-b" });
    expect(other.status).toBe(404);
    expect((await api("DELETE", "/v1/teachers/t-11", undefined, { tenant: "tenant-b" })).status).toBe(404);
    expect((await ops())["users.update"]).toBeUndefined();
    expect(await count("teachers")).toBe(1);
  });

  it("auto-recycle takes the seat of the teacher whose last class is oldest, and audits it", async () => {
    await emulator("/config", { plan: { seats: 3 } });
    await api("PATCH", "/v1/tenant", { userCreateAction: "custCreate", licensePolicy: "auto-recycle" });
    // Seats: the owner, teacher1 (adopted below) and t-12 = 3 of 3.
    await api("POST", "/v1/teachers", teacher(12, { licensed: true }));
    await api("POST", "/v1/teachers", teacher(13, { email: "teacher1@school-a.example" }));
    await rows("UPDATE teachers SET last_class_at = ? WHERE wise_user_id = 't-12'", Date.now() - 86400_000);
    await rows("UPDATE teachers SET last_class_at = ? WHERE wise_user_id = 't-13'", Date.now() - 3600_000);
    const res = await api("POST", "/v1/teachers", teacher(14, { licensed: true }));
    expect(res.status).toBe(201);
    expect(res.body.licensed).toBe(true);
    const state = await rows<{ wise_user_id: string; licensed: number }>(
      "SELECT wise_user_id, licensed FROM teachers ORDER BY wise_user_id",
    );
    expect(state).toEqual([
      { wise_user_id: "t-12", licensed: 0 },
      { wise_user_id: "t-13", licensed: 1 },
      { wise_user_id: "t-14", licensed: 1 },
    ]);
    const audit = await rows<{ action: string; details: string }>(
      "SELECT action, details FROM audit_log WHERE action = 'teacher.license_moved'",
    );
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]?.details ?? "{}")).toMatchObject({ from: "t-12", to: "t-14" });
  });

  it("auto-recycle never takes a seat from a teacher who is live or teaches within the hour", async () => {
    await emulator("/config", { plan: { seats: 3 } });
    await api("PATCH", "/v1/tenant", { userCreateAction: "custCreate", licensePolicy: "auto-recycle" });
    await api("POST", "/v1/teachers", teacher(15, { licensed: true }));
    await api("POST", "/v1/teachers", teacher(16, { email: "teacher1@school-a.example" }));
    const soon = Date.now() + 30 * 60_000;
    await rows(
      `INSERT INTO classes (tenant_id, class_id, teacher_id, zoom_account_id, topic, start_time, duration_minutes, registration, auto_recording, status)
       VALUES ('tenant-a', 'c-soon', 't-15', 'emuAcctA1', 'Soon', ?, 60, 0, 'cloud', 'scheduled'),
              ('tenant-a', 'c-live', 't-16', 'emuAcctA1', 'Live', ?, 60, 0, 'cloud', 'live')`,
      soon,
      Date.now() - 86400_000,
    );
    const res = await api("POST", "/v1/teachers", teacher(17, { licensed: true }));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe("no_seat_available");
    expect(await count("audit_log")).toBe(1); // only the link
    expect(await rows("SELECT * FROM teachers WHERE licensed = 0")).toHaveLength(0);
  });
});

describe("removing and syncing", () => {
  it("disassociates by default and deletes only when asked", async () => {
    await api("PATCH", "/v1/tenant", { userCreateAction: "custCreate" });
    await api("POST", "/v1/teachers", teacher(20));
    await api("POST", "/v1/teachers", teacher(21));
    expect((await api("DELETE", "/v1/teachers/t-20")).status).toBe(204);
    expect((await api("DELETE", "/v1/teachers/t-21?action=delete")).status).toBe(204);
    expect((await api("DELETE", "/v1/teachers/t-21?action=wipe")).status).toBe(400);
    const events = (await outbox()).map((d) => d.event);
    expect(events).toContain("user.disassociated");
    expect(events).toContain("user.deleted");
    expect(await count("teachers")).toBe(0);
  });

  it("sync reads Zoom's users of every status and repairs status, license and missing users", async () => {
    await api("POST", "/v1/teachers", teacher(22)); // pending invitation
    await api("POST", "/v1/teachers", teacher(23, { email: "teacher1@school-a.example" }));
    const pending = (
      await rows<{ zoom_user_id: string }>("SELECT zoom_user_id FROM teachers WHERE wise_user_id = 't-22'")
    )[0];
    await emulator(`/users/${pending?.zoom_user_id}/accept`);
    await rows("UPDATE teachers SET licensed = 0 WHERE wise_user_id = 't-23'");
    await rows(
      "INSERT INTO teachers (tenant_id, wise_user_id, zoom_user_id, email, status, licensed) VALUES ('tenant-a', 't-gone', 'NoSuchUser', 'gone@school-a.example', 'active', 1)",
    );
    const res = await api<{ updated: number; missing: number }>("POST", "/v1/teachers/sync");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ updated: 3, missing: 1 });
    const state = await rows("SELECT wise_user_id, status, licensed FROM teachers ORDER BY wise_user_id");
    expect(state).toEqual([
      { wise_user_id: "t-22", status: "active", licensed: 0 },
      { wise_user_id: "t-23", status: "active", licensed: 1 },
      { wise_user_id: "t-gone", status: "inactive", licensed: 0 },
    ]);
  });

  it("user.* webhooks keep the stored teacher true", async () => {
    await api("PATCH", "/v1/tenant", { userCreateAction: "custCreate" });
    await api("POST", "/v1/teachers", teacher(24));
    await api("PATCH", "/v1/teachers/t-24", { licensed: true, active: false });
    // Pretend we missed both changes, then let Zoom's events repair them.
    await rows("UPDATE teachers SET licensed = 0, status = 'active' WHERE wise_user_id = 't-24'");
    for (const d of await outbox())
      if (d.event.startsWith("user.")) expect((await deliver(d)).status).toBe(200);
    expect(await rows("SELECT status, licensed FROM teachers")).toEqual([
      { status: "inactive", licensed: 1 },
    ]);
  });
});
