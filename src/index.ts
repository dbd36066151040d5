// Entry point: wires the HTTP app, the nightly sweep, the archive queue consumer and the
// ZoomAccount and ClassRoster Durable Objects. Logic lives in the modules it imports.
import { createApp } from "./app.ts";
import { scheduleSweeps } from "./archive/sweep.ts";
import { database } from "./db/client.ts";
import { expirePendingLinks } from "./linking/pending.ts";
import { runMaintenance } from "./maintenance.ts";
import { loadConfig } from "./platform/config.ts";
import { log } from "./platform/log.ts";
import { consumeQueue } from "./queue.ts";
import { answerLinkClick, linkPath } from "./routes/link-clicks.ts";
import { scheduleCatchUps } from "./zoom-events/consumer.ts";

export { ClassRoster } from "./links/roster-object.ts";
export { ZoomAccount } from "./zoom/account-object.ts";

const app = createApp();

/** The frequent trigger in wrangler.toml: pending Zoom links expire in minutes, not overnight. */
const PENDING_LINK_CRON = "*/10 * * * *";

export default {
  // Link clicks (/j, /s, /r) skip the API's middleware: they are the hot path and need none of it.
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    const path = linkPath(request.url);
    return path ? answerLinkClick(request, env, ctx, path) : app.fetch(request, env, ctx);
  },

  async scheduled(controller, env, ctx) {
    if (controller.cron === PENDING_LINK_CRON) {
      const expired = await expirePendingLinks(database(env.DB), loadConfig(env));
      log("info", "scheduled: expired pending Zoom links revoked", { expired });
      return;
    }
    ctx.waitUntil(runMaintenance(env).catch((err) => log("error", "maintenance failed", { err })));
    const accounts = await scheduleSweeps(env);
    const catchUps = await scheduleCatchUps(env);
    log("info", "scheduled: sweeps and catch-ups enqueued", { cron: controller.cron, accounts, catchUps });
  },

  async queue(batch, env, _ctx) {
    await consumeQueue(batch, env);
  },
} satisfies ExportedHandler<Env, unknown>;
