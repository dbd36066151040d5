// GET /v1/zoom/usage against the emulator: seats, storage parsed to bytes, the D1 cache with its
// age, forced refresh, and falling back to the cache when Zoom rate-limits.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { api, clearTables, count, rows } from "../helpers/api.ts";
import { addFault, linkZoom, resetEmulator, stats } from "../helpers/zoom.ts";

const GB = 1024 ** 3;

interface Usage {
  seats: Record<string, number | null>;
  cloudStorage: { usedBytes: number | null; planBytes: number | null; freeBytes: number | null };
  archive: Record<string, number>;
  history: { at: string; usedBytes: number | null }[];
  cachedAt: string;
  ageSeconds: number;
  stale?: { reason: string };
  code?: string;
}

const usage = (query = "") => api<Usage>("GET", `/v1/zoom/usage${query}`);
const calls = async () => {
  const r = (await stats()).requests;
  return { summary: r["users.summary"] ?? 0, plan: r["accounts.plans.usage"] ?? 0 };
};

beforeEach(async () => {
  await resetEmulator();
  await clearTables();
  expect((await linkZoom("tenant-a")).status).toBeLessThan(400);
});

describe("usage", () => {
  it("reports seats, storage in bytes and archive totals, then answers from the cache", async () => {
    const first = await usage();
    expect(first.status).toBe(200);
    expect(first.body.seats).toEqual({ licensed: 2, basic: 1, pending: 1, total: 4, purchased: 5 });
    expect(first.body.cloudStorage).toEqual({
      usedBytes: Math.round(1.2 * GB),
      planBytes: 5 * GB,
      freeBytes: 5 * GB - Math.round(1.2 * GB),
    });
    expect(first.body.archive).toEqual({ recordings: 0, files: 0, bytes: 0 });
    expect(first.body.ageSeconds).toBe(0);
    const second = await usage();
    expect(second.body.cachedAt).toBe(first.body.cachedAt);
    expect(await calls()).toEqual({ summary: 1, plan: 1 });
    expect(await count("usage_snapshots")).toBe(1);
    expect(second.body.history).toEqual([{ at: first.body.cachedAt, usedBytes: Math.round(1.2 * GB) }]);
  });

  it("counts what is archived and verified in R2, for this tenant only", async () => {
    const file = (id: string, tenant: string, recording: string, status: string, size: number) =>
      env.DB.prepare(
        `INSERT INTO recording_files (id, tenant_id, recording_id, file_type, file_extension, download_url, status,
           size_bytes, bytes_archived, r2_key) VALUES (?, ?, ?, 'MP4', 'MP4', 'https://zoom.us/rec/x', ?, ?, ?, ?)`,
      ).bind(
        id,
        tenant,
        recording,
        status,
        size,
        size,
        `tenants/${tenant}/recordings/${recording}/${id}.mp4`,
      );
    await env.DB.batch([
      file("f1", "tenant-a", "r1", "archived", 1000),
      file("f2", "tenant-a", "r1", "archived", 24),
      file("f3", "tenant-a", "r2", "archived", 1),
      file("f4", "tenant-a", "r3", "failed", 5000),
      file("f5", "tenant-b", "r9", "archived", 7000),
    ]);
    const res = await usage();
    expect(res.body.archive).toEqual({ recordings: 2, files: 3, bytes: 1025 });
  });

  it("shows the cache's age, reads Zoom again when it is old or when asked, and keeps every snapshot", async () => {
    await usage();
    await rows("UPDATE usage_snapshots SET taken_at = taken_at - 600000");
    const aged = await usage();
    expect(aged.body.ageSeconds).toBeGreaterThanOrEqual(600);
    expect(await calls()).toEqual({ summary: 1, plan: 1 });
    const forced = await usage("?refresh=1");
    expect(forced.body.ageSeconds).toBe(0);
    await rows("UPDATE usage_snapshots SET taken_at = taken_at - 3600000");
    await usage();
    expect(await calls()).toEqual({ summary: 3, plan: 3 });
    expect(await count("usage_snapshots")).toBe(3);
  });

  it("answers the last snapshot, marked stale, when Zoom's daily limit refuses a refresh", async () => {
    await usage();
    await addFault({
      operation: "accounts.plans.usage",
      status: 429,
      zoomCode: 429,
      message: "You have reached the maximum daily rate limit for this API.",
      headers: { "X-RateLimit-Type": "Daily-limit", "Retry-After": "3600" },
    });
    const res = await usage("?refresh=1");
    expect(res.status).toBe(200);
    expect(res.body.stale).toMatchObject({ reason: "zoom_rate_limited", retryAfterSeconds: 3600 });
    expect(res.body.seats.licensed).toBe(2);
  });

  it("without a snapshot, Zoom's rate limit is a 429 problem", async () => {
    await addFault({
      operation: "users.summary",
      status: 429,
      zoomCode: 429,
      message: "daily limit",
      headers: { "X-RateLimit-Type": "Daily-limit", "Retry-After": "120" },
    });
    const res = await usage();
    expect(res.status).toBe(429);
    expect(res.body.code).toBe("zoom_rate_limited");
    expect(res.headers.get("retry-after")).toBe("120");
    expect(await count("usage_snapshots")).toBe(0);
  });

  it("still shows seats when Zoom refuses plan usage", async () => {
    await addFault({
      operation: "accounts.plans.usage",
      status: 400,
      zoomCode: 200,
      message: "Only for master",
    });
    const res = await usage();
    expect(res.status).toBe(200);
    expect(res.body.seats.total).toBe(4);
    expect(res.body.cloudStorage).toEqual({ usedBytes: null, planBytes: null, freeBytes: null });
  });

  it("Zoom's 5xx is a 503 problem and stores nothing", async () => {
    await addFault({ operation: "users.summary", status: 503, times: 10 });
    const res = await usage();
    expect(res.status).toBe(503);
    expect(await count("usage_snapshots")).toBe(0);
  });

  it("is for admins of a linked tenant only", async () => {
    expect((await api("GET", "/v1/zoom/usage", undefined, { role: "teacher", sub: "t" })).status).toBe(403);
    expect((await api("GET", "/v1/zoom/usage", undefined, { role: "student", sub: "s" })).status).toBe(403);
    const other = await api("GET", "/v1/zoom/usage", undefined, { tenant: "tenant-z" });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe("zoom_not_linked");
    expect(await count("usage_snapshots")).toBe(0);
  });
});
