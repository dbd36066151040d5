// Entry point: wires the HTTP app, the nightly sweep, the archive queue consumer and the
// ZoomAccount Durable Object. Logic lives in the modules it imports.
import { createApp } from "./app.ts";
import { consumeArchiveBatch } from "./archive/consumer.ts";
import { scheduleSweeps } from "./archive/sweep.ts";
import { loadConfig } from "./config.ts";
import type { Env } from "./env.ts";
import { log } from "./http/log.ts";

export { ZoomAccount } from "./zoom/account-object.ts";

const app = createApp();

export default {
  fetch: app.fetch,

  async scheduled(controller, env, _ctx) {
    const accounts = await scheduleSweeps(env);
    log("info", "scheduled: sweeps enqueued", { cron: controller.cron, accounts });
  },

  async queue(batch, env, _ctx) {
    await consumeArchiveBatch(batch, env, loadConfig(env));
  },
} satisfies ExportedHandler<Env, unknown>;
