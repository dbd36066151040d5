// Typed access to the emulator's SQLite tables, one module per table family under db/. Each family
// adds its accessors to the one before it (store -> accounts -> meetings -> recordings -> outbox);
// the order only chains the classes, the families do not use each other's tables.
import { OutboxTables } from "./db/outbox.ts";

export type * from "./db/accounts.ts";
export type * from "./db/meetings.ts";
export type * from "./db/outbox.ts";
export type * from "./db/recordings.ts";

export class Db extends OutboxTables {}
