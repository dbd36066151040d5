// Entry point: wires the HTTP app, the nightly sweep, the archive queue consumer and the
// ZoomAccount Durable Object. Logic lives in the modules it imports.
import { createApp } from "./app.ts";
import type { Env } from "./env.ts";
import { log } from "./http/log.ts";
import { runMaintenance } from "./maintenance.ts";

export { ZoomAccount } from "./zoom/account-object.ts";

const app = createApp();

export default {
  fetch: app.fetch,

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runMaintenance(env).catch((err) => log("error", "maintenance failed", { err })));
    log("info", "scheduled: nightly recording sweep has no work yet", { cron: controller.cron });
  },

  async queue(batch, _env, _ctx) {
    log("warn", "queue: archive consumer has no work yet; retrying messages later", {
      queue: batch.queue,
      messages: batch.messages.length,
    });
    batch.retryAll({ delaySeconds: 300 });
  },
} satisfies ExportedHandler<Env, unknown>;
