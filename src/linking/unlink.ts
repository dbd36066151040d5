// An admin ends the tenant's Zoom link. The account's ZoomAccount object does it (revokes the grant,
// deletes the credential, records it), so it cannot interleave with a refresh; no link is no error.
import type { Db } from "../db/client.ts";
import { credentialForTenant } from "../zoom/credentials.ts";

export async function unlinkTenant(env: Env, db: Db, tenantId: string, userId: string): Promise<void> {
  const row = await credentialForTenant(db, tenantId);
  if (row) await env.ZOOM_ACCOUNT.getByName(row.zoomAccountId).unlink(row.zoomAccountId, userId, "unlinked");
}
