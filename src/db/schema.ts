// D1 schema (drizzle-orm). drizzle-kit generates the SQL migrations in migrations/ from this file.
// Every table that holds tenant data carries tenant_id, and every query filters on it.
// Kept whole on purpose: drizzle-kit reads this one file (drizzle.config.ts), and the other
// branches' schema changes merge into one place that the generated migrations mirror.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(unixepoch('subsec') * 1000)`;

/** A Wise institute. Created on first use by an authenticated admin (or seeded locally). */
export const tenants = sqliteTable("tenants", {
  id: text("id").primaryKey(),
  name: text("name"),
  createdAt: integer("created_at", { mode: "number" }).notNull().default(now),
  /** Tenant policies (JSON): user creation action, archive deletion policy, license recycling. */
  settings: text("settings", { mode: "json" }).$type<TenantSettings>().notNull().default(sql`'{}'`),
});

export interface TenantSettings {
  userCreateAction?: "create" | "custCreate";
  licensePolicy?: "manual" | "auto-recycle";
  /** The class-critical settings sent with every meeting create and update (see classes/policy.ts). */
  meetingPolicy?: Partial<MeetingPolicy>;
  /** What happens when a host of scheduled classes would lose (or has lost) their license. */
  hostLicensePolicy?: "refuse" | "relicense";
  /** Who may license a teacher by scheduling their class. */
  licenseOnSchedule?: "admin" | "anyone" | "never";
  /** Whether the Zoom account's owner and admins may be adopted as teachers. */
  allowZoomAdminTeachers?: boolean;
  /** Origins (scheme://host[:port]) that event subscription URLs may point at. */
  webhookOrigins?: string[];
  /** storage.low is sent when the Zoom account's cloud storage rises above this percentage. */
  storageAlertPercent?: number | null;
  archivePolicy?: {
    deleteFromZoom: "never" | "after-archive" | "when-storage-above";
    storageThresholdPercent?: number;
  };
}

export interface MeetingPolicy {
  waitingRoom: boolean;
  joinBeforeHost: boolean;
  muteUponEntry: boolean;
  /** Only signed-in Zoom users may join. */
  meetingAuthentication: boolean;
  continuousChat: boolean;
  /** AI Companion meeting summary and questions. */
  aiCompanion: boolean;
  /** How registrations are approved when a class uses registration. */
  registrationApproval: "automatic" | "manual";
}

/** Who did what and when: linking, unlinking, deauthorization, license moves, deletions. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tenantId: text("tenant_id").notNull(),
    at: integer("at", { mode: "number" }).notNull().default(now),
    /** Wise user id, or "zoom" / "system" for events from Zoom or the service itself. */
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    /** JSON details; never a token. */
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [index("audit_log_tenant_at").on(t.tenantId, t.at)],
);

/**
 * The Zoom credential of a tenant: one linked Zoom account per tenant, one tenant per Zoom account.
 * Tokens are AES-GCM ciphertexts (see tokens/vault.ts); `refresh_token_hash` identifies the current
 * refresh token so that a refresh can compare-and-swap on it without reading plaintext.
 */
export const zoomCredentials = sqliteTable("zoom_credentials", {
  tenantId: text("tenant_id").primaryKey(),
  zoomAccountId: text("zoom_account_id").notNull().unique(),
  zoomUserId: text("zoom_user_id").notNull(),
  zoomUserEmail: text("zoom_user_email"),
  linkedBy: text("linked_by").notNull(),
  status: text("status", { enum: ["linked", "needs_relink"] }).notNull(),
  reason: text("reason"),
  scopes: text("scopes").notNull(),
  apiUrl: text("api_url"),
  accessTokenEnc: text("access_token_enc").notNull(),
  refreshTokenEnc: text("refresh_token_enc").notNull(),
  refreshTokenHash: text("refresh_token_hash").notNull(),
  accessTokenExpiresAt: integer("access_token_expires_at", { mode: "number" }).notNull(),
  linkedAt: integer("linked_at", { mode: "number" }).notNull(),
  lastRefreshAt: integer("last_refresh_at", { mode: "number" }),
  updatedAt: integer("updated_at", { mode: "number" }).notNull(),
});

