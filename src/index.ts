// Entry point: wires the HTTP app, the nightly sweep, the archive queue consumer and the
// ZoomAccount Durable Object. Logic lives in the modules it imports.
import { createApp } from "./app.ts";
import type { Env } from "./env.ts";
import { log } from "./http/log.ts";
import { handleRegistrationMessage } from "./links/registration.ts";
import { runMaintenance } from "./maintenance.ts";

export { ZoomAccount } from "./zoom/account-object.ts";

const app = createApp();

export default {
  fetch: app.fetch,

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runMaintenance(env).catch((err) => log("error", "maintenance failed", { err })));
    log("info", "scheduled: nightly recording sweep has no work yet", { cron: controller.cron });
  },

  async queue(batch, env, _ctx) {
    let other = 0;
    for (const message of batch.messages) {
      const kind = (message.body as { kind?: unknown } | null)?.kind;
      if (kind === "register-students") {
        const { retryAfterSeconds } = await handleRegistrationMessage(env, message.body);
        if (retryAfterSeconds) message.retry({ delaySeconds: Math.min(retryAfterSeconds, 43_200) });
        else message.ack();
        continue;
      }
      other++;
      message.retry({ delaySeconds: 300 });
    }
    if (other > 0) {
      log("warn", "queue: archive consumer has no work yet; retrying messages later", {
        queue: batch.queue,
        messages: other,
      });
    }
  },
} satisfies ExportedHandler<Env, unknown>;
