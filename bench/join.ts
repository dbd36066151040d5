// Join hot path: requests/s and p50/p99 of /j/{token} for pre-registered students against constant
// redirects measured in the same run, and a class-start storm (1,000 students within 10 s: every
// click redirected to the student's own link, zero Zoom calls).
import { fileURLToPath } from "node:url";
import { type LinkKey, signLink } from "../src/links/token.ts";
import { testBindings } from "../test/bindings.ts";
import { fmt, percentile, type Stack, startStack } from "./harness.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const TENANT = "bench-t";
const CLASS = "bench-class";
const STUDENTS = 1000;
const CONCURRENCY = 32;
const ROUND_MS = 4000;
const ROUNDS = 3;

function keyRing(raw: string): LinkKey[] {
  return raw.split(",").map((entry) => {
    const [id, b64] = entry.split(":") as [string, string];
    return { id, secret: Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)) };
  });
}

/**
 * One live class with registration, every student already registered (no Zoom call on click),
 * its join URLs sealed as the product stores them (by the Worker's seeding route).
 */
export async function seed(stack: Stack): Promise<string[]> {
  const now = Date.now();
  const seeded = await stack.app("/__bench/seed-class", {
    method: "POST",
    body: JSON.stringify({
      tenantId: TENANT,
      classId: CLASS,
      zoomMeetingId: "12345678901",
      students: STUDENTS,
      startTime: now,
    }),
  });
  if (seeded.status !== 204) throw new Error(`seed: ${seeded.status} ${await seeded.text()}`);
  const keys = keyRing(testBindings.LINK_SIGNING_KEYS);
  const tokens: string[] = [];
  for (let i = 0; i < STUDENTS; i++) {
    tokens.push(
      await signLink(keys, {
        purpose: "join",
        tenant: TENANT,
        class: CLASS,
        subject: `s${i}`,
        exp: Math.floor(now / 1000) + 3600,
        nbf: Math.floor(now / 1000),
        iat: now,
      }),
    );
  }
  return tokens;
}

export interface Round {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Closed loop: CONCURRENCY clients, each sending its next request when the previous one answered. */
export async function measure(stack: Stack, pathFor: (i: number) => string, ms: number): Promise<Round> {
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  const end = performance.now() + ms;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const i = next++;
        const t = performance.now();
        const res = await stack.app(pathFor(i), {
          redirect: "manual",
          headers: { "cf-connecting-ip": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
        });
        await res.arrayBuffer();
        times.push(performance.now() - t);
        if (res.status !== 302) errors++;
      }
    }),
  );
  const elapsed = performance.now() - started;
  times.sort((a, b) => a - b);
  return {
    rps: (times.length / elapsed) * 1000,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    errors,
  };
}

const line = (name: string, r: Round) =>
  `  ${name.padEnd(28)} ${fmt(r.rps, 0).padStart(7)} req/s   p50 ${fmt(r.p50, 2)} ms   p99 ${fmt(r.p99, 2)} ms${r.errors ? `   NON-302: ${r.errors}` : ""}`;

/** Averages rounds taken in alternation, so drift of the shared machine hits every route alike. */
function mean(rounds: Round[]): Round {
  const avg = (f: (r: Round) => number) => rounds.reduce((s, r) => s + f(r), 0) / rounds.length;
  return {
    rps: avg((r) => r.rps),
    p50: avg((r) => r.p50),
    p99: avg((r) => r.p99),
    errors: avg((r) => r.errors),
  };
}

async function storm(stack: Stack, tokens: string[]) {
  const requestsBefore = (
    await stack.control<{ requests: Record<string, number> }>("/stats", undefined, "GET")
  ).requests;
  const latencies: number[] = [];
  let redirected = 0;
  const started = performance.now();
  // Each student clicks once, at a random moment of the ten seconds after the class starts.
  await Promise.all(
    tokens.map(
      (token, i) =>
        new Promise<void>((resolve, reject) => {
          setTimeout(async () => {
            try {
              const t = performance.now();
              const res = await stack.app(`/j/${token}`, {
                redirect: "manual",
                headers: { "cf-connecting-ip": `172.16.${i >> 8}.${i & 255}` },
              });
              await res.arrayBuffer();
              latencies.push(performance.now() - t);
              if (
                res.status === 302 &&
                res.headers.get("location") === `https://zoom.us/w/12345678901?tk=student${i}`
              ) {
                redirected++;
              }
              resolve();
            } catch (err) {
              reject(err);
            }
          }, Math.random() * 10_000);
        }),
    ),
  );
  const wall = performance.now() - started;
  const requestsAfter = (
    await stack.control<{ requests: Record<string, number> }>("/stats", undefined, "GET")
  ).requests;
  const zoomCalls = Object.entries(requestsAfter).reduce(
    (s, [op, n]) => s + n - (requestsBefore[op] ?? 0),
    0,
  );
  latencies.sort((a, b) => a - b);
  return { wall, redirected, zoomCalls, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function runJoin(): Promise<string[]> {
  const stack = await startStack({
    entry: `${here}worker/join-entry.ts`,
    // As wrangler.toml declares it (charged only for refused clicks).
    ratelimits: { JOIN_RATE_LIMITER: { namespace_id: "1001", simple: { limit: 600, period: 60 } } },
  });
  try {
    const tokens = await seed(stack);
    const join = (i: number) => `/j/${tokens[i % tokens.length]}`;
    // Warm up isolates, key import and SQLite caches.
    await measure(stack, join, 1000);
    await measure(stack, () => "/__bench/redirect", 500);
    await measure(stack, () => "/__bench/app-redirect", 500);

    const rounds = { bare: [] as Round[], app: [] as Round[], join: [] as Round[] };
    for (let i = 0; i < ROUNDS; i++) {
      rounds.bare.push(await measure(stack, () => "/__bench/redirect", ROUND_MS));
      rounds.join.push(await measure(stack, join, ROUND_MS));
      rounds.app.push(await measure(stack, () => "/__bench/app-redirect", ROUND_MS));
    }
    const bare = mean(rounds.bare);
    const app = mean(rounds.app);
    const j = mean(rounds.join);
    const s = await storm(stack, tokens);
    return [
      `join hot path (${CONCURRENCY} concurrent clients, ${(ROUNDS * ROUND_MS) / 1000} s per route in alternation, pre-registered students)`,
      line("constant redirect (bare)", bare),
      line("/j/{token}", j),
      line("constant redirect (via app)", app),
      `  /j throughput ratio vs bare ${fmt(j.rps / bare.rps, 2)}   (goal >= 0.8)`,
      `  /j p99 ratio        vs bare ${fmt(j.p99 / bare.p99, 2)}   (goal <= 1.5)`,
      `class-start storm: ${STUDENTS} distinct students within 10 s`,
      `  redirected to their own link ${s.redirected}/${STUDENTS}, Zoom calls ${s.zoomCalls} (goal 0), wall ${fmt(s.wall / 1000, 1)} s, p50 ${fmt(s.p50, 2)} ms, p99 ${fmt(s.p99, 2)} ms`,
    ];
  } finally {
    await stack.close();
  }
}

/** `npm run bench join`: the benchmark, then the profile of a click measured right after it. */
export async function run(): Promise<string[]> {
  const out = await runJoin();
  const profile = (await import("./join-profile.ts")) as { run: () => Promise<string[]> };
  return [...out, "", ...(await profile.run())];
}
