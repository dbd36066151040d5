// Recording archive: (1) recordings of 256 MiB, 1 GiB and 2 GiB copied from the emulator into local
// R2 by the product's queue consumer, each beside a trivial Worker copy of the same URL in the same
// run (throughput ratio, peak RSS growth of workerd, SHA-256 checked against the emulator's);
// (2) the nightly sweep of many accounts: time, and subrequests per consumer invocation.
import { execSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { fmt, percentile, type Stack, startStack } from "./harness.ts";
import type { Counts, Invocation as InvocationOf } from "./invocations.ts";
import { statusBytes, workerdPids } from "./procfs.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const MiB = 1024 * 1024;

// Sizes and sweep dimensions: BENCH_ARCHIVE_SIZES=256 for a quick look; the sweep runs 40 accounts
// by default to keep `npm run bench` short (every count it reports is per account or per invocation
// of 4 accounts, and local time grows linearly); BENCH_SWEEP=200x50 is the issue's full size,
// BENCH_SWEEP=0 skips it. BENCH_ARCHIVE_ORDER=trivial-first swaps the copies of each size.
const SIZES = (process.env.BENCH_ARCHIVE_SIZES ?? "256,1024,2048").split(",").map((s) => Number(s) * MiB);
const [SWEEP_ACCOUNTS, SWEEP_RECORDINGS] = (process.env.BENCH_SWEEP ?? "40x50").split("x").map(Number) as [
  number,
  number,
];
const PRODUCT_FIRST = process.env.BENCH_ARCHIVE_ORDER !== "trivial-first";
/** Files of each swept recording, as a typical cloud recording has them (TIMELINE has no Zoom id). */
const SWEEP_FILES = [
  { fileType: "MP4", sizeBytes: 2_000_000 },
  { fileType: "M4A", sizeBytes: 500_000 },
  { fileType: "CHAT" },
  { fileType: "TIMELINE" },
];

/** As wrangler.toml sets them (the test bindings use small values to exercise multipart cheaply). */
const PRODUCTION_ARCHIVE = {
  ARCHIVE_MULTIPART_THRESHOLD_BYTES: process.env.BENCH_THRESHOLD ?? String(100 * MiB),
  ARCHIVE_PART_SIZE_BYTES: String(32 * MiB),
};

// ---- workerd memory, sampled through /proc ----

/** Samples the summed RSS of the workerd processes every 50 ms; `stop` gives base and peak. */
function sampleRss(pids: number[]) {
  const total = () => pids.reduce((s, pid) => s + statusBytes(pid), 0);
  const base = total();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, total());
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, total());
      return { base, peak, growth: peak - base };
    },
  };
}

// ---- helpers over the stack ----

type Invocation = InvocationOf<{ kind?: string; tenantId?: string; fileId?: string }>;

async function bench<T>(stack: Stack, path: string, init?: RequestInit): Promise<T> {
  const res = await stack.app(`/__bench/${path}`, init);
  if (!res.ok) throw new Error(`/__bench/${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const invocationsSince = (stack: Stack, since: number) =>
  bench<{ total: number; invocations: Invocation[] }>(stack, `invocations?since=${since}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A meeting on the tenant's linked account, created at the emulator with the account's token. */
async function createMeeting(stack: Stack, tenant: string): Promise<string> {
  const { accessToken } = await bench<{ accessToken: string }>(
    stack,
    `zoom-token?tenant=${encodeURIComponent(tenant)}`,
  );
  const res = await stack.zoom("/v2/users/me/meetings", {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
    body: JSON.stringify({ topic: "Bench", type: 2, start_time: "2026-12-01T10:00:00Z", duration: 45 }),
  });
  if (res.status !== 201) throw new Error(`meetings.create: ${res.status} ${await res.text()}`);
  return String(((await res.json()) as { id: number }).id);
}

interface Simulated {
  uuid: string;
  recording: { downloadToken: string; files: { fileId: string; id?: string; download_url: string }[] };
}

/** Runs `n` jobs with at most `width` at once. */
async function pool(n: number, width: number, job: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) await job(next++);
    }),
  );
}

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
const mib = (bytes: number) => bytes / MiB;

