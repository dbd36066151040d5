// What an admin does with pending links: list, confirm (with the secret given to the browser that came
// back from Zoom), claim a Marketplace handoff, cancel; and the cron that expires them and revokes
// their grants at Zoom.
import { and, eq, gt, isNull, lte } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { zoomPendingLinks } from "../db/schema.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { randomToken, sha256Hex } from "../tokens/encoding.ts";
import { credentialForAccount } from "../zoom/credentials.ts";
import { revokeToken } from "../zoom/oauth.ts";
import { activate } from "./activate.ts";
import { dropPending, openPending, type PendingRow, revokePending } from "./pending-store.ts";
import { isSecretShaped, PENDING_TTL_MS } from "./start.ts";

export interface PendingLinkView {
  zoomAccountId: string;
  zoomUserEmail: string | null;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
}

export const view = (row: PendingRow): PendingLinkView => ({
  zoomAccountId: row.zoomAccountId,
  zoomUserEmail: row.zoomUserEmail,
  scopes: row.scopes.split(" ").filter(Boolean),
  createdAt: new Date(row.createdAt).toISOString(),
  expiresAt: new Date(row.expiresAt).toISOString(),
});

/** The admin's own unexpired pending links, newest first (what the confirmation screen shows). */
export async function pendingLinksOf(db: Db, tenantId: string, userId: string): Promise<PendingLinkView[]> {
  const rows = await db
    .select()
    .from(zoomPendingLinks)
    .where(
      and(
        eq(zoomPendingLinks.tenantId, tenantId),
        eq(zoomPendingLinks.createdBy, userId),
        gt(zoomPendingLinks.expiresAt, Date.now()),
      ),
    )
    .all();
  return rows.sort((a, b) => b.createdAt - a.createdAt).map(view);
}

export class PendingLinkError extends Error {
  constructor(
    readonly status: 404 | 409,
    readonly code: "pending_link_not_found" | "zoom_account_taken" | "handoff_not_found",
    message: string,
  ) {
    super(message);
  }
}

/**
 * POST /v1/zoom/link/confirm: activates a pending link, once. Needs the confirmation secret (only
 * the browser that came back from Zoom has it) and the same tenant and admin that started the link.
 * The row is deleted as it is claimed, so two confirmations cannot both activate it.
 */
export async function confirmPendingLink(
  env: Env,
  db: Db,
  config: Config,
  tenantId: string,
  userId: string,
  confirmation: string,
): Promise<void> {
  const notFound = new PendingLinkError(
    404,
    "pending_link_not_found",
    "No pending Zoom link matches: it expired, was already confirmed or cancelled, or was started by someone else.",
  );
  if (!isSecretShaped(confirmation)) throw notFound;
  const row = await db
    .delete(zoomPendingLinks)
    .where(
      and(
        eq(zoomPendingLinks.secretHash, await sha256Hex(confirmation)),
        eq(zoomPendingLinks.tenantId, tenantId),
        eq(zoomPendingLinks.createdBy, userId),
        gt(zoomPendingLinks.expiresAt, Date.now()),
      ),
    )
    .returning()
    .get();
  if (!row) throw notFound;
  const tokens = await openPending(config, row);
  const owner = await credentialForAccount(db, row.zoomAccountId);
  if (owner && owner.tenantId !== tenantId) {
    // Linked elsewhere since Zoom's consent: that link holds a newer grant; this one is dropped.
    await revokeToken(config, tokens.refreshToken);
    throw new PendingLinkError(
      409,
      "zoom_account_taken",
      "This Zoom account is linked to another institute.",
    );
  }
  const me = { id: row.zoomUserId, email: row.zoomUserEmail, account_id: row.zoomAccountId };
  try {
    await activate(env, db, config, { tenantId, createdBy: userId, me, tokens });
  } catch (err) {
    log("warn", "link: storing the confirmed credential failed", { tenantId, err });
    await revokeToken(config, tokens.refreshToken);
    throw new PendingLinkError(
      409,
      "zoom_account_taken",
      "This Zoom account is linked to another institute.",
    );
  }
}

/**
 * POST /v1/zoom/link/claim: a Wise admin takes an unowned Marketplace install for their tenant. It
 * becomes a normal pending link of that admin, with a new confirmation secret returned once.
 */
export async function claimHandoff(
  db: Db,
  config: Config,
  tenantId: string,
  userId: string,
  handoff: string,
): Promise<{ confirmation: string; pending: PendingLinkView }> {
  const notFound = new PendingLinkError(
    404,
    "handoff_not_found",
    "This Zoom install cannot be claimed: it expired or was already claimed. Add the app from the Zoom Marketplace again, or link Zoom from Wise.",
  );
  if (!isSecretShaped(handoff)) throw notFound;
  const confirmation = randomToken(32);
  const now = Date.now();
  const row = await db
    .update(zoomPendingLinks)
    .set({
      tenantId,
      createdBy: userId,
      secretHash: await sha256Hex(confirmation),
      expiresAt: now + PENDING_TTL_MS,
    })
    .where(
      and(
        eq(zoomPendingLinks.secretHash, await sha256Hex(handoff)),
        isNull(zoomPendingLinks.tenantId),
        gt(zoomPendingLinks.expiresAt, now),
      ),
    )
    .returning()
    .get();
  if (!row) throw notFound;
  const owner = await credentialForAccount(db, row.zoomAccountId);
  if (owner && owner.tenantId !== tenantId) {
    await dropPending(config, db, [row]);
    throw new PendingLinkError(
      409,
      "zoom_account_taken",
      "This Zoom account is linked to another institute.",
    );
  }
  return { confirmation, pending: view(row) };
}

/** DELETE /v1/zoom/link/pending: the admin cancels their pending links; their grants are revoked. */
export async function cancelPendingLinks(db: Db, config: Config, tenantId: string, userId: string) {
  const rows = await db
    .delete(zoomPendingLinks)
    .where(and(eq(zoomPendingLinks.tenantId, tenantId), eq(zoomPendingLinks.createdBy, userId)))
    .returning();
  await revokePending(config, rows);
  return rows.length;
}

/** Cron: drops pending links and handoffs past their time and revokes their grants at Zoom. */
export async function expirePendingLinks(db: Db, config: Config, now = Date.now()): Promise<number> {
  const rows = await db.delete(zoomPendingLinks).where(lte(zoomPendingLinks.expiresAt, now)).returning();
  await revokePending(config, rows);
  return rows.length;
}
