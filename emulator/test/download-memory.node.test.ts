// A 2 GiB recording download through the real emulator in workerd must stream: bytes are counted
// and hashed as they arrive while the RSS of this process and of workerd stays bounded.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { statusBytes, workerdPids } from "../../bench/procfs.ts";
import { type EmulatorInMiniflare, startEmulator } from "./miniflare.ts";

const SIZE = 2 * 1024 ** 3;
const LIMIT = 200 * 1024 ** 2;

let emu: EmulatorInMiniflare;

beforeAll(async () => {
  emu = await startEmulator();
}, 60_000);

afterAll(async () => {
  await emu?.dispose();
});

it("streams a 2 GiB file in bounded memory", async () => {
  await emu.control("/reset");
  const token = (await emu.authorize()).access_token as string;
  const meeting = await emu.fetch("/v2/users/me/meetings", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ topic: "Big" }),
  });
  const { id } = (await meeting.json()) as { id: number };
  const sim = (await emu.control(`/meetings/${id}/simulate`, {
    recording: { files: [{ fileType: "MP4", sizeBytes: SIZE }] },
  })) as { recording: { files: { download_url: string; fileId: string }[] } };
  const file = sim.recording.files[0] as { download_url: string; fileId: string };
  const redirect = await emu.mf.dispatchFetch(file.download_url, {
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
  const res = await emu.mf.dispatchFetch(redirect.headers.get("location") ?? "");
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
  const remote = (await (await emu.fetch(`/__emulator/files/${file.fileId}/sha256`)).json()) as {
    sha256: string;
  };
  expect(hash.digest("hex")).toBe(remote.sha256);
}, 120_000);
