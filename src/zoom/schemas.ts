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
  status: z.string().optional(),
});
export type ZoomUser = z.infer<typeof ZoomUser>;

/** A user in GET /users pages; pending (invited) users come without an id. */
export const ZoomUsersPage = z.object({
  next_page_token: z.string().optional(),
  users: z.array(z.object({ id: z.string().optional(), status: z.string().optional() })).default([]),
});

/** One cloud recording file, as in recording.* webhooks and the REST listings. CC and TIMELINE
 * files may lack id, status and file_size. */
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
});
export type ZoomRecordingMeeting = z.infer<typeof ZoomRecordingMeeting>;

export const ZoomRecordingList = z.object({
  next_page_token: z.string().optional(),
  meetings: z.array(ZoomRecordingMeeting).default([]),
});

/** GET /accounts/me/plans/usage; storage values are strings such as "2.2 GB". */
export const ZoomPlanUsage = z.object({
  plan_recording: z
    .object({ plan_storage: z.string().optional(), plan_storage_usage: z.string().optional() })
    .optional(),
});
