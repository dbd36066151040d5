// Who may see and play which archived recordings: admins all of their tenant's, teachers those of
// their own classes, students those of classes they are on the roster of and not revoked from.
// Expressed as SQL conditions on `recordings` so listing, reading and minting share one rule.
import { type SQL, sql } from "drizzle-orm";
import { classes, classRegistrants, linkRevocations, recordings } from "../db/schema.ts";
import type { Principal } from "../platform/identity.ts";

/**
 * The latest revocation (epoch ms) covering `student` on the class of the outer `recordings` row:
 * their own or the whole class's ("*"), or 0.
 */
const revokedAtOf = (student: SQL | string) => sql`coalesce((
  select max(${linkRevocations.revokedAt}) from ${linkRevocations}
  where ${linkRevocations.tenantId} = ${recordings.tenantId}
    and ${linkRevocations.classId} = ${recordings.classId}
    and ${linkRevocations.studentId} in (${student}, '*')
), 0)`;

/**
 * The student is on the roster of the recording's class: join links were minted for them after
 * the latest revocation covering them (a re-mint after a revocation puts them back).
 */
const onRosterOf = (studentId: string) => sql`exists (
  select 1 from ${classRegistrants}
  where ${classRegistrants.tenantId} = ${recordings.tenantId}
    and ${classRegistrants.classId} = ${recordings.classId}
    and ${classRegistrants.studentId} = ${studentId}
    and coalesce(${classRegistrants.rosteredAt}, ${classRegistrants.createdAt}) > ${revokedAtOf(studentId)}
)`;

/** The recordings of the principal's tenant the principal may see (undefined: all of them). */
export function visibleTo(principal: Principal): SQL | undefined {
  switch (principal.role) {
    case "admin":
      return undefined;
    case "teacher":
      return sql`${recordings.classId} in (
        select ${classes.classId} from ${classes}
        where ${classes.tenantId} = ${recordings.tenantId} and ${classes.teacherId} = ${principal.userId}
      )`;
    default:
      return onRosterOf(principal.userId);
  }
}

/**
 * For /r/: the latest revocation (epoch ms) of `subject` on the recording's class when the subject
 * is on its roster, else 0. A playback link issued at or before it is refused, so revoking a student
 * (or the whole class) from a class also ends the playback links handed to them.
 */
export function playbackRevokedAt(subject: string): SQL<number> {
  return sql<number>`case when exists (
    select 1 from ${classRegistrants}
    where ${classRegistrants.tenantId} = ${recordings.tenantId}
      and ${classRegistrants.classId} = ${recordings.classId}
      and ${classRegistrants.studentId} = ${subject}
  ) then ${revokedAtOf(subject)} else 0 end`;
}
