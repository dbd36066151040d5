// `npm run check:deploy`: builds the Worker as `wrangler deploy` would (--dry-run, nothing is
// uploaded, no Cloudflare account needed) and fails when the upload would be refused or the Worker
// could not start: the gzip size of its modules against Workers' 3 MiB (Free) / 10 MiB (Paid)
// limits, and the CPU time of evaluating its global scope against the platform's 1 s startup budget.
// Static assets are checked against the per-file (25 MiB) and per-version file count limits.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const root = fileURLToPath(new URL("..", import.meta.url));
const MiB = 1024 * 1024;

export interface Limits {
  /** Compressed size the plan accepts: 10 MiB on Workers Paid (this Worker's cpu_ms needs Paid). */
  gzipBytes: number;
  /** The Free plan's compressed limit, printed for comparison. */
  freeGzipBytes: number;
  /** Size after decompression the platform accepts. */
  rawBytes: number;
  /** CPU budget for the global scope at startup. */
  startupMs: number;
  /** Largest single static asset, and most assets in one version (Free plan's count). */
  assetBytes: number;
  assetFiles: number;
}

export const LIMITS: Limits = {
  gzipBytes: 10 * MiB,
  freeGzipBytes: 3 * MiB,
  rawBytes: 64 * MiB,
  startupMs: 1000,
  assetBytes: 25 * MiB,
  assetFiles: 20_000,
};

export interface Figures {
  modules: { name: string; bytes: number }[];
  rawBytes: number;
  gzipBytes: number;
  /** CPU milliseconds of evaluating the bundle's global scope, one figure per fresh process. */
  startupMs: number[];
  assets: { files: number; largest: { name: string; bytes: number } | undefined };
}

