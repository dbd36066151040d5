// Benchmark build of the product for the events benchmark: the archive benchmark's instrumented
// Worker (queue invocations timed and counted) plus one route that writes events to the outbox
// and dispatches them, as a state change would, so delivery can be measured in bulk.
import { database } from "../../src/db/client.ts";
import { committedIds, dispatchEvents, eventStatement } from "../../src/events/outbox.ts";
import archiveEntry from "./archive-entry.ts";

export { ClassRoster } from "../../src/links/roster-object.ts";
export { ZoomAccount } from "../../src/zoom/account-object.ts";

async function emit(env: Env, tenantId: string, n: number): Promise<number> {
  const db = database(env.DB);
  let written = 0;
  for (let i = 0; i < n; i += 50) {
    const pending = await Promise.all(
      Array.from({ length: Math.min(50, n - i) }, (_, k) =>
        eventStatement(db, {
          tenantId,
          type: "class.started",
          data: { classId: `bench-${i + k}`, zoomMeetingId: "1", meetingUuid: null },
        }),
      ),
    );
    const [first, ...rest] = pending.map((p) => p.statement);
    if (!first) break;
    const ids = committedIds(await db.batch([first, ...rest]));
    await dispatchEvents(env, ids);
    written += ids.length;
  }
  return written;
}

export default {
  ...archiveEntry,
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/emit") {
      const n = Number(url.searchParams.get("n") ?? "0");
      const written = await emit(env, url.searchParams.get("tenant") ?? "", n);
      return Response.json({ written, at: Date.now() });
    }
    return archiveEntry.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env, unknown>;
