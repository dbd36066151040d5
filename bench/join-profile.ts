// `node bench/run.ts join-profile`: where a join click's time goes. Each route does one piece of the
// click (rate limiter, token verify, access log, a D1 read, a Durable Object RPC, the whole resolve)
// and is measured in alternation with a constant redirect, so the cost of a piece is its gap to it.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fmt, type Stack, startStack } from "./harness.ts";
import { measure, seed } from "./join.ts";

const here = fileURLToPath(new URL(".", import.meta.url));
const ROUND_MS = 3000;

/**
 * CPU seconds used so far by this process's workerd children (utime + stime from /proc). CPU per
 * request hardly moves when other work shares the machine, unlike requests per second.
 */
function workerdCpuSeconds(): number {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  const children = readdirSync(`/proc/${process.pid}/task`).flatMap((t) =>
    readFileSync(`/proc/${process.pid}/task/${t}/children`, "utf8").trim().split(/\s+/).filter(Boolean),
  );
  for (const pid of children) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(workerd)")) continue;
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** A round with the workerd CPU time it took per request, in microseconds. */
async function measureCpu(stack: Stack, pathFor: (i: number) => string, ms: number) {
  const before = workerdCpuSeconds();
  const r = await measure(stack, pathFor, ms);
  const cpu = workerdCpuSeconds() - before;
  return { ...r, cpuUs: (cpu / ((r.rps * ms) / 1000)) * 1e6 };
}

export async function run(): Promise<string[]> {
  const stack = await startStack({
    entry: `${here}worker/join-profile-entry.ts`,
    ratelimits: { JOIN_RATE_LIMITER: { namespace_id: "1001", simple: { limit: 600, period: 60 } } },
    durableObjects: { PROFILE_PING: { className: "ProfilePing", useSQLite: true } },
  });
  try {
    const tokens = await seed(stack);
    const tok = (i: number) => tokens[i % tokens.length] as string;
    const routes: Record<string, (i: number) => string> = {
      bare: () => "/__p/bare",
      ratelimit: () => "/__p/ratelimit",
      verify: (i) => `/__p/verify/${tok(i)}`,
      log: () => "/__p/log",
      "d1 SELECT 1": () => "/__p/d1-select1",
      "d1 by primary key": () => "/__p/d1-pk",
      "durable object rpc": () => "/__p/do",
      "verify + d1 raw": (i) => `/__p/verify-d1/${tok(i)}`,
      "verify + do rpc": (i) => `/__p/verify-do/${tok(i)}`,
      "limiter+verify+do rpc": (i) => `/__p/rl-verify-do/${tok(i)}`,
      "limiter || verify+do rpc": (i) => `/__p/rl-parallel-verify-do/${tok(i)}`,
      "resolveJoin (no app)": (i) => `/__p/resolve/${tok(i)}`,
      "app redirect": () => "/__p/app-redirect",
      "/j via app, no limiter": (i) => `/__p/j-no-limiter/${tok(i)}`,
      "/j via app": (i) => `/j/${tok(i)}`,
    };
    for (const f of Object.values(routes)) await measure(stack, f, 500);
    const out = ["join click, piece by piece (rate vs a constant redirect measured alongside)"];
    for (const [name, f] of Object.entries(routes)) {
      const base = await measureCpu(stack, routes.bare as (i: number) => string, ROUND_MS);
      const r = await measureCpu(stack, f, ROUND_MS);
      out.push(
        `  ${name.padEnd(22)} ${fmt(r.rps, 0).padStart(6)} req/s (bare ${fmt(base.rps, 0).padStart(5)})  ratio ${fmt(r.rps / base.rps, 2)}   workerd CPU ${fmt(r.cpuUs, 0).padStart(5)} us/req (bare ${fmt(base.cpuUs, 0)})  p99 ${fmt(r.p99, 1)} ms${r.errors ? `  NON-302 ${r.errors}` : ""}`,
      );
    }
    return out;
  } finally {
    await stack.close();
  }
}
