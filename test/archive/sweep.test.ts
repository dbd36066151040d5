// The nightly sweep and the deletion policy: cron fan-out per account, listing over windows,
// skipped processing files, retried failures, 429 on listing, and Zoom's copy removed only when
// every file is archived and verified.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { database } from "../../src/db/client.ts";
import { loadConfig } from "../../src/platform/config.ts";
import { encodeMeetingUuid, ZoomClient } from "../../src/zoom/client.ts";
import { call } from "../helpers/app.ts";
import {
  clearArchive,
  consume,
  deliverTo,
  drain,
  fileRows,
  queue,
  recordedMeeting,
  runCron,
} from "../helpers/archive.ts";
import { bearer } from "../helpers/jwt.ts";
import { addFault, emulator, linkZoom, OWNER_B, outbox, resetEmulator, stats } from "../helpers/zoom.ts";

const T = "tenant-a";
const sweep = (tenantId = T) => consume([{ kind: "sweep-account", tenantId }]);

beforeEach(async () => {
  await resetEmulator();
  await clearArchive();
  expect((await linkZoom(T)).status).toBe(200);
});

async function setPolicy(body: Record<string, unknown>) {
  const res = await call("/v1/zoom/archive-policy", {
    method: "PUT",
    headers: { ...(await bearer({ tenant: T })), "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return res;
}

const zoomState = async () =>
  (await env.DB.prepare("SELECT zoom_state FROM recordings").all()).results.map((r) => r.zoom_state);

describe("sweep", () => {
  it("the cron enqueues one sweep per linked account", async () => {
    expect((await linkZoom("tenant-b", { userId: OWNER_B })).status).toBe(200);
    await runCron();
    expect(queue.take()).toEqual(
      expect.arrayContaining([
        { kind: "sweep-account", tenantId: T },
        { kind: "sweep-account", tenantId: "tenant-b" },
      ]),
    );
  });

  it("finds recordings whose webhook was missed, waits for processing ones, and backfills once", async () => {
    await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 50_000 }, { fileType: "CC" }]);
    await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 10_000 }], { processing: true });
    const r = await sweep();
    expect(r.explicitAcks).toHaveLength(1);
    expect(queue.messages).toHaveLength(3);
    const state = await env.DB.prepare("SELECT * FROM archive_sweeps").first();
    expect(state?.backfilled_at).toBeTruthy();
    await drain(2);
    expect((await fileRows()).map((f) => f.status).sort()).toEqual(["archived", "archived", "processing"]);
    queue.take();
    // Nothing new the second time: no message, same rows.
    await sweep();
    expect(queue.take()).toHaveLength(0);
  });

  it("hands a sweep over to a continuation message when its invocation's budget is spent", async () => {
    for (let i = 0; i < 3; i++) await recordedMeeting(T, [{ fileType: "CHAT" }]);
    const small = { ARCHIVE_SWEEP_MEETINGS_PER_RUN: "1" };
    // Two accounts' sweeps in one invocation share the budget.
    expect((await linkZoom("tenant-b", { userId: OWNER_B })).status).toBe(200);
    await consume(
      [
        { kind: "sweep-account", tenantId: T },
        { kind: "sweep-account", tenantId: "tenant-b" },
      ],
      1,
      small,
    );
    let sent = queue.take() as { kind: string; tenantId: string; resume?: { window: number } }[];
    const continuations = sent.filter((m) => m.kind === "sweep-account");
    expect(continuations.map((m) => m.tenantId).sort()).toEqual([T, "tenant-b"]);
    expect(continuations.every((m) => m.resume)).toBe(true);
    // The budget is checked between listing pages: the first page (all three meetings) was recorded.
    expect(sent.filter((m) => m.kind === "archive-file")).toHaveLength(3);
    // Not marked swept until the whole account is done.
    expect(await env.DB.prepare("SELECT count(*) AS n FROM archive_sweeps").first("n")).toBe(0);

    // Following the continuations to the end finds nothing twice and marks the account swept.
    let files = 3;
    let pending = continuations.filter((m) => m.tenantId === T);
    for (let round = 0; pending.length && round < 10; round++) {
      await consume(pending, 1, small);
      sent = queue.take() as typeof sent;
      files += sent.filter((m) => m.kind === "archive-file").length;
      pending = sent.filter((m) => m.kind === "sweep-account");
    }
    expect(pending).toHaveLength(0);
    expect(files).toBe(3);
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM archive_sweeps WHERE tenant_id = ?").bind(T).first("n"),
    ).toBe(1);
  });

  it("sends failed files again and survives a 429 on listing", async () => {
    await recordedMeeting(T, [{ fileType: "CHAT" }]);
    await sweep();
    const [message] = queue.take();
    await addFault({ operation: "recordings.file", html200: true });
    await consume([message], 7);
    expect((await fileRows())[0]?.status).toBe("failed");
    await addFault({ operation: "recordings.list", status: 429, headers: { "retry-after": "1" } });
    const r = await sweep();
    expect(r.explicitAcks).toHaveLength(1);
    expect((await stats()).requests["recordings.list"]).toBeGreaterThanOrEqual(2);
    expect(queue.messages).toHaveLength(1);
    await drain();
    expect((await fileRows())[0]?.status).toBe("archived");
  });
});

