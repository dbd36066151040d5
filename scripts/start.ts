// `npm start`: the app on :8787 and the Zoom emulator on :8788, both under wrangler dev with local
// D1/R2/DO/Queue state in .wrangler/, migrations applied and a demo tenant seeded.
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
};
const wranglerJs = `${root}node_modules/wrangler/bin/wrangler.js`;

function run(args: string[]): void {
  const r = spawnSync(process.execPath, [wranglerJs, ...args], {
    cwd: root,
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) {
    console.error(`wrangler ${args.join(" ")} failed`);
    process.exit(r.status ?? 1);
  }
}

devVars(); // creates .dev.vars from the example on first run
console.log("Applying D1 migrations to the local database...");
run(["d1", "migrations", "apply", "DB", "--local"]);
run([
  "d1",
  "execute",
  "DB",
  "--local",
  "--command",
  "INSERT OR IGNORE INTO tenants (id, name) VALUES ('demo', 'Demo Institute')",
]);

const children: ChildProcess[] = [];
function start(name: string, args: string[]): void {
  const child = spawn(process.execPath, [wranglerJs, ...args], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const prefix = (chunk: Buffer) =>
    chunk
      .toString()
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => `[${name}] ${l}`)
      .join("\n");
  child.stdout?.on("data", (c: Buffer) => console.log(prefix(c)));
  child.stderr?.on("data", (c: Buffer) => console.error(prefix(c)));
  child.on("exit", (code) => {
    console.error(`[${name}] exited with ${code}`);
    shutdown(code ?? 1);
  });
  children.push(child);
}

function shutdown(code: number): void {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  process.exit(code);
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));

start("zoom-emulator", [
  "dev",
  "-c",
  "emulator/wrangler.toml",
  "--port",
  String(EMULATOR_PORT),
  "--ip",
  "127.0.0.1",
  "--inspector-port",
  "9230",
  "--var",
  `WEBHOOK_URL:http://localhost:${APP_PORT}/webhooks/zoom`,
  "--var",
  `WEBHOOK_SECRET:${devVars().ZOOM_WEBHOOK_SECRET ?? ""}`,
]);
start("app", [
  "dev",
  "--port",
  String(APP_PORT),
  "--ip",
  "127.0.0.1",
  "--inspector-port",
  "9229",
  "--test-scheduled",
  ...Object.entries(localVars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
]);

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
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

await Promise.all([
  waitFor(`http://localhost:${APP_PORT}/healthz`),
  waitFor(`http://localhost:${EMULATOR_PORT}/__emulator/stats`),
]);
console.log(`
wise-zoom-edge is running.
  API        http://localhost:${APP_PORT}   (health: /healthz, reference: http://localhost:${APP_PORT}/docs)
  Console    http://localhost:${APP_PORT}/console
  Zoom       http://localhost:${EMULATOR_PORT}   (emulator; control API under /__emulator)

Next:
  npm run token -- --tenant demo --role admin      # a JWT for the demo tenant
  curl -H "Authorization: Bearer $(npm run -s token -- --tenant demo --role admin)" http://localhost:${APP_PORT}/v1/me
Ctrl-C stops both.`);
