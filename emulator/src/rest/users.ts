// /v2/users: list, create, get, update, delete, status, settings and the seat summary, with the
// seat limit (2034) and user.* webhooks.
import type { Core } from "../core.ts";
import type { Account, User, UserSettings, UserType } from "../db.ts";
import { json, noContent, validationError, ZoomError } from "../http.ts";
import { isoSeconds, newUserId } from "../ids.ts";
import { paginate } from "../pagination.ts";
import { makeUser } from "../seed.ts";
import { emitEvent } from "../webhooks.ts";
import { int, jsonBody, param, type RestContext, type Route, resolveUser, str } from "./common.ts";

const ROLE_IDS = { Owner: "0", Admin: "1", Member: "2" } as const;

export function publicUser(u: User, account: Account, origin: string) {
  const base = {
    id: u.id,
    first_name: u.firstName,
    last_name: u.lastName,
    display_name: `${u.firstName} ${u.lastName}`.trim(),
    email: u.email,
    type: u.type,
    pmi: u.pmi,
    timezone: u.timezone,
    verified: u.status === "active" ? 1 : 0,
    dept: u.dept,
    created_at: u.createdAt,
    user_created_at: u.createdAt,
    last_login_time: u.createdAt,
    last_client_version: "6.3.0.52884(mac)",
    language: "en-US",
    status: u.status,
    role_id: ROLE_IDS[u.role],
  };
  return {
    ...base,
    role_name: u.role,
    use_pmi: false,
    personal_meeting_url: `${origin}/j/${u.pmi}`,
    account_id: account.id,
    account_number: account.accountNumber,
    cluster: "us06",
    login_types: [100],
    phone_number: "",
    jid: `${u.id.toLowerCase()}@xmpp.zoom.us`,
  };
}

/** In lists pending users appear without an id, as Zoom sends them. */
function listedUser(u: User, account: Account, origin: string) {
  const {
    role_name,
    use_pmi,
    personal_meeting_url,
    account_id,
    account_number,
    cluster,
    login_types,
    jid,
    ...item
  } = publicUser(u, account, origin);
  if (u.status === "pending") {
    const { id, ...rest } = item;
    return rest;
  }
  return item;
}

/** Licensed users hold paid seats, pending invitations included. */
export function licensedCount(core: Core, accountId: string, except?: string): number {
  return core.db.usersOf(accountId).filter((u) => u.type === 2 && u.status !== "inactive" && u.id !== except)
    .length;
}

function seatLimitError(account: Account): ZoomError {
  return new ZoomError(
    400,
    2034,
    `Your request to add a new Licensed user could not be approved at this time because your account has reached the permitted maximum number of ${account.seats} paid users. Please purchase additional licenses or contact the Zoom support team to provision additional users in your account.`,
  );
}

function eventUser(u: User) {
  return { id: u.id, first_name: u.firstName, last_name: u.lastName, email: u.email, type: u.type };
}

function operator(c: RestContext) {
  return { account_id: c.account.id, operator: c.caller.email, operator_id: c.caller.id };
}

function listUsers(c: RestContext) {
  const status = c.req.query.status || "active";
  if (!["active", "inactive", "pending"].includes(status)) throw validationError("status", "Invalid field.");
  const users = c.core.db.usersOf(c.account.id).filter((u) => u.status === status);
  const page = paginate(c.core, `users:${c.account.id}:${status}`, users, c.req.query, 2000);
  return json(200, {
    ...page.meta,
    page_number: 1,
    users: page.items.map((u) => listedUser(u, c.account, c.req.origin)),
  });
}

