// Registering a class's students at Zoom: in the background (queue messages of kind
// "register-students") so that a click needs no Zoom call, and on the spot when a click comes first.
import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { type Db, database } from "../db/client.ts";
import { classes, classRegistrants } from "../db/schema.ts";
import { type Config, loadConfig } from "../platform/config.ts";
import { WiseId } from "../platform/identity.ts";
import { log } from "../platform/log.ts";
import { sha256Hex } from "../tokens/encoding.ts";
import { registrantBody } from "../zoom/bodies.ts";
import { encodePathSegment, ZoomClient } from "../zoom/client.ts";
import { credentialForTenant } from "../zoom/credentials.ts";
import {
  ZoomApiError,
  ZoomNeedsRelink,
  ZoomNotLinked,
  ZoomRateLimited,
  ZoomResponseInvalid,
  ZoomUnavailable,
} from "../zoom/errors.ts";
import { DEFAULT_BUDGET, type RetryBudget } from "../zoom/retry.ts";
import { ZoomId } from "../zoom/schemas.ts";
import { openJoinUrl, sealJoinUrl } from "./join-urls.ts";
import { rosterChanged } from "./roster-object.ts";

/** Zoom lets one registrant be added to a meeting at most three times a day (UTC). */
export const REGISTRANT_ADDS_PER_DAY = 3;
/** Students per queue message: keeps a message's work short and its IN (...) under D1's 100 parameters. */
export const STUDENTS_PER_MESSAGE = 50;
/**
 * Pause between background adds. Registrant create is a Light call (30/s on Pro) and the limit is
 * shared with every app on the customer's account, so the background takes at most a third of it.
 */
const PACE_MS = 100;

export const RegisterStudentsMessage = z
  .object({
    kind: z.literal("register-students"),
    tenantId: WiseId,
    classId: WiseId,
    studentIds: z.array(WiseId).min(1).max(STUDENTS_PER_MESSAGE),
  })
  .strict();
export type RegisterStudentsMessage = z.infer<typeof RegisterStudentsMessage>;

const RegistrantCreated = z.object({
  id: ZoomId.optional(),
  registrant_id: z.string().min(1).optional(),
  join_url: z.url().optional(),
});

export interface RegistrationClass {
  tenantId: string;
  classId: string;
  zoomMeetingId: string;
}

export interface RegistrationStudent {
  studentId: string;
  name: string;
  email: string | null;
}

export type RegistrationResult =
  | { ok: true; joinUrl: string }
  | { ok: false; error: string; retryAfterSeconds?: number };

/** A click must not wait for Zoom's rate limits: one attempt, no waiting. */
export const CLICK_BUDGET: RetryBudget = { maxAttempts: 1, maxWaitMs: 0, baseMs: 100, capMs: 100 };

/**
 * The tenant's Zoom client with a chosen retry budget. Reads the credential first: errors thrown
 * inside the ZoomAccount object lose their type on the way back, a missing link must not.
 */
export async function zoomClientFor(env: Env, config: Config, db: Db, tenantId: string, budget: RetryBudget) {
  const row = await credentialForTenant(db, tenantId);
  if (!row) throw new ZoomNotLinked(`tenant ${tenantId} has no Zoom link`);
  if (row.status === "needs_relink") throw new ZoomNeedsRelink(row.reason ?? "needs relink");
  return new ZoomClient(env, config, row.zoomAccountId, budget);
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Zoom requires an email per registrant; a student without one gets a stable address under the
 * reserved .invalid domain (RFC 2606), so nothing is ever mailed to a real person.
 */
export async function registrantEmail(s: Pick<RegistrationStudent, "studentId" | "email">): Promise<string> {
  return s.email ?? `student-${(await sha256Hex(s.studentId)).slice(0, 24)}@students.wise.invalid`;
}

/**
 * Adds one student as a registrant of the class's meeting and stores the personal join_url.
 * Reserves one of the day's three adds first (conditional UPDATE), so concurrent clicks and the
 * background never exceed Zoom's per-registrant limit.
 */
export async function registerStudent(
  env: Env,
  config: Config,
  db: Db,
  cls: RegistrationClass,
  student: RegistrationStudent,
  budget: RetryBudget = DEFAULT_BUDGET,
): Promise<RegistrationResult> {
  const now = Date.now();
  const day = utcDay(now);
  const key = and(
    eq(classRegistrants.tenantId, cls.tenantId),
    eq(classRegistrants.classId, cls.classId),
    eq(classRegistrants.studentId, student.studentId),
  );
  const reserved = await db
    .update(classRegistrants)
    .set({
      attempts: sql`${classRegistrants.attempts} + 1`,
      dayAttempts: sql`CASE WHEN ${classRegistrants.attemptDay} = ${day} THEN ${classRegistrants.dayAttempts} + 1 ELSE 1 END`,
      attemptDay: day,
      updatedAt: now,
    })
    .where(
      and(
        key,
        sql`${classRegistrants.status} <> 'registered'`,
        sql`(${classRegistrants.attemptDay} IS NOT ${day} OR ${classRegistrants.dayAttempts} < ${REGISTRANT_ADDS_PER_DAY})`,
      ),
    )
    .returning({ studentId: classRegistrants.studentId });
  if (reserved.length === 0) {
    const row = await db
      .select({ status: classRegistrants.status, joinUrl: classRegistrants.joinUrl })
      .from(classRegistrants)
      .where(key)
      .get();
    const joinUrl =
      row?.status === "registered"
        ? await openJoinUrl(config.tokenKeys, { ...cls, studentId: student.studentId }, row.joinUrl)
        : null;
    if (joinUrl) return { ok: true, joinUrl };
    return { ok: false, error: row ? "daily_add_limit" : "not_on_roster" };
  }

  const fail = async (error: string, permanent: boolean, retryAfterSeconds?: number) => {
    await db
      .update(classRegistrants)
      .set({ lastError: error, updatedAt: Date.now(), ...(permanent ? { status: "failed" as const } : {}) })
      .where(and(key, sql`${classRegistrants.status} <> 'registered'`));
    return { ok: false as const, error, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) };
  };

  try {
    const client = await zoomClientFor(env, config, db, cls.tenantId, budget);
    const created = await client.call({
      operation: "registrants.create",
      method: "POST",
      path: `/meetings/${encodePathSegment(cls.zoomMeetingId)}/registrants`,
      body: registrantBody(await registrantEmail(student), student.name),
      schema: RegistrantCreated,
    });
    if (!created.join_url) {
      // Manual approval: Zoom gives no personal link until the host approves.
      return await fail("awaiting_host_approval", true);
    }
    await db
      .update(classRegistrants)
      .set({
        status: "registered",
        joinUrl: await sealJoinUrl(
          config.tokenKeys,
          { ...cls, studentId: student.studentId },
          created.join_url,
        ),
        zoomRegistrantId: created.registrant_id ?? null,
        lastError: null,
        updatedAt: Date.now(),
      })
      .where(key);
    await rosterChanged(env, cls.tenantId, cls.classId);
    return { ok: true, joinUrl: created.join_url };
  } catch (err) {
    if (err instanceof ZoomRateLimited) {
      // A daily limit on this call is Zoom's per-registrant cap: this student waits, others go on.
      return err.kind === "Daily-limit"
        ? await fail("zoom_daily_limit", true)
        : await fail("zoom_rate_limited", false, err.retryAfterSeconds);
    }
    if (err instanceof ZoomUnavailable || err instanceof ZoomResponseInvalid) {
      return await fail("zoom_unavailable", false, 30);
    }
    if (err instanceof ZoomNotLinked || err instanceof ZoomNeedsRelink) {
      return await fail("zoom_not_linked", false);
    }
    if (err instanceof ZoomApiError) {
      return await fail(`zoom_${err.status}${err.zoomCode === undefined ? "" : `_${err.zoomCode}`}`, true);
    }
    throw err;
  }
}

