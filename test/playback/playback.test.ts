// Playback links and /r/{token}: Range and conditional requests against R2, and refused tokens.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { mintPlayToken } from "../../src/links/play-token.ts";
import { loadConfig } from "../../src/platform/config.ts";
import { call } from "../helpers/app.ts";
import { clearArchive, deliverTo, drain, recordedMeeting } from "../helpers/archive.ts";
import { bearer } from "../helpers/jwt.ts";
import { linkZoom, resetEmulator } from "../helpers/zoom.ts";

const T = "tenant-a";
let fileId = "";
let size = 0;
let path = "";
let chatId = "";

beforeAll(async () => {
  await resetEmulator();
  await clearArchive();
  await linkZoom(T);
  const rec = await recordedMeeting(T, [
    { fileType: "MP4", sample: true },
    { fileType: "CHAT" },
    { fileType: "TIMELINE" },
  ]);
  if (!rec.webhook) throw new Error("no webhook");
  await deliverTo(rec.webhook);
  await drain();
  fileId = rec.files[0]?.id ?? "";
  chatId = rec.files[1]?.id ?? "";
  size = rec.files[0]?.file_size ?? 0;
  const res = await call(`/v1/recordings/files/${fileId}/playback-link`, {
    method: "POST",
    headers: await bearer({ tenant: T, role: "admin", sub: "admin-1" }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { url: string; expiresAt: string };
  expect(body.url).toMatch(/^https:\/\/edge\.test\/r\/v1\./);
  expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now() + 3600_000);
  path = new URL(body.url).pathname;
});

const get = (headers: Record<string, string> = {}, p = path) => call(p, { headers });

describe("playback", () => {
  it("serves the whole file with the right headers", async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("content-length")).toBe(String(size));
    expect(res.headers.get("cache-control")).toMatch(/^private/);
    expect(res.headers.get("etag")).toBeTruthy();
    expect((await res.arrayBuffer()).byteLength).toBe(size);
  });

  it("serves ranges as 206 with Content-Range", async () => {
    const full = new Uint8Array(await (await get()).arrayBuffer());
    const res = await get({ range: "bytes=100-199" });
    expect(res.status).toBe(206);
    expect(res.headers.get("content-range")).toBe(`bytes 100-199/${size}`);
    expect(res.headers.get("content-length")).toBe("100");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(full.slice(100, 200));
    const suffix = await get({ range: "bytes=-10" });
    expect(suffix.status).toBe(206);
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(full.slice(size - 10));
    const open = await get({ range: `bytes=${size - 5}-` });
    expect(open.headers.get("content-range")).toBe(`bytes ${size - 5}-${size - 1}/${size}`);
    await open.body?.cancel();
  });

  it("answers impossible ranges with 416 and multiple ranges with the whole file", async () => {
    for (const range of ["bytes=5-2", "bytes=-0", `bytes=${size}-`, `bytes=${size + 100}-${size + 200}`]) {
      const res = await get({ range });
      expect(res.status, range).toBe(416);
      expect(res.headers.get("content-range")).toBe(`bytes */${size}`);
    }
    const multi = await get({ range: "bytes=0-1,5-9" });
    expect(multi.status).toBe(200);
    expect(multi.headers.get("content-length")).toBe(String(size));
    await multi.body?.cancel();
  });

  it("answers conditional requests with 304 and 412, and honours If-Range", async () => {
    const first = await get();
    const etag = first.headers.get("etag") ?? "";
    await first.body?.cancel();
    expect((await get({ "if-none-match": etag })).status).toBe(304);
    expect((await get({ "if-match": '"other"' })).status).toBe(412);
    const ok = await get({ "if-match": etag, range: "bytes=0-9" });
    expect(ok.status).toBe(206);
    await ok.body?.cancel();
    const stale = await get({ "if-range": '"other"', range: "bytes=0-9" });
    expect(stale.status).toBe(200);
    await stale.body?.cancel();
  });

  it("uses the file's content type for other files", async () => {
    const config = loadConfig(env);
    const { token } = await mintPlayToken(
      config.linkKeys,
      { tenantId: T, fileId: chatId, subject: "s" },
      600,
    );
    const res = await get({}, `/r/${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    await res.body?.cancel();
  });

  it("refuses forged, expired, tampered and other-tenant tokens with a page", async () => {
    const config = loadConfig(env);
    const forged = await mintPlayToken(
      [{ id: config.linkKeys[0]?.id ?? "", secret: new Uint8Array(32).fill(7) }],
      { tenantId: T, fileId, subject: "s" },
      600,
    );
    const r1 = await get({}, `/r/${forged.token}`);
    expect(r1.status).toBe(403);
    expect(r1.headers.get("content-type")).toMatch(/text\/html/);
    const expired = await mintPlayToken(
      config.linkKeys,
      { tenantId: T, fileId, subject: "s" },
      60,
      Math.floor(Date.now() / 1000) - 3600,
    );
    expect((await get({}, `/r/${expired.token}`)).status).toBe(410);
    const other = await mintPlayToken(config.linkKeys, { tenantId: "tenant-b", fileId, subject: "s" }, 600);
    const r3 = await get({}, `/r/${other.token}`);
    expect(r3.status).toBe(404);
    expect(r3.headers.get("content-type")).toMatch(/text\/html/);
    const tampered = `${path.slice(0, -3)}${path.endsWith("AAA") ? "BBB" : "AAA"}`;
    expect((await get({}, tampered)).status).toBe(403);
    expect((await get({}, "/r/not-a-token")).status).toBe(403);
  });

  it("mints and verifies one encoding of Zoom file ids holding +, / and =", async () => {
    const odd = "Zm9v+YmFy/YmF6==";
    // A copy of the archived MP4's row under such an id.
    const row = await env.DB.prepare("SELECT * FROM recording_files WHERE id = ?").bind(fileId).first();
    const copy = { ...row, id: odd };
    await env.DB.prepare(
      `INSERT INTO recording_files (${Object.keys(copy).join(", ")}) VALUES (${Object.keys(copy)
        .map(() => "?")
        .join(", ")})`,
    )
      .bind(...Object.values(copy))
      .run();
    const res = await call(`/v1/recordings/files/${encodeURIComponent(odd)}/playback-link`, {
      method: "POST",
      headers: await bearer({ tenant: T, role: "admin" }),
    });
    expect(res.status).toBe(200);
    const { url } = (await res.json()) as { url: string };
    const played = await get({ range: "bytes=0-99" }, new URL(url).pathname);
    expect(played.status).toBe(206);
    expect((await played.arrayBuffer()).byteLength).toBe(100);
    // Minting refuses what verifying would refuse, instead of handing out a link that never opens.
    await expect(
      mintPlayToken(loadConfig(env).linkKeys, { tenantId: T, fileId: "bad id", subject: "s" }, 600),
    ).rejects.toThrow(/schema/);
    await env.DB.prepare("DELETE FROM recording_files WHERE id = ?").bind(odd).run();
  });

  it("does not mint links for another tenant's file or a file not archived", async () => {
    const res = await call(`/v1/recordings/files/${fileId}/playback-link`, {
      method: "POST",
      headers: await bearer({ tenant: "tenant-b", role: "student" }),
    });
    expect(res.status).toBe(404);
    await env.DB.prepare("UPDATE recording_files SET status='failed' WHERE id=?").bind(chatId).run();
    const failed = await call(`/v1/recordings/files/${chatId}/playback-link`, {
      method: "POST",
      headers: await bearer({ tenant: T, role: "admin" }),
    });
    expect(failed.status).toBe(409);
    await env.DB.prepare("UPDATE recording_files SET status='archived' WHERE id=?").bind(chatId).run();
  });
});
