// Tenant rows: created on first write by the tenant's admin, read with defaults otherwise.
import { eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { type TenantSettings, tenants } from "./schema.ts";

export interface Tenant {
  id: string;
  name: string | null;
  settings: TenantSettings;
  createdAt: number | null;
}

export async function getTenant(db: Db, tenantId: string): Promise<Tenant> {
  const row = await db.select().from(tenants).where(eq(tenants.id, tenantId)).get();
  return row ?? { id: tenantId, name: null, settings: {}, createdAt: null };
}

/** Makes sure the tenant row exists (idempotent), without touching an existing one. */
export async function ensureTenant(db: Db, tenantId: string): Promise<void> {
  await db.insert(tenants).values({ id: tenantId }).onConflictDoNothing();
}

/** Merges `patch` into the tenant's settings in one statement, creating the row if needed. */
export async function updateTenant(
  db: Db,
  tenantId: string,
  patch: { name?: string | null; settings?: Partial<TenantSettings> },
): Promise<Tenant> {
  const settingsJson = JSON.stringify(patch.settings ?? {});
  const row = await db
    .insert(tenants)
    .values({ id: tenantId, name: patch.name ?? null, settings: patch.settings ?? {} })
    .onConflictDoUpdate({
      target: tenants.id,
      set: {
        name: patch.name === undefined ? sql`${tenants.name}` : patch.name,
        settings: sql`json_patch(${tenants.settings}, ${settingsJson})`,
      },
    })
    .returning()
    .get();
  return row;
}
