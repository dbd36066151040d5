// The data a fresh emulator starts with: the Wise OAuth client, two Zoom accounts and their users.
// Seeded ids are fixed so tests and demos can name them.
import type { Account, Client, Config, Db, User, UserSettings } from "./db.ts";
import { GRANULAR_SCOPES } from "./scopes.ts";

export const SEED = {
  clientId: "wise-local-client",
  clientSecret: "wise-local-client-secret",
  accountA: "emuAcctA1",
  accountB: "emuAcctB2",
  ownerA: "Qm3tWgkXRSmZ0aW1Jp7dAA",
  licensedA: "Tq1vN7yUQiK2bXcE4sHf9w",
  basicA: "Lp0aZr5cS9OyJm2kVt8uGg",
  pendingA: "Hx4wD6nBRjG1eYq3Cu7iPA",
  ownerB: "Vb2nK8sTQe6Xo1Lw5ZyRmQ",
  userB: "Fj9cP3hMTa7Nd0Gs4WkUeA",
} as const;

export const GB = 1024 ** 3;

export function defaultSettings(): UserSettings {
  return {
    schedule_meeting: {
      host_video: true,
      participants_video: false,
      join_before_host: false,
      use_pmi_for_scheduled_meetings: false,
      require_password_for_scheduling_new_meetings: true,
      default_password_for_scheduled_meetings: "",
    },
    in_meeting: {
      waiting_room: true,
      chat: true,
      private_chat: true,
      auto_saving_chat: false,
      screen_sharing: true,
      breakout_room: false,
    },
    recording: {
      local_recording: true,
      cloud_recording: true,
      record_speaker_view: true,
      record_gallery_view: false,
      record_audio_file: true,
      save_chat_text: true,
      show_timestamp: true,
      recording_audio_transcript: true,
      auto_recording: "none",
      cloud_recording_download: true,
      auto_delete_cmr: false,
    },
    email_notification: {
      cloud_recording_available_reminder: true,
      jbh_reminder: true,
      cancel_meeting_reminder: true,
    },
    feature: { meeting_capacity: 100, large_meeting: false, webinar: false, cn_meeting: false },
  };
}

/** Registrants per meeting (Zoom: 4,999). */
export const REGISTRANT_CAP = 4999;

export function defaultConfig(env: { WEBHOOK_URL?: string; WEBHOOK_SECRET?: string }): Config {
  return {
    webhook: { url: env.WEBHOOK_URL ?? "", secretToken: env.WEBHOOK_SECRET || "wise-local-webhook-secret" },
    rateLimits: { light: 30, medium: 20, heavy: 10, dailyHeavy: 0, enabled: true },
    meetingDailyCap: 100,
    registrantCap: REGISTRANT_CAP,
  };
}

/** The seeded redirect URIs, then each absolute http(s) URL of `extra` (comma separated) not already there. */
export function redirectUris(extra = ""): string[] {
  const uris = ["http://localhost:8787/oauth/zoom/callback", "https://edge.test/oauth/zoom/callback"];
  for (const raw of extra.split(",")) {
    const uri = raw.trim();
    if (!uri || !URL.canParse(uri)) continue;
    const url = new URL(uri);
    if ((url.protocol === "http:" || url.protocol === "https:") && !uris.includes(url.href))
      uris.push(url.href);
  }
  return uris;
}

export function defaultClient(env: { REDIRECT_URIS?: string } = {}): Client {
  return {
    clientId: SEED.clientId,
    clientSecret: SEED.clientSecret,
    name: "Wise",
    redirectUris: redirectUris(env.REDIRECT_URIS),
    // A Wise app created today: granular scopes (an old one holds classic scopes, see /config).
    scopes: [...GRANULAR_SCOPES],
    // The local Wise app stands for one Zoom approved for custCreate; other clients are not.
    custCreate: true,
  };
}

export function makeUser(
  fields: Pick<User, "id" | "accountId" | "email" | "firstName" | "lastName" | "type" | "status" | "role">,
  createdAt: string,
): User {
  return {
    ...fields,
    pmi: 3_000_000_000 + Math.floor(Math.random() * 6_999_999_999),
    timezone: "UTC",
    dept: "",
    createdAt,
    settings: defaultSettings(),
  };
}

export function seed(db: Db, createdAt: string, env: { REDIRECT_URIS?: string } = {}): void {
  db.putClient(defaultClient(env));
  const accounts: Account[] = [
    {
      id: SEED.accountA,
      name: "School A",
      ownerId: SEED.ownerA,
      accountNumber: 9_100_000_001,
      planType: "Pro",
      seats: 5,
      storageBytes: 5 * GB,
      baseUsageBytes: Math.round(1.2 * GB),
    },
    {
      id: SEED.accountB,
      name: "School B",
      ownerId: SEED.ownerB,
      accountNumber: 9_100_000_002,
      planType: "Pro",
      seats: 5,
      storageBytes: 5 * GB,
      baseUsageBytes: 0,
    },
  ];
  for (const a of accounts) db.putAccount(a);
  const users: Parameters<typeof makeUser>[0][] = [
    {
      id: SEED.ownerA,
      accountId: SEED.accountA,
      email: "owner@school-a.example",
      firstName: "Olivia",
      lastName: "Owner",
      type: 2,
      status: "active",
      role: "Owner",
    },
    {
      id: SEED.licensedA,
      accountId: SEED.accountA,
      email: "teacher1@school-a.example",
      firstName: "Theo",
      lastName: "Licensed",
      type: 2,
      status: "active",
      role: "Member",
    },
    {
      id: SEED.basicA,
      accountId: SEED.accountA,
      email: "assistant@school-a.example",
      firstName: "Basil",
      lastName: "Basic",
      type: 1,
      status: "active",
      role: "Admin",
    },
    {
      id: SEED.pendingA,
      accountId: SEED.accountA,
      email: "invited@school-a.example",
      firstName: "Ivy",
      lastName: "Invited",
      type: 1,
      status: "pending",
      role: "Member",
    },
    {
      id: SEED.ownerB,
      accountId: SEED.accountB,
      email: "owner@school-b.example",
      firstName: "Bruno",
      lastName: "Owner",
      type: 2,
      status: "active",
      role: "Owner",
    },
    {
      id: SEED.userB,
      accountId: SEED.accountB,
      email: "teacher@school-b.example",
      firstName: "Bea",
      lastName: "Teacher",
      type: 2,
      status: "active",
      role: "Member",
    },
  ];
  for (const u of users) db.putUser(makeUser(u, createdAt));
}
