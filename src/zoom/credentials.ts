// Reading and writing the encrypted Zoom credential rows. Every write that replaces tokens is a
// compare-and-swap on the refresh token it replaces, because D1 has no interactive transactions
// and two writers (a relink, a refresh) may race.
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { zoomCredentials } from "../db/schema.ts";
import { committedIds, type PendingEvent } from "../events/outbox.ts";
import type { Config } from "../platform/config.ts";
import { sha256Hex } from "../tokens/encoding.ts";
import { TokenVault } from "../tokens/vault.ts";
import type { TokenSet } from "./oauth.ts";

export type CredentialRow = typeof zoomCredentials.$inferSelect;

export function vaultFor(config: Config): TokenVault {
  return new TokenVault(config.tokenKeys);
}

const ctx = (row: Pick<CredentialRow, "tenantId" | "zoomAccountId">, field: string) => ({
  tenantId: row.tenantId,
  zoomAccountId: row.zoomAccountId,
  field,
});

export async function credentialForTenant(db: Db, tenantId: string): Promise<CredentialRow | undefined> {
  return db.select().from(zoomCredentials).where(eq(zoomCredentials.tenantId, tenantId)).get();
}

export async function credentialForAccount(
  db: Db,
  zoomAccountId: string,
): Promise<CredentialRow | undefined> {
  return db.select().from(zoomCredentials).where(eq(zoomCredentials.zoomAccountId, zoomAccountId)).get();
}

export async function sealTokens(
  vault: TokenVault,
  owner: { tenantId: string; zoomAccountId: string },
  t: TokenSet,
) {
  return {
    accessTokenEnc: await vault.encrypt(t.accessToken, ctx(owner, "access_token")),
    refreshTokenEnc: await vault.encrypt(t.refreshToken, ctx(owner, "refresh_token")),
    refreshTokenHash: await sha256Hex(t.refreshToken),
    accessTokenExpiresAt: t.accessTokenExpiresAt,
  };
}

export async function openTokens(vault: TokenVault, row: CredentialRow) {
  return {
    accessToken: await vault.decrypt(row.accessTokenEnc, ctx(row, "access_token")),
    refreshToken: await vault.decrypt(row.refreshTokenEnc, ctx(row, "refresh_token")),
  };
}

/** Replaces the token pair only if the row still holds `oldRefreshHash`. Returns whether it did. */
export async function swapTokens(
  db: Db,
  row: CredentialRow,
  sealed: Awaited<ReturnType<typeof sealTokens>>,
  now: number,
): Promise<boolean> {
  const updated = await db
    .update(zoomCredentials)
    .set({ ...sealed, lastRefreshAt: now, updatedAt: now })
    .where(
      and(
        eq(zoomCredentials.zoomAccountId, row.zoomAccountId),
        eq(zoomCredentials.refreshTokenHash, row.refreshTokenHash),
        eq(zoomCredentials.status, "linked"),
      ),
    )
    .returning({ tenantId: zoomCredentials.tenantId });
  return updated.length === 1;
}

/** Marks the link dead, only if nobody replaced the refresh token meanwhile. */
export async function markNeedsRelink(
  db: Db,
  row: CredentialRow,
  reason: string,
  now: number,
): Promise<boolean> {
  const updated = await db
    .update(zoomCredentials)
    .set({ status: "needs_relink", reason, updatedAt: now })
    .where(
      and(
        eq(zoomCredentials.zoomAccountId, row.zoomAccountId),
        eq(zoomCredentials.refreshTokenHash, row.refreshTokenHash),
      ),
    )
    .returning({ tenantId: zoomCredentials.tenantId });
  return updated.length === 1;
}

/**
 * markNeedsRelink, with `events` (the outbound event reporting it) in the same batch: the event is
 * written only if the compare-and-swap matched. Answers whether it did and the events written.
 */
export async function markNeedsRelinkWithEvents(
  db: Db,
  row: CredentialRow,
  reason: string,
  now: number,
  events: PendingEvent["statement"][],
): Promise<{ changed: boolean; eventIds: string[] }> {
  const [updated, ...rest] = await db.batch([
    db
      .update(zoomCredentials)
      .set({ status: "needs_relink", reason, updatedAt: now })
      .where(
        and(
          eq(zoomCredentials.zoomAccountId, row.zoomAccountId),
          eq(zoomCredentials.refreshTokenHash, row.refreshTokenHash),
        ),
      )
      .returning({ tenantId: zoomCredentials.tenantId }),
    ...events,
  ]);
  return { changed: updated.length === 1, eventIds: committedIds(rest) };
}

export async function deleteCredential(db: Db, zoomAccountId: string): Promise<void> {
  await deleteCredentialStatement(db, zoomAccountId);
}

/** Deletes the credential; a statement for a caller's batch (with its audit line and event). */
export function deleteCredentialStatement(db: Db, zoomAccountId: string) {
  return db.delete(zoomCredentials).where(eq(zoomCredentials.zoomAccountId, zoomAccountId));
}

/** Re-encrypts every credential still sealed under an older key. Returns how many rows changed. */
export async function reencryptCredentials(db: Db, vault: TokenVault): Promise<number> {
  const rows = await db.select().from(zoomCredentials).all();
  let changed = 0;
  for (const row of rows) {
    const access = await vault.reseal(row.accessTokenEnc, ctx(row, "access_token"));
    const refresh = await vault.reseal(row.refreshTokenEnc, ctx(row, "refresh_token"));
    if (!access && !refresh) continue;
    // CAS on the ciphertexts we read, so a concurrent refresh is never overwritten with older tokens.
    const updated = await db
      .update(zoomCredentials)
      .set({ accessTokenEnc: access ?? row.accessTokenEnc, refreshTokenEnc: refresh ?? row.refreshTokenEnc })
      .where(
        and(
          eq(zoomCredentials.zoomAccountId, row.zoomAccountId),
          eq(zoomCredentials.accessTokenEnc, row.accessTokenEnc),
          eq(zoomCredentials.refreshTokenEnc, row.refreshTokenEnc),
        ),
      )
      .returning({ tenantId: zoomCredentials.tenantId });
    changed += updated.length;
  }
  return changed;
}
