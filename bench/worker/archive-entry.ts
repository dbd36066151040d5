// Benchmark build of the product for the archive benchmark: the real Worker, whose queue and cron
// invocations are timed and have their subrequests counted, plus benchmark-only routes: a trivial
// copy (fetch the download URL, put the body into R2) as the baseline, and a few read-outs.

import { sha256OfObject } from "../../src/archive/stream.ts";
import { database } from "../../src/db/client.ts";
import worker from "../../src/index.ts";
import { loadConfig } from "../../src/platform/config.ts";
import { ZoomClient } from "../../src/zoom/client.ts";

export { ZoomAccount } from "../../src/zoom/account-object.ts";

import type { Counts, Invocation } from "../invocations.ts";

const invocations: Invocation[] = [];
let active = 0;
let current: Counts | null = null;
/** When set, archive-file messages sent by the instrumented handlers are counted but not queued. */
let dropFileMessages = false;

const zero = (): Counts => ({
  fetch: 0,
  d1Calls: 0,
  d1Statements: 0,
  queueCalls: 0,
  queueMessages: 0,
  durableObjectCalls: 0,
  r2Calls: 0,
});

// Every outbound fetch of the bundle resolves the global at call time, so this sees them all.
const realFetch = globalThis.fetch;
globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
  if (current) current.fetch++;
  return realFetch(input, init);
}) as typeof fetch;

const statementOf = new WeakMap<object, D1PreparedStatement>();

function countStatement(real: D1PreparedStatement, c: Counts): D1PreparedStatement {
  const proxy = new Proxy(real, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "bind") {
        return (...args: unknown[]) => countStatement(value.apply(target, args), c);
      }
      if (prop === "first" || prop === "all" || prop === "run" || prop === "raw") {
        return (...args: unknown[]) => {
          c.d1Calls++;
          c.d1Statements++;
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
  statementOf.set(proxy, real);
  return proxy;
}

function countD1(db: D1Database, c: Counts): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "prepare") return (sql: string) => countStatement(value.call(target, sql), c);
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          c.d1Calls++;
          c.d1Statements += statements.length;
          return value.call(
            target,
            statements.map((s) => statementOf.get(s) ?? s),
          );
        };
      }
      if (prop === "exec") {
        return (sql: string) => {
          c.d1Calls++;
          c.d1Statements++;
          return value.call(target, sql);
        };
      }
      return value.bind(target);
    },
  });
}

/** Counts method calls on an object (R2 bucket, Durable Object stub); `onCall` may replace the call. */
function countCalls<T extends object>(
  target: T,
  count: () => void,
  onCall?: (prop: string, args: unknown[]) => unknown,
): T {
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t);
      if (typeof value !== "function" || typeof prop !== "string" || prop === "then") return value;
      return (...args: unknown[]) => {
        count();
        const replaced = onCall?.(prop, args);
        // Reflect.apply: on an RPC stub, `.apply` itself would be taken for a remote method.
        return replaced !== undefined ? replaced : Reflect.apply(value, t, args);
      };
    },
  });
}

function instrument(env: Env, c: Counts): Env {
  const archiveQueue = countCalls(
    env.ARCHIVE_QUEUE,
    () => c.queueCalls++,
    (prop, args) => {
      const bodies =
        prop === "sendBatch"
          ? [...(args[0] as Iterable<{ body: unknown }>)].map((m) => m.body)
          : prop === "send"
            ? [args[0]]
            : [];
      c.queueMessages += bodies.length;
      const files = bodies.every((b) => (b as { kind?: string } | null)?.kind === "archive-file");
      return dropFileMessages && bodies.length > 0 && files ? Promise.resolve() : undefined;
    },
  );
  const ns = env.ZOOM_ACCOUNT;
  const zoomAccount = new Proxy(ns, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === "get" || prop === "getByName") {
        return (...args: unknown[]) =>
          countCalls(Reflect.apply(value, target, args) as object, () => c.durableObjectCalls++);
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    ...env,
    DB: countD1(env.DB, c),
    RECORDINGS: countCalls(env.RECORDINGS, () => c.r2Calls++),
    ARCHIVE_QUEUE: archiveQueue,
    ZOOM_ACCOUNT: zoomAccount,
  } as Env;
}

async function timed(
  handler: Invocation["handler"],
  messages: unknown[],
  env: Env,
  run: (env: Env) => Promise<void>,
) {
  const counts = zero();
  const record: Invocation = {
    handler,
    messages,
    startedAt: Date.now(),
    endedAt: 0,
    counts,
    overlapped: active > 0,
  };
  active++;
  const previous = current;
  current = counts;
  try {
    await run(instrument(env, counts));
  } catch (err) {
    record.error = String(err);
    throw err;
  } finally {
    active--;
    current = previous;
    record.endedAt = Date.now();
    if (active > 0) record.overlapped = true;
    invocations.push(record);
  }
}

async function benchRoute(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  switch (url.pathname) {
    case "/__bench/copy": {
      // The baseline: what any Worker does to copy a download into R2, nothing more.
      const { downloadUrl, token, key } = (await request.json()) as Record<string, string>;
      const started = Date.now();
      const first = await realFetch(downloadUrl as string, {
        headers: { authorization: `Bearer ${token}` },
        redirect: "manual",
      });
      await first.body?.cancel();
      const location = new URL(first.headers.get("location") ?? "", downloadUrl).toString();
      const res = await realFetch(location, { headers: { "accept-encoding": "identity" } });
      const object = await env.RECORDINGS.put(key as string, res.body);
      return Response.json({ ms: Date.now() - started, size: object?.size ?? 0, status: res.status });
    }
    case "/__bench/sha256": {
      const found = await sha256OfObject(env.RECORDINGS, url.searchParams.get("key") ?? "");
      return Response.json(found);
    }
    case "/__bench/delete": {
      await env.RECORDINGS.delete(url.searchParams.get("key") ?? "");
      return Response.json({ ok: true });
    }
    case "/__bench/invocations": {
      const since = Number(url.searchParams.get("since") ?? 0);
      return Response.json({ total: invocations.length, invocations: invocations.slice(since) });
    }
    case "/__bench/drop-file-messages": {
      dropFileMessages = url.searchParams.get("on") === "1";
      return Response.json({ dropFileMessages });
    }
    case "/__bench/zoom-token": {
      // The account's current access token, for the benchmark to create meetings at the emulator.
      const tenant = url.searchParams.get("tenant") ?? "";
      const config = loadConfig(env);
      const client = await ZoomClient.forTenant(env, config, database(env.DB), tenant);
      return Response.json({ accessToken: await client.accessToken() });
    }
    default:
      return new Response("not found", { status: 404 });
  }
}

export default {
  ...worker,
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname.startsWith("/__bench/")) return benchRoute(request, env);
    return worker.fetch(request, env, ctx);
  },
  scheduled(controller, env, ctx) {
    return timed("scheduled", [], env, (e) => worker.scheduled(controller, e, ctx));
  },
  queue(batch, env, ctx) {
    return timed(
      "queue",
      batch.messages.map((m) => m.body),
      env,
      (e) => worker.queue(batch, e, ctx),
    );
  },
} satisfies ExportedHandler<Env, unknown>;
