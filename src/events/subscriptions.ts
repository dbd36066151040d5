// Event subscriptions of a tenant: endpoint, event types, the signing secret (shown once, sealed
// by the token vault, rotatable with an overlap window during which both secrets sign).
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { eventSubscriptions } from "../db/schema.ts";
import type { TokenVault } from "../tokens/vault.ts";

export type SubscriptionRow = typeof eventSubscriptions.$inferSelect;

/** A Standard Webhooks secret: `whsec_` and base64 of 32 random bytes. */
export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

// Both the current and the previous secret are bound to the subscription (and tenant), so a
// ciphertext copied to another row does not decrypt.
const secretContext = (tenantId: string, id: string) => ({
  tenantId,
  zoomAccountId: "-",
  field: `event_secret:${id}`,
});

export const sealSecret = (
  vault: TokenVault,
  row: Pick<SubscriptionRow, "tenantId" | "id">,
  secret: string,
) => vault.encrypt(secret, secretContext(row.tenantId, row.id));

/** The secrets that sign a delivery now: the current one, and the previous one during its overlap. */
export async function signingSecrets(
  vault: TokenVault,
  row: SubscriptionRow,
  now: number,
): Promise<string[]> {
  const ctx = secretContext(row.tenantId, row.id);
  const secrets = [await vault.decrypt(row.secretEnc, ctx)];
  if (row.previousSecretEnc && (row.previousSecretUntil ?? 0) > now) {
    secrets.push(await vault.decrypt(row.previousSecretEnc, ctx));
  }
  return secrets;
}

export async function createSubscription(
  db: Db,
  vault: TokenVault,
  input: {
    tenantId: string;
    url: string;
    eventTypes: string[];
    description: string | null;
    enabled: boolean;
    createdBy: string;
  },
): Promise<{ row: SubscriptionRow; secret: string }> {
  const id = `sub_${crypto.randomUUID().replace(/-/g, "")}`;
  const secret = newSecret();
  const now = Date.now();
  const row = await db
    .insert(eventSubscriptions)
    .values({
      id,
      tenantId: input.tenantId,
      url: input.url,
      eventTypes: input.eventTypes,
      description: input.description,
      secretEnc: await sealSecret(vault, { tenantId: input.tenantId, id }, secret),
      enabled: input.enabled,
      createdBy: input.createdBy,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get();
  return { row, secret };
}

export function listSubscriptions(db: Db, tenantId: string) {
  return db
    .select()
    .from(eventSubscriptions)
    .where(eq(eventSubscriptions.tenantId, tenantId))
    .orderBy(desc(eventSubscriptions.createdAt))
    .all();
}

export function getSubscription(db: Db, tenantId: string, id: string) {
  return db
    .select()
    .from(eventSubscriptions)
    .where(and(eq(eventSubscriptions.tenantId, tenantId), eq(eventSubscriptions.id, id)))
    .get();
}

export async function updateSubscription(
  db: Db,
  tenantId: string,
  id: string,
  patch: { url?: string; eventTypes?: string[]; description?: string | null; enabled?: boolean },
) {
  return db
    .update(eventSubscriptions)
    .set({
      ...patch,
      // Turning it on again clears the reason it was turned off.
      ...(patch.enabled === true ? { disabledReason: null } : {}),
      updatedAt: Date.now(),
    })
    .where(and(eq(eventSubscriptions.tenantId, tenantId), eq(eventSubscriptions.id, id)))
    .returning()
    .get();
}

export async function deleteSubscription(db: Db, tenantId: string, id: string): Promise<boolean> {
  const gone = await db
    .delete(eventSubscriptions)
    .where(and(eq(eventSubscriptions.tenantId, tenantId), eq(eventSubscriptions.id, id)))
    .returning({ id: eventSubscriptions.id });
  return gone.length === 1;
}

/**
 * A new secret; the current one keeps signing (beside the new one) for `overlapSeconds`, so Wise
 * can switch without losing a delivery. Compare-and-swap on the current ciphertext: two rotations
 * at once cannot both win and lose a secret.
 */
export async function rotateSecret(
  db: Db,
  vault: TokenVault,
  row: SubscriptionRow,
  overlapSeconds: number,
): Promise<{ row: SubscriptionRow; secret: string } | null> {
  const secret = newSecret();
  const now = Date.now();
  const updated = await db
    .update(eventSubscriptions)
    .set({
      secretEnc: await sealSecret(vault, row, secret),
      previousSecretEnc: overlapSeconds > 0 ? row.secretEnc : null,
      previousSecretUntil: overlapSeconds > 0 ? now + overlapSeconds * 1000 : null,
      updatedAt: now,
    })
    .where(
      and(
        eq(eventSubscriptions.tenantId, row.tenantId),
        eq(eventSubscriptions.id, row.id),
        eq(eventSubscriptions.secretEnc, row.secretEnc),
      ),
    )
    .returning()
    .get();
  return updated ? { row: updated, secret } : null;
}

/**
 * Re-seals subscription secrets still under an older key of TOKEN_ENCRYPTION_KEYS (nightly), so an
 * old key can be removed the day after a new one is put first. Compare-and-swap on the ciphertexts.
 */
export async function resealSecrets(db: Db, vault: TokenVault): Promise<number> {
  const rows = await db.select().from(eventSubscriptions).all();
  let changed = 0;
  for (const row of rows) {
    const ctx = secretContext(row.tenantId, row.id);
    const current = await vault.reseal(row.secretEnc, ctx);
    const previous = row.previousSecretEnc ? await vault.reseal(row.previousSecretEnc, ctx) : null;
    if (!current && !previous) continue;
    const updated = await db
      .update(eventSubscriptions)
      .set({
        secretEnc: current ?? row.secretEnc,
        previousSecretEnc: previous ?? row.previousSecretEnc,
      })
      .where(
        and(
          eq(eventSubscriptions.id, row.id),
          eq(eventSubscriptions.secretEnc, row.secretEnc),
          row.previousSecretEnc === null
            ? isNull(eventSubscriptions.previousSecretEnc)
            : eq(eventSubscriptions.previousSecretEnc, row.previousSecretEnc),
        ),
      )
      .returning({ id: eventSubscriptions.id });
    changed += updated.length;
  }
  return changed;
}
