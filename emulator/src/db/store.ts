// The emulator's SQLite storage: the schema, query helpers, insertion order, meta values and
// counters. Rows keep their fields in a JSON `doc` column with the few columns that queries filter
// on pulled out beside it. The table families (accounts.ts, meetings.ts, recordings.ts, outbox.ts)
// add their typed accessors on top; db.ts puts them together.

const SCHEMA = [
  "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, doc TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, account_id TEXT NOT NULL, email TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, doc TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS codes (code TEXT PRIMARY KEY, doc TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, kind TEXT NOT NULL, grant_id TEXT NOT NULL, account_id TEXT NOT NULL, user_id TEXT NOT NULL, client_id TEXT NOT NULL, scopes TEXT NOT NULL, expires_at INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, used INTEGER NOT NULL DEFAULT 0)",
  "CREATE INDEX IF NOT EXISTS tokens_grant ON tokens (grant_id)",
  "CREATE INDEX IF NOT EXISTS tokens_account ON tokens (account_id, client_id)",
  "CREATE TABLE IF NOT EXISTS meetings (id INTEGER PRIMARY KEY, host_id TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, doc TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS start_links (zak TEXT PRIMARY KEY, meeting_id INTEGER NOT NULL, expires_at INTEGER NOT NULL)",
  "CREATE TABLE IF NOT EXISTS file_url_signatures (sig TEXT PRIMARY KEY)",
  "CREATE TABLE IF NOT EXISTS registrants (id TEXT PRIMARY KEY, meeting_id INTEGER NOT NULL, email TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS instances (uuid TEXT PRIMARY KEY, meeting_id INTEGER NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS recordings (uuid TEXT PRIMARY KEY, meeting_id INTEGER NOT NULL, host_id TEXT NOT NULL, account_id TEXT NOT NULL, start_time TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS files (file_id TEXT PRIMARY KEY, recording_uuid TEXT NOT NULL, download_key TEXT NOT NULL UNIQUE, seq INTEGER NOT NULL, doc TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS page_tokens (token TEXT PRIMARY KEY, scope TEXT NOT NULL, offset INTEGER NOT NULL, expires_at INTEGER NOT NULL)",
  "CREATE TABLE IF NOT EXISTS faults (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, doc TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL)",
  "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL)",
];

type Row = Record<string, SqlStorageValue>;

export class Store {
  private seq = 0;

  constructor(protected readonly sql: SqlStorage) {}

  createSchema(): void {
    for (const statement of SCHEMA) this.sql.exec(statement);
  }

  dropAll(): void {
    const tables = this.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
    );
    for (const t of tables) this.sql.exec(`DROP TABLE IF EXISTS "${t.name}"`);
  }

  all<T>(query: string, ...bindings: SqlStorageValue[]): T[] {
    return this.sql.exec<Row>(query, ...bindings).toArray() as unknown as T[];
  }

  one<T>(query: string, ...bindings: SqlStorageValue[]): T | undefined {
    return this.all<T>(query, ...bindings)[0];
  }

  run(query: string, ...bindings: SqlStorageValue[]): void {
    this.sql.exec(query, ...bindings);
  }

  /** Monotonic insertion order, used for stable listing. */
  nextSeq(): number {
    this.seq = Math.max(this.seq + 1, Date.now() * 1000);
    return this.seq;
  }

  // meta

  getMeta<T>(key: string): T | undefined {
    const row = this.one<{ value: string }>("SELECT value FROM meta WHERE key = ?", key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  setMeta(key: string, value: unknown): void {
    this.run(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      JSON.stringify(value),
    );
  }

  // counters (stats, daily caps)

  increment(name: string, by = 1): number {
    const row = this.one<{ n: number }>(
      "INSERT INTO counters (name, n) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET n = n + excluded.n RETURNING n",
      name,
      by,
    );
    return row?.n ?? by;
  }

  counter(name: string): number {
    return this.one<{ n: number }>("SELECT n FROM counters WHERE name = ?", name)?.n ?? 0;
  }

  countersWithPrefix(prefix: string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.all<{ name: string; n: number }>(
      "SELECT name, n FROM counters WHERE substr(name, 1, ?) = ?",
      prefix.length,
      prefix,
    )) {
      out[r.name.slice(prefix.length)] = r.n;
    }
    return out;
  }

  // documents

  protected doc<T>(table: string, keyColumn: string, key: SqlStorageValue): T | undefined {
    const row = this.one<{ doc: string }>(`SELECT doc FROM ${table} WHERE ${keyColumn} = ?`, key);
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }
}