/**
 * OAuth authorizations in progress: single-use, 10 minutes, bound to the tenant and admin that
 * started them. The handle is the first hop (`/oauth/zoom/start/{handle}`, used once); that hop
 * binds the request to the browser (hash of a cookie value) and sends it to Zoom with the state.
 */
export const oauthStates = sqliteTable("oauth_states", {
  stateHash: text("state_hash").primaryKey(),
  tenantId: text("tenant_id").notNull(),
  createdBy: text("created_by").notNull(),
  codeVerifierEnc: text("code_verifier_enc").notNull(),
  returnTo: text("return_to"),
  expiresAt: integer("expires_at", { mode: "number" }).notNull(),
  usedAt: integer("used_at", { mode: "number" }),
  handleHash: text("handle_hash").unique(),
  /** The state itself, sealed: the first hop needs it to build Zoom's authorization URL. */
  stateEnc: text("state_enc"),
  /** Set by the first hop: the hash of the cookie value that binds the request to one browser. */
  browserHash: text("browser_hash"),
  startedAt: integer("started_at", { mode: "number" }),
});

/**
 * A Zoom grant waiting for a Wise admin: after the callback (owned: tenant and admin set, waiting for
 * that admin's confirmation) or after a Marketplace install (unowned until claimed with the handoff
 * secret). Tokens are sealed under the row's own id; the grant is revoked when the row expires.
 */
export const zoomPendingLinks = sqliteTable(
  "zoom_pending_links",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id"),
    createdBy: text("created_by"),
    /**
     * Hash of the one secret that moves the row on: the confirmation secret given only to the browser
     * that came back from Zoom (owned rows), or the Marketplace handoff secret (unowned rows).
     */
    secretHash: text("secret_hash").notNull().unique(),
    zoomAccountId: text("zoom_account_id").notNull(),
    zoomUserId: text("zoom_user_id").notNull(),
    zoomUserEmail: text("zoom_user_email"),
    scopes: text("scopes").notNull(),
    apiUrl: text("api_url"),
    accessTokenEnc: text("access_token_enc").notNull(),
    refreshTokenEnc: text("refresh_token_enc").notNull(),
    accessTokenExpiresAt: integer("access_token_expires_at", { mode: "number" }).notNull(),
    returnTo: text("return_to"),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    expiresAt: integer("expires_at", { mode: "number" }).notNull(),
  },
  (t) => [
    index("zoom_pending_links_tenant").on(t.tenantId, t.createdBy),
    index("zoom_pending_links_expiry").on(t.expiresAt),
  ],
);

/**
 * Zoom's webhook deliveries, by hash of the raw body: the inbox the queue consumer works from. A row
 * is written before the delivery is acknowledged and marked processed only once its handler
 * succeeded, so a failing handler is retried and a replay of a processed event changes nothing.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    event: text("event").notNull(),
    receivedAt: integer("received_at", { mode: "number" }).notNull(),
    /** The event without its download_token (JSON); cleared once processed. */
    payload: text("payload"),
    /** The event's download_token sealed by the vault (field "webhook_download_token:{id}"). */
    downloadTokenEnc: text("download_token_enc"),
    processedAt: integer("processed_at", { mode: "number" }),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
  },
  (t) => [index("webhook_deliveries_pending").on(t.processedAt, t.receivedAt)],
);