// ---- (1) archiving large recordings ----

interface CopyResult {
  ms: number;
  rss: { base: number; peak: number; growth: number };
  sha256Ok: boolean;
}

/** The product with its real queue consumer and production archive settings, counted per invocation. */
const archiveStack = () =>
  startStack({ entry: `${here}worker/archive-entry.ts`, queueConsumer: true, bindings: PRODUCTION_ARCHIVE });

async function archiveRun(): Promise<string[]> {
  const stack = await archiveStack();
  const lines: string[] = [];
  try {
    await stack.control("/config", { rateLimits: { enabled: false } });
    const tenant = "bench-archive";
    await stack.link(tenant);
    const meetingId = await createMeeting(stack, tenant);
    const pids = workerdPids();
    if (pids.length === 0) throw new Error("no workerd process found under this one");
    const db = await stack.mf.getD1Database("DB");

    const trivialCopy = async (
      file: { download_url: string; fileId: string },
      token: string,
      size: number,
    ) => {
      const key = `bench/trivial/${file.fileId}.mp4`;
      const rss = sampleRss(pids);
      const r = await bench<{ ms: number; size: number; status: number }>(stack, "copy", {
        method: "POST",
        body: JSON.stringify({ downloadUrl: file.download_url, token, key }),
      });
      const mem = rss.stop();
      if (r.status !== 200 || r.size !== size) throw new Error(`trivial copy: ${JSON.stringify(r)}`);
      return { key, ms: r.ms, size: r.size, rss: mem };
    };

    const productCopy = async (sim: Simulated) => {
      const file = sim.recording.files[0] as { fileId: string; id?: string };
      const fileId = file.id ?? file.fileId;
      const { deliveries } = await stack.control<{
        deliveries: { event: string; headers: Record<string, string>; body: string }[];
      }>("/webhooks", undefined, "GET");
      const webhook = deliveries.find((d) => d.event === "recording.completed" && d.body.includes(sim.uuid));
      if (!webhook) throw new Error("no recording.completed in the emulator's outbox");
      const { total: before } = await invocationsSince(stack, 1e9);
      const rss = sampleRss(pids);
      // The product's own path: the signed webhook records the file and queues it; Miniflare's queue
      // runs the consumer (src/index.ts `queue`), which downloads with the webhook's download_token.
      const res = await stack.app("/webhooks/zoom", {
        method: "POST",
        headers: webhook.headers,
        body: webhook.body,
      });
      if (res.status >= 300) throw new Error(`webhook: ${res.status} ${await res.text()}`);
      await res.arrayBuffer();
      let done: Invocation | undefined;
      const deadline = Date.now() + 10 * 60_000;
      while (!done && Date.now() < deadline) {
        await sleep(200);
        const { invocations } = await invocationsSince(stack, before);
        done = invocations.find((i) =>
          i.messages.some((m) => m.kind === "archive-file" && m.fileId === fileId),
        );
      }
      const mem = rss.stop();
      if (!done) throw new Error("the consumer did not run");
      if (done.error) throw new Error(`consumer: ${done.error}`);
      const row = await db
        .prepare(
          "SELECT status, sha256, bytes_archived, size_bytes, r2_key, error FROM recording_files WHERE id = ?",
        )
        .bind(fileId)
        .first<{
          status: string;
          sha256: string;
          bytes_archived: number;
          size_bytes: number;
          r2_key: string;
          error: string;
        }>();
      if (row?.status !== "archived") throw new Error(`file not archived: ${JSON.stringify(row)}`);
      return {
        key: row.r2_key,
        sha256: row.sha256,
        ms: done.endedAt - done.startedAt,
        rss: mem,
        counts: done.counts,
      };
    };

    // Warm-up (not reported): isolates, key import, the R2 simulator's first writes.
    {
      const sim = await stack.control<Simulated>(`/meetings/${meetingId}/simulate`, {
        recording: { files: [{ fileType: "MP4", sizeBytes: 32 * MiB }] },
      });
      const f = sim.recording.files[0] as Simulated["recording"]["files"][number];
      const p = await productCopy(sim);
      const t = await trivialCopy(f, sim.recording.downloadToken, 32 * MiB);
      await bench(stack, `delete?key=${encodeURIComponent(t.key)}`);
      await bench(stack, `delete?key=${encodeURIComponent(p.key)}`);
    }

    lines.push(
      `load average ${loadavg()
        .map((l) => fmt(l, 2))
        .join(" ")} at start (2 cores, shared)`,
      `archive (${PRODUCT_FIRST ? "product" : "trivial"} copy first): recording -> local R2, product consumer (multipart, threshold ${mib(Number(PRODUCTION_ARCHIVE.ARCHIVE_MULTIPART_THRESHOLD_BYTES))} MiB, parts ${mib(Number(PRODUCTION_ARCHIVE.ARCHIVE_PART_SIZE_BYTES))} MiB) vs trivial fetch+put`,
    );
    const rows: { size: number; trivial: CopyResult; product: CopyResult & { counts: Counts } }[] = [];
    for (const size of SIZES) {
      const sim = await stack.control<Simulated>(`/meetings/${meetingId}/simulate`, {
        recording: { files: [{ fileType: "MP4", sizeBytes: size }] },
      });
      const f = sim.recording.files[0] as Simulated["recording"]["files"][number];
      // Whichever copy runs second starts from a higher RSS (workerd keeps much of what a copy
      // allocated) and so shows less growth; run the benchmark in both orders to see the spread.
      // Dirty pages of the previous copy are flushed first so they do not slow the next one.
      let p: Awaited<ReturnType<typeof productCopy>>;
      let t: Awaited<ReturnType<typeof trivialCopy>>;
      if (PRODUCT_FIRST) {
        execSync("sync");
        p = await productCopy(sim);
        execSync("sync");
        t = await trivialCopy(f, sim.recording.downloadToken, size);
      } else {
        execSync("sync");
        t = await trivialCopy(f, sim.recording.downloadToken, size);
        execSync("sync");
        p = await productCopy(sim);
      }
      // Verified after both copies, outside the measured windows: the emulator's hash of the source
      // against the product's recorded hash and against the object read back from R2 (the trivial
      // copy is checked by size).
      const [expected, pObj] = await Promise.all([
        stack.control<{ sha256: string; size: number }>(`/files/${f.fileId}/sha256`, undefined, "GET"),
        bench<{ sha256: string; size: number } | null>(stack, `sha256?key=${encodeURIComponent(p.key)}`),
      ]);
      rows.push({
        size,
        trivial: { ms: t.ms, rss: t.rss, sha256Ok: t.size === size },
        product: {
          ms: p.ms,
          rss: p.rss,
          counts: p.counts,
          sha256Ok: p.sha256 === expected.sha256 && pObj?.sha256 === expected.sha256 && pObj.size === size,
        },
      });
      // Keep the local R2 store small between sizes.
      await bench(stack, `delete?key=${encodeURIComponent(t.key)}`);
      await bench(stack, `delete?key=${encodeURIComponent(p.key)}`);
    }
    for (const r of rows) {
      const tp = mbps(r.size, r.trivial.ms);
      const pp = mbps(r.size, r.product.ms);
      const name = r.size >= 1024 * MiB ? `${r.size / (1024 * MiB)} GiB` : `${mib(r.size)} MiB`;
      lines.push(
        `  ${name.padEnd(8)} trivial ${fmt(tp).padStart(6)} MB/s  rss +${fmt(mib(r.trivial.rss.growth), 0)} MiB   product ${fmt(pp).padStart(6)} MB/s  rss +${fmt(mib(r.product.rss.growth), 0)} MiB   ratio ${fmt(pp / tp, 2)} (goal >= 0.8)   rss product-trivial ${fmt(mib(r.product.rss.growth - r.trivial.rss.growth), 0)} MiB (goal <= 64)   ${r.product.sha256Ok && r.trivial.sha256Ok ? "sha256 ok" : `MISMATCH product sha256 ${r.product.sha256Ok}, trivial size ${r.trivial.sha256Ok}`}`,
      );
      lines.push(
        `           workerd rss before/peak: trivial ${fmt(mib(r.trivial.rss.base), 0)}/${fmt(mib(r.trivial.rss.peak), 0)} MiB, product ${fmt(mib(r.product.rss.base), 0)}/${fmt(mib(r.product.rss.peak), 0)} MiB; consumer calls: ${r.product.counts.fetch} fetch, ${r.product.counts.d1Calls} D1, ${r.product.counts.r2Calls} R2 bucket calls + ${Math.ceil(r.size / Number(PRODUCTION_ARCHIVE.ARCHIVE_PART_SIZE_BYTES))} parts`,
      );
    }
    lines.push(
      `  load average ${loadavg()
        .map((l) => fmt(l, 2))
        .join(" ")} at the end`,
    );
  } finally {
    await stack.close();
  }
  return lines;
}