/** Queues background registration of these students, a batch of messages per 100. */
export async function enqueueRegistration(
  env: Env,
  tenantId: string,
  classId: string,
  studentIds: string[],
): Promise<void> {
  const messages: { body: RegisterStudentsMessage }[] = [];
  for (let i = 0; i < studentIds.length; i += STUDENTS_PER_MESSAGE) {
    messages.push({
      body: {
        kind: "register-students",
        tenantId,
        classId,
        studentIds: studentIds.slice(i, i + STUDENTS_PER_MESSAGE),
      },
    });
  }
  for (let i = 0; i < messages.length; i += 100)
    await env.ARCHIVE_QUEUE.sendBatch(messages.slice(i, i + 100));
}

/**
 * Consumes one "register-students" message. Idempotent: registered students are skipped. Returns
 * a delay when Zoom asked us to slow down or was unavailable (the caller retries the message then);
 * otherwise the message is done, including when it is malformed or its class is gone.
 */
export async function handleRegistrationMessage(
  env: Env,
  body: unknown,
): Promise<{ retryAfterSeconds?: number }> {
  const parsed = RegisterStudentsMessage.safeParse(body);
  if (!parsed.success) {
    log("warn", "registration: malformed queue message dropped", {
      issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`),
    });
    return {};
  }
  const msg = parsed.data;
  const config = loadConfig(env);
  const db = database(env.DB);
  const cls = await db
    .select({
      zoomMeetingId: classes.zoomMeetingId,
      registration: classes.registration,
      status: classes.status,
    })
    .from(classes)
    .where(and(eq(classes.tenantId, msg.tenantId), eq(classes.classId, msg.classId)))
    .get();
  if (!cls?.registration || !cls.zoomMeetingId || cls.status === "cancelled" || cls.status === "deleted") {
    return {};
  }
  const pending = await db
    .select({
      studentId: classRegistrants.studentId,
      name: classRegistrants.name,
      email: classRegistrants.email,
    })
    .from(classRegistrants)
    .where(
      and(
        eq(classRegistrants.tenantId, msg.tenantId),
        eq(classRegistrants.classId, msg.classId),
        inArray(classRegistrants.studentId, msg.studentIds),
        eq(classRegistrants.status, "pending"),
      ),
    );
  const target = { tenantId: msg.tenantId, classId: msg.classId, zoomMeetingId: cls.zoomMeetingId };
  let registered = 0;
  for (const [i, student] of pending.entries()) {
    if (i > 0) await sleep(PACE_MS);
    const result = await registerStudent(env, config, db, target, student);
    if (result.ok) {
      registered++;
      continue;
    }
    if (result.retryAfterSeconds) {
      log("warn", "registration: Zoom asked to wait; the message will be retried", {
        tenantId: msg.tenantId,
        classId: msg.classId,
        error: result.error,
        retryAfterSeconds: result.retryAfterSeconds,
      });
      return { retryAfterSeconds: result.retryAfterSeconds };
    }
    log("warn", "registration: student not registered", {
      tenantId: msg.tenantId,
      classId: msg.classId,
      studentId: student.studentId,
      error: result.error,
    });
  }
  log("info", "registration: message done", {
    tenantId: msg.tenantId,
    classId: msg.classId,
    pending: pending.length,
    registered,
  });
  return {};
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
