// Typed access to the emulator's SQLite tables. Rows keep their fields in a JSON `doc` column with
// the few columns that queries filter on pulled out beside it.

export type UserType = 1 | 2;
export type UserStatus = "active" | "inactive" | "pending";

export interface Account {
  id: string;
  name: string;
  ownerId: string;
  accountNumber: number;
  planType: string;
  seats: number;
  /** Bytes of an additional cloud recording storage plan (Zoom's `plan_storage`; "0" without one). */
  storageBytes: number;
  /** Bytes of storage that come with the licenses (Zoom's `free_storage`, e.g. a plain Pro account). */
  freeStorageBytes?: number;
  /** Storage used by recordings the emulator does not model (the seeded "some usage"). */
  baseUsageBytes: number;
  /** The account's admin disabled the app in Zoom's Marketplace: refreshes answer 4738. */
  appDisabled?: boolean;
}

export interface UserSettings {
  schedule_meeting: Record<string, unknown>;
  in_meeting: Record<string, unknown>;
  recording: Record<string, unknown>;
  email_notification: Record<string, unknown>;
  feature: Record<string, unknown>;
}

export interface User {
  id: string;
  accountId: string;
  email: string;
  firstName: string;
  lastName: string;
  type: UserType;
  status: UserStatus;
  role: "Owner" | "Admin" | "Member";
  pmi: number;
  timezone: string;
  dept: string;
  createdAt: string;
  settings: UserSettings;
}

export interface Client {
  clientId: string;
  clientSecret: string;
  name: string;
  redirectUris: string[];
  scopes: string[];
  /** Zoom's approval for `custCreate` users (granted on request to ISVs); refused without it. */
  custCreate?: boolean;
}

export interface AuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  userId: string;
  accountId: string;
  scopes: string[];
  codeChallenge?: string;
  expiresAt: number;
  used: boolean;
}

export interface TokenRow {
  token: string;
  kind: "access" | "refresh" | "download";
  grant_id: string;
  account_id: string;
  user_id: string;
  client_id: string;
  scopes: string;
  expires_at: number;
  revoked: number;
  used: number;
}

export interface Recurrence {
  type: 1 | 2 | 3;
  repeat_interval?: number;
  weekly_days?: string;
  monthly_day?: number;
  end_times?: number;
  end_date_time?: string;
}

export interface Meeting {
  id: number;
  uuid: string;
  hostId: string;
  accountId: string;
  topic: string;
  type: number;
  status: "waiting" | "started";
  startTime?: string;
  duration: number;
  timezone: string;
  agenda: string;
  createdAt: string;
  /** Last creation or start (emulator ms); a meeting unused for 365 days expires. */
  lastUsedAt?: number;
  password: string;
  encryptedPassword: string;
  registrationKey: string;
  settings: Record<string, unknown>;
  recurrence?: Recurrence;
  instances: number;
}

export interface Registrant {
  id: string;
  meetingId: number;
  email: string;
  firstName: string;
  lastName: string;
  status: "approved" | "pending" | "denied";
  createTime: string;
  joinToken: string;
}

export interface Participant {
  id: string;
  name: string;
  user_id: string;
  registrant_id: string;
  user_email: string;
  join_time: string;
  leave_time: string;
  duration: number;
  failover: boolean;
  status: "in_meeting";
  internal_user: boolean;
}

export interface Instance {
  uuid: string;
  meetingId: number;
  accountId: string;
  hostId: string;
  topic: string;
  type: number;
  startTime: string;
  endTime: string;
  duration: number;
  participants: Participant[];
  /** Until then (emulator ms) the participant report is still partial: only its first half is listed. */
  reportReadyAt?: number;
}

export type FileType = "MP4" | "M4A" | "CHAT" | "TRANSCRIPT" | "CC" | "TIMELINE";