// ---- (2) the nightly sweep ----

function summarise(label: string, invs: Invocation[], accounts: number): string[] {
  const sub = (c: Counts) => c.fetch + c.d1Calls + c.queueCalls + c.durableObjectCalls + c.r2Calls;
  const per = invs.map((i) => sub(i.counts)).sort((a, b) => a - b);
  const d1 = invs.map((i) => i.counts.d1Statements).sort((a, b) => a - b);
  const d1Calls = invs.map((i) => i.counts.d1Calls).sort((a, b) => a - b);
  const ms = invs.map((i) => i.endedAt - i.startedAt).sort((a, b) => a - b);
  const sum = (f: (c: Counts) => number) => invs.reduce((s, i) => s + f(i.counts), 0);
  const messages = invs.reduce((s, i) => s + i.messages.length, 0);
  const overlapped = invs.filter((i) => i.overlapped).length;
  return [
    `  ${label}: ${invs.length} consumer invocations for ${messages} sweep messages (batches of up to 4, as wrangler.toml)`,
    `    subrequests per invocation: p50 ${percentile(per, 50)}, max ${per.at(-1)} (limit 10,000); D1 per invocation: max ${d1Calls.at(-1)} calls carrying ${d1.at(-1)} statements (limit 1,000 queries)`,
    `    per account: ${fmt(sum((c) => c.fetch) / accounts, 1)} fetch (Zoom API), ${fmt(sum((c) => c.durableObjectCalls) / accounts, 1)} Durable Object calls, ${fmt(sum((c) => c.d1Calls) / accounts, 1)} D1 calls (${fmt(sum((c) => c.d1Statements) / accounts, 1)} statements), ${fmt(sum((c) => c.queueCalls) / accounts, 1)} queue sends (${fmt(sum((c) => c.queueMessages) / accounts, 1)} messages), ${fmt(sum((c) => c.r2Calls) / accounts, 1)} R2`,
    `    invocation wall time p50 ${fmt(ms.length ? (percentile(ms, 50) as number) / 1000 : 0, 2)} s, max ${fmt((ms.at(-1) ?? 0) / 1000, 2)} s${overlapped ? `   (${overlapped} invocations overlapped: counts shared)` : ""}`,
  ];
}

