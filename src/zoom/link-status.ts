// The link status an admin sees: the stored credential (or why there is none) and, when asked, a live
// call to Zoom with the current token, which may itself refresh the token or end the link.

import { lastAudit } from "../db/audit.ts";
import type { Db } from "../db/client.ts";
import type { Config } from "../platform/config.ts";
import { ZoomClient } from "./client.ts";
import { type CredentialRow, credentialForTenant } from "./credentials.ts";
import { zoomFailureDetail } from "./errors.ts";
import { ZoomUser } from "./schemas.ts";
import { missingScopes, requestedScopes } from "./scopes.ts";

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);

export interface LiveCheck {
  ok: boolean;
  checkedAt: string;
  error?: string;
}

async function checkLive(env: Env, config: Config, zoomAccountId: string): Promise<LiveCheck> {
  const checkedAt = new Date().toISOString();
  try {
    const client = new ZoomClient(env, config, zoomAccountId);
    await client.call({ operation: "users.get", method: "GET", path: "/users/me", schema: ZoomUser });
    return { ok: true, checkedAt };
  } catch (err) {
    const detail = zoomFailureDetail(err) ?? (err instanceof Error ? err.message : undefined);
    return { ok: false, checkedAt, error: detail ?? "check failed" };
  }
}

function linkedView(config: Config, row: CredentialRow) {
  const scopes = row.scopes.split(" ").filter(Boolean);
  return {
    status: row.status,
    zoomAccountId: row.zoomAccountId,
    zoomUserEmail: row.zoomUserEmail,
    linkedBy: row.linkedBy,
    scopes,
    missingScopes: missingScopes(scopes, config.zoom.scopeSet),
    linkedAt: iso(row.linkedAt),
    lastRefreshAt: iso(row.lastRefreshAt),
    accessTokenExpiresAt: iso(row.accessTokenExpiresAt),
    ...(row.reason ? { reason: row.reason } : {}),
  };
}

async function unlinkedView(config: Config, db: Db, tenantId: string) {
  const last = await lastAudit(db, tenantId, ["zoom.unlinked", "zoom.deauthorized"]);
  return {
    status: "unlinked" as const,
    zoomAccountId: null,
    zoomUserEmail: null,
    linkedBy: null,
    scopes: [],
    missingScopes: requestedScopes(config.zoom.scopeSet),
    linkedAt: null,
    lastRefreshAt: null,
    accessTokenExpiresAt: null,
    ...(last
      ? {
          reason:
            last.action === "zoom.deauthorized"
              ? `The app was removed from Zoom on ${iso(last.at)}`
              : `Unlinked by ${last.actor} on ${iso(last.at)}`,
        }
      : {}),
  };
}

export async function linkStatus(env: Env, config: Config, db: Db, tenantId: string, live: boolean) {
  let row = await credentialForTenant(db, tenantId);
  let check: LiveCheck | undefined;
  if (row && live) {
    check = await checkLive(env, config, row.zoomAccountId);
    // The check may have refreshed the token or marked the link dead: show what is stored now.
    row = await credentialForTenant(db, tenantId);
  }
  const view = row ? linkedView(config, row) : await unlinkedView(config, db, tenantId);
  return check ? { ...view, live: check } : view;
}