async function createUser(c: RestContext) {
  const body = jsonBody(c);
  const action = str(body.action);
  if (!action || !["create", "custCreate", "autoCreate", "ssoCreate"].includes(action)) {
    throw validationError("action", "Invalid field.");
  }
  // custCreate needs Zoom's approval of the app (ISV agreement); without it Zoom answers "No privilege."
  if (action === "custCreate" && !c.core.db.client(c.token.client_id)?.custCreate) {
    throw new ZoomError(400, 200, "No privilege.");
  }
  const info = (body.user_info ?? {}) as Record<string, unknown>;
  const email = str(info.email)?.trim();
  if (!email || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email))
    throw validationError("user_info.email", "Invalid field.");
  const type = (int(info.type) ?? 1) as UserType;
  if (type !== 1 && type !== 2) throw validationError("user_info.type", "Invalid field.");
  const existing = c.core.db.userByEmail(email);
  if (existing?.accountId === c.account.id)
    throw new ZoomError(409, 1005, `User already in the account: ${email}`);
  if (existing && existing.status === "active" && action !== "create") {
    throw new ZoomError(400, 1009, `The user ${email} already holds an active account.`);
  }
  if (type === 2 && licensedCount(c.core, c.account.id) >= c.account.seats) throw seatLimitError(c.account);
  const user = makeUser(
    {
      id: newUserId(),
      accountId: c.account.id,
      email,
      firstName: str(info.first_name) ?? "",
      lastName: str(info.last_name) ?? "",
      type,
      // An invitation stays pending until the person accepts it; the other actions create active users.
      status: action === "create" ? "pending" : "active",
      role: "Member",
    },
    isoSeconds(c.core.now()),
  );
  c.core.db.putUser(user);
  await emitEvent(c.core, "user.created", { ...operator(c), creation_type: action, object: eventUser(user) });
  return json(201, {
    id: user.id,
    first_name: user.firstName,
    last_name: user.lastName,
    email: user.email,
    type: user.type,
  });
}

function getUser(c: RestContext) {
  const user = resolveUser(c, param(c, "userId"));
  return json(200, publicUser(user, c.account, c.req.origin));
}

async function updateUser(c: RestContext) {
  const user = resolveUser(c, param(c, "userId"));
  const body = jsonBody(c);
  const next: User = { ...user };
  const changed: Record<string, unknown> = {};
  const old: Record<string, unknown> = {};
  const set = <K extends keyof User>(key: K, wire: string, value: User[K] | undefined) => {
    if (value === undefined || value === user[key]) return;
    next[key] = value;
    changed[wire] = value;
    old[wire] = user[key];
  };
  set("firstName", "first_name", str(body.first_name));
  set("lastName", "last_name", str(body.last_name));
  set("dept", "dept", str(body.dept));
  set("timezone", "timezone", str(body.timezone));
  if (body.type !== undefined) {
    const type = int(body.type);
    if (type !== 1 && type !== 2) throw validationError("type", "Invalid field.");
    if (type === 2 && user.type !== 2 && licensedCount(c.core, c.account.id, user.id) >= c.account.seats) {
      throw seatLimitError(c.account);
    }
    set("type", "type", type);
  }
  c.core.db.putUser(next);
  if (Object.keys(changed).length) {
    await emitEvent(c.core, "user.updated", {
      ...operator(c),
      object: { id: user.id, ...changed },
      old_object: { id: user.id, ...old },
      time_stamp: c.core.now(),
    });
  }
  return noContent();
}

async function deleteUser(c: RestContext) {
  const user = resolveUser(c, param(c, "userId"));
  const action = c.req.query.action || "disassociate";
  if (action !== "disassociate" && action !== "delete") throw validationError("action", "Invalid field.");
  if (user.role === "Owner")
    throw new ZoomError(400, 200, "The account owner cannot be deleted or disassociated.");
  c.core.db.deleteUser(user.id);
  await emitEvent(c.core, action === "delete" ? "user.deleted" : "user.disassociated", {
    ...operator(c),
    object: eventUser(user),
  });
  return noContent();
}