export interface RecordingFile {
  /** Internal id; published as `id` except for CC and TIMELINE files, which Zoom sends without one. */
  fileId: string;
  recordingUuid: string;
  accountId: string;
  fileType: FileType;
  size: number;
  sample: boolean;
  status: "completed" | "processing";
  /** Emulator time (ms) when a processing file is done by itself; without it, only the control API finishes it. */
  readyAt?: number;
  /** One participant's own audio (listed under `participant_audio_files`, not `recording_files`). */
  participant?: string;
  state: "active" | "trashed" | "deleted";
  recordingStart: string;
  recordingEnd: string;
  downloadKey: string;
}

export interface Recording {
  uuid: string;
  meetingId: number;
  accountId: string;
  hostId: string;
  topic: string;
  type: number;
  startTime: string;
  duration: number;
  timezone: string;
  password: string;
  state: "active" | "trashed" | "deleted";
}

export interface Fault {
  id: string;
  operation: string;
  accountId?: string;
  /** Remaining applications; -1 means forever. */
  remaining: number;
  status?: number;
  zoomCode?: number;
  message?: string;
  body?: unknown;
  delayMs?: number;
  dropAfterBytes?: number;
  html200?: boolean;
  truncateBody?: number;
  xml?: boolean;
  headers?: Record<string, string>;
}

/** One attempt to deliver a webhook: when (emulator ms) and the answer (status or what went wrong). */
export interface DeliveryAttempt {
  at: number;
  status: number | string;
}

export interface Delivery {
  id: string;
  event: string;
  url: string;
  /** Headers of the latest attempt (each attempt is signed again with its own timestamp). */
  headers: Record<string, string>;
  body: string;
  deliveredStatus?: number | string;
  /** pending: waiting for an (other) attempt; acknowledged: answered 200/204; dropped: Zoom gave up. */
  state: "pending" | "acknowledged" | "dropped";
  attempts: DeliveryAttempt[];
  /** When the next attempt is due (emulator ms) while pending. */
  nextAttemptAt?: number;
  /** Set on a copy made through the control API. */
  duplicateOf?: string;
}

export interface Config {
  webhook: {
    url: string;
    secretToken: string;
    /** Outcome of the latest endpoint.url_validation; false stops every delivery until it passes again. */
    validated?: boolean;
    /** When the endpoint was last validated (emulator ms); Zoom validates again every 72 hours. */
    validatedAt?: number;
    /** With a URL, hold deliveries in the outbox until POST /__emulator/webhooks/release. */
    hold?: boolean;
  };
  rateLimits: { light: number; medium: number; heavy: number; dailyHeavy: number; enabled: boolean };
  /** Meeting creates and updates per host per day (Zoom: 100). */
  meetingDailyCap: number;
  /** Where download_url redirects to: another origin stands for Zoom's CDN (default: the request's). */
  downloads?: { fileOrigin?: string };
  /** Registrants one meeting may hold (Zoom: 4,999); lowered by tests to reach the cap cheaply. */
  registrantCap?: number;
}

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

export class Db {
  private seq = 0;

  constructor(private readonly sql: SqlStorage) {}

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

  private doc<T>(table: string, keyColumn: string, key: SqlStorageValue): T | undefined {
    const row = this.one<{ doc: string }>(`SELECT doc FROM ${table} WHERE ${keyColumn} = ?`, key);
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  account(id: string): Account | undefined {
    return this.doc<Account>("accounts", "id", id);
  }

  accounts(): Account[] {
    return this.all<{ doc: string }>("SELECT doc FROM accounts ORDER BY rowid").map((r) => JSON.parse(r.doc));
  }

  putAccount(a: Account): void {
    this.run(
      "INSERT INTO accounts (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
      a.id,
      JSON.stringify(a),
    );
  }

  user(id: string): User | undefined {
    return this.doc<User>("users", "id", id);
  }

  userByEmail(email: string): User | undefined {
    return this.doc<User>("users", "lower(email)", email.toLowerCase());
  }

  usersOf(accountId: string): User[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM users WHERE account_id = ? ORDER BY seq",
      accountId,
    ).map((r) => JSON.parse(r.doc));
  }

