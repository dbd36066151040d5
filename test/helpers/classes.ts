// Test classes: a real meeting created at the emulator with the linked account's token, and the
// class row written straight into D1 (scheduling routes belong to another feature).
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { api } from "./api.ts";
import { ACCOUNT_A, linkZoom, stats } from "./zoom.ts";

export interface TestClass {
  tenant: string;
  classId: string;
  teacherId: string;
  meetingId: string;
  joinUrl: string;
}

export interface ClassOptions {
  classId?: string;
  teacherId?: string;
  registration?: boolean;
  /** Epoch ms; defaults to five minutes from now (open for students). */
  startTime?: number;
  durationMinutes?: number;
  status?: "scheduled" | "live" | "ended" | "deleted" | "cancelled";
  /** Link Zoom first (once per tenant after each emulator reset). */
  link?: boolean;
}

export async function createClass(tenant: string, opts: ClassOptions = {}): Promise<TestClass> {
  if (opts.link !== false) {
    const res = await linkZoom(tenant);
    if (res.status !== 200) throw new Error(`link: ${res.status}`);
  }
  const token = (await stats()).validTokens.access.at(-1);
  const startTime = opts.startTime ?? Date.now() + 5 * 60_000;
  const res = await fetch("https://api.zoom.us/v2/users/me/meetings", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      topic: "Algebra",
      type: 2,
      start_time: new Date(startTime).toISOString(),
      duration: opts.durationMinutes ?? 60,
      settings: { approval_type: opts.registration ? 0 : 2 },
    }),
  });
  if (res.status !== 201) throw new Error(`meeting: ${res.status} ${await res.text()}`);
  const meeting = (await res.json()) as { id: number; join_url: string; host_id: string };
  const cls: TestClass = {
    tenant,
    // Unique per test: queue messages of an earlier test may still be consumed later.
    classId: opts.classId ?? `class-${crypto.randomUUID().slice(0, 8)}`,
    teacherId: opts.teacherId ?? "teacher-1",
    meetingId: String(meeting.id),
    joinUrl: meeting.join_url,
  };
  await env.DB.prepare(
    `INSERT INTO classes (tenant_id, class_id, teacher_id, zoom_account_id, zoom_meeting_id, host_zoom_user_id,
      topic, start_time, duration_minutes, registration, auto_recording, status, join_url)
     VALUES (?, ?, ?, ?, ?, ?, 'Algebra', ?, ?, ?, 'none', ?, ?)`,
  )
    .bind(
      tenant,
      cls.classId,
      cls.teacherId,
      ACCOUNT_A,
      cls.meetingId,
      meeting.host_id,
      startTime,
      opts.durationMinutes ?? 60,
      opts.registration ? 1 : 0,
      opts.status ?? "scheduled",
      meeting.join_url,
    )
    .run();
  return cls;
}

/** The class's host as an active teacher of the tenant (start links open only for one). */
export async function addActiveTeacher(cls: TestClass): Promise<void> {
  await env.DB.prepare(
    `INSERT OR IGNORE INTO teachers (tenant_id, wise_user_id, email, status, licensed)
     VALUES (?, ?, ?, 'active', 1)`,
  )
    .bind(cls.tenant, cls.teacherId, `${cls.teacherId}@school.example`)
    .run();
}

/** Zoom API calls made between two stats snapshots, by operation. */
export function callsBetween(before: Record<string, number>, after: Record<string, number>) {
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) {
    const d = n - (before[op] ?? 0);
    if (d > 0 && !op.startsWith("oauth.")) out[op] = d;
  }
  return out;
}

export const inOneDay = () => new Date(Date.now() + 86400_000).toISOString();

/** A `PUT /v1/classes/{id}/meeting` body: teacher t-1's one-hour class tomorrow, with registration. */
export const meetingRequest = (extra: Record<string, unknown> = {}) => ({
  teacherId: "t-1",
  topic: "Algebra",
  startTime: inOneDay(),
  durationMinutes: 60,
  registration: true,
  ...extra,
});

/**
 * Teacher t-1 of tenant-a added through the API as an active, licensed Zoom user (the tenant switched to
 * custCreate, so there is no invitation to accept): a host the scheduling routes accept.
 */
export async function addTeacherThroughApi(): Promise<void> {
  expect((await api("PATCH", "/v1/tenant", { userCreateAction: "custCreate" })).status).toBe(200);
  const teacher = await api("POST", "/v1/teachers", {
    wiseUserId: "t-1",
    email: "t1@school-a.example",
    firstName: "Tess",
    lastName: "T1",
    licensed: true,
  });
  expect(teacher.status).toBe(201);
}
