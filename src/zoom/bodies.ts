// Request bodies the product sends to Zoom, built in one place so the contract tests can check each
// against Zoom's OpenAPI specs. Pure: no I/O, nothing Workers-specific.

export type ZoomUserType = 1 | 2;
export type UserCreateAction = "create" | "custCreate";

export const createUserBody = (
  action: UserCreateAction,
  info: { email: string; firstName: string; lastName: string; type: ZoomUserType },
) => ({
  action,
  user_info: { email: info.email, first_name: info.firstName, last_name: info.lastName, type: info.type },
});

export const updateUserBody = (patch: { type?: ZoomUserType; first_name?: string; last_name?: string }) =>
  patch;

export const userStatusBody = (action: "activate" | "deactivate") => ({ action });

export const cloudRecordingBody = (allowed: boolean) => ({ recording: { cloud_recording: allowed } });

export const endMeetingBody = () => ({ action: "end" as const });

/** Zoom caps first_name at 64 characters; the whole name goes there, as Wise shows it. */
export const registrantBody = (email: string, name: string) => ({ email, first_name: name.slice(0, 64) });

/** Zoom's recurrence object (type 1 daily, 2 weekly, 3 monthly). */
export interface ZoomRecurrence {
  type: 1 | 2 | 3;
  repeat_interval: number;
  weekly_days?: string;
  monthly_day?: number;
  end_times?: number;
  end_date_time?: string;
}

/** The settings a class meeting sends; every one of them, since Zoom fills omitted ones from account defaults. */
export interface ZoomMeetingSettings {
  auto_recording: "cloud" | "local" | "none";
  waiting_room: boolean;
  join_before_host: boolean;
  mute_upon_entry: boolean;
  meeting_authentication: boolean;
  /** 0 automatic, 1 manual approval, 2 no registration. */
  approval_type: 0 | 1 | 2;
  registration_type?: 1;
  continuous_meeting_chat: { enable: boolean };
  auto_start_meeting_summary: boolean;
  auto_start_ai_companion_questions: boolean;
}

export interface ZoomMeetingBody {
  topic: string;
  type: 2 | 8;
  start_time: string;
  duration: number;
  timezone: string;
  agenda?: string;
  recurrence?: ZoomRecurrence;
  settings: ZoomMeetingSettings;
}
