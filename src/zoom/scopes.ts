// The Zoom operations the product calls and the OAuth scopes each needs, in both of Zoom's namings:
// classic (`meeting:read:admin`, apps created before March 2024) and granular
// (`meeting:read:meeting:admin`, every newer app). One table; the scopes the authorize URL asks for
// and the check of a grant at the callback are derived from it. Names come from each operation's
// `x-macro-scopes` / `x-granular-scopes` in Zoom's OpenAPI specs (scopes.node.test.ts checks them).

export type ScopeSet = "granular" | "classic";

export interface ZoomOperation {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** Zoom's path template, as in the spec. */
  path: string;
  /** The spec file (`<spec>.endpoints.json`) that holds the operation; null when Zoom publishes none. */
  spec: "users" | "meetings" | null;
  /** The account-level classic scope. */
  classic: string;
  /** Account-level granular scopes, any one of which allows the call; the first is requested. */
  granular: readonly [string, ...string[]];
  /** Why the spec does not show these names, when it does not. */
  specGap?: string;
}

/** Every Zoom API operation the product calls, by the name its calls use (`ZoomClient.call`). */
export const ZOOM_OPERATIONS = {
  "users.get": {
    method: "GET",
    path: "/users/{userId}",
    spec: "users",
    classic: "user:read:admin",
    granular: ["user:read:user:admin"],
  },
  "users.list": {
    method: "GET",
    path: "/users",
    spec: "users",
    classic: "user:read:admin",
    granular: ["user:read:list_users:admin"],
  },
  "users.create": {
    method: "POST",
    path: "/users",
    spec: "users",
    classic: "user:write:admin",
    granular: ["user:write:user:admin"],
  },
  "users.update": {
    method: "PATCH",
    path: "/users/{userId}",
    spec: "users",
    classic: "user:write:admin",
    granular: ["user:update:user:admin"],
  },
  "users.delete": {
    method: "DELETE",
    path: "/users/{userId}",
    spec: "users",
    classic: "user:write:admin",
    granular: ["user:delete:user:admin"],
  },
  "users.status": {
    method: "PUT",
    path: "/users/{userId}/status",
    spec: "users",
    classic: "user:write:admin",
    granular: ["user:update:status:admin"],
  },
  "users.settings.get": {
    method: "GET",
    path: "/users/{userId}/settings",
    spec: "users",
    classic: "user:read:admin",
    granular: ["user:read:settings:admin"],
  },
  "users.settings.update": {
    method: "PATCH",
    path: "/users/{userId}/settings",
    spec: "users",
    classic: "user:write:admin",
    granular: ["user:update:settings:admin"],
  },
  "users.summary": {
    method: "GET",
    path: "/users/summary",
    spec: "users",
    classic: "user:read:admin",
    granular: ["user:read:summary:admin"],
  },
  "meetings.create": {
    method: "POST",
    path: "/users/{userId}/meetings",
    spec: "meetings",
    classic: "meeting:write:admin",
    granular: ["meeting:write:meeting:admin"],
  },
  "meetings.list": {
    method: "GET",
    path: "/users/{userId}/meetings",
    spec: "meetings",
    classic: "meeting:read:admin",
    granular: ["meeting:read:list_meetings:admin"],
  },
  "meetings.get": {
    method: "GET",
    path: "/meetings/{meetingId}",
    spec: "meetings",
    classic: "meeting:read:admin",
    granular: ["meeting:read:meeting:admin"],
  },
  "meetings.update": {
    method: "PATCH",
    path: "/meetings/{meetingId}",
    spec: "meetings",
    classic: "meeting:write:admin",
    granular: ["meeting:update:meeting:admin"],
  },
  "meetings.delete": {
    method: "DELETE",
    path: "/meetings/{meetingId}",
    spec: "meetings",
    classic: "meeting:write:admin",
    granular: ["meeting:delete:meeting:admin"],
  },
  "meetings.status": {
    method: "PUT",
    path: "/meetings/{meetingId}/status",
    spec: "meetings",
    classic: "meeting:write:admin",
    granular: ["meeting:update:status:admin"],
  },
  "registrants.create": {
    method: "POST",
    path: "/meetings/{meetingId}/registrants",
    spec: "meetings",
    classic: "meeting:write:admin",
    granular: ["meeting:write:registrant:admin"],
  },
  "registrants.list": {
    method: "GET",
    path: "/meetings/{meetingId}/registrants",
    spec: "meetings",
    classic: "meeting:read:admin",
    granular: ["meeting:read:list_registrants:admin"],
  },
  "past_meetings.get": {
    method: "GET",
    path: "/past_meetings/{meetingId}",
    spec: "meetings",
    classic: "meeting:read:admin",
    granular: ["meeting:read:past_meeting:admin"],
  },
  "past_meetings.participants": {
    method: "GET",
    path: "/past_meetings/{meetingId}/participants",
    spec: "meetings",
    classic: "meeting:read:admin",
    granular: ["meeting:read:list_past_participants:admin"],
  },
  "past_meetings.instances": {
    method: "GET",
    path: "/past_meetings/{meetingId}/instances",
    spec: "meetings",
    classic: "meeting:read:admin",
    granular: ["meeting:read:list_past_instances:admin"],
  },
  "recordings.list": {
    method: "GET",
    path: "/users/{userId}/recordings",
    spec: "meetings",
    classic: "recording:read:admin",
    granular: ["cloud_recording:read:list_user_recordings:admin"],
  },
  "recordings.get": {
    method: "GET",
    path: "/meetings/{meetingId}/recordings",
    spec: "meetings",
    classic: "recording:read:admin",
    granular: ["cloud_recording:read:list_recording_files:admin"],
    specGap:
      "the spec's classic list names recording:read but not recording:read:admin, which every other recording read accepts",
  },
  "recordings.delete": {
    method: "DELETE",
    path: "/meetings/{meetingId}/recordings",
    spec: "meetings",
    classic: "recording:write:admin",
    granular: ["cloud_recording:delete:meeting_recording:admin"],
  },
  "accounts.plans.usage": {
    method: "GET",
    path: "/accounts/{accountId}/plans/usage",
    spec: null,
    classic: "account:read:admin",
    granular: ["billing:read:plan_usage:admin"],
    specGap: "Get plan usage belongs to Zoom's Billing API, whose spec is not among the downloaded ones",
  },
} as const satisfies Record<string, ZoomOperation>;

