// Zoom's two scope namings. Classic scopes (`meeting:read:admin`) belong to apps created before
// March 2024; granular ones (`meeting:read:meeting:admin`, one per operation, listed in each
// operation's `x-granular-scopes`) to every newer app. An app holds one kind only: registering or
// requesting a mix fails, as it does at Zoom.

export type ScopeKind = "classic" | "granular";

/**
 * Granular names have a resource after the action (`user:read:summary`, then `:admin` or `:master`
 * for account-wide access); classic names stop at the action (`user:read`, `user:read:admin`).
 */
export function scopeKind(scope: string): ScopeKind {
  const segments = scope.replace(/:(admin|master)$/, "").split(":");
  return segments.length >= 3 ? "granular" : "classic";
}

export function kindOf(scopes: readonly string[]): ScopeKind | "mixed" | "none" {
  const kinds = new Set(scopes.map(scopeKind));
  if (kinds.size === 0) return "none";
  if (kinds.size > 1) return "mixed";
  return kinds.has("granular") ? "granular" : "classic";
}

/** Scopes of an authorize request or a registration: space or comma separated. */
export function parseScopes(raw: string): string[] {
  return [...new Set(raw.split(/[\s,]+/).filter(Boolean))];
}

/** What an old (classic) Wise app holds. */
export const CLASSIC_SCOPES = [
  "user:read:admin",
  "user:write:admin",
  "meeting:read:admin",
  "meeting:write:admin",
  "recording:read:admin",
  "recording:write:admin",
  "account:read:admin",
  "report:read:admin",
];

/** What a new (granular) Wise app holds: the account-level scope of every emulated operation. */
export const GRANULAR_SCOPES = [
  "user:read:list_users:admin",
  "user:write:user:admin",
  "user:read:summary:admin",
  "user:read:user:admin",
  "user:update:user:admin",
  "user:delete:user:admin",
  "user:update:status:admin",
  "user:read:settings:admin",
  "user:update:settings:admin",
  "meeting:write:meeting:admin",
  "meeting:read:list_meetings:admin",
  "meeting:read:meeting:admin",
  "meeting:update:meeting:admin",
  "meeting:delete:meeting:admin",
  "meeting:update:status:admin",
  "meeting:write:registrant:admin",
  "meeting:read:list_registrants:admin",
  "meeting:read:past_meeting:admin",
  "meeting:read:list_past_participants:admin",
  "meeting:read:list_past_instances:admin",
  "cloud_recording:read:list_user_recordings:admin",
  "cloud_recording:read:list_recording_files:admin",
  "cloud_recording:delete:meeting_recording:admin",
  "cloud_recording:delete:recording_file:admin",
  "cloud_recording:update:recover_meeting_recordings:admin",
  "billing:read:plan_usage:admin",
  "report:read:cloud_recording:admin",
];

export function scopesOfSet(set: unknown): string[] | undefined {
  if (set === "classic") return [...CLASSIC_SCOPES];
  if (set === "granular") return [...GRANULAR_SCOPES];
  return undefined;
}
