// No secret Zoom hands out (access, refresh and download tokens, ZAKs, signed file URLs) is kept in
// clear anywhere the service writes: D1, R2 object metadata, the Durable Objects' storage, or the
// log lines of a whole story from linking to unlinking.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { rosterOf } from "../../src/links/roster-object.ts";
import { api, clearTables } from "../helpers/api.ts";
import { BASE, call } from "../helpers/app.ts";
import { clearArchive, deliverTo, drain } from "../helpers/archive.ts";
import { addTeacherThroughApi } from "../helpers/classes.ts";
import { dumpTables } from "../helpers/db.ts";
import {
  emulator,
  expireStoredAccessToken,
  issuedSecrets,
  linkStatus,
  linkZoom,
  outbox,
  resetEmulator,
  stats,
} from "../helpers/zoom.ts";

const T = "tenant-a";
const CLASS = "c-secrets";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Captures every console line the Worker (and its objects, in this isolate) writes. */
function captureConsole(): string[] {
  const lines: string[] = [];
  for (const level of ["log", "info", "warn", "error", "debug"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : (JSON.stringify(a) ?? String(a)))).join(" "));
    });
  }
  return lines;
}

/** Every row of every table of D1, as text. */
const d1Dump = async () => JSON.stringify(await dumpTables());

