// Pending links: fresh tokens sealed under the pending row's own id until an admin confirms them,
// and dropping them (with their grants revoked at Zoom) when replaced, cancelled or expired.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { zoomPendingLinks } from "../db/schema.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { randomToken, sha256Hex } from "../tokens/encoding.ts";
import { vaultFor } from "../zoom/credentials.ts";
import { revokeToken, type TokenSet } from "../zoom/oauth.ts";
import type { ZoomUser } from "../zoom/schemas.ts";
import { pendingContext } from "./start.ts";

export async function storePending(
  db: Db,
  config: Config,
  me: ZoomUser,
  tokens: TokenSet,
  opts: {
    secret: string;
    tenantId: string | null;
    createdBy: string | null;
    returnTo: string | null;
    ttlMs: number;
  },
): Promise<void> {
  const vault = vaultFor(config);
  const id = randomToken(16);
  const zoomAccountId = me.account_id as string;
  // Zoom revoked the account's earlier grants when it issued this one: an older pending link or
  // handoff of the account could only ever activate dead tokens, so this one replaces it.
  await dropPendingOfAccount(db, config, zoomAccountId);
  const ctx = pendingContext(id, zoomAccountId);
  const now = Date.now();
  await db.insert(zoomPendingLinks).values({
    id,
    tenantId: opts.tenantId,
    createdBy: opts.createdBy,
    secretHash: await sha256Hex(opts.secret),
    zoomAccountId,
    zoomUserId: me.id,
    zoomUserEmail: me.email ?? null,
    scopes: tokens.scopes.join(" "),
    apiUrl: tokens.apiUrl ?? null,
    accessTokenEnc: await vault.encrypt(tokens.accessToken, { ...ctx, field: "access_token" }),
    refreshTokenEnc: await vault.encrypt(tokens.refreshToken, { ...ctx, field: "refresh_token" }),
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    returnTo: opts.returnTo,
    createdAt: now,
    expiresAt: now + opts.ttlMs,
  });
}

export type PendingRow = typeof zoomPendingLinks.$inferSelect;

export async function openPending(config: Config, row: PendingRow): Promise<TokenSet> {
  const vault = vaultFor(config);
  const ctx = pendingContext(row.id, row.zoomAccountId);
  return {
    accessToken: await vault.decrypt(row.accessTokenEnc, { ...ctx, field: "access_token" }),
    refreshToken: await vault.decrypt(row.refreshTokenEnc, { ...ctx, field: "refresh_token" }),
    accessTokenExpiresAt: row.accessTokenExpiresAt,
    scopes: row.scopes.split(" ").filter(Boolean),
    apiUrl: row.apiUrl ?? undefined,
  };
}

export async function dropPendingOfAccount(db: Db, config: Config, zoomAccountId: string) {
  const rows = await db
    .delete(zoomPendingLinks)
    .where(eq(zoomPendingLinks.zoomAccountId, zoomAccountId))
    .returning();
  await revokePending(config, rows);
}

export async function dropPending(config: Config, db: Db, rows: PendingRow[]) {
  for (const row of rows) await db.delete(zoomPendingLinks).where(eq(zoomPendingLinks.id, row.id));
  await revokePending(config, rows);
}

export async function revokePending(config: Config, rows: PendingRow[]) {
  for (const row of rows) {
    try {
      const revoked = await revokeToken(config, (await openPending(config, row)).refreshToken);
      if (!revoked) log("warn", "pending link: Zoom did not confirm the revocation", { id: row.id });
    } catch (err) {
      log("warn", "pending link: could not open its tokens to revoke them", { id: row.id, err });
    }
  }
}