async function updateStatus(c: RestContext) {
  const user = resolveUser(c, param(c, "userId"));
  const action = str(jsonBody(c).action);
  if (action !== "activate" && action !== "deactivate") throw validationError("action", "Invalid field.");
  if (user.role !== "Member") {
    throw new ZoomError(400, 200, "Zoom Room and Admin users' status cannot be activated or deactivated.");
  }
  if (action === "activate" && user.type === 2 && user.status === "inactive") {
    if (licensedCount(c.core, c.account.id, user.id) >= c.account.seats) throw seatLimitError(c.account);
  }
  c.core.db.putUser({ ...user, status: action === "activate" ? "active" : "inactive" });
  await emitEvent(c.core, action === "activate" ? "user.activated" : "user.deactivated", {
    ...operator(c),
    object: eventUser(user),
  });
  // The spec documents 200 with no body for this call.
  return { status: 200, headers: {}, body: "" };
}

function getSettings(c: RestContext) {
  return json(200, resolveUser(c, param(c, "userId")).settings);
}

function updateSettings(c: RestContext) {
  const user = resolveUser(c, param(c, "userId"));
  const body = jsonBody(c);
  const settings: UserSettings = structuredClone(user.settings);
  for (const section of Object.keys(settings) as (keyof UserSettings)[]) {
    const patch = body[section];
    if (patch && typeof patch === "object") Object.assign(settings[section], patch);
  }
  c.core.db.putUser({ ...user, settings });
  return noContent();
}

function summary(c: RestContext) {
  const users = c.core.db.usersOf(c.account.id);
  const active = users.filter((u) => u.status === "active");
  const licensed = active.filter((u) => u.type === 2).length;
  const basic = active.filter((u) => u.type === 1).length;
  const pending = users.filter((u) => u.status === "pending").length;
  return json(200, {
    licensed_users_count: licensed,
    basic_users_count: basic,
    on_prem_users_count: 0,
    room_users_count: 0,
    pending_users_count: pending,
    join_only_users_count: 0,
    total_users_count: licensed + basic + pending,
  });
}

const READ = ["user:read:admin", "user:write:admin"];
const WRITE = ["user:write:admin"];

export const userRoutes: Route[] = [
  {
    method: "GET",
    path: "/users",
    operation: "users.list",
    label: "MEDIUM",
    scopes: READ,
    granular: ["user:read:list_users:admin"],
    tokenErrorStatus: 400,
    handler: listUsers,
  },
  {
    method: "POST",
    path: "/users",
    operation: "users.create",
    label: "LIGHT",
    scopes: WRITE,
    granular: ["user:write:user:admin"],
    handler: createUser,
  },
  {
    method: "GET",
    path: "/users/summary",
    operation: "users.summary",
    label: "MEDIUM",
    scopes: READ,
    granular: ["user:read:summary:admin"],
    tokenErrorStatus: 400,
    handler: summary,
  },
  {
    method: "GET",
    path: "/users/{userId}",
    operation: "users.get",
    label: "LIGHT",
    scopes: READ,
    granular: ["user:read:user", "user:read:user:admin"],
    handler: getUser,
  },
  {
    method: "PATCH",
    path: "/users/{userId}",
    operation: "users.update",
    label: "LIGHT",
    scopes: WRITE,
    granular: ["user:update:user", "user:update:user:admin"],
    handler: updateUser,
  },
  {
    method: "DELETE",
    path: "/users/{userId}",
    operation: "users.delete",
    label: "LIGHT",
    scopes: WRITE,
    granular: ["user:delete:user", "user:delete:user:admin"],
    handler: deleteUser,
  },
  {
    method: "PUT",
    path: "/users/{userId}/status",
    operation: "users.status",
    label: "LIGHT",
    scopes: WRITE,
    granular: ["user:update:status", "user:update:status:admin"],
    handler: updateStatus,
  },
  {
    method: "GET",
    path: "/users/{userId}/settings",
    operation: "users.settings.get",
    label: "MEDIUM",
    scopes: READ,
    granular: ["user:read:settings", "user:read:settings:admin"],
    handler: getSettings,
  },
  {
    method: "PATCH",
    path: "/users/{userId}/settings",
    operation: "users.settings.update",
    label: "MEDIUM",
    scopes: WRITE,
    granular: ["user:update:settings", "user:update:settings:admin"],
    handler: updateSettings,
  },
];
