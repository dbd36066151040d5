// Outbound events: (1) events delivered per second from the outbox to the emulator's receiver
// (which verifies every signature with the standardwebhooks library), beside the receiver's own
// rate for signed POSTs sent straight to it, in the same run; (2) the time the archive consumer
// takes for a file with an event subscription against the same path with none, alternated.
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { Webhook } from "standardwebhooks";
import { fmt, percentile, type Stack, startStack } from "./harness.ts";
import type { Invocation as InvocationOf } from "./invocations.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const EVENTS = Number(process.env.BENCH_EVENTS ?? "500");
const ARCHIVE_ROUNDS = Number(process.env.BENCH_EVENTS_ARCHIVE ?? "16");
const HOOKS = "https://hooks.wise.example";
const TENANT = "bench-events";
/** The same path for a tenant with no subscription: its Zoom account is the emulator's second one. */
const NO_SUBSCRIPTION = "bench-no-subscription";

type Invocation = InvocationOf<{ kind?: string; fileId?: string }>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Received {
  webhookId: string;
  verifiedSecrets: number;
  receivedAt: number;
  type: string;
}

const receivedAt = (stack: Stack, endpoint: string) =>
  stack.control<{ deliveries: Received[] }>(`/receiver/${endpoint}`, undefined, "GET");

