// Entry point: wires the HTTP app, the nightly sweep, the archive queue consumer and the
// ZoomAccount and ClassRoster Durable Objects. Logic lives in the modules it imports.
import { createApp } from "./app.ts";
import { scheduleSweeps } from "./archive/sweep.ts";
import type { Env } from "./env.ts";
import { log } from "./http/log.ts";
import { runMaintenance } from "./maintenance.ts";
import { consumeQueue } from "./queue.ts";
import { scheduleCatchUps } from "./zoom/consumer.ts";

export { ClassRoster } from "./links/roster-object.ts";
export { ZoomAccount } from "./zoom/account-object.ts";

const app = createApp();

export default {
  fetch: app.fetch,

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runMaintenance(env).catch((err) => log("error", "maintenance failed", { err })));
    const accounts = await scheduleSweeps(env);
    const catchUps = await scheduleCatchUps(env);
    log("info", "scheduled: sweeps and catch-ups enqueued", { cron: controller.cron, accounts, catchUps });
  },

  async queue(batch, env, _ctx) {
    await consumeQueue(batch, env);
  },
} satisfies ExportedHandler<Env, unknown>;
