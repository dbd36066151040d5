// The tenant's meeting policy: the class-critical Zoom settings sent explicitly with every meeting
// create and update, because since 2026-03-15 Zoom fills any omitted field from the account's
// defaults (AI summaries, no waiting room, join before host...). No I/O.
import type { MeetingPolicy, TenantSettings } from "../db/schema.ts";

export type { MeetingPolicy };

/** A classroom's choices; AI Companion stays off unless the tenant turns it on. */
export const DEFAULT_MEETING_POLICY: MeetingPolicy = {
  waitingRoom: true,
  joinBeforeHost: false,
  muteUponEntry: true,
  meetingAuthentication: false,
  continuousChat: false,
  aiCompanion: false,
  registrationApproval: "automatic",
};

export const meetingPolicyOf = (settings: TenantSettings): MeetingPolicy => ({
  ...DEFAULT_MEETING_POLICY,
  ...(settings.meetingPolicy ?? {}),
});

export const hostLicensePolicyOf = (settings: TenantSettings) => settings.hostLicensePolicy ?? "refuse";
export const licenseOnScheduleOf = (settings: TenantSettings) => settings.licenseOnSchedule ?? "admin";
