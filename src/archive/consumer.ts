// The archive queue consumer: validates each message and runs it (one file to archive, or one
// account to sweep), acknowledging, retrying with backoff, or leaving it to the dead-letter queue.
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { ZoomNeedsRelink, ZoomNotLinked, ZoomRateLimited } from "../zoom/errors.ts";
import { archiveRecordingFile, backoffSeconds } from "./archive-file.ts";
import { ArchiveMessage } from "./messages.ts";
import { SweepBudget, sweepAccount } from "./sweep.ts";

// Queues caps delaySeconds at 12 hours.
const MAX_DELAY = 43_200;
const delay = (s: number) => ({ delaySeconds: Math.min(MAX_DELAY, Math.max(0, Math.round(s))) });

export async function consumeArchiveMessages(
  messages: readonly Message<unknown>[],
  env: Env,
  config: Config,
): Promise<void> {
  // One budget for the whole invocation: D1's 1,000 queries are per invocation, not per message.
  const budget = new SweepBudget(config.archive.sweepMeetingsPerRun);
  for (const message of messages) {
    const parsed = ArchiveMessage.safeParse(message.body);
    if (!parsed.success) {
      // Retrying cannot fix a malformed message.
      log("error", "archive queue: malformed message dropped", { id: message.id });
      message.ack();
      continue;
    }
    const body = parsed.data;
    const last = message.attempts >= config.archive.maxAttempts;
    try {
      if (body.kind === "archive-file") {
        const result = await archiveRecordingFile(env, config, body, { number: message.attempts, last });
        switch (result.outcome) {
          case "archived":
          case "nothing-to-do":
            message.ack();
            break;
          case "waiting":
            // Zoom is still processing the file: a fresh message looks again later, so the wait
            // spends none of this message's delivery attempts.
            await env.ARCHIVE_QUEUE.send(body, { contentType: "json", ...delay(result.retryAfterSeconds) });
            message.ack();
            break;
          case "busy":
            // The holder's own message finishes it; on our last delivery there is nothing left to do.
            if (last) message.ack();
            else message.retry(delay(result.retryAfterSeconds));
            break;
          case "retry":
            message.retry(delay(result.retryAfterSeconds));
            break;
          case "failed":
            // Marked failed with its reason. Exhausted retries go on to the dead-letter queue;
            // failures no retry can fix (not linked, trashed in Zoom) are acknowledged.
            if (result.retryable) message.retry();
            else message.ack();
            break;
        }
      } else {
        await sweepAccount(env, config, body.tenantId, { resume: body.resume, budget });
        message.ack();
      }
    } catch (err) {
      if (err instanceof ZoomNotLinked || err instanceof ZoomNeedsRelink) {
        log("warn", "archive queue: account not usable; message dropped", {
          kind: body.kind,
          tenantId: body.tenantId,
          err,
        });
        message.ack();
        continue;
      }
      const after = err instanceof ZoomRateLimited ? err.retryAfterSeconds : backoffSeconds(message.attempts);
      log("error", "archive queue: message failed", {
        kind: body.kind,
        tenantId: body.tenantId,
        attempt: message.attempts,
        err,
      });
      message.retry(delay(after));
    }
  }
}
