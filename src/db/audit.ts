// Appends to the audit log. Details must never hold a token or secret.
import { desc, eq } from "drizzle-orm";
import type { Db } from "./client.ts";
import { auditLog } from "./schema.ts";

export type AuditAction =
  | "zoom.linked"
  | "zoom.relinked"
  | "zoom.grant_adopted"
  | "zoom.unlinked"
  | "zoom.deauthorized"
  | "zoom.needs_relink"
  | "tokens.reencrypted"
  | "teacher.license_moved"
  | "teacher.relicensed"
  | "class.meeting_gone"
  | "recording.deleted_from_zoom"
  | "recording.deleted"
  | "links.join_minted"
  | "links.start_minted"
  | "links.revoked"
  | "links.start_revoked"
  | "class.updated_in_zoom"
  | "class.deleted_in_zoom"
  | "class.host_flagged"
  | "class.host_cleared"
  | "recording.changed_in_zoom";

export function auditStatement(
  db: Db,
  entry: { tenantId: string; actor: string; action: AuditAction; details?: Record<string, unknown> },
) {
  return db.insert(auditLog).values({ ...entry, at: Date.now() });
}

export async function audit(
  db: Db,
  entry: { tenantId: string; actor: string; action: AuditAction; details?: Record<string, unknown> },
): Promise<void> {
  await auditStatement(db, entry);
}

export async function lastAudit(db: Db, tenantId: string, actions: AuditAction[]) {
  const rows = await db
    .select()
    .from(auditLog)
    .where(eq(auditLog.tenantId, tenantId))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(20);
  return rows.find((r) => actions.includes(r.action as AuditAction));
}