  putUser(u: User): void {
    const existing = this.one<{ seq: number }>("SELECT seq FROM users WHERE id = ?", u.id);
    this.run(
      "INSERT INTO users (id, account_id, email, seq, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, email = excluded.email, doc = excluded.doc",
      u.id,
      u.accountId,
      u.email,
      existing?.seq ?? this.nextSeq(),
      JSON.stringify(u),
    );
  }

  deleteUser(id: string): void {
    this.run("DELETE FROM users WHERE id = ?", id);
  }

  client(clientId: string): Client | undefined {
    return this.doc<Client>("clients", "client_id", clientId);
  }

  clients(): Client[] {
    return this.all<{ doc: string }>("SELECT doc FROM clients").map((r) => JSON.parse(r.doc));
  }

  putClient(c: Client): void {
    this.run(
      "INSERT INTO clients (client_id, doc) VALUES (?, ?) ON CONFLICT (client_id) DO UPDATE SET doc = excluded.doc",
      c.clientId,
      JSON.stringify(c),
    );
  }

  code(code: string): AuthCode | undefined {
    return this.doc<AuthCode>("codes", "code", code);
  }

  putCode(c: AuthCode): void {
    this.run(
      "INSERT INTO codes (code, doc) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET doc = excluded.doc",
      c.code,
      JSON.stringify(c),
    );
  }

  meeting(id: number): Meeting | undefined {
    return this.doc<Meeting>("meetings", "id", id);
  }

  liveMeeting(id: number): Meeting | undefined {
    const row = this.one<{ doc: string }>("SELECT doc FROM meetings WHERE id = ? AND deleted = 0", id);
    return row ? (JSON.parse(row.doc) as Meeting) : undefined;
  }

