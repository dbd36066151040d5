// Benchmark-only route of the Worker builds: seeds the benchmark's class inside the Worker, so its
// join URLs are sealed by the product's own code (the vault is Worker code, not a Node module).

import { sealJoinUrl } from "../../src/links/join-urls.ts";
import { loadConfig } from "../../src/platform/config.ts";

export interface SeedRequest {
  tenantId: string;
  classId: string;
  zoomMeetingId: string;
  students: number;
  startTime: number;
}

/** POST /__bench/seed-class: one live class with registration, every student registered. */
export async function seedClass(request: Request, env: Env): Promise<Response> {
  const s = (await request.json()) as SeedRequest;
  const keys = loadConfig(env).tokenKeys;
  const owner = { tenantId: s.tenantId, classId: s.classId, zoomMeetingId: s.zoomMeetingId };
  const meetingUrl = `https://zoom.us/j/${s.zoomMeetingId}?pwd=x`;
  await env.DB.prepare(
    `INSERT INTO classes (tenant_id, class_id, teacher_id, zoom_account_id, zoom_meeting_id, topic, start_time,
      duration_minutes, registration, auto_recording, status, join_url)
     VALUES (?, ?, 'teacher-1', 'emuAcctA1', ?, 'Bench', ?, 60, 1, 'none', 'live', ?)`,
  )
    .bind(s.tenantId, s.classId, s.zoomMeetingId, s.startTime, await sealJoinUrl(keys, owner, meetingUrl))
    .run();
  const rows = [];
  for (let i = 0; i < s.students; i++) {
    const url = `https://zoom.us/w/${s.zoomMeetingId}?tk=student${i}`;
    rows.push(
      env.DB.prepare(
        `INSERT INTO class_registrants (tenant_id, class_id, student_id, name, status, join_url)
         VALUES (?, ?, ?, ?, 'registered', ?)`,
      ).bind(
        s.tenantId,
        s.classId,
        `s${i}`,
        `Student ${i}`,
        await sealJoinUrl(keys, { ...owner, studentId: `s${i}` }, url),
      ),
    );
  }
  for (let i = 0; i < rows.length; i += 100) await env.DB.batch(rows.slice(i, i + 100));
  return new Response(null, { status: 204 });
}