/** Every R2 object's key, custom metadata and HTTP metadata, as text. */
async function r2Dump(): Promise<{ text: string; objects: number }> {
  const out: unknown[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.RECORDINGS.list({ cursor, include: ["customMetadata", "httpMetadata"] });
    for (const o of page.objects) {
      const head = await env.RECORDINGS.head(o.key);
      out.push({
        key: o.key,
        customMetadata: o.customMetadata,
        httpMetadata: o.httpMetadata,
        head: head && { customMetadata: head.customMetadata, httpMetadata: head.httpMetadata },
      });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  const uploads = await env.DB.prepare("SELECT r2_key, upload_id FROM recording_files").all();
  return { text: JSON.stringify({ objects: out, uploads: uploads.results }), objects: out.length };
}

/** A Durable Object's whole storage: its key-value entries and the rows of its own SQL tables. */
async function objectStorage(stub: DurableObjectStub): Promise<string> {
  return runInDurableObject(stub, async (_instance: unknown, state: DurableObjectState) => {
    const kv = Object.fromEntries(await state.storage.list());
    const tables = state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
      )
      .toArray();
    const rows = tables.map(({ name }) => ({
      name,
      rows: state.storage.sql.exec(`SELECT * FROM "${name}"`).toArray(),
    }));
    return JSON.stringify({ kv, rows, alarm: await state.storage.getAlarm() });
  });
}

async function zoomAccountId(): Promise<string> {
  const row = await env.DB.prepare("SELECT zoom_account_id FROM zoom_credentials WHERE tenant_id = ?")
    .bind(T)
    .first<{ zoom_account_id: string }>();
  if (!row) throw new Error("not linked");
  return row.zoom_account_id;
}

interface Place {
  name: string;
  text: string;
}

/** Where each secret was found: "<place>: <kind>". */
function hits(places: Place[], secrets: Record<string, string[]>): string[] {
  const found: string[] = [];
  for (const [kind, values] of Object.entries(secrets)) {
    for (const value of values) {
      for (const place of places) {
        if (place.text.includes(value) || place.text.includes(encodeURIComponent(value))) {
          found.push(`${place.name}: ${kind}`);
        }
      }
    }
  }
  return found;
}

const click = async (url: string) => {
  const res = await call(url.startsWith(BASE) ? url.slice(BASE.length) : url, { redirect: "manual" });
  await res.body?.cancel();
  return res;
};

/** Link, refresh, teacher, class, start link, recording archived and played; the objects' storage. */
async function story(): Promise<{ objects: Place[]; zoomAccount: string }> {
  expect((await linkZoom(T)).status).toBeLessThan(400);
  // A refresh: the stored access token has run out, a live status call needs Zoom.
  await expireStoredAccessToken(T);
  expect((await linkStatus(T, true)).status).toBe("linked");
  expect((await stats()).grants.refresh_token).toBeGreaterThanOrEqual(1);

  await addTeacherThroughApi();

  const scheduled = await api<{ zoomMeetingId: string }>("PUT", `/v1/classes/${CLASS}/meeting`, {
    teacherId: "t-1",
    topic: "Algebra",
    startTime: new Date(Date.now() + 5 * 60_000).toISOString(),
    durationMinutes: 60,
    registration: false,
    autoRecording: "cloud",
  });
  expect(scheduled.status).toBe(201);
  const joins = await api<{ links: { url: string }[] }>("POST", `/v1/classes/${CLASS}/join-links`, {
    students: [{ id: "stu-1", name: "Asha Rao" }],
  });
  expect(joins.status).toBe(200);
  expect((await click(joins.body.links[0]?.url ?? "")).status).toBe(302);

  const start = await api<{ url: string }>("POST", `/v1/classes/${CLASS}/start-link`);
  expect(start.status).toBe(200);
  const started = await click(start.body.url);
  expect(started.status).toBe(302);
  expect(started.headers.get("location")).toContain("zak=");

  // The class is held and recorded; the webhook's download token fetches the file into R2.
  await emulator(`/meetings/${scheduled.body.zoomMeetingId}/simulate`, {
    recording: { files: [{ fileType: "MP4", sample: true }, { fileType: "CHAT" }] },
  });
  const completed = (await outbox()).filter((d) => d.event === "recording.completed");
  expect(completed).toHaveLength(1);
  await deliverTo(completed[0] as NonNullable<(typeof completed)[0]>);
  await drain();
  const files = await env.DB.prepare("SELECT id, status FROM recording_files").all<{
    id: string;
    status: string;
  }>();
  expect(files.results.map((f) => f.status)).toEqual(["archived", "archived"]);
  const play = await api<{ url: string }>(
    "POST",
    `/v1/recordings/files/${encodeURIComponent(files.results[0]?.id ?? "")}/playback-link`,
  );
  expect(play.status).toBe(200);
  expect((await click(play.body.url)).status).toBe(200);

  const zoomAccount = await zoomAccountId();
  return {
    zoomAccount,
    objects: [
      { name: "ZoomAccount storage", text: await objectStorage(env.ZOOM_ACCOUNT.getByName(zoomAccount)) },
      { name: "ClassRoster storage", text: await objectStorage(rosterOf(env, T, CLASS)) },
    ],
  };
}

describe("secrets at rest and in logs", () => {
  it("keeps no token Zoom issued in D1, R2 metadata, Durable Object storage or the logs, from link to unlink", async () => {
    await resetEmulator();
    await clearArchive();
    await clearTables();
    const lines = captureConsole();

    const during = await story();
    const unlinked = await api("DELETE", "/v1/zoom/link");
    expect(unlinked.status).toBeLessThan(300);

    const issued = await issuedSecrets();
    // The story did hand out every kind of secret: two access and refresh pairs (link, refresh), a
    // download token, ZAKs and a signed file URL.
    expect(issued.access.length).toBeGreaterThanOrEqual(2);
    expect(issued.refresh.length).toBeGreaterThanOrEqual(2);
    expect(issued.download.length).toBeGreaterThanOrEqual(1);
    expect(issued.zak.length).toBeGreaterThanOrEqual(1);
    expect(issued.fileUrlSignatures.length).toBeGreaterThanOrEqual(1);
    for (const values of Object.values(issued)) for (const v of values) expect(v.length).toBeGreaterThan(16);

    const r2 = await r2Dump();
    expect(r2.objects).toBe(2);
    const places: Place[] = [
      { name: "D1", text: await d1Dump() },
      { name: "R2", text: r2.text },
      ...during.objects,
      // After unlinking, what the objects still hold.
      {
        name: "ZoomAccount storage after unlink",
        text: await objectStorage(env.ZOOM_ACCOUNT.getByName(during.zoomAccount)),
      },
      { name: "ClassRoster storage after unlink", text: await objectStorage(rosterOf(env, T, CLASS)) },
      { name: "logs", text: lines.join("\n") },
    ];
    // The scan did see the story: the logs hold its requests, D1 its sealed credential history.
    const logged = lines.join("\n");
    for (const path of ["/oauth/zoom/callback", "/s/[token]", "/webhooks/zoom", "/r/[token]"]) {
      expect(logged).toContain(`"path":"${path}"`);
    }
    expect(logged).toContain("unlink: revocation at Zoom");
    expect(places[0]?.text).toContain(CLASS);
    expect(hits(places, issued)).toEqual([]);
  });

  it("finds a token wherever it is put, so a leak fails the test above", async () => {
    await resetEmulator();
    await clearTables();
    const lines = captureConsole();
    expect((await linkZoom(T)).status).toBeLessThan(400);
    const issued = await issuedSecrets();
    const token = issued.access[0] ?? "";
    console.log(JSON.stringify({ msg: "oops", token }));
    await env.RECORDINGS.put("tenants/leak", "x", { customMetadata: { t: token } });
    await env.RECORDINGS.put("tenants/leak2", "x", {
      httpMetadata: { contentDisposition: `inline; ${token}` },
    });
    await env.DB.prepare("INSERT INTO audit_log (tenant_id, actor, action, details) VALUES (?, 'x', 'x', ?)")
      .bind(T, JSON.stringify({ refresh: issued.refresh[0] }))
      .run();
    const stub = env.ZOOM_ACCOUNT.getByName(await zoomAccountId());
    await runInDurableObject(stub, async (_i: unknown, state: DurableObjectState) => {
      await state.storage.put("leak", issued.refresh[0]);
    });
    const places: Place[] = [
      { name: "D1", text: await d1Dump() },
      { name: "R2", text: (await r2Dump()).text },
      { name: "ZoomAccount storage", text: await objectStorage(stub) },
      { name: "logs", text: lines.join("\n") },
    ];
    expect(hits(places, issued).sort()).toEqual([
      "D1: refresh",
      "R2: access",
      "ZoomAccount storage: refresh",
      "logs: access",
    ]);
    await env.RECORDINGS.delete(["tenants/leak", "tenants/leak2"]);
    await runInDurableObject(stub, (_i: unknown, state: DurableObjectState) => state.storage.delete("leak"));
  });
});