  meetingsOf(hostId: string): Meeting[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM meetings WHERE host_id = ? AND deleted = 0 ORDER BY rowid",
      hostId,
    ).map((r) => JSON.parse(r.doc));
  }

  putMeeting(m: Meeting, deleted = false): void {
    this.run(
      "INSERT INTO meetings (id, host_id, deleted, doc) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET host_id = excluded.host_id, deleted = excluded.deleted, doc = excluded.doc",
      m.id,
      m.hostId,
      deleted ? 1 : 0,
      JSON.stringify(m),
    );
  }

  registrant(id: string): Registrant | undefined {
    return this.doc<Registrant>("registrants", "id", id);
  }

  registrantsOf(meetingId: number): Registrant[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM registrants WHERE meeting_id = ? ORDER BY seq",
      meetingId,
    ).map((r) => JSON.parse(r.doc));
  }

  putRegistrant(r: Registrant): void {
    this.run(
      "INSERT INTO registrants (id, meeting_id, email, seq, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
      r.id,
      r.meetingId,
      r.email.toLowerCase(),
      this.nextSeq(),
      JSON.stringify(r),
    );
  }

  instance(uuid: string): Instance | undefined {
    return this.doc<Instance>("instances", "uuid", uuid);
  }

  instancesOf(meetingId: number): Instance[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM instances WHERE meeting_id = ? ORDER BY seq",
      meetingId,
    ).map((r) => JSON.parse(r.doc));
  }

  putInstance(i: Instance): void {
    this.run(
      "INSERT INTO instances (uuid, meeting_id, seq, doc) VALUES (?, ?, ?, ?) ON CONFLICT (uuid) DO UPDATE SET doc = excluded.doc",
      i.uuid,
      i.meetingId,
      this.nextSeq(),
      JSON.stringify(i),
    );
  }

  recording(uuid: string): Recording | undefined {
    return this.doc<Recording>("recordings", "uuid", uuid);
  }

  recordingsOfMeeting(meetingId: number): Recording[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM recordings WHERE meeting_id = ? ORDER BY seq",
      meetingId,
    ).map((r) => JSON.parse(r.doc));
  }

  recordingsOfHost(hostId: string): Recording[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM recordings WHERE host_id = ? ORDER BY start_time DESC, seq DESC",
      hostId,
    ).map((r) => JSON.parse(r.doc));
  }

  recordingsOfAccount(accountId: string): Recording[] {
    return this.all<{ doc: string }>("SELECT doc FROM recordings WHERE account_id = ?", accountId).map((r) =>
      JSON.parse(r.doc),
    );
  }

  putRecording(r: Recording): void {
    const existing = this.one<{ seq: number }>("SELECT seq FROM recordings WHERE uuid = ?", r.uuid);
    this.run(
      "INSERT INTO recordings (uuid, meeting_id, host_id, account_id, start_time, seq, doc) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uuid) DO UPDATE SET doc = excluded.doc",
      r.uuid,
      r.meetingId,
      r.hostId,
      r.accountId,
      r.startTime,
      existing?.seq ?? this.nextSeq(),
      JSON.stringify(r),
    );
  }

  file(fileId: string): RecordingFile | undefined {
    return this.doc<RecordingFile>("files", "file_id", fileId);
  }

  fileByDownloadKey(key: string): RecordingFile | undefined {
    return this.doc<RecordingFile>("files", "download_key", key);
  }

  filesOf(recordingUuid: string): RecordingFile[] {
    return this.all<{ doc: string }>(
      "SELECT doc FROM files WHERE recording_uuid = ? ORDER BY seq",
      recordingUuid,
    ).map((r) => JSON.parse(r.doc));
  }

  putFile(f: RecordingFile): void {
    const existing = this.one<{ seq: number }>("SELECT seq FROM files WHERE file_id = ?", f.fileId);
    this.run(
      "INSERT INTO files (file_id, recording_uuid, download_key, seq, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT (file_id) DO UPDATE SET doc = excluded.doc",
      f.fileId,
      f.recordingUuid,
      f.downloadKey,
      existing?.seq ?? this.nextSeq(),
      JSON.stringify(f),
    );
  }

  faults(): Fault[] {
    return this.all<{ doc: string }>("SELECT doc FROM faults ORDER BY seq").map((r) => JSON.parse(r.doc));
  }

  putFault(f: Fault): void {
    this.run(
      "INSERT INTO faults (id, seq, doc) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
      f.id,
      this.nextSeq(),
      JSON.stringify(f),
    );
  }

  deleteFault(id: string): void {
    this.run("DELETE FROM faults WHERE id = ?", id);
  }

  deliveries(): Delivery[] {
    return this.all<{ doc: string }>("SELECT doc FROM outbox ORDER BY seq").map((r) => JSON.parse(r.doc));
  }

  delivery(id: string): Delivery | undefined {
    return this.doc<Delivery>("outbox", "id", id);
  }

  /** Gives the listed deliveries the outbox positions they already hold, in the order listed. */
  reorderDeliveries(ids: string[]): void {
    const seqs = ids.map((id) => this.one<{ seq: number }>("SELECT seq FROM outbox WHERE id = ?", id)?.seq);
    if (seqs.some((s) => s === undefined)) throw new Error("reorder: unknown delivery id");
    const sorted = (seqs as number[]).slice().sort((a, b) => a - b);
    // Two passes, so no position is taken twice in between.
    for (const [i, id] of ids.entries()) this.run("UPDATE outbox SET seq = ? WHERE id = ?", -1 - i, id);
    for (const [i, id] of ids.entries())
      this.run("UPDATE outbox SET seq = ? WHERE id = ?", sorted[i] ?? 0, id);
  }

  putDelivery(d: Delivery): void {
    this.run(
      "INSERT INTO outbox (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
      d.id,
      JSON.stringify(d),
    );
  }
}