async function sweepRun(): Promise<string[]> {
  const stack = await archiveStack();
  const lines: string[] = [];
  try {
    await stack.control("/config", { rateLimits: { enabled: false } });
    // Only the sweep is measured: the archive-file messages it sends are counted, not queued.
    await bench(stack, "drop-file-messages?on=1");
    const setupStarted = performance.now();
    const tenants: string[] = [];
    await pool(SWEEP_ACCOUNTS, 4, async (i) => {
      const tenant = `sweep-${String(i).padStart(3, "0")}`;
      const account = await stack.control<{ accountId: string; ownerId: string }>("/accounts", {
        name: `Sweep School ${i}`,
      });
      await stack.link(tenant, account.ownerId);
      const meetingId = await createMeeting(stack, tenant);
      // One meeting run again and again: every run is a new instance with its own recording.
      for (let r = 0; r < SWEEP_RECORDINGS; r++) {
        await stack.control(`/meetings/${meetingId}/simulate`, { recording: { files: SWEEP_FILES } });
      }
      tenants.push(tenant);
    });
    await stack.control("/webhooks", undefined, "DELETE");
    const setupSeconds = (performance.now() - setupStarted) / 1000;

    const db = await stack.mf.getD1Database("DB");
    const app = await stack.mf.getWorker("app");
    const stats = async () =>
      (await stack.control<{ requests: Record<string, number> }>("/stats", undefined, "GET")).requests;
    const diff = (a: Record<string, number>, b: Record<string, number>) =>
      Object.entries(b)
        .map(([op, n]) => [op, n - (a[op] ?? 0)] as const)
        .filter(([, n]) => n > 0);

    const cron = async (label: string) => {
      const { total: before } = await invocationsSince(stack, 1e9);
      const zoomBefore = await stats();
      const started = Date.now();
      await (app as unknown as { scheduled(c: { cron: string }): Promise<unknown> }).scheduled({
        cron: "0 3 * * *",
      });
      // Done when every account's sweep has recorded its completion (a retried message counts once).
      const deadline = Date.now() + 15 * 60_000;
      for (;;) {
        const swept = await db
          .prepare("SELECT count(*) AS n FROM archive_sweeps WHERE last_sweep_at >= ?")
          .bind(started)
          .first<{ n: number }>();
        if ((swept?.n ?? 0) >= SWEEP_ACCOUNTS || Date.now() > deadline) break;
        await sleep(250);
      }
      const invs = (await invocationsSince(stack, before)).invocations;
      const queueInvs = invs.filter((i) => i.handler === "queue");
      const end = Math.max(...queueInvs.map((i) => i.endedAt));
      const zoom = diff(zoomBefore, await stats());
      const failed = queueInvs.filter((i) => i.error).length;
      const deliveries = queueInvs.reduce((s, i) => s + i.messages.length, 0);
      const cronInv = invs.find((i) => i.handler === "scheduled");
      return [
        `  ${label}: ${SWEEP_ACCOUNTS} accounts swept in ${fmt((end - started) / 1000, 1)} s (cron to last sweep done, consumer invocations run one at a time locally)${failed ? `   FAILED INVOCATIONS ${failed}` : ""}${deliveries > SWEEP_ACCOUNTS ? `   (${deliveries - SWEEP_ACCOUNTS} continuation or retried messages)` : ""}`,
        `    Zoom requests: ${zoom.map(([op, n]) => `${op} ${n}`).join(", ")}`,
        ...(cronInv
          ? [
              `    cron invocation: ${cronInv.counts.d1Calls} D1 calls, ${cronInv.counts.queueCalls} queue sends (${cronInv.counts.queueMessages} messages), ${fmt((cronInv.endedAt - cronInv.startedAt) / 1000, 2)} s`,
            ]
          : []),
        ...summarise("sweep consumer", queueInvs, SWEEP_ACCOUNTS),
      ];
    };

    lines.push(
      `sweep: ${SWEEP_ACCOUNTS} linked accounts x ${SWEEP_RECORDINGS} recordings (${SWEEP_FILES.length} files each); setup ${fmt(setupSeconds, 0)} s`,
    );
    lines.push(...(await cron("first sweep (backfill, 183 days in monthly windows)")));
    const files = await db.prepare("SELECT count(*) AS n FROM recording_files").first<{ n: number }>();
    lines.push(
      `    recorded ${files?.n ?? 0} files (expected ${SWEEP_ACCOUNTS * SWEEP_RECORDINGS * SWEEP_FILES.length})`,
    );
    lines.push(...(await cron("nightly sweep (30 days, nothing new)")));
  } finally {
    await stack.close();
  }
  return lines;
}

export async function run(): Promise<string[]> {
  const out: string[] = [];
  if (SIZES.length && SIZES.every((s) => s > 0)) out.push(...(await archiveRun()));
  if (SWEEP_ACCOUNTS > 0) out.push(...(await sweepRun()));
  return out;
}
