// Turning a confirmed grant into the tenant's link: a re-authorization of the same Zoom account is
// adopted by the tenant that owns it, otherwise the credential is stored and its refresher started.
import { and, eq } from "drizzle-orm";
import { audit } from "../db/audit.ts";
import type { Db } from "../db/client.ts";
import { zoomCredentials } from "../db/schema.ts";
import { ensureTenant } from "../db/tenants.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import {
  type CredentialRow,
  credentialForTenant,
  openTokens,
  sealTokens,
  vaultFor,
} from "../zoom/credentials.ts";
import { revokeToken, type TokenSet } from "../zoom/oauth.ts";
import { dropPendingOfAccount } from "./pending-store.ts";

/**
 * The account's rightful tenant takes over a grant that Zoom issued to someone else's attempt
 * (Zoom revoked the tenant's own tokens when it issued it). Compare-and-swap on the refresh token
 * read, so a concurrent refresh or relink is never overwritten.
 */
export async function adoptGrant(
  env: Env,
  db: Db,
  config: Config,
  owner: CredentialRow,
  tokens: TokenSet,
  details: Record<string, unknown>,
): Promise<void> {
  const sealed = await sealTokens(vaultFor(config), owner, tokens);
  const now = Date.now();
  const adopted = await db
    .update(zoomCredentials)
    .set({
      ...sealed,
      scopes: tokens.scopes.join(" "),
      apiUrl: tokens.apiUrl ?? null,
      status: "linked",
      reason: null,
      updatedAt: now,
    })
    .where(
      and(
        eq(zoomCredentials.zoomAccountId, owner.zoomAccountId),
        eq(zoomCredentials.tenantId, owner.tenantId),
        eq(zoomCredentials.refreshTokenHash, owner.refreshTokenHash),
      ),
    )
    .returning({ tenantId: zoomCredentials.tenantId });
  if (adopted.length !== 1) {
    log("warn", "link: the owner's credential changed meanwhile; new grant revoked", {
      tenantId: owner.tenantId,
    });
    await revokeToken(config, tokens.refreshToken);
    return;
  }
  await env.ZOOM_ACCOUNT.getByName(owner.zoomAccountId).linked(owner.zoomAccountId);
  await dropPendingOfAccount(db, config, owner.zoomAccountId);
  await audit(db, {
    tenantId: owner.tenantId,
    actor: "system",
    action: "zoom.grant_adopted",
    details: { zoomAccountId: owner.zoomAccountId, ...details },
  });
}

/** Stores the credential of a confirmed (or same-account) link and starts its refresher. */
export async function activate(
  env: Env,
  db: Db,
  config: Config,
  link: {
    tenantId: string;
    createdBy: string;
    me: { id: string; email: string | null; account_id?: string | undefined };
    tokens: TokenSet;
  },
): Promise<void> {
  const { tenantId, createdBy, me, tokens } = link;
  const zoomAccountId = me.account_id as string;
  const vault = vaultFor(config);
  const previous = await credentialForTenant(db, tenantId);
  const owned = { tenantId, zoomAccountId };
  const sealed = await sealTokens(vault, owned, tokens);
  const now = Date.now();
  const values = {
    ...owned,
    zoomUserId: me.id,
    zoomUserEmail: me.email ?? null,
    linkedBy: createdBy,
    status: "linked" as const,
    reason: null,
    scopes: tokens.scopes.join(" "),
    apiUrl: tokens.apiUrl ?? null,
    ...sealed,
    linkedAt: now,
    lastRefreshAt: null,
    updatedAt: now,
  };
  await ensureTenant(db, tenantId);
  // The unique zoom_account_id index refuses the write if another tenant linked this account meanwhile.
  await db
    .insert(zoomCredentials)
    .values(values)
    .onConflictDoUpdate({ target: zoomCredentials.tenantId, set: values });

  if (previous && previous.zoomAccountId !== zoomAccountId) {
    // The tenant moved to another Zoom account: end the old grant and its refresher.
    await env.ZOOM_ACCOUNT.getByName(previous.zoomAccountId).forget();
    try {
      await revokeToken(config, (await openTokens(vault, previous)).refreshToken);
    } catch (err) {
      log("warn", "relink: could not revoke the previous account's grant", { err });
    }
  }
  await env.ZOOM_ACCOUNT.getByName(zoomAccountId).linked(zoomAccountId);

  // Grants missing a scope never get here: they are refused right after the code exchange.
  await audit(db, {
    tenantId,
    actor: createdBy,
    action: previous ? "zoom.relinked" : "zoom.linked",
    details: { zoomAccountId, zoomUserId: me.id, previousZoomAccountId: previous?.zoomAccountId },
  });
}
