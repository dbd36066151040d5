// Typed calls for Zoom users and the account's seats and plan usage.
import {
  cloudRecordingBody,
  createUserBody,
  type UserCreateAction,
  updateUserBody,
  userStatusBody,
  type ZoomUserType,
} from "./bodies.ts";
import { encodePathSegment as seg, type ZoomClient } from "./client.ts";
import { ZoomApiError } from "./errors.ts";
import {
  ZoomCreatedUser,
  ZoomPlanUsage,
  ZoomUser,
  ZoomUserList,
  ZoomUserSettings,
  ZoomUsersSummary,
} from "./schemas.ts";

export type { UserCreateAction, ZoomUserType };

/** The user by id or email; undefined when Zoom does not know it in this account (1001). */
export async function findUser(client: ZoomClient, idOrEmail: string): Promise<ZoomUser | undefined> {
  try {
    return await client.call({
      operation: "users.get",
      method: "GET",
      path: `/users/${seg(idOrEmail)}`,
      schema: ZoomUser,
    });
  } catch (err) {
    if (err instanceof ZoomApiError && (err.zoomCode === 1001 || err.status === 404)) return undefined;
    throw err;
  }
}

export function createUser(
  client: ZoomClient,
  action: UserCreateAction,
  info: { email: string; firstName: string; lastName: string; type: ZoomUserType },
) {
  return client.call({
    operation: "users.create",
    method: "POST",
    path: "/users",
    body: createUserBody(action, info),
    schema: ZoomCreatedUser,
  });
}

export function updateUser(
  client: ZoomClient,
  zoomUserId: string,
  patch: { type?: ZoomUserType; first_name?: string; last_name?: string },
) {
  return client.call({
    operation: "users.update",
    method: "PATCH",
    path: `/users/${seg(zoomUserId)}`,
    body: updateUserBody(patch),
  });
}

export function setUserStatus(client: ZoomClient, zoomUserId: string, action: "activate" | "deactivate") {
  return client.call({
    operation: "users.status",
    method: "PUT",
    path: `/users/${seg(zoomUserId)}/status`,
    body: userStatusBody(action),
  });
}

export function getUserSettings(client: ZoomClient, zoomUserId: string) {
  return client.call({
    operation: "users.settings.get",
    method: "GET",
    path: `/users/${seg(zoomUserId)}/settings`,
    schema: ZoomUserSettings,
  });
}

export function updateCloudRecording(client: ZoomClient, zoomUserId: string, allowed: boolean) {
  return client.call({
    operation: "users.settings.update",
    method: "PATCH",
    path: `/users/${seg(zoomUserId)}/settings`,
    body: cloudRecordingBody(allowed),
  });
}

/** Removes the user from the account: `disassociate` keeps their Zoom login, `delete` ends it. */
export async function removeUser(
  client: ZoomClient,
  zoomUserId: string,
  action: "disassociate" | "delete",
): Promise<void> {
  try {
    await client.call({
      operation: "users.delete",
      method: "DELETE",
      path: `/users/${seg(zoomUserId)}`,
      query: { action },
    });
  } catch (err) {
    // Already gone from the account: the outcome the caller wanted.
    if (err instanceof ZoomApiError && err.zoomCode === 1001) return;
    throw err;
  }
}

/** Every user of the account with the given status, across all pages. */
export function listUsers(client: ZoomClient, status: "active" | "inactive" | "pending") {
  return client.pages(
    {
      operation: "users.list",
      method: "GET",
      path: "/users",
      query: { status, page_size: 300 },
      schema: ZoomUserList,
    },
    "users",
  );
}

export function usersSummary(client: ZoomClient) {
  return client.call({
    operation: "users.summary",
    method: "GET",
    path: "/users/summary",
    schema: ZoomUsersSummary,
  });
}

export function planUsage(client: ZoomClient) {
  return client.call({
    operation: "accounts.plans.usage",
    method: "GET",
    path: "/accounts/me/plans/usage",
    schema: ZoomPlanUsage,
  });
}
