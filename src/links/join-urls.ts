// Zoom join URLs at rest. A meeting's join URL carries its passcode and a registrant's URL is a
// personal pass into the meeting, so both are sealed with the token vault (AES-256-GCM, random IV,
// key id stored) and bound to the row they belong to: tenant, class, student and the Zoom meeting
// (a URL copied to another row, or kept for a meeting that was replaced, does not open).
import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { classes, classRegistrants } from "../db/schema.ts";
import { log } from "../platform/log.ts";
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

/**
 * Re-seals join URLs under the ring's current key (and seals rows written before URLs were
 * sealed), so an old key can be retired after one nightly run, as for credentials. Each write
 * is conditional on the value read: a URL replaced meanwhile is left to its writer.
 */
export async function resealJoinUrls(db: Db, keys: VaultKey[], limit = 200): Promise<number> {
  const current = `v1.${keys[0]?.id}.`;
  const stale = (column: typeof classes.joinUrl | typeof classRegistrants.joinUrl) =>
    and(isNotNull(column), sql`substr(${column}, 1, ${current.length}) <> ${current}`);
  const meetings = await db
    .select({
      tenantId: classes.tenantId,
      classId: classes.classId,
      zoomMeetingId: classes.zoomMeetingId,
      url: classes.joinUrl,
    })
    .from(classes)
    .where(and(isNotNull(classes.zoomMeetingId), stale(classes.joinUrl)))
    .limit(limit);
  const personal = await db
    .select({
      tenantId: classRegistrants.tenantId,
      classId: classRegistrants.classId,
      studentId: classRegistrants.studentId,
      zoomMeetingId: classes.zoomMeetingId,
      url: classRegistrants.joinUrl,
    })
    .from(classRegistrants)
    .innerJoin(
      classes,
      and(eq(classes.tenantId, classRegistrants.tenantId), eq(classes.classId, classRegistrants.classId)),
    )
    .where(and(isNotNull(classes.zoomMeetingId), stale(classRegistrants.joinUrl)))
    .limit(limit);
  let changed = 0;
  for (const row of meetings) {
    const sealed = await resealed(keys, { ...row, zoomMeetingId: row.zoomMeetingId ?? "" }, row.url);
    if (!sealed || !row.url) continue;
    const updated = await db
      .update(classes)
      .set({ joinUrl: sealed })
      .where(
        and(
          eq(classes.tenantId, row.tenantId),
          eq(classes.classId, row.classId),
          eq(classes.joinUrl, row.url),
        ),
      )
      .returning({ classId: classes.classId });
    changed += updated.length;
  }
  for (const row of personal) {
    const sealed = await resealed(keys, { ...row, zoomMeetingId: row.zoomMeetingId ?? "" }, row.url);
    if (!sealed || !row.url) continue;
    const updated = await db
      .update(classRegistrants)
      .set({ joinUrl: sealed })
      .where(
        and(
          eq(classRegistrants.tenantId, row.tenantId),
          eq(classRegistrants.classId, row.classId),
          eq(classRegistrants.studentId, row.studentId),
          eq(classRegistrants.joinUrl, row.url),
        ),
      )
      .returning({ classId: classRegistrants.classId });
    changed += updated.length;
  }
  return changed;
}

async function resealed(
  keys: VaultKey[],
  owner: JoinUrlOwner,
  stored: string | null,
): Promise<string | null> {
  const url = await openJoinUrl(keys, owner, stored);
  return url === null ? null : sealJoinUrl(keys, owner, url);
}