describe("deleting from Zoom", () => {
  it("after-archive trashes the instance once every file is archived, and audits it", async () => {
    expect((await setPolicy({ deleteFromZoom: "after-archive" })).status).toBe(200);
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 40_000 }, { fileType: "TIMELINE" }]);
    await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
    await drain();
    expect(await zoomState()).toEqual(["trashed"]);
    expect((await stats()).requests["recordings.delete"]).toBe(1);
    const audit = await env.DB.prepare(
      "SELECT action, actor, details FROM audit_log WHERE action LIKE 'recording.%'",
    ).all();
    expect(audit.results).toHaveLength(1);
    expect(audit.results[0]).toMatchObject({ action: "recording.deleted_from_zoom", actor: "system" });
    // Zoom's recording.trashed webhook agrees.
    const trashed = (await outbox()).find((d) => d.event === "recording.trashed");
    expect(trashed).toBeTruthy();
    await deliverTo(trashed as NonNullable<typeof trashed>);
    expect(await zoomState()).toEqual(["trashed"]);
  });

  it("keeps Zoom's copy while a file is still failing", async () => {
    await setPolicy({ deleteFromZoom: "after-archive" });
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 40_000 }, { fileType: "CHAT" }]);
    await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
    const messages = queue.take();
    await addFault({ operation: "recordings.file", html200: true });
    await consume([messages[0]], 7);
    await consume([messages[1]], 1);
    expect((await fileRows()).map((f) => f.status).sort()).toEqual(["archived", "failed"]);
    await addFault({ operation: "recordings.file", html200: true, times: 0 });
    await sweep();
    await drain();
    expect(await zoomState()).toEqual(["active"]);
    expect((await stats()).requests["recordings.delete"] ?? 0).toBe(0);
  });

  it("when-storage-above trashes the oldest verified instances until under the threshold", async () => {
    await setPolicy({ deleteFromZoom: "when-storage-above", storageThresholdPercent: 10 });
    // Account A: 5 GB plan with 1.2 GB used (24%): the policy trashes what it can, oldest first.
    const a = await recordedMeeting(T, [{ fileType: "CHAT" }]);
    const b = await recordedMeeting(T, [{ fileType: "CHAT" }]);
    await deliverTo(a.webhook as NonNullable<typeof a.webhook>);
    await deliverTo(b.webhook as NonNullable<typeof b.webhook>);
    await drain();
    expect(await zoomState()).toEqual(["trashed", "trashed"]);
    await setPolicy({ deleteFromZoom: "when-storage-above", storageThresholdPercent: 90 });
    const c = await recordedMeeting(T, [{ fileType: "CHAT" }]);
    await deliverTo(c.webhook as NonNullable<typeof c.webhook>);
    await drain();
    expect((await zoomState()).sort()).toEqual(["active", "trashed", "trashed"]);
  });

  it("recording.trashed, deleted and recovered keep the state true", async () => {
    const rec = await recordedMeeting(T, [{ fileType: "CHAT" }]);
    await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
    const client = await ZoomClient.forTenant(env, loadConfig(env), database(env.DB), T);
    const path = `/meetings/${encodeMeetingUuid(rec.uuid)}/recordings`;
    await client.call({ operation: "t", method: "DELETE", path, query: { action: "trash" } });
    for (const d of (await outbox()).filter((x) => x.event === "recording.trashed")) await deliverTo(d);
    expect(await zoomState()).toEqual(["trashed"]);
    // The admin recovers it in Zoom's web portal (the app has no scope to recover recordings).
    const portal = (await emulator<{ access_token: string }>("/portal-token", {})).access_token;
    await fetch(`https://api.zoom.us/v2${path}/status`, {
      method: "PUT",
      headers: { authorization: `Bearer ${portal}`, "content-type": "application/json" },
      body: JSON.stringify({ action: "recover" }),
    });
    for (const d of (await outbox()).filter((x) => x.event === "recording.recovered")) await deliverTo(d);
    expect(await zoomState()).toEqual(["active"]);
    // A file of a trashed recording cannot be downloaded: failed at once with the reason.
    await env.DB.prepare("UPDATE recordings SET zoom_state='trashed'").run();
    const [m] = queue.take();
    await consume([m]);
    expect((await fileRows())[0]?.error).toMatch(/trashed/);
  });
});
