// Runs the product Worker and the Zoom emulator together in Miniflare from Node, for benchmarks:
// the same bundles, bindings and migrations as production, on loopback, measured from outside.
import { fileURLToPath } from "node:url";
import { readD1Migrations } from "@cloudflare/vitest-plugin";
import { build } from "esbuild";
import { SignJWT } from "jose";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { buildEmulator, emulatorWorkerOptions } from "../emulator/build.ts";
import { testBindings } from "../test/bindings.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
export const APP = "https://edge.test";
export const ZOOM = "https://zoom.us";

export interface Stack {
  mf: Miniflare;
  app(path: string, init?: RequestInit): Promise<Response>;
  zoom(path: string, init?: RequestInit): Promise<Response>;
  control<T = Record<string, unknown>>(path: string, body?: unknown, method?: string): Promise<T>;
  token(tenant: string, role?: string, sub?: string): Promise<string>;
  link(tenant: string, userId?: string): Promise<void>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** Extra vars/secrets for the product. */
  bindings?: Record<string, string>;
  /** Extra modules to add to the product bundle's entry (e.g. a benchmark-only route). */
  entry?: string;
  queueConsumer?: boolean;
  /** Rate-limiting bindings of the product, as wrangler.toml declares them. */
  ratelimits?: Record<string, { namespace_id: string; simple: { limit: number; period: 10 | 60 } }>;
  /** Durable Object classes of a benchmark-only entry, besides the product's own. */
  durableObjects?: Record<string, { className: string; useSQLite: true }>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  await buildEmulator();
  const appScript = `${root}bench/.build/app.js`;
  await build({
    entryPoints: [opts.entry ?? `${root}src/index.ts`],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    external: ["cloudflare:*", "node:*"],
    mainFields: ["module", "main"],
    conditions: ["workerd", "worker", "browser"],
    outfile: appScript,
    logLevel: "warning",
  });
  const bindings = { ...testBindings, ...opts.bindings };
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      // No `Request.cf` download from Cloudflare: this runs offline.
      cf: false,
      // The Worker's request logs would dominate the output (and the timing); keep errors only.
      handleStructuredLogs: (log: { level: string; message: string }) => {
        if (log.level === "error") process.stderr.write(`${log.message}\n`);
      },
      workers: [
        {
          name: "app",
          modules: true,
          scriptPath: appScript,
          compatibilityDate: "2026-11-01",
          bindings,
          d1Databases: { DB: "bench-db" },
          r2Buckets: { RECORDINGS: "bench-recordings" },
          durableObjects: {
            ZOOM_ACCOUNT: { className: "ZoomAccount", useSQLite: true },
            CLASS_ROSTER: { className: "ClassRoster", useSQLite: true },
            ...opts.durableObjects,
          },
          queueProducers: { ARCHIVE_QUEUE: "wise-zoom-archive" },
          ...(opts.ratelimits ? { ratelimits: opts.ratelimits } : {}),
          ...(opts.queueConsumer
            ? {
                queueConsumers: {
                  "wise-zoom-archive": { maxBatchSize: 4, maxBatchTimeout: 1, maxRetries: 6 },
                },
              }
            : {}),
          outboundService: "zoom-emulator",
        },
        emulatorWorkerOptions(),
      ],
    } as Parameters<typeof convertV4MiniflareOptions>[0]),
  );
  await mf.ready;
  const db = await mf.getD1Database("DB");
  for (const m of await readD1Migrations(`${root}migrations`)) {
    await db.batch(m.queries.map((q) => db.prepare(q)));
  }
  const emulator = await mf.getWorker("zoom-emulator");

  const stack: Stack = {
    mf,
    app: (path, init) => mf.dispatchFetch(`${APP}${path}`, init as never) as unknown as Promise<Response>,
    zoom: (path, init) => emulator.fetch(`${ZOOM}${path}`, init as never) as unknown as Promise<Response>,
    async control(path, body, method = "POST") {
      const res = await stack.zoom(`/__emulator${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`emulator ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as never;
    },
    token: (tenant, role = "admin", sub = `${role}-1`) =>
      new SignJWT({ tenant, role })
        .setProtectedHeader({ alg: "HS256" })
        .setIssuer(bindings.JWT_ISSUER)
        .setAudience(bindings.JWT_AUDIENCE)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime("2h")
        .sign(new TextEncoder().encode(bindings.JWT_HS256_SECRET)),
    async link(tenant, userId = "Qm3tWgkXRSmZ0aW1Jp7dAA") {
      // The admin's browser: the service's first hop (cookie), Zoom's consent, the callback, then the
      // admin confirms the pending link with the secret the callback handed to this browser.
      const auth = {
        authorization: `Bearer ${await stack.token(tenant)}`,
        "content-type": "application/json",
      };
      const res = await stack.app("/v1/zoom/link", { method: "POST", headers: auth, body: "{}" });
      const { authorizeUrl } = (await res.json()) as { authorizeUrl: string };
      const hop = await stack.app(new URL(authorizeUrl).pathname, { redirect: "manual" });
      await hop.arrayBuffer();
      const cookie = (hop.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const form = new URLSearchParams(new URL(hop.headers.get("location") ?? "").searchParams);
      form.set("user_id", userId);
      form.set("decision", "approve");
      const consent = await stack.zoom("/oauth/authorize", {
        method: "POST",
        body: form,
        redirect: "manual",
      });
      await consent.arrayBuffer();
      const back = new URL(consent.headers.get("location") ?? "");
      const done = await stack.app(`${back.pathname}${back.search}`, {
        redirect: "manual",
        headers: { cookie },
      });
      const where = done.status === 302 ? (done.headers.get("location") ?? "") : await done.text();
      if (done.status === 302) await done.arrayBuffer();
      const confirmation = /#zoom_confirm=([A-Za-z0-9_-]+)/.exec(where)?.[1];
      if (!confirmation) throw new Error(`link failed: ${done.status}`);
      const confirmed = await stack.app("/v1/zoom/link/confirm", {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ confirmation }),
      });
      if (confirmed.status !== 200) throw new Error(`link confirm failed: ${confirmed.status}`);
      await confirmed.arrayBuffer();
    },
    close: () => mf.dispose(),
  };
  return stack;
}

/** Percentile of a sorted sample (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
