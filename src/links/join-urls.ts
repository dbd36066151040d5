// Zoom join URLs at rest. A meeting's join URL carries its passcode and a registrant's URL is a
// personal pass into the meeting, so both are sealed with the token vault (AES-256-GCM, random IV,
// key id stored) and bound to the row they belong to: tenant, class, student and the Zoom meeting
// (a URL copied to another row, or kept for a meeting that was replaced, does not open).
import { log } from "../http/log.ts";
import { TokenVault, type VaultContext, type VaultKey } from "../tokens/vault.ts";

export interface JoinUrlOwner {
  tenantId: string;
  classId: string;
  zoomMeetingId: string;
  /** The student, for a registrant's personal URL; absent for the meeting's own join URL. */
  studentId?: string | undefined;
}

// Join URLs belong to a meeting, not to an account's tokens: the meeting is bound in the field.
const context = (o: JoinUrlOwner): VaultContext => ({
  tenantId: o.tenantId,
  zoomAccountId: "-",
  field:
    o.studentId === undefined
      ? `classes.join_url:${o.classId}:${o.zoomMeetingId}`
      : `class_registrants.join_url:${o.classId}:${o.studentId}:${o.zoomMeetingId}`,
});

/** Seals with the ring's current key (`config.tokenKeys`). */
export function sealJoinUrl(keys: VaultKey[], owner: JoinUrlOwner, url: string): Promise<string> {
  return new TokenVault(keys).encrypt(url, context(owner));
}

/**
 * The stored join URL in clear, or null when there is none or it does not open (another row's,
 * an old meeting's, an unknown key). Rows written before URLs were sealed hold the URL itself.
 */
export async function openJoinUrl(
  keys: VaultKey[],
  owner: JoinUrlOwner,
  stored: string | null,
): Promise<string | null> {
  if (!stored) return null;
  if (stored.startsWith("https://")) return stored;
  try {
    return await new TokenVault(keys).decrypt(stored, context(owner));
  } catch (err) {
    log("warn", "join URL does not open", {
      tenantId: owner.tenantId,
      classId: owner.classId,
      studentId: owner.studentId,
      err,
    });
    return null;
  }
}
