// Building blocks shared by the /v2 handlers: the route and context types, body parsing and the
// lookups every resource needs (user by id/email/"me", meeting by number, instance by UUID).
import type { Core } from "../core.ts";
import type { Account, Instance, Meeting, TokenRow, User } from "../db.ts";
import { type WireRequest, type WireResponse, ZoomError } from "../http.ts";
import type { RateLabel } from "../ratelimit.ts";

export interface RestContext {
  core: Core;
  req: WireRequest;
  token: TokenRow;
  account: Account;
  /** The user who authorized the app. */
  caller: User;
  params: Record<string, string>;
}

export interface Route {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** Zoom's path template, for example /users/{userId}/meetings. */
  path: string;
  /** Stable name used by stats, faults and rate limits. */
  operation: string;
  label: RateLabel;
  /** Classic scopes, any one of which allows the call (for a client registered with classic scopes). */
  scopes: string[];
  /** The operation's `x-granular-scopes`, any one of which allows the call (granular clients). */
  granular: string[];
  /** HTTP status of a 124 (bad or expired token) where Zoom does not send 401. */
  tokenErrorStatus?: 400;
  handler: (c: RestContext) => Promise<WireResponse> | WireResponse;
}

export function jsonBody(c: RestContext): Record<string, unknown> {
  if (!c.req.body.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(c.req.body);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through to Zoom's answer for a body it cannot read
  }
  throw new ZoomError(400, 300, "Request Body should be a valid JSON object.");
}

export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export function int(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) ? v : undefined;
}

export function param(c: RestContext, name: string): string {
  return c.params[name] ?? "";
}

export function userNotFound(id: string): ZoomError {
  return new ZoomError(404, 1001, `User does not exist: ${id}.`);
}

/** "me", a user id or an email, within the caller's account. Pending users are found by email only. */
export function resolveUser(c: RestContext, idOrEmail: string): User {
  if (idOrEmail === "me") return c.caller;
  const user = idOrEmail.includes("@") ? c.core.db.userByEmail(idOrEmail) : c.core.db.user(idOrEmail);
  if (!user || user.accountId !== c.account.id) throw userNotFound(idOrEmail);
  return user;
}

export function meetingNotFound(id: string | number): ZoomError {
  return new ZoomError(404, 3001, `Meeting does not exist: ${id}.`);
}

export function meetingNumber(raw: string): number | undefined {
  return /^\d{9,12}$/.test(raw) ? Number(raw) : undefined;
}

/** A meeting unused (not created nor started) for 365 days has expired. */
const EXPIRY_MS = 365 * 86_400_000;

export function resolveMeeting(c: RestContext, raw: string): Meeting {
  const id = meetingNumber(raw);
  const meeting = id === undefined ? undefined : c.core.db.liveMeeting(id);
  if (!meeting || meeting.accountId !== c.account.id) throw meetingNotFound(raw);
  const lastUsed = meeting.lastUsedAt ?? Date.parse(meeting.createdAt);
  if (c.core.now() - lastUsed > EXPIRY_MS) throw meetingNotFound(raw);
  return meeting;
}

/** A past instance by UUID, or the latest instance of a meeting number. */
export function resolveInstance(c: RestContext, raw: string): Instance | undefined {
  const id = meetingNumber(raw);
  const instance = id === undefined ? c.core.db.instance(raw) : c.core.db.instancesOf(id).at(-1);
  return instance && instance.accountId === c.account.id ? instance : undefined;
}

export function dateParam(c: RestContext, name: string, fallback: string): string {
  const value = c.req.query[name];
  if (value === undefined || value === "") return fallback;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new ZoomError(400, 300, `Invalid parameter: ${name}.`);
  }
  return value;
}