async function admin(stack: Stack, method: string, path: string, body?: unknown) {
  return json<Record<string, unknown>>(
    await stack.app(path, {
      method,
      headers: { authorization: `Bearer ${await stack.token(TENANT)}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
}

/** (1) Throughput: N events written to the outbox at once, until the receiver has verified them all. */
async function throughput(stack: Stack, secret: string): Promise<string[]> {
  const started = Date.now();
  const { written } = await json<{ written: number }>(
    await stack.app(`/__bench/emit?tenant=${TENANT}&n=${EVENTS}`, { method: "POST" }),
  );
  let got: Received[] = [];
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    got = (await receivedAt(stack, "bench")).deliveries.filter((d) => d.type === "class.started");
    if (got.length >= written) break;
    await sleep(250);
  }
  const verified = got.filter((d) => d.verifiedSecrets === 1);
  const unique = new Set(verified.map((d) => d.webhookId)).size;
  const last = Math.max(...got.map((d) => d.receivedAt));
  const productRate = unique / ((last - started) / 1000);
  const latencies = got.map((d) => d.receivedAt - started).sort((a, b) => a - b);

  // The receiver's own rate: the same number of signed POSTs straight from here, 4 at a time
  // (the consumer's batch size).
  const wh = new Webhook(secret);
  const body = JSON.stringify({ type: "class.started", version: 1, data: {} });
  let next = 0;
  const directStart = Date.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < written) {
        const id = `msg_direct_${next++}`;
        const at = new Date();
        const res = await stack.zoom("/hooks/bench-direct", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "webhook-id": id,
            "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
            "webhook-signature": wh.sign(id, at, body),
          },
          body,
        });
        if (res.status !== 204) throw new Error(`direct post: ${res.status}`);
        await res.arrayBuffer();
      }
    }),
  );
  const directRate = written / ((Date.now() - directStart) / 1000);
  return [
    `events: ${written} written to the outbox at once, ${unique} delivered and verified once each (${got.length} receipts) in ${fmt((last - started) / 1000, 2)} s`,
    `  delivered ${fmt(productRate)} events/s; straight signed POSTs to the same receiver ${fmt(directRate)}/s; ratio ${fmt(productRate / directRate, 2)}`,
    `  time from the write to receipt: p50 ${fmt(percentile(latencies, 50) / 1000, 2)} s, p99 ${fmt(percentile(latencies, 99) / 1000, 2)} s (queue batches of 4, 1 s batch timeout)`,
  ];
}

/** Waits until the consumer has been idle for 1.5 s (the previous round's events are delivered). */
async function settle(stack: Stack) {
  let last = -1;
  for (;;) {
    const { total } = await json<{ total: number }>(await stack.app("/__bench/invocations?since=1000000000"));
    if (total === last) return;
    last = total;
    await sleep(1500);
  }
}

/** (2) Archive path: consumer time for one small file, a tenant with a subscription and one without. */
async function archiveLatency(stack: Stack): Promise<string[]> {
  const meetings: Record<"on" | "off", number> = { on: 0, off: 0 };
  for (const mode of ["on", "off"] as const) {
    const tenant = mode === "on" ? TENANT : NO_SUBSCRIPTION;
    const { accessToken } = await json<{ accessToken: string }>(
      await stack.app(`/__bench/zoom-token?tenant=${tenant}`),
    );
    meetings[mode] = (
      await json<{ id: number }>(
        await stack.zoom("/v2/users/me/meetings", {
          method: "POST",
          headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
          body: JSON.stringify({ topic: "Bench", type: 2, start_time: "2026-12-01T10:00:00Z", duration: 45 }),
        }),
      )
    ).id;
  }
  const times: Record<"on" | "off", number[]> = { on: [], off: [] };
  const d1: Record<"on" | "off", number[]> = { on: [], off: [] };
  const queue: Record<"on" | "off", number[]> = { on: [], off: [] };
  let skipped = 0;
  for (let i = 0; i < ARCHIVE_ROUNDS + 2; i++) {
    const mode = i % 2 === 0 ? "off" : "on";
    const sim = await stack.control<{
      uuid: string;
      recording: { files: { fileId: string; id?: string }[] };
    }>(`/meetings/${meetings[mode]}/simulate`, {
      recording: { files: [{ fileType: "M4A", sizeBytes: 1_000_000 }] },
    });
    const file = sim.recording.files[0] as { fileId: string; id?: string };
    const fileId = file.id ?? file.fileId;
    const { deliveries } = await stack.control<{
      deliveries: { event: string; headers: Record<string, string>; body: string }[];
    }>("/webhooks", undefined, "GET");
    const webhook = deliveries.find((d) => d.event === "recording.completed" && d.body.includes(sim.uuid));
    if (!webhook) throw new Error("no recording.completed");
    // `since` counts invocations recorded so far (the entry's log is a list).
    const { total: since } = await json<{ total: number }>(
      await stack.app("/__bench/invocations?since=1000000000"),
    );
    const res = await stack.app("/webhooks/zoom", {
      method: "POST",
      headers: webhook.headers,
      body: webhook.body,
    });
    await res.arrayBuffer();
    let done: Invocation | undefined;
    const deadline = Date.now() + 60_000;
    while (!done && Date.now() < deadline) {
      await sleep(100);
      const { invocations } = await json<{ invocations: Invocation[] }>(
        await stack.app(`/__bench/invocations?since=${since}`),
      );
      done = invocations.find((v) =>
        v.messages.some((m) => m.kind === "archive-file" && m.fileId === fileId),
      );
    }
    if (!done || done.error) throw new Error(`archive consumer: ${done?.error ?? "did not run"}`);
    await settle(stack);
    // Only an invocation that carried the file alone is comparable (a batch may hold event messages).
    if (done.messages.length !== 1) {
      skipped++;
      continue;
    }
    // The first round of each mode warms up.
    if (i < 2) continue;
    times[mode].push(done.endedAt - done.startedAt);
    d1[mode].push(done.counts.d1Calls);
    queue[mode].push(done.counts.queueCalls);
  }
  const p50 = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    );
  const on = p50(times.on);
  const off = p50(times.off);
  return [
    `archive path (one 1 MB file, consumer invocation), ${times.off.length} / ${times.on.length} rounds off / on, alternated (${skipped} batched with other messages, left out):`,
    `  tenant without a subscription p50 ${fmt(off)} ms (min ${fmt(Math.min(...times.off))}), D1 calls ${p50(d1.off)}, queue calls ${p50(queue.off)}`,
    `  tenant with a subscription    p50 ${fmt(on)} ms (min ${fmt(Math.min(...times.on))}), D1 calls ${p50(d1.on)}, queue calls ${p50(queue.on)}`,
    `  added ${fmt(on - off)} ms at p50 (ratio ${fmt(on / off, 2)}): the event is one more statement in the job's last D1 batch, plus one queue send`,
  ];
}

export async function run(): Promise<string[]> {
  const stack = await startStack({ entry: `${here}worker/events-entry.ts`, queueConsumer: true });
  try {
    await stack.control("/config", { rateLimits: { enabled: false } });
    await stack.link(TENANT);
    await stack.link(NO_SUBSCRIPTION, "Vb2nK8sTQe6Xo1Lw5ZyRmQ");
    await admin(stack, "PATCH", "/v1/tenant", { webhookOrigins: [HOOKS] });
    const { types } = (await admin(stack, "GET", "/v1/events/types")) as { types: { type: string }[] };
    const created = (await admin(stack, "POST", "/v1/events/subscriptions", {
      url: `${HOOKS}/hooks/bench`,
      eventTypes: types.map((t) => t.type),
    })) as { subscription: { id: string }; secret: string };
    for (const endpoint of ["bench", "bench-direct"]) {
      await stack.control(`/receiver/${endpoint}`, { secrets: [created.secret], mode: "ok" }, "PUT");
    }
    const lines = [
      `load average ${loadavg()
        .map((l) => fmt(l, 2))
        .join(" ")} at start (2 cores, shared)`,
    ];
    lines.push(...(await archiveLatency(stack)));
    lines.push(...(await throughput(stack, created.secret)));
    return lines;
  } finally {
    await stack.close();
  }
}