/** A teacher of the tenant and their Zoom user (absent while an invitation is pending). */
export const teachers = sqliteTable(
  "teachers",
  {
    tenantId: text("tenant_id").notNull(),
    wiseUserId: text("wise_user_id").notNull(),
    zoomUserId: text("zoom_user_id"),
    email: text("email").notNull(),
    firstName: text("first_name"),
    lastName: text("last_name"),
    status: text("status", { enum: ["pending", "active", "inactive"] }).notNull(),
    licensed: integer("licensed", { mode: "boolean" }).notNull(),
    /** When the teacher last hosted or has a scheduled class (epoch ms), for license recycling. */
    lastClassAt: integer("last_class_at", { mode: "number" }),
    /** Whether the teacher may record to Zoom's cloud (Zoom user setting recording.cloud_recording). */
    cloudRecording: integer("cloud_recording", { mode: "boolean" }),
    createdAt: integer("created_at", { mode: "number" }).notNull().default(now),
    updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.wiseUserId] }),
    index("teachers_tenant_email").on(t.tenantId, t.email),
  ],
);

/**
 * A Wise class and its Zoom meeting. Zoom ids are kept as strings (they exceed 2^53). The meeting's
 * join URL is kept for redirecting students when registration is off; it is never returned by the API.
 */
export const classes = sqliteTable(
  "classes",
  {
    tenantId: text("tenant_id").notNull(),
    classId: text("class_id").notNull(),
    teacherId: text("teacher_id").notNull(),
    zoomAccountId: text("zoom_account_id").notNull(),
    zoomMeetingId: text("zoom_meeting_id"),
    zoomMeetingUuid: text("zoom_meeting_uuid"),
    hostZoomUserId: text("host_zoom_user_id"),
    topic: text("topic").notNull(),
    startTime: integer("start_time", { mode: "number" }).notNull(),
    durationMinutes: integer("duration_minutes").notNull(),
    timezone: text("timezone"),
    recurrence: text("recurrence", { mode: "json" }).$type<Record<string, unknown>>(),
    registration: integer("registration", { mode: "boolean" }).notNull(),
    autoRecording: text("auto_recording", { enum: ["cloud", "local", "none"] }).notNull(),
    /** The settings last sent to Zoom with the meeting (from the tenant's meeting policy). */
    meetingSettings: text("meeting_settings", { mode: "json" }).$type<Record<string, unknown>>(),
    /** "creating" while a claim holds the row and Zoom has not yet answered with a meeting id. */
    status: text("status", {
      enum: ["creating", "scheduled", "live", "ended", "deleted", "cancelled"],
    }).notNull(),
    joinUrl: text("join_url"),
    /** Why the class may not run as scheduled although its meeting exists (its host's Zoom user). */
    hostIssue: text("host_issue", { enum: ["host_deactivated", "host_removed"] }),
    /** `time_stamp` (epoch ms) of the latest meeting.updated applied, so an older one is not. */
    zoomUpdatedAt: integer("zoom_updated_at", { mode: "number" }),
    /**
     * Create claim: whoever holds it may create the Zoom meeting. The token is also written into the
     * meeting's agenda so that a retry after a lost answer can find the meeting instead of making another.
     */
    claimToken: text("claim_token"),
    /** When the claim was taken (epoch ms); 0 means the attempt ended without knowing Zoom's outcome. */
    claimedAt: integer("claimed_at", { mode: "number" }),
    createdAt: integer("created_at", { mode: "number" }).notNull().default(now),
    updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.classId] }),
    index("classes_meeting").on(t.zoomMeetingId),
    index("classes_tenant_teacher").on(t.tenantId, t.teacherId),
  ],
);

/**
 * A student on a class's roster, as given when join links were minted, and their Zoom registrant
 * where the class uses registration. The click reads `join_url` from here, so a pre-registered
 * student's click needs no Zoom call. `day_attempts` counts adds on `attempt_day` (UTC): Zoom allows
 * three adds of one registrant a day.
 */
