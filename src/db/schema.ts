// D1 schema (drizzle-orm). drizzle-kit generates the SQL migrations in migrations/ from this file.
// Every table that holds tenant data carries tenant_id, and every query filters on it.
import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;

/** A Wise institute. Created on first use by an authenticated admin (or seeded locally). */
export const tenants = sqliteTable("tenants", {
  id: text("id").primaryKey(),
  name: text("name"),
  createdAt: integer("created_at", { mode: "number" }).notNull().default(now),
  /** Tenant policies (JSON): user creation action, archive deletion policy, license recycling. */
  settings: text("settings", { mode: "json" }).$type<TenantSettings>().notNull().default(sql`'{}'`),
});

export interface TenantSettings {
  userCreateAction?: "create" | "custCreate";
  licensePolicy?: "manual" | "auto-recycle";
  archivePolicy?: {
    deleteFromZoom: "never" | "after-archive" | "when-storage-above";
    storageThresholdPercent?: number;
  };
}

/** Who did what and when: linking, unlinking, deauthorization, license moves, deletions. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tenantId: text("tenant_id").notNull(),
    at: integer("at", { mode: "number" }).notNull().default(now),
    /** Wise user id, or "zoom" / "system" for events from Zoom or the service itself. */
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    /** JSON details; never a token. */
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [index("audit_log_tenant_at").on(t.tenantId, t.at)],
);
