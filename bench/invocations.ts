// What the archive benchmark's Worker build records of each queue or cron invocation, shared by the
// Worker (bench/worker/archive-entry.ts) and the Node side that reads it (bench/archive.ts).

/** Calls one invocation makes, by kind (each one a subrequest in Workers' accounting). */
export interface Counts {
  fetch: number;
  d1Calls: number;
  d1Statements: number;
  queueCalls: number;
  queueMessages: number;
  durableObjectCalls: number;
  r2Calls: number;
}

export interface Invocation<Message = unknown> {
  handler: "queue" | "scheduled";
  messages: Message[];
  startedAt: number;
  endedAt: number;
  counts: Counts;
  /** Another invocation ran at the same time, so the global fetch counter was shared. */
  overlapped: boolean;
  error?: string;
}