export const classRegistrants = sqliteTable(
  "class_registrants",
  {
    tenantId: text("tenant_id").notNull(),
    classId: text("class_id").notNull(),
    studentId: text("student_id").notNull(),
    name: text("name").notNull(),
    email: text("email"),
    status: text("status", { enum: ["not_required", "pending", "registered", "failed"] }).notNull(),
    zoomRegistrantId: text("zoom_registrant_id"),
    joinUrl: text("join_url"),
    attempts: integer("attempts").notNull().default(0),
    attemptDay: text("attempt_day"),
    dayAttempts: integer("day_attempts").notNull().default(0),
    lastError: text("last_error"),
    /**
     * When join links were last minted for the student (epoch ms; null on rows older than the column:
     * `created_at` then). A revocation at or after it takes the student off the class for playback.
     */
    rosteredAt: integer("rostered_at", { mode: "number" }),
    createdAt: integer("created_at", { mode: "number" }).notNull().default(now),
    updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.classId, t.studentId] }),
    index("class_registrants_status").on(t.tenantId, t.classId, t.status),
  ],
);

/**
 * Revoked join links: every link of (tenant, class, student) issued at or before `revoked_at` is
 * refused; student `*` stands for the whole class. Read on every click by primary key.
 */
export const linkRevocations = sqliteTable(
  "link_revocations",
  {
    tenantId: text("tenant_id").notNull(),
    classId: text("class_id").notNull(),
    studentId: text("student_id").notNull(),
    revokedAt: integer("revoked_at", { mode: "number" }).notNull(),
    revokedBy: text("revoked_by").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.classId, t.studentId] })],
);

/**
 * Revoked start links: every start link of (tenant, class, teacher) issued at or before `revoked_at`
 * is refused. Read from D1 on every start click.
 */
export const startLinkRevocations = sqliteTable(
  "start_link_revocations",
  {
    tenantId: text("tenant_id").notNull(),
    classId: text("class_id").notNull(),
    teacherId: text("teacher_id").notNull(),
    revokedAt: integer("revoked_at", { mode: "number" }).notNull(),
    revokedBy: text("revoked_by").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.classId, t.teacherId] })],
);

/**
 * One Zoom meeting instance with cloud recordings of a tenant (by instance UUID), linked to the
 * Wise class whose meeting it was when one exists. `zoom_state` follows recording.* webhooks.
 */
export const recordings = sqliteTable(
  "recordings",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    zoomAccountId: text("zoom_account_id").notNull(),
    meetingUuid: text("meeting_uuid").notNull(),
    meetingId: text("meeting_id").notNull(),
    hostId: text("host_id"),
    classId: text("class_id"),
    topic: text("topic"),
    startTime: integer("start_time", { mode: "number" }).notNull(),
    durationMinutes: integer("duration_minutes"),
    zoomState: text("zoom_state", { enum: ["active", "trashed", "deleted"] }).notNull(),
    /** `event_ts` (epoch ms) of the latest recording.* event applied, so an older one is not. */
    zoomStateAt: integer("zoom_state_at", { mode: "number" }),
    /** The webhook's download_token, sealed by the vault (field "download_token"), and its end of life. */
    downloadTokenEnc: text("download_token_enc"),
    downloadTokenExpiresAt: integer("download_token_expires_at", { mode: "number" }),
    createdAt: integer("created_at", { mode: "number" }).notNull().default(now),
    updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
  },
  (t) => [
    uniqueIndex("recordings_tenant_uuid").on(t.tenantId, t.meetingUuid),
    index("recordings_tenant_start").on(t.tenantId, t.startTime),
    index("recordings_tenant_class").on(t.tenantId, t.classId),
  ],
);

/** `processing`: Zoom lists the file but has not finished it (no size yet); the consumer waits. */
export type ArchiveStatus = "processing" | "pending" | "archiving" | "archived" | "failed";

/** A finished part of a multipart upload, kept so a retry resumes instead of starting over. */
export interface FinishedPart {
  partNumber: number;
  etag: string;
}

/**
 * One file of a recording and its archive state. The id is Zoom's file id, or for files Zoom sends
 * without one (CC, TIMELINE) a stable id derived from the instance, type and start.
 */
