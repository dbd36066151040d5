// Messages on the archive queue, validated when consumed: one per recording file to archive, and
// one per linked account to sweep.
import { z } from "zod";

const Id = z.string().min(1).max(128);

export const ArchiveMessage = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("archive-file"), tenantId: Id, fileId: Id }).strict(),
  z
    .object({
      kind: z.literal("sweep-account"),
      tenantId: Id,
      /** Where a sweep cut short by its per-invocation budget goes on (absent: a new sweep). */
      resume: z
        .object({
          runAt: z.number().int().positive(),
          backfill: z.boolean(),
          userId: z.string().min(1).max(64),
          window: z.number().int().min(0).max(100),
          pageToken: z.string().max(512).optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
]);
export type ArchiveMessage = z.infer<typeof ArchiveMessage>;

/** Sends messages in batches within the Queues limit (100 messages per sendBatch). */
export async function enqueue(queue: Queue<unknown>, messages: ArchiveMessage[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 100) {
    await queue.sendBatch(messages.slice(i, i + 100).map((body) => ({ body, contentType: "json" })));
  }
}

export const archiveFileMessages = (tenantId: string, fileIds: string[]): ArchiveMessage[] =>
  fileIds.map((fileId) => ({ kind: "archive-file", tenantId, fileId }));