export type ZoomOperationName = keyof typeof ZOOM_OPERATIONS;

const operations: [string, ZoomOperation][] = Object.entries(ZOOM_OPERATIONS);

/** The scopes the authorize URL asks for: one per operation in the chosen naming, without repeats. */
export function requestedScopes(set: ScopeSet): string[] {
  const names = operations.map(([, op]) => (set === "classic" ? op.classic : op.granular[0]));
  return [...new Set(names)];
}

/** Every scope name that counts for some operation, in either naming. */
export function knownScopes(): Set<string> {
  return new Set(operations.flatMap(([, op]) => [op.classic, ...op.granular]));
}

/**
 * The operations a grant does not allow. An operation is covered when the grant holds its classic
 * scope or one of its granular ones, so a grant in either naming (or, should Zoom ever issue one,
 * a mix) is judged per operation. Unknown strings cover nothing.
 */
export function uncoveredOperations(granted: readonly string[]): ZoomOperationName[] {
  const held = new Set(granted);
  return operations
    .filter(([, op]) => !held.has(op.classic) && !op.granular.some((s) => held.has(s)))
    .map(([name]) => name as ZoomOperationName);
}

/** What a grant lacks, named in the set the product asks for (what the admin must add in Zoom). */
export function missingScopes(granted: readonly string[], set: ScopeSet): string[] {
  const names = uncoveredOperations(granted).map((name) => {
    const op: ZoomOperation = ZOOM_OPERATIONS[name];
    return set === "classic" ? op.classic : op.granular[0];
  });
  return [...new Set(names)];
}

/** The callback's explanation of a refused grant, for the admin who linked. */
export function refusedGrantMessage(missing: readonly string[]): string {
  return `Wise was not linked. Add these scopes to the Wise app in Zoom's App Marketplace (or approve them on Zoom's page), then link again: ${missing.join(", ")}.`;
}