export const recordingFiles = sqliteTable(
  "recording_files",
  {
    id: text("id").notNull(),
    tenantId: text("tenant_id").notNull(),
    recordingId: text("recording_id").notNull(),
    fileType: text("file_type").notNull(),
    fileExtension: text("file_extension").notNull(),
    recordingType: text("recording_type"),
    /** Zoom's file_size; null for files Zoom lists without one (then Content-Length is the size). */
    sizeBytes: integer("size_bytes", { mode: "number" }),
    /** Zoom's download_url (needs a bearer; not a secret by itself). */
    downloadUrl: text("download_url").notNull(),
    recordingStart: integer("recording_start", { mode: "number" }),
    status: text("status", { enum: ["processing", "pending", "archiving", "archived", "failed"] })
      .$type<ArchiveStatus>()
      .notNull(),
    bytesArchived: integer("bytes_archived", { mode: "number" }).notNull().default(0),
    /** SHA-256 (hex) of the whole file as stored in R2. */
    sha256: text("sha256"),
    r2Key: text("r2_key").notNull(),
    uploadId: text("upload_id"),
    partSize: integer("part_size", { mode: "number" }),
    parts: text("parts", { mode: "json" }).$type<FinishedPart[]>(),
    attempts: integer("attempts", { mode: "number" }).notNull().default(0),
    /** Who is archiving it now, and until when the claim holds. */
    leaseId: text("lease_id"),
    leaseUntil: integer("lease_until", { mode: "number" }),
    error: text("error"),
    archivedAt: integer("archived_at", { mode: "number" }),
    createdAt: integer("created_at", { mode: "number" }).notNull().default(now),
    updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("recording_files_recording").on(t.tenantId, t.recordingId),
    index("recording_files_status").on(t.tenantId, t.status),
  ],
);

/** Per tenant: where the nightly sweep stands (a newly linked account is backfilled once). */
export const archiveSweeps = sqliteTable("archive_sweeps", {
  tenantId: text("tenant_id").primaryKey(),
  zoomAccountId: text("zoom_account_id").notNull(),
  backfilledAt: integer("backfilled_at", { mode: "number" }),
  lastSweepAt: integer("last_sweep_at", { mode: "number" }),
  lastError: text("last_error"),
});

/** One past instance of a class meeting (recurring classes have one per occurrence, by instance UUID). */
export const classSessions = sqliteTable(
  "class_sessions",
  {
    tenantId: text("tenant_id").notNull(),
    zoomMeetingUuid: text("zoom_meeting_uuid").notNull(),
    classId: text("class_id").notNull(),
    zoomMeetingId: text("zoom_meeting_id").notNull(),
    startTime: integer("start_time", { mode: "number" }).notNull(),
    endTime: integer("end_time", { mode: "number" }),
    durationMinutes: integer("duration_minutes"),
    participantsCount: integer("participants_count").notNull().default(0),
    fetchedAt: integer("fetched_at", { mode: "number" }).notNull(),
    /** False when Zoom listed fewer participants than its details count: fetched again later. */
    reportComplete: integer("report_complete", { mode: "boolean" }).notNull().default(true),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.zoomMeetingUuid] }),
    index("class_sessions_class").on(t.tenantId, t.classId, t.startTime),
  ],
);

/** Who attended a session: one row per participant record Zoom reports (rejoins are separate rows). */
export const sessionAttendance = sqliteTable(
  "session_attendance",
  {
    tenantId: text("tenant_id").notNull(),
    zoomMeetingUuid: text("zoom_meeting_uuid").notNull(),
    /** Position in Zoom's participant report; the report is replaced as a whole on every fetch. */
    seq: integer("seq").notNull(),
    name: text("name").notNull(),
    email: text("email"),
    registrantId: text("registrant_id"),
    /** The Wise user this participant is, when their registrant id or email identifies them. */
    wiseUserId: text("wise_user_id"),
    /** How: "registrant" (Zoom registrant id) or "email" (a user of the account, or an authenticated join). */
    matchedBy: text("matched_by", { enum: ["registrant", "email"] }),
    joinTime: integer("join_time", { mode: "number" }),
    leaveTime: integer("leave_time", { mode: "number" }),
    durationSeconds: integer("duration_seconds").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.zoomMeetingUuid, t.seq] })],
);

