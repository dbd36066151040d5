// Zoom response shapes the product relies on, validated at the boundary. Only the fields we use are
// declared (unknown ones are dropped); ids are normalised to strings since Zoom's int64s exceed 2^53.
import { z } from "zod";

/** An int64 id from Zoom (number, or string when beyond 2^53 or sent as a string) as a string. */
export const ZoomId = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));

export const ZoomUser = z.object({
  id: z.string().min(1),
  account_id: z.string().min(1).optional(),
  email: z.string(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  type: z.number().int(),
  role_name: z.string().optional(),
  /** "0" owner, "1" admin, "2" member (custom roles have other ids). */
  role_id: z.string().optional(),
  status: z.string().optional(),
});
export type ZoomUser = z.infer<typeof ZoomUser>;

/** One cloud recording file, as in recording.* webhooks and the REST listings. CC and TIMELINE
 * files may lack id, status and file_size; a file still `processing` has no file_size yet. */
export const ZoomRecordingFile = z.object({
  id: z.string().min(1).max(128).optional(),
  recording_start: z.string().optional(),
  recording_end: z.string().optional(),
  file_type: z.string().min(1).max(32),
  file_extension: z.string().max(16).optional(),
  file_size: z.number().int().nonnegative().optional(),
  download_url: z.url().max(2048),
  status: z.string().optional(),
  recording_type: z.string().max(64).optional(),
});
export type ZoomRecordingFile = z.infer<typeof ZoomRecordingFile>;

/** A meeting instance with recordings (webhook `payload.object`, REST listing item, GET recordings). */
export const ZoomRecordingMeeting = z.object({
  uuid: z.string().min(1).max(128),
  id: ZoomId,
  host_id: z.string().optional(),
  topic: z.string().max(300).optional(),
  start_time: z.string(),
  duration: z.number().optional(),
  recording_files: z.array(ZoomRecordingFile).max(100).default([]),
  /** With "record a separate audio file of each participant": one M4A per participant. */
  participant_audio_files: z.array(ZoomRecordingFile).max(1000).default([]),
});
export type ZoomRecordingMeeting = z.infer<typeof ZoomRecordingMeeting>;

export const ZoomRecordingList = z.object({
  next_page_token: z.string().optional(),
  meetings: z.array(ZoomRecordingMeeting).default([]),
});

/** GET /users page. Pending users are listed without an id. */
export const ZoomUserList = z.object({
  next_page_token: z.string().optional(),
  users: z
    .array(
      z.object({
        id: z.string().min(1).optional(),
        email: z.string(),
        type: z.number().int(),
        status: z.string().optional(),
      }),
    )
    .default([]),
});
export type ZoomUserList = z.infer<typeof ZoomUserList>;

/** POST /users answer. */
export const ZoomCreatedUser = z.object({
  id: z.string().min(1),
  email: z.string(),
  type: z.number().int(),
});

/** GET /users/{id}/settings, the part we read. */
export const ZoomUserSettings = z.object({
  recording: z.object({ cloud_recording: z.boolean().optional() }).partial().optional(),
});

/** GET /users/summary. */
export const ZoomUsersSummary = z.object({
  licensed_users_count: z.number().int().nonnegative(),
  basic_users_count: z.number().int().nonnegative(),
  pending_users_count: z.number().int().nonnegative().default(0),
  total_users_count: z.number().int().nonnegative(),
});
export type ZoomUsersSummary = z.infer<typeof ZoomUsersSummary>;

/**
 * GET /accounts/me/plans/usage (Zoom's Billing API): `plan_base` is one object; storage figures
 * are strings such as "2 GB" or "0". A plain Pro account has its storage in `free_storage` (with
 * `plan_storage` "0"); an additional storage plan is `plan_storage`; usage beyond both is
 * `plan_storage_exceed`.
 */
export const ZoomPlanUsage = z.object({
  plan_base: z
    .object({
      type: z.string().optional(),
      hosts: z.number().int().nonnegative().optional(),
      usage: z.number().int().nonnegative().optional(),
      pending: z.number().int().nonnegative().optional(),
    })
    .optional(),
  plan_recording: z
    .object({
      free_storage: z.string().optional(),
      free_storage_usage: z.string().optional(),
      plan_storage: z.string().optional(),
      plan_storage_usage: z.string().optional(),
      plan_storage_exceed: z.string().optional(),
    })
    .optional(),
});
export type ZoomPlanUsage = z.infer<typeof ZoomPlanUsage>;

/** A meeting as created or read; start_url and password are host secrets and never leave the service. */
export const ZoomMeeting = z.object({
  id: ZoomId,
  uuid: z.string().min(1).optional(),
  host_id: z.string().optional(),
  topic: z.string().optional(),
  agenda: z.string().optional(),
  join_url: z.string().optional(),
  status: z.string().optional(),
});
export type ZoomMeeting = z.infer<typeof ZoomMeeting>;

/** GET /users/{id}/meetings page. */
export const ZoomMeetingList = z.object({
  next_page_token: z.string().optional(),
  meetings: z.array(ZoomMeeting).default([]),
});

/** GET /past_meetings/{uuid}. */
export const ZoomPastMeeting = z.object({
  id: ZoomId,
  uuid: z.string().min(1),
  start_time: z.string(),
  end_time: z.string().optional(),
  duration: z.number().int().optional(),
  participants_count: z.number().int().optional(),
});
export type ZoomPastMeeting = z.infer<typeof ZoomPastMeeting>;

/** GET /past_meetings/{uuid}/participants page. */
export const ZoomParticipantList = z.object({
  next_page_token: z.string().optional(),
  participants: z
    .array(
      z.object({
        name: z.string().default(""),
        user_email: z.string().optional(),
        registrant_id: z.string().optional(),
        join_time: z.string().optional(),
        leave_time: z.string().optional(),
        duration: z.number().int().nonnegative().default(0),
      }),
    )
    .default([]),
});
export type ZoomParticipant = z.infer<typeof ZoomParticipantList>["participants"][number];

/** GET /meetings/{meetingId}/registrants page. */
export const ZoomRegistrantList = z.object({
  next_page_token: z.string().optional(),
  registrants: z.array(z.object({ id: z.string().min(1), email: z.string().default("") })).default([]),
});

/** GET /past_meetings/{meetingId}/instances. */
export const ZoomInstanceList = z.object({
  meetings: z.array(z.object({ uuid: z.string().min(1), start_time: z.string().optional() })).default([]),
});
