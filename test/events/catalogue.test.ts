// Each state change writes its event with the change, once, and no event is written for a change
// that did not happen: archive failure, Zoom's copy trashed by policy, a link Zoom refused, storage
// crossing the tenant's threshold, a teacher whose state did not change.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { api, rows } from "../helpers/api.ts";
import { call } from "../helpers/app.ts";
import { clearArchive, consume, deliverTo, drain, queue, recordedMeeting } from "../helpers/archive.ts";
import { apiWithQueue, clearReceiver, DelayedQueue, pump, received, subscribe } from "../helpers/events.ts";
import { bearer } from "../helpers/jwt.ts";
import { addFault, emulator, linkZoom, resetEmulator, stats } from "../helpers/zoom.ts";

const T = "tenant-a";

interface EventRow {
  id: string;
  type: string;
  data: string;
  dispatched_at: number | null;
}
const events = (type: string) =>
  rows<EventRow>("SELECT * FROM outbound_events WHERE type = ? ORDER BY created_at", type);
const dataOf = (e: EventRow | undefined) => JSON.parse(e?.data ?? "null") as Record<string, unknown>;

beforeEach(async () => {
  await resetEmulator();
  await clearArchive();
  await clearReceiver();
  expect((await linkZoom(T)).status).toBe(200);
});

describe("archive events", () => {
  it("recording.failed after the last attempt only, with reason, attempts and the retry route", async () => {
    await subscribe(T, "wise", ["recording.failed", "recording.archived"]);
    const rec = await recordedMeeting(T, [{ fileType: "MP4", sample: true }]);
    await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
    const [message] = queue.take();
    await addFault({ operation: "recordings.file", html200: true, times: 0 });
    await consume([message], 1);
    expect(await events("recording.failed")).toHaveLength(0);
    await consume([message], 7);
    const [failed] = await events("recording.failed");
    expect(dataOf(failed)).toMatchObject({
      fileType: "MP4",
      attempts: 2,
      reason: expect.stringMatching(/HTML/),
      retryRoute: expect.stringMatching(/^\/v1\/recordings\/[^/]+\/retry$/),
    });
    await drain();
    expect((await received("wise")).map((r) => [r.type, r.verifiedSecrets])).toEqual([
      ["recording.failed", 1],
    ]);
    expect(await events("recording.archived")).toHaveLength(0);
  });

  it("recording.archived once, when the last file of the recording is archived; recording.deleted_from_zoom with the trash", async () => {
    await subscribe(T, "wise", ["recording.archived", "recording.deleted_from_zoom"]);
    const policy = await call("/v1/zoom/archive-policy", {
      method: "PUT",
      headers: { ...(await bearer({ tenant: T })), "content-type": "application/json" },
      body: JSON.stringify({ deleteFromZoom: "after-archive" }),
    });
    expect(policy.status).toBe(200);
    const rec = await recordedMeeting(T, [{ fileType: "M4A", sizeBytes: 40_000 }, { fileType: "TIMELINE" }]);
    await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
    const [first, second] = queue.take();
    await consume([first]);
    expect(await events("recording.archived")).toHaveLength(0);
    await consume([second]);
    // Delivered twice by the queue: archived once, one event.
    await consume([second]);
    const archived = await events("recording.archived");
    expect(archived).toHaveLength(1);
    expect((dataOf(archived[0]).files as unknown[]).length).toBe(2);
    expect((await stats()).requests["recordings.delete"]).toBe(1);
    const [trashed] = await events("recording.deleted_from_zoom");
    expect(dataOf(trashed)).toMatchObject({ action: "trash", files: 2, bytes: expect.any(Number) });
    await drain();
    expect((await received("wise")).map((r) => r.type).sort()).toEqual([
      "recording.archived",
      "recording.deleted_from_zoom",
    ]);
  });
});

