// Starts the app (PORT, default 8787) and the Zoom emulator (ZOOM_EMULATOR_PORT, default 8788) under
// wrangler dev with local D1/R2/DO/Queue state, migrations applied and a demo tenant seeded. Used by
// `npm start` and the browser tests. Two stacks on different ports can run side by side.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { buildDocsAssets } from "./docs-assets.ts";
import {
  appOrigin,
  DEFAULT_APP_PORT,
  DEFAULT_EMULATOR_PORT,
  devVars,
  emulatorOrigin,
  type LocalPorts,
  localPorts,
  localVars,
  root,
} from "./local.ts";

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
  /** Ports of the app and the emulator; default PORT and ZOOM_EMULATOR_PORT, or 8787 and 8788. */
  ports?: LocalPorts;
  /**
   * Where wrangler keeps local state. Default: .wrangler/state (the app) and emulator/.wrangler on
   * port 8787; .wrangler/state-<PORT> (the emulator's under it) on any other port, so that two
   * stacks never share a SQLite file.
   */
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

/** `preferred` when nothing listens there, otherwise a port the system picks. */
function freePort(preferred: number): Promise<number> {
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : port));
      });
    });
  return listen(preferred).catch(() => listen(0));
}

/** Fails early with a clear message when another process already holds one of the stack's ports. */
async function ensureFree(ports: LocalPorts): Promise<void> {
  for (const [name, port] of [
    ["PORT", ports.app],
    ["ZOOM_EMULATOR_PORT", ports.emulator],
  ] as const) {
    if ((await freePort(port)) !== port) {
      throw new Error(`port ${port} (${name}) is in use: stop what holds it or choose another ${name}`);
    }
  }
}

export async function startLocalStack(opts: LocalStackOptions = {}): Promise<LocalStack> {
  const echo = opts.echo ?? false;
  const ports = opts.ports ?? localPorts();
  await ensureFree(ports);
  const appUrl = appOrigin(ports);
  const zoomUrl = emulatorOrigin(ports);
  const persistTo =
    opts.persistTo ?? (ports.app === DEFAULT_APP_PORT ? undefined : `.wrangler/state-${ports.app}`);
  const persist = persistTo ? ["--persist-to", persistTo] : [];
  // Debugger ports follow the stack's ports, so two stacks started at the same moment never race
  // for one: 9229 and 9230 on the default ports, PORT + 10000 and ZOOM_EMULATOR_PORT + 10000 otherwise.
  const defaults = ports.app === DEFAULT_APP_PORT && ports.emulator === DEFAULT_EMULATOR_PORT;
  const inspector = (port: number, fallback: number) =>
    defaults ? fallback : port + 10_000 <= 65_535 ? port + 10_000 : 0;
  const appInspector = inspector(ports.app, 9229) || (await freePort(0));
  const emulatorInspector = inspector(ports.emulator, 9230) || (await freePort(0));
  const secrets = devVars(); // creates .dev.vars from the example on first run
  buildDocsAssets(); // wrangler reads the [assets] directory before its own build runs
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

  const emulatorPersist = persistTo ? ["--persist-to", `${persistTo}/emulator`] : [];
  const zoom = start("zoom-emulator", [
    "dev",
    "-c",
    "emulator/wrangler.toml",
    "--port",
    String(ports.emulator),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(emulatorInspector),
    ...emulatorPersist,
    "--var",
    `WEBHOOK_URL:${appUrl}/webhooks/zoom`,
    "--var",
    `REDIRECT_URIS:${appUrl}/oauth/zoom/callback`,
    "--var",
    `WEBHOOK_SECRET:${secrets.ZOOM_WEBHOOK_SECRET ?? ""}`,
  ]);
  const app = start("app", [
    "dev",
    "--port",
    String(ports.app),
    "--ip",
    "127.0.0.1",
    "--inspector-port",
    String(appInspector),
    "--test-scheduled",
    ...persist,
    ...Object.entries({ ...localVars(ports), ...opts.vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
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
    await Promise.all([waitFor(`${appUrl}/healthz`, app), waitFor(`${zoomUrl}/__emulator/stats`, zoom)]);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${logs.slice(-30).join("\n")}`);
  }
  return { appUrl, zoomUrl, logs, stop };
}
