// `node bench/d1-rows.ts`: bytes each row of the growing tables takes in SQLite (D1's engine),
// its indexes included, with values sized like production's (Wise ids, Zoom ids and URLs, sealed
// tokens and join URLs). The schema is the migrations'; the figures feed docs/scale.md.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const ROWS = 5_000;

const db = new DatabaseSync(":memory:");
for (const file of readdirSync(`${root}migrations`)
  .filter((f) => f.endsWith(".sql"))
  .sort()) {
  for (const statement of readFileSync(`${root}migrations/${file}`, "utf8").split(
    "--> statement-breakpoint",
  )) {
    if (statement.trim()) db.exec(statement);
  }
}

/** `n` characters of `alphabet`, pseudo-random and distinct per `i` (as random ids are). */
function chars(n: number, i: number, alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"): string {
  let bytes = Buffer.alloc(0);
  for (let block = 0; bytes.length < n; block++) {
    bytes = Buffer.concat([bytes, createHash("sha256").update(`${i}:${n}:${block}`).digest()]);
  }
  return Array.from(bytes.subarray(0, n), (b) => alphabet[b % alphabet.length]).join("");
}
const hex = (n: number, i: number) => chars(n, i, "0123456789abcdef");
const now = 1_796_000_000_000;

/** A value sized like production's for a column, by name; row `i`, unique where keys need it. */
function value(table: string, column: string, type: string, i: number): string | number | null {
  const wiseId = () => hex(24, i); // Wise ids are 24-hex object ids
  switch (column) {
    case "tenant_id":
      return hex(24, 1); // one tenant: rows of a tenant share it
    case "class_id":
      return table === "recordings" || table === "recording_files" ? hex(24, i >> 1) : wiseId();
    case "student_id":
    case "teacher_id":
    case "wise_user_id":
      return wiseId();
    case "zoom_account_id":
    case "host_zoom_user_id":
    case "host_id":
    case "zoom_registrant_id":
    case "registrant_id":
      return chars(22, i);
    case "zoom_meeting_id":
    case "meeting_id":
      return String(80_000_000_000 + i);
    case "zoom_meeting_uuid":
    case "meeting_uuid":
      return `${chars(22, i)}==`;
    case "id":
      if (table === "webhook_deliveries") return hex(64, i); // SHA-256 of the body
      if (table === "recording_files")
        return `${hex(8, i)}-${hex(4, i)}-${hex(4, i)}-${hex(4, i)}-${hex(12, i)}`;
      return `${hex(8, i)}-${hex(4, i)}-4${hex(3, i)}-a${hex(3, i)}-${hex(12, i)}`;
    case "recording_id":
      return `${hex(8, i >> 2)}-${hex(4, i)}-4${hex(3, i)}-a${hex(3, i)}-${hex(12, i >> 2)}`;
    case "topic":
      return `Grade 10 Physics: ${chars(22, i)}`;
    case "name":
      return `Student ${chars(12, i)}`;
    case "email":
      return `${chars(14, i)}@school.example`;
    case "join_url": // sealed at rest: AES-GCM of a ~110-character URL, base64 with key id and IV
      return `k1:${chars(16, i)}:${chars(196, i)}`;
    case "download_url":
      return `https://us02web.zoom.us/rec/download/${chars(150, i)}`;
    case "download_token_enc": // a sealed Zoom download JWT
      return `k1:${chars(16, i)}:${chars(420, i)}`;
    case "r2_key":
      return `tenants/${hex(24, 1)}/recordings/${chars(22, i)}==/${hex(36, i)}.mp4`;
    case "sha256":
      return hex(64, i);
    case "file_type":
    case "file_extension":
      return "MP4";
    case "recording_type":
      return "shared_screen_with_speaker_view";
    case "status":
      return table === "recording_files"
        ? "archived"
        : table === "class_registrants"
          ? "registered"
          : "active";
    case "zoom_state":
      return "active";
    case "auto_recording":
      return "cloud";
    case "event":
      return "recording.completed";
    case "timezone":
      return "Asia/Kolkata";
    case "meeting_settings": // the tenant's meeting policy as sent to Zoom
      return JSON.stringify({
        waiting_room: true,
        join_before_host: false,
        mute_upon_entry: true,
        auto_recording: "cloud",
        approval_type: 0,
        meeting_authentication: false,
        watermark: false,
        auto_start_meeting_summary: false,
      });
    case "attempt_day":
      return "2026-12-07";
    // Cleared or absent in the steady state.
    case "payload":
    case "upload_id":
    case "parts":
    case "lease_id":
    case "error":
    case "last_error":
    case "recurrence":
    case "claim_token":
    case "host_issue":
      return null;
    default:
      return /int/i.test(type) ? now + i : chars(8, i);
  }
}

const tables = [
  "classes",
  "class_registrants",
  "class_sessions",
  "session_attendance",
  "recordings",
  "recording_files",
  "webhook_deliveries",
];
const result: Record<string, number> = {};
for (const table of tables) {
  const columns = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string }[];
  const insert = db.prepare(
    `INSERT INTO ${table} (${columns.map((c) => c.name).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
  );
  db.exec("BEGIN");
  for (let i = 0; i < ROWS; i++) insert.run(...columns.map((c) => value(table, c.name, c.type, i)));
  db.exec("COMMIT");
  const bytes = db
    .prepare(
      `SELECT SUM(pgsize) AS bytes FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = ?)`,
    )
    .get(table) as { bytes: number };
  result[table] = Math.round(bytes.bytes / ROWS);
}
console.log(`bytes per row, indexes included (${ROWS} rows each):`);
for (const [table, bytes] of Object.entries(result)) console.log(`  ${table.padEnd(20)} ${bytes}`);
