// Recordings and downloads: listing, trash/recover, download with an OAuth token or a webhook
// download_token, the signed file URL, Range requests and the file hash.
import { beforeEach, describe, expect, it } from "vitest";
import {
  advance,
  api,
  apiJson,
  authorize,
  control,
  createMeeting,
  deliveries,
  reset,
  simulate,
  ZOOM,
} from "./helpers.ts";

let token = "";
beforeEach(async () => {
  await reset();
  token = (await authorize()).access_token;
});

async function recorded(files?: { fileType: string; sizeBytes?: number; sample?: boolean }[]) {
  const m = await createMeeting(token);
  const s = await simulate(m.id, { participants: [{ name: "Kim" }], recording: files ? { files } : {} });
  if (!s.recording) throw new Error("no recording");
  return { meeting: m, uuid: s.uuid, recording: s.recording };
}

async function signedUrl(downloadUrl: string, bearer: string): Promise<string> {
  const res = await fetch(downloadUrl, {
    headers: { authorization: `Bearer ${bearer}` },
    redirect: "manual",
  });
  expect(res.status).toBe(302);
  return res.headers.get("location") ?? "";
}

async function sha256Hex(buf: ArrayBuffer): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", buf));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

describe("cloud recordings API", () => {
  it("lists recordings with Zoom's file shapes", async () => {
    const { uuid } = await recorded();
    const list = await apiJson<{ meetings: { uuid: string; recording_files: Record<string, unknown>[] }[] }>(
      token,
      "/users/me/recordings",
    );
    expect(list.meetings.map((m) => m.uuid)).toEqual([uuid]);
    const files = list.meetings[0]?.recording_files ?? [];
    expect(files.map((f) => f.file_type)).toEqual(["MP4", "M4A", "CHAT", "TRANSCRIPT", "CC", "TIMELINE"]);
    const mp4 = files[0] as Record<string, unknown>;
    expect(mp4).toMatchObject({ meeting_id: uuid, file_extension: "MP4", status: "completed" });
    expect(typeof mp4.file_size).toBe("number");
    for (const bare of files.filter((f) => f.file_type === "CC" || f.file_type === "TIMELINE")) {
      expect(bare.id).toBeUndefined();
      expect(bare.status).toBeUndefined();
      expect(bare.file_size).toBeUndefined();
      expect(bare.download_url).toBeTruthy();
    }
    const wide = await api(token, "/users/me/recordings?from=2026-01-01&to=2026-03-15");
    expect(wide.status).toBe(400);
    expect(((await wide.json()) as { code: number }).code).toBe(300);
  });

  it("trashes, hides, frees storage, recovers and deletes", async () => {
    const { uuid, recording } = await recorded([{ fileType: "MP4", sizeBytes: 1024 * 1024 * 1024 }]);
    const usage = async () =>
      (await apiJson<{ plan_recording: { plan_storage_usage: string } }>(token, "/accounts/me/plans/usage"))
        .plan_recording.plan_storage_usage;
    expect(await usage()).toBe("2.2 GB");
    const path = `/meetings/${encodeURIComponent(encodeURIComponent(uuid))}/recordings`;
    expect((await api(token, `${path}?action=trash`, { method: "DELETE" })).status).toBe(204);
    expect(await usage()).toBe("1.2 GB");
    expect((await apiJson<{ meetings: unknown[] }>(token, "/users/me/recordings")).meetings).toHaveLength(0);
    expect(
      (await apiJson<{ meetings: unknown[] }>(token, "/users/me/recordings?trash=true")).meetings,
    ).toHaveLength(1);
    expect((await api(token, path)).status).toBe(404);
    const download = await fetch(recording.files[0]?.download_url ?? "", {
      headers: { authorization: `Bearer ${token}` },
      redirect: "manual",
    });
    expect(download.status).toBe(404);
    expect((await api(token, `${path}/status`, { method: "PUT", body: { action: "recover" } })).status).toBe(
      200,
    );
    expect(await usage()).toBe("2.2 GB");
    expect((await api(token, path)).status).toBe(200);
    expect((await api(token, `${path}?action=delete`, { method: "DELETE" })).status).toBe(204);
    expect((await api(token, path)).status).toBe(404);
    const events = (
      await control<{ deliveries: { event: string }[] }>("/webhooks", undefined, "GET")
    ).deliveries.map((d) => d.event);
    expect(events).toEqual(
      expect.arrayContaining(["recording.trashed", "recording.recovered", "recording.deleted"]),
    );
  });

  it("deletes one file", async () => {
    const { uuid, recording } = await recorded();
    const m4a = recording.files.find((f) => f.file_type === "M4A");
    const res = await api(
      token,
      `/meetings/${encodeURIComponent(encodeURIComponent(uuid))}/recordings/${m4a?.id}`,
      {
        method: "DELETE",
      },
    );
    expect(res.status).toBe(204);
    const rec = await apiJson<{ recording_files: { file_type: string }[] }>(
      token,
      `/meetings/${encodeURIComponent(encodeURIComponent(uuid))}/recordings`,
    );
    expect(rec.recording_files.map((f) => f.file_type)).not.toContain("M4A");
  });
});