/** What makes the deploy fail, in plain words; empty when it would go through. */
export function verdict(f: Figures, limits: Limits = LIMITS): string[] {
  const problems: string[] = [];
  if (f.modules.length === 0) problems.push("the dry run produced no module");
  if (f.gzipBytes > limits.gzipBytes) {
    problems.push(`compressed size ${mib(f.gzipBytes)} is over the ${mib(limits.gzipBytes)} limit`);
  }
  if (f.rawBytes > limits.rawBytes) {
    problems.push(`uncompressed size ${mib(f.rawBytes)} is over the ${mib(limits.rawBytes)} limit`);
  }
  const startup = Math.max(...f.startupMs);
  if (f.startupMs.length === 0 || !Number.isFinite(startup)) problems.push("startup was not measured");
  else if (startup > limits.startupMs) {
    problems.push(`startup takes ${startup.toFixed(0)} ms of CPU, over the ${limits.startupMs} ms budget`);
  }
  if (f.assets.largest && f.assets.largest.bytes > limits.assetBytes) {
    problems.push(
      `asset ${f.assets.largest.name} (${mib(f.assets.largest.bytes)}) is over ${mib(limits.assetBytes)}`,
    );
  }
  if (f.assets.files > limits.assetFiles)
    problems.push(`${f.assets.files} assets, over ${limits.assetFiles}`);
  return problems;
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(2)} MiB`;

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * CPU time of importing the bundle in a fresh Node process (same V8 as workerd): parse, compile
 * and run the global scope. `cloudflare:workers` is replaced by a stub; nothing else is imported.
 */
function startupCpuMs(entry: string): number {
  const stub = `data:text/javascript,${encodeURIComponent(
    "export class DurableObject { constructor(ctx, env) { this.ctx = ctx; this.env = env; } }" +
      "export class WorkerEntrypoint extends DurableObject {} export const env = {};",
  )}`;
  // In-thread hooks (no loader thread whose CPU would be counted), stub loaded before timing.
  const program = `
    import { registerHooks } from "node:module";
    registerHooks({
      resolve(specifier, context, next) {
        if (specifier === "cloudflare:workers") return { url: ${JSON.stringify(stub)}, shortCircuit: true };
        return next(specifier, context);
      },
    });
    await import(${JSON.stringify(stub)});
    const before = process.cpuUsage();
    const mod = await import(${JSON.stringify(pathToFileURL(entry).href)});
    const used = process.cpuUsage(before);
    if (typeof mod.default?.fetch !== "function") throw new Error("the bundle has no default fetch handler");
    console.log(JSON.stringify({ ms: (used.user + used.system) / 1000 }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", program], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`evaluating the bundle failed:\n${r.stderr}`);
  return (JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}") as { ms: number }).ms;
}

export function measure(outdir: string, assetsDir: string, runs = 5): Figures {
  const modules = files(outdir)
    .filter((f) => /\.(m?js|wasm|bin|txt|html)$/.test(f))
    .map((f) => ({ name: relative(outdir, f), bytes: statSync(f).size }));
  const contents = modules.map((m) => readFileSync(join(outdir, m.name)));
  const rawBytes = contents.reduce((n, b) => n + b.length, 0);
  const gzipBytes = gzipSync(Buffer.concat(contents), { level: 9 }).length;
  const entry = join(outdir, "index.js");
  const startupMs = existsSync(entry) ? Array.from({ length: runs }, () => startupCpuMs(entry)) : [];
  const assetFiles = files(assetsDir).filter((f) => !/\/_(headers|redirects)$/.test(f));
  let largest: Figures["assets"]["largest"];
  for (const f of assetFiles) {
    const bytes = statSync(f).size;
    if (!largest || bytes > largest.bytes) largest = { name: relative(assetsDir, f), bytes };
  }
  return { modules, rawBytes, gzipBytes, startupMs, assets: { files: assetFiles.length, largest } };
}

function dryRun(outdir: string): void {
  const r = spawnSync(
    process.execPath,
    [`${root}node_modules/wrangler/bin/wrangler.js`, "deploy", "--dry-run", "--outdir", outdir],
    {
      cwd: root,
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${root}node_modules/.bin:${process.env.PATH ?? ""}`,
        WRANGLER_SEND_METRICS: "false",
        WRANGLER_NO_UPDATE_CHECK: "true",
      },
    },
  );
  if (r.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${r.stdout}\n${r.stderr}`);
}

/** Limits from the environment, for trying the check itself (DEPLOY_CHECK_MAX_GZIP_BYTES, ...). */
function limitsFromEnv(): Limits {
  const n = (name: string, fallback: number) => {
    const raw = process.env[name];
    if (raw === undefined || raw === "") return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
    return v;
  };
  return {
    ...LIMITS,
    gzipBytes: n("DEPLOY_CHECK_MAX_GZIP_BYTES", LIMITS.gzipBytes),
    startupMs: n("DEPLOY_CHECK_MAX_STARTUP_MS", LIMITS.startupMs),
  };
}

function main(): number {
  const limits = limitsFromEnv();
  const outdir = mkdtempSync(join(tmpdir(), "wze-deploy-"));
  try {
    dryRun(outdir);
    const f = measure(outdir, `${root}dist/assets`);
    const startup = [...f.startupMs].sort((a, b) => a - b);
    const median = startup[Math.floor(startup.length / 2)] ?? Number.NaN;
    console.log(`Worker bundle (wrangler deploy --dry-run): ${f.modules.map((m) => m.name).join(", ")}`);
    console.log(`  uncompressed   ${mib(f.rawBytes)} (limit ${mib(limits.rawBytes)})`);
    console.log(
      `  gzip           ${mib(f.gzipBytes)} (${((100 * f.gzipBytes) / limits.freeGzipBytes).toFixed(0)}% of Free's ${mib(limits.freeGzipBytes)}, ${((100 * f.gzipBytes) / limits.gzipBytes).toFixed(0)}% of the ${mib(limits.gzipBytes)} limit)`,
    );
    console.log(
      `  startup CPU    ${median.toFixed(0)} ms median, ${Math.max(...startup).toFixed(0)} ms max of ${startup.length} fresh evaluations (budget ${limits.startupMs} ms)`,
    );
    if (f.assets.largest) {
      console.log(
        `  static assets  ${f.assets.files} file(s), largest ${f.assets.largest.name} ${mib(f.assets.largest.bytes)} (limit ${mib(limits.assetBytes)} each)`,
      );
    }
    if (f.gzipBytes > limits.freeGzipBytes)
      console.log("  note: over the Free plan's limit; fits Workers Paid");
    const problems = verdict(f, limits);
    for (const p of problems) console.error(`deploy check FAILED: ${p}`);
    if (problems.length === 0) console.log("deploy check passed");
    return problems.length === 0 ? 0 : 1;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.exitCode = main();
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}
