// A 2 GiB recording download through the real emulator in workerd must stream: bytes are counted
// and hashed as they arrive while the RSS of this process and of workerd stays bounded.
import { createHash } from "node:crypto";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import { statusBytes, workerdPids } from "../../bench/procfs.ts";
import { buildEmulator, emulatorWorkerOptions } from "../build.ts";

const SIZE = 2 * 1024 ** 3;
const LIMIT = 200 * 1024 ** 2;

let mf: Miniflare;

beforeAll(async () => {
  await buildEmulator();
  mf = new Miniflare(convertV4MiniflareOptions({ workers: [emulatorWorkerOptions()] }));
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

async function control(path: string, body?: unknown, method = "POST") {
  const res = await mf.dispatchFetch(`http://zoom.test/__emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

it("streams a 2 GiB file in bounded memory", async () => {
  await control("/reset");
  const form = new URLSearchParams({
    response_type: "code",
    client_id: "wise-local-client",
    redirect_uri: "https://edge.test/oauth/zoom/callback",
    user_id: "Qm3tWgkXRSmZ0aW1Jp7dAA",
    decision: "approve",
  });
  const auth = await mf.dispatchFetch("http://zoom.test/oauth/authorize", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
    redirect: "manual",
  });
  const code = new URL(auth.headers.get("location") ?? "").searchParams.get("code") ?? "";
  const tokenRes = await mf.dispatchFetch("http://zoom.test/oauth/token", {
    method: "POST",
    headers: {
      authorization: `Basic ${btoa("wise-local-client:wise-local-client-secret")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: "https://edge.test/oauth/zoom/callback",
    }).toString(),
  });
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const meeting = await mf.dispatchFetch("http://zoom.test/v2/users/me/meetings", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ topic: "Big" }),
  });
  const { id } = (await meeting.json()) as { id: number };
  const sim = (await control(`/meetings/${id}/simulate`, {
    recording: { files: [{ fileType: "MP4", sizeBytes: SIZE }] },
  })) as { recording: { files: { download_url: string; fileId: string }[] } };
  const file = sim.recording.files[0] as { download_url: string; fileId: string };
  const redirect = await mf.dispatchFetch(file.download_url, {
    headers: { authorization: `Bearer ${token}` },
    redirect: "manual",
  });
  expect(redirect.status).toBe(302);

  const workerd = workerdPids();
  expect(workerd.length).toBeGreaterThan(0);
  const baseNode = statusBytes("self", "VmRSS");
  const baseWorkerd = workerd.map((pid) => statusBytes(pid, "VmRSS"));
  const peaks = { node: baseNode, workerd: [...baseWorkerd] };
  const sample = () => {
    peaks.node = Math.max(peaks.node, statusBytes("self", "VmRSS"));
    workerd.forEach((pid, i) => {
      peaks.workerd[i] = Math.max(peaks.workerd[i] ?? 0, statusBytes(pid, "VmRSS"));
    });
  };
  const timer = setInterval(sample, 200);

  const started = Date.now();
  const res = await mf.dispatchFetch(redirect.headers.get("location") ?? "");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-length")).toBe(String(SIZE));
  const hash = createHash("sha256");
  let bytes = 0;
  const reader = (res.body as unknown as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    hash.update(value);
  }
  clearInterval(timer);
  sample();
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `2 GiB in ${seconds.toFixed(1)} s (${(SIZE / 1024 ** 2 / seconds).toFixed(0)} MiB/s); node +${((peaks.node - baseNode) / 1024 ** 2).toFixed(0)} MiB, workerd +${peaks.workerd.map((p, i) => ((p - (baseWorkerd[i] ?? 0)) / 1024 ** 2).toFixed(0)).join("/")} MiB`,
  );
  expect(bytes).toBe(SIZE);
  expect(peaks.node - baseNode).toBeLessThan(LIMIT);
  peaks.workerd.forEach((peak, i) => {
    expect(peak - (baseWorkerd[i] ?? 0)).toBeLessThan(LIMIT);
  });
  const remote = (await (
    await mf.dispatchFetch(`http://zoom.test/__emulator/files/${file.fileId}/sha256`)
  ).json()) as {
    sha256: string;
  };
  expect(hash.digest("hex")).toBe(remote.sha256);
}, 120_000);