describe("downloads", () => {
  it("redirects with an OAuth token to a signed URL serving the sample clip", async () => {
    const { recording } = await recorded();
    const mp4 = recording.files[0];
    const url = await signedUrl(mp4?.download_url ?? "", token);
    expect(url).toMatch(/\/file\/[\w-]+\?exp=\d+&sig=[0-9a-f]{64}$/);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("etag")).toBeTruthy();
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(mp4?.file_size);
    expect(new TextDecoder().decode(bytes.subarray(4, 8))).toBe("ftyp");
    const hash = await control<{ sha256: string }>(`/files/${mp4?.fileId}/sha256`, undefined, "GET");
    expect(hash.sha256).toBe(await sha256Hex(bytes.buffer));
  });

  it("accepts the webhook download_token for 24 hours", async () => {
    const { recording } = await recorded([{ fileType: "M4A", sizeBytes: 300_000 }]);
    const file = recording.files[0];
    const url = await signedUrl(file?.download_url ?? "", recording.downloadToken);
    const body = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(body.length).toBe(300_000);
    const hash = await control<{ sha256: string }>(`/files/${file?.fileId}/sha256`, undefined, "GET");
    expect(hash.sha256).toBe(await sha256Hex(body.buffer));
    await advance(24 * 3600 + 1);
    const late = await fetch(file?.download_url ?? "", {
      headers: { authorization: `Bearer ${recording.downloadToken}` },
      redirect: "manual",
    });
    expect(late.status).toBe(401);
    expect(((await late.json()) as { code: number }).code).toBe(124);
  });

  it("lists every secret it issued, used and revoked ones included, until a reset", async () => {
    const first = await authorize();
    const refreshed = (await (
      await fetch(`${ZOOM}/oauth/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${btoa("wise-local-client:wise-local-client-secret")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: first.refresh_token }),
      })
    ).json()) as { access_token: string; refresh_token: string };
    const beforeEachToken = token;
    token = refreshed.access_token;
    const { meeting, recording } = await recorded([{ fileType: "M4A", sizeBytes: 1000 }]);
    const details = await apiJson<{ start_url: string }>(token, `/meetings/${meeting.id}`);
    const url = new URL(await signedUrl(recording.files[0]?.download_url ?? "", recording.downloadToken));
    const issued = await control<Record<string, string[]>>("/issued-secrets", undefined, "GET");
    // The beforeEach authorization, the first one here (revoked by re-authorizing) and the refreshed pair.
    expect(issued.access).toEqual(expect.arrayContaining([beforeEachToken, first.access_token, token]));
    expect(issued.refresh).toEqual(expect.arrayContaining([first.refresh_token, refreshed.refresh_token]));
    expect(issued.access).toHaveLength(3);
    expect(issued.download).toEqual([recording.downloadToken]);
    // Every meeting answer mints a start URL (creation, then the read).
    expect(issued.zak).toHaveLength(2);
    expect(issued.zak).toContain(new URL(details.start_url).searchParams.get("zak"));
    expect(issued.fileUrlSignatures).toEqual([url.searchParams.get("sig")]);
    await reset();
    expect(await control("/issued-secrets", undefined, "GET")).toEqual({
      access: [],
      refresh: [],
      download: [],
      zak: [],
      fileUrlSignatures: [],
    });
  });

  it("refuses a token in the query string and a signed URL with Authorization", async () => {
    const { recording } = await recorded();
    const mp4 = recording.files[0];
    const q = await fetch(`${mp4?.download_url}?access_token=${token}`, { redirect: "manual" });
    expect(q.status).toBe(401);
    expect(await q.json()).toEqual({ code: 124, message: "Invalid access token." });
    const none = await fetch(mp4?.download_url ?? "", { redirect: "manual" });
    expect(none.status).toBe(401);
    const url = await signedUrl(mp4?.download_url ?? "", token);
    const forwarded = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(forwarded.status).toBe(400);
  });

  it("signed URLs expire after 10 minutes and cannot be forged", async () => {
    const { recording } = await recorded();
    const url = await signedUrl(recording.files[0]?.download_url ?? "", token);
    const forged = url.replace(/sig=([0-9a-f])/, (_, c: string) => `sig=${c === "0" ? "1" : "0"}`);
    expect(forged).not.toBe(url);
    expect((await fetch(forged)).status).toBe(403);
    await advance(601);
    expect((await fetch(url)).status).toBe(403);
  });

  it("answers Range requests with 206, suffix ranges and 416", async () => {
    const size = 200_000;
    const { recording } = await recorded([{ fileType: "MP4", sizeBytes: size }]);
    const url = await signedUrl(recording.files[0]?.download_url ?? "", token);
    const full = new Uint8Array(await (await fetch(url)).arrayBuffer());
    expect(full.length).toBe(size);
    const part = await fetch(url, { headers: { range: "bytes=65530-65545" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 65530-65545/${size}`);
    expect(part.headers.get("content-length")).toBe("16");
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(full.subarray(65530, 65546));
    const open = await fetch(url, { headers: { range: "bytes=199990-" } });
    expect(open.status).toBe(206);
    expect(new Uint8Array(await open.arrayBuffer())).toEqual(full.subarray(199_990));
    const suffix = await fetch(url, { headers: { range: "bytes=-100" } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get("content-range")).toBe(`bytes ${size - 100}-${size - 1}/${size}`);
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(full.subarray(size - 100));
    const bad = await fetch(url, { headers: { range: `bytes=${size}-` } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get("content-range")).toBe(`bytes */${size}`);
    const gz = await fetch(url, { headers: { "accept-encoding": "gzip" } });
    expect(gz.headers.get("content-encoding")).toBeNull();
    expect((await gz.arrayBuffer()).byteLength).toBe(size);
  });

  it("generates the same bytes every time for a file", async () => {
    const { recording } = await recorded([{ fileType: "CHAT", sizeBytes: 5000 }]);
    const a = await fetch(await signedUrl(recording.files[0]?.download_url ?? "", token));
    const b = await fetch(await signedUrl(recording.files[0]?.download_url ?? "", token));
    expect(a.headers.get("content-type")).toBe("text/plain");
    expect(new Uint8Array(await a.arrayBuffer())).toEqual(new Uint8Array(await b.arrayBuffer()));
  });

  it("is reachable on any host", async () => {
    const { recording } = await recorded();
    const other = (recording.files[0]?.download_url ?? "").replace(ZOOM, "https://us06web.zoom.us");
    expect(
      (await fetch(other, { headers: { authorization: `Bearer ${token}` }, redirect: "manual" })).status,
    ).toBe(302);
  });
});

type Json = Record<string, unknown>;
const completedEvents = async (uuid: string) =>
  (await deliveries())
    .filter((d) => d.event === "recording.completed" && d.body.includes(JSON.stringify(uuid)))
    .map((d) => ({ id: d.id, body: JSON.parse(d.body) as Json & { payload: { object: Json } } }));
const listOf = (e: { body: { payload: { object: Json } } } | undefined, key = "recording_files") =>
  (e?.body.payload.object[key] ?? []) as Json[];
const due = async () =>
  (
    await control<{ deliveries: { id: string; event: string }[] }>("/webhooks/due", undefined, "GET")
  ).deliveries.filter((d) => d.event === "recording.completed");

describe("Zoom's late, split, dropped and unfinished recordings", () => {
  it("lists a processing file without a size and refuses its download until it is processed", async () => {
    const m = await createMeeting(token);
    const s = await simulate(m.id, {
      durationMinutes: 30,
      recording: { files: [{ fileType: "M4A", sizeBytes: 70_000 }], processingMinutes: 40 },
    });
    const path = `/meetings/${encodeURIComponent(encodeURIComponent(s.uuid))}/recordings`;
    const before = await apiJson<{ recording_files: Json[] }>(token, path);
    expect(before.recording_files[0]).toMatchObject({ status: "processing" });
    expect(before.recording_files[0]).not.toHaveProperty("file_size");
    const url = before.recording_files[0]?.download_url as string;
    const early = await fetch(url, { headers: { authorization: `Bearer ${token}` }, redirect: "manual" });
    expect(early.status).toBe(404);
    // recording.completed waits for the processing to end.
    expect(await completedEvents(s.uuid)).toHaveLength(1);
    expect((await due()).map((d) => d.event)).not.toContain("recording.completed");
    await advance(41 * 60);
    expect((await due()).map((d) => d.event)).toContain("recording.completed");
    const after = await apiJson<{ recording_files: Json[] }>(token, path);
    expect(after.recording_files[0]).toMatchObject({ status: "completed", file_size: 70_000 });
    expect((await signedUrl(url, token)).length).toBeGreaterThan(0);
  });

  it("sends recording.completed days late with its download_token already expired", async () => {
    const m = await createMeeting(token);
    const s = await simulate(m.id, {
      recording: { files: [{ fileType: "CHAT", sizeBytes: 3000 }], webhookDelayMinutes: 60 * 60 },
    });
    const [event] = await completedEvents(s.uuid);
    expect((await due()).map((d) => d.id)).not.toContain(event?.id);
    await advance(60 * 3600);
    expect((await due()).map((d) => d.id)).toContain(event?.id);
    const file = listOf(event)[0] as Json;
    const late = await fetch(file.download_url as string, {
      headers: { authorization: `Bearer ${event?.body.download_token}` },
      redirect: "manual",
    });
    expect(late.status).toBe(401);
  });

  it("the event's download_url takes its download_token only; the API's takes the OAuth token", async () => {
    const m = await createMeeting(token);
    const s = await simulate(m.id, { recording: { files: [{ fileType: "M4A", sizeBytes: 10_000 }] } });
    const [event] = await completedEvents(s.uuid);
    const hooked = listOf(event)[0]?.download_url as string;
    expect(hooked).toMatch(/\/rec\/webhook_download\//);
    const withOauth = await fetch(hooked, {
      headers: { authorization: `Bearer ${token}` },
      redirect: "manual",
    });
    expect(withOauth.status).toBe(401);
    expect((await signedUrl(hooked, event?.body.download_token as string)).length).toBeGreaterThan(0);
    const listed = await apiJson<{ recording_files: Json[] }>(
      token,
      `/meetings/${encodeURIComponent(encodeURIComponent(s.uuid))}/recordings`,
    );
    expect(listed.recording_files[0]?.download_url).toMatch(/\/rec\/download\//);
    expect(
      (await signedUrl(listed.recording_files[0]?.download_url as string, token)).length,
    ).toBeGreaterThan(0);
  });

  it("splits recording.completed per file, each sent when its file is done, or drops it", async () => {
    const m = await createMeeting(token);
    const split = await simulate(m.id, {
      recording: {
        files: [
          { fileType: "M4A", sizeBytes: 1000 },
          { fileType: "CHAT", sizeBytes: 500, processingMinutes: 50 },
        ],
        webhook: "perFile",
      },
    });
    const events = await completedEvents(split.uuid);
    expect(
      events.map((e) => (e.body.payload.object.recording_files as Json[]).map((f) => f.file_type)),
    ).toEqual([["M4A"], ["CHAT"]]);
    expect(listOf(events[1])[0]).toMatchObject({
      status: "completed",
      file_size: 500,
    });
    expect((await due()).map((d) => d.id)).toEqual([events[0]?.id]);
    await advance(51 * 60);
    expect((await due()).map((d) => d.id)).toEqual([events[0]?.id, events[1]?.id]);
    const dropped = await simulate(m.id, { recording: { webhook: "none" } });
    expect(await completedEvents(dropped.uuid)).toHaveLength(0);
    const listed = await apiJson<{ meetings: { uuid: string }[] }>(token, "/users/me/recordings");
    expect(listed.meetings.map((x) => x.uuid)).toContain(dropped.uuid);
  });

  it("lists one audio file per participant beside recording_files, in the API and the event", async () => {
    const m = await createMeeting(token);
    const s = await simulate(m.id, {
      participants: [{ name: "Kim" }, { name: "Ana" }],
      recording: { files: [{ fileType: "M4A", sizeBytes: 2000 }], participantAudio: true },
    });
    const path = `/meetings/${encodeURIComponent(encodeURIComponent(s.uuid))}/recordings`;
    const rest = await apiJson<{ recording_files: Json[]; participant_audio_files: Json[] }>(token, path);
    expect(rest.recording_files).toHaveLength(1);
    expect(rest.participant_audio_files.map((f) => f.file_name)).toEqual([expect.any(String), "Kim", "Ana"]);
    for (const f of rest.participant_audio_files) {
      expect(f).toMatchObject({ file_type: "M4A", file_extension: "M4A", status: "completed" });
      expect(typeof f.id).toBe("string");
      expect(typeof f.file_size).toBe("number");
      const bytes = await (await fetch(await signedUrl(f.download_url as string, token))).arrayBuffer();
      expect(bytes.byteLength).toBe(f.file_size);
    }
    const [event] = await completedEvents(s.uuid);
    const listed = listOf(event, "participant_audio_files");
    expect(listed.map((f) => f.id)).toEqual(rest.participant_audio_files.map((f) => f.id));
    // Without the setting there is no such list.
    const plain = await simulate(m.id, { recording: { files: [{ fileType: "CHAT" }] } });
    const none = await apiJson<Json>(
      token,
      `/meetings/${encodeURIComponent(encodeURIComponent(plain.uuid))}/recordings`,
    );
    expect(none).not.toHaveProperty("participant_audio_files");
  });

  it("redirects downloads to another origin standing for Zoom's CDN, which refuses a bearer", async () => {
    await control("/config", { downloads: { fileOrigin: "https://cdn.zoom-files.example" } });
    const { recording } = await recorded([{ fileType: "CHAT", sizeBytes: 800 }]);
    const url = await signedUrl(recording.files[0]?.download_url ?? "", token);
    expect(url.startsWith("https://cdn.zoom-files.example/file/")).toBe(true);
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(400);
    const stats = await control<{ requests: Record<string, number> }>("/stats", undefined, "GET");
    expect(stats.requests["recordings.file.with_authorization"]).toBe(1);
  });
});
