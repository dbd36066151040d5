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

/**
 * The Zoom credential of a tenant: one linked Zoom account per tenant, one tenant per Zoom account.
 * Tokens are AES-GCM ciphertexts (see tokens/vault.ts); `refresh_token_hash` identifies the current
 * refresh token so that a refresh can compare-and-swap on it without reading plaintext.
 */
export const zoomCredentials = sqliteTable("zoom_credentials", {
  tenantId: text("tenant_id").primaryKey(),
  zoomAccountId: text("zoom_account_id").notNull().unique(),
  zoomUserId: text("zoom_user_id").notNull(),
  zoomUserEmail: text("zoom_user_email"),
  linkedBy: text("linked_by").notNull(),
  status: text("status", { enum: ["linked", "needs_relink"] }).notNull(),
  reason: text("reason"),
  scopes: text("scopes").notNull(),
  apiUrl: text("api_url"),
  accessTokenEnc: text("access_token_enc").notNull(),
  refreshTokenEnc: text("refresh_token_enc").notNull(),
  refreshTokenHash: text("refresh_token_hash").notNull(),
  accessTokenExpiresAt: integer("access_token_expires_at", { mode: "number" }).notNull(),
  linkedAt: integer("linked_at", { mode: "number" }).notNull(),
  lastRefreshAt: integer("last_refresh_at", { mode: "number" }),
  updatedAt: integer("updated_at", { mode: "number" }).notNull(),
});

/** Pending OAuth authorizations: single-use, 10 minutes, bound to the tenant that started them. */
export const oauthStates = sqliteTable("oauth_states", {
  stateHash: text("state_hash").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  createdBy: text("created_by").notNull(),
  codeVerifierEnc: text("code_verifier_enc").notNull(),
  returnTo: text("return_to"),
  expiresAt: integer("expires_at", { mode: "number" }).notNull(),
  usedAt: integer("used_at", { mode: "number" }),
});

/** Webhook deliveries already accepted, by hash of the raw body, so a replay changes nothing. */
export const webhookDeliveries = sqliteTable("webhook_deliveries", {
  id: text("id").primaryKey(),
  event: text("event").notNull(),
  receivedAt: integer("received_at", { mode: "number" }).notNull(),
});
