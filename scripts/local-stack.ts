// Starts the app (:8787) and the Zoom emulator (:8788) under wrangler dev with local D1/R2/DO/Queue
// state, migrations applied and a demo tenant seeded. Used by `npm start` and the browser tests.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { APP_PORT, devVars, EMULATOR_PORT, localVars, root } from "./local.ts";

// Keep wrangler from phoning home: no metrics, no update checks. Nothing here needs the internet.
// Children run on this same Node (the project's pinned one), whatever is first on PATH.
const env = {
  ...process.env,
  PATH: `${root}node_modules/.bin:${process.env.PATH ?? ""}`,
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_NO_UPDATE_CHECK: "true",
  NO_UPDATE_NOTIFIER: "1",
  // Miniflare would fetch a sample `Request.cf` object from Cloudflare; use its placeholder instead.
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};
const wranglerJs = `${root}node_modules/wrangler/bin/wrangler.js`;

export interface LocalStackOptions {
  /** Where wrangler keeps local state; default .wrangler/state (the app) and emulator/.wrangler. */
  persistTo?: string;
  /** Print the Workers' logs (npm start does; tests keep them in a buffer). */
  echo?: boolean;
  /** Vars that override the local defaults (tests use short retry budgets, for instance). */
  vars?: Record<string, string>;
}

export interface LocalStack {
  appUrl: string;
  zoomUrl: string;
  logs: string[];
  stop(): Promise<void>;
}

function wrangler(args: string[], echo: boolean): void {
  const r = spawnSync(process.execPath, [wranglerJs, ...args], {
    cwd: root,
    env,
    stdio: ["ignore", echo ? "inherit" : "pipe", echo ? "inherit" : "pipe"],
  });
  if (r.status !== 0) {
    throw new Error(`wrangler ${args.join(" ")} failed: ${r.stderr?.toString() ?? ""}`);
  }
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer`);
}

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const echo = opts.echo ?? false;
  const persist = opts.persistTo ? ["--persist-to", opts.persistTo] : [];
  const secrets = devVars(); // creates .dev.vars from the example on first run
  wrangler(["d1", "migrations", "apply", "DB", "--local", ...persist], echo);
  wrangler(
    [
      "d1",
      "execute",
      "DB",
      "--local",
      ...persist,
      "--command",
      "INSERT OR IGNORE INTO tenants (id, name) VALUES ('demo', 'Demo Institute')",
    ],
    echo,
  );

  const logs: string[] = [];
  const children: ChildProcess[] = [];
  const start = (name: string, args: string[]) => {
    const child = spawn(process.execPath, [wranglerJs, ...args], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const take = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line.trim()) continue;
        logs.push(`[${name}] ${line}`);
        if (echo) console.log(`[${name}] ${line}`);
      }
    };
    child.stdout?.on("data", take);
    child.stderr?.on("data", take);
    children.push(child);
    return child;
  };

  const emulatorPersist = opts.persistTo ? ["--persist-to", `${opts.persistTo}/emulator`] : [];
  const zoom = start("zoom-emulator", [
    "dev",
    "-c",
    "emulator/wrangler.toml",
    "--port",
    String(EMULATOR_PORT),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    "9230",
    ...emulatorPersist,
    "--var",
    `WEBHOOK_URL:http://localhost:${APP_PORT}/webhooks/zoom`,
    "--var",
    `WEBHOOK_SECRET:${secrets.ZOOM_WEBHOOK_SECRET ?? ""}`,
  ]);
  const app = start("app", [
    "dev",
    "--port",
    String(APP_PORT),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    "9229",
    "--test-scheduled",
    ...persist,
    ...Object.entries({ ...localVars, ...opts.vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ]);

  const stop = async () => {
    for (const c of children) {
      if (c.exitCode !== null || c.pid === undefined) continue;
      try {
        process.kill(-c.pid, "SIGTERM");
      } catch {
        c.kill("SIGTERM");
      }
    }
    await Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : Promise.resolve())),
    );
  };
  try {
    await Promise.all([
      waitFor(`http://localhost:${APP_PORT}/healthz`, app),
      waitFor(`http://localhost:${EMULATOR_PORT}/__emulator/stats`, zoom),
    ]);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${logs.slice(-30).join("\n")}`);
  }
  return { appUrl: `http://localhost:${APP_PORT}`, zoomUrl: `http://localhost:${EMULATOR_PORT}`, logs, stop };
}
