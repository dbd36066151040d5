// `node bench/run.ts join-profile` (also printed by `join`): where a join click's time goes. Each route
// does one piece of the click (access log, token verify, a Durable Object RPC, the roster object's
// answer, the whole resolve) and is measured in alternation with a constant redirect, so the cost of
// a piece is its gap to it. The API's middleware and the limiter are shown for what they would add.
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
      "access log line": () => "/__p/log",
      "token verify": (i) => `/__p/verify/${tok(i)}`,
      "durable object rpc": () => "/__p/do",
      "roster object join": () => "/__p/roster",
      "verify + roster join": (i) => `/__p/verify-roster/${tok(i)}`,
      resolveJoin: (i) => `/__p/resolve/${tok(i)}`,
      "/j/{token}": (i) => `/j/${tok(i)}`,
      "app redirect": () => "/__p/app-redirect",
      "limiter (refusals)": () => "/__p/ratelimit",
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