describe("link events", () => {
  it("zoom.link.needs_relink once when Zoom refuses the refresh token, with the reason", async () => {
    await subscribe(T, "wise", ["zoom.link.needs_relink"]);
    const { validTokens } = await stats();
    await fetch("https://zoom.us/oauth/revoke", {
      method: "POST",
      headers: { authorization: `Basic ${btoa("wise-local-client:wise-local-client-secret")}` },
      body: new URLSearchParams({ token: validTokens.refresh[0] ?? "" }),
    });
    await env.DB.prepare("UPDATE zoom_credentials SET access_token_expires_at = 0").run();
    for (let i = 0; i < 3; i++) {
      const res = await call("/v1/zoom/link?live=1", { headers: await bearer({ tenant: T }) });
      expect(res.status).toBe(200);
    }
    const written = await events("zoom.link.needs_relink");
    expect(written).toHaveLength(1);
    expect(dataOf(written[0])).toMatchObject({ reason: expect.stringContaining("invalid_grant") });
    const q = new DelayedQueue();
    await q.send({ kind: "event-fanout", eventId: written[0]?.id });
    await pump(q);
    let got: Awaited<ReturnType<typeof received>> = [];
    for (let i = 0; i < 25 && !got.length; i++) {
      got = await received("wise");
      if (!got.length) await new Promise((r) => setTimeout(r, 200));
    }
    expect(got.map((r) => r.type)).toEqual(["zoom.link.needs_relink"]);
  });

  it("no zoom.link.unlinked when nothing was linked", async () => {
    await subscribe("tenant-b", "wise", ["zoom.link.unlinked"]);
    const headers = await bearer({ tenant: "tenant-b" });
    expect((await call("/v1/zoom/link", { method: "DELETE", headers })).status).toBe(204);
    expect(await events("zoom.link.unlinked")).toHaveLength(0);
  });
});

describe("teacher.status_changed", () => {
  it("is written when a sync finds a teacher changed in Zoom, and not again when nothing changed", async () => {
    await subscribe(T, "wise", ["teacher.status_changed"]);
    const created = await api<{ zoomUserId: string; status: string }>("POST", "/v1/teachers", {
      wiseUserId: "t-1",
      email: "sync@school-a.example",
      firstName: "Syn",
      lastName: "C",
      licensed: false,
    });
    expect(created.body.status).toBe("pending");
    const q = new DelayedQueue();
    expect((await apiWithQueue(q, "POST", "/v1/teachers/sync")).status).toBe(200);
    expect(await events("teacher.status_changed")).toHaveLength(0);
    // The invitation is accepted in Zoom; its webhook is lost, the sync finds out.
    await emulator(`/users/${created.body.zoomUserId}/accept`);
    expect((await apiWithQueue(q, "POST", "/v1/teachers/sync")).status).toBe(200);
    expect((await apiWithQueue(q, "POST", "/v1/teachers/sync")).status).toBe(200);
    const changed = await events("teacher.status_changed");
    expect(changed).toHaveLength(1);
    expect(dataOf(changed[0])).toMatchObject({
      teacherId: "t-1",
      previousStatus: "pending",
      status: "active",
    });
    await pump(q);
    expect((await received("wise")).map((r) => [r.type, r.verifiedSecrets])).toEqual([
      ["teacher.status_changed", 1],
    ]);
  });
});

describe("storage.low", () => {
  it("is written when a snapshot crosses the tenant's storageAlertPercent, once per crossing", async () => {
    const refresh = async () =>
      expect((await call("/v1/zoom/usage?refresh=1", { headers: await bearer({ tenant: T }) })).status).toBe(
        200,
      );
    await subscribe(T, "wise", ["storage.low"]);
    // No threshold: nothing, whatever the usage (the emulator's account uses 1.2 of 5 GB: 24%).
    await refresh();
    expect(await events("storage.low")).toHaveLength(0);
    expect((await api("PATCH", "/v1/tenant", { storageAlertPercent: 50 })).status).toBe(200);
    await refresh();
    expect(await events("storage.low")).toHaveLength(0);
    // A 2 GB recording takes the account from 24% to 64% of its 5 GB.
    await recordedMeeting(T, [{ fileType: "MP4", sizeBytes: 2 * 1024 ** 3 }]);
    await refresh();
    await refresh();
    const low = await events("storage.low");
    expect(low).toHaveLength(1);
    expect(dataOf(low[0])).toMatchObject({ thresholdPercent: 50, usedPercent: expect.any(Number) });
    expect(dataOf(low[0]).usedPercent as number).toBeGreaterThan(50);
    expect((await api("PATCH", "/v1/tenant", { storageAlertPercent: 101 })).status).toBe(400);
  });

  it("is checked by the nightly catch-up for tenants with a threshold", async () => {
    await subscribe(T, "wise", ["storage.low"]);
    const before = (await stats()).requests["accounts.plans.usage"] ?? 0;
    await consume([{ kind: "zoom-catch-up", tenantId: T }]);
    // No threshold: Zoom's usage is not even read.
    expect((await stats()).requests["accounts.plans.usage"] ?? 0).toBe(before);
    expect((await api("PATCH", "/v1/tenant", { storageAlertPercent: 10 })).status).toBe(200);
    await consume([{ kind: "zoom-catch-up", tenantId: T }]);
    const [low] = await events("storage.low");
    expect(dataOf(low)).toMatchObject({ thresholdPercent: 10 });
  });
});