/**
 * Seats and cloud storage of the tenant's Zoom account as read from Zoom, kept over time: the latest
 * row is the cache GET /v1/zoom/usage answers from, and the series is what the admin console charts.
 */
export const usageSnapshots = sqliteTable(
  "usage_snapshots",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tenantId: text("tenant_id").notNull(),
    zoomAccountId: text("zoom_account_id").notNull(),
    takenAt: integer("taken_at", { mode: "number" }).notNull(),
    seatsLicensed: integer("seats_licensed").notNull(),
    seatsBasic: integer("seats_basic").notNull(),
    seatsPending: integer("seats_pending").notNull(),
    seatsTotal: integer("seats_total").notNull(),
    seatsPurchased: integer("seats_purchased"),
    storageUsedBytes: integer("storage_used_bytes"),
    storagePlanBytes: integer("storage_plan_bytes"),
  },
  (t) => [index("usage_snapshots_tenant_at").on(t.tenantId, t.takenAt)],
);

/**
 * A tenant's outbound event subscription: where Wise wants events (Standard Webhooks), which types,
 * and the signing secret sealed by the vault (field "event_secret:{id}"). During a rotation the
 * previous secret also signs until `previous_secret_until`.
 */
export const eventSubscriptions = sqliteTable(
  "event_subscriptions",
  {
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    url: text("url").notNull(),
    eventTypes: text("event_types", { mode: "json" }).$type<string[]>().notNull(),
    description: text("description"),
    secretEnc: text("secret_enc").notNull(),
    previousSecretEnc: text("previous_secret_enc"),
    previousSecretUntil: integer("previous_secret_until", { mode: "number" }),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    /** Why the service turned it off (a 410 from the endpoint), or null. */
    disabledReason: text("disabled_reason"),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull(),
  },
  (t) => [index("event_subscriptions_tenant").on(t.tenantId)],
);

/**
 * The outbox: one row per event, written in the same D1 batch as the state change it reports.
 * `dispatched_at` is set once deliveries were created for the tenant's subscriptions; the nightly
 * run queues again rows the Worker never dispatched.
 */
export const outboundEvents = sqliteTable(
  "outbound_events",
  {
    /** The `webhook-id` (msg_...): stable across retries and replays. */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id").notNull(),
    type: text("type").notNull(),
    /** The event's `data` (JSON text). */
    data: text("data").notNull(),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
    dispatchedAt: integer("dispatched_at", { mode: "number" }),
  },
  (t) => [
    index("outbound_events_undispatched").on(t.dispatchedAt, t.createdAt),
    index("outbound_events_tenant_at").on(t.tenantId, t.createdAt),
  ],
);

export type EventDeliveryStatus = "pending" | "delivered" | "dead" | "cancelled";

/** One event to one subscription: its attempts, its schedule and how it ended. */
export const eventDeliveries = sqliteTable(
  "event_deliveries",
  {
    eventId: text("event_id").notNull(),
    subscriptionId: text("subscription_id").notNull(),
    tenantId: text("tenant_id").notNull(),
    status: text("status", { enum: ["pending", "delivered", "dead", "cancelled"] })
      .$type<EventDeliveryStatus>()
      .notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** Start of the current run of attempts (a replay starts a new one): retries last 24 hours from it. */
    firstAttemptAt: integer("first_attempt_at", { mode: "number" }),
    lastAttemptAt: integer("last_attempt_at", { mode: "number" }),
    nextAttemptAt: integer("next_attempt_at", { mode: "number" }).notNull(),
    /** HTTP status of the last answer, or null when there was none (timeout, connection refused). */
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
    deliveredAt: integer("delivered_at", { mode: "number" }),
    createdAt: integer("created_at", { mode: "number" }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.subscriptionId] }),
    index("event_deliveries_subscription").on(t.tenantId, t.subscriptionId, t.createdAt),
    index("event_deliveries_due").on(t.status, t.nextAttemptAt),
  ],
);
