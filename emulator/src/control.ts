// The /__emulator control API used by tests and demos: reset, configuration, clock, faults,
// stats, the webhook outbox, simulations and deauthorization.
import type { Core } from "./core.ts";
import { describe } from "./downloads.ts";
import { addFault, type FaultInput } from "./faults.ts";
import { json, type WireRequest, type WireResponse, ZoomError } from "./http.ts";
import { hex, isoSeconds, newOpaque, newUserId, randomBytes } from "./ids.ts";
import { applyMeetingUpdate } from "./rest/meetings.ts";
import { routes } from "./rest/router.ts";
import { GRANULAR_SCOPES } from "./scopes.ts";
import { makeUser, SEED } from "./seed.ts";
import { completeRecording, completeTranscript, type SimulateInput, simulateMeeting } from "./simulate.ts";
import { issuePortalToken, revokeAccount, validTokens } from "./tokens.ts";
import {
  checkValidationAnswer,
  dueDeliveries,
  duplicateDelivery,
  emitEvent,
  emitUrlValidation,
  recordAnswer,
  revalidateIfDue,
  sendDue,
} from "./webhooks.ts";

type Body = Record<string, unknown>;

import { applyConfig, publicConfig } from "./control-config.ts";

function body(req: WireRequest): Body {
  if (!req.body.trim()) return {};
  const parsed: unknown = JSON.parse(req.body);
  return parsed && typeof parsed === "object" ? (parsed as Body) : {};
}

function bad(message: string): WireResponse {
  return json(400, { error: message });
}

function stats(core: Core) {
  return {
    requests: core.db.countersWithPrefix("stat:op:"),
    grants: {
      authorization_code: core.db.counter("stat:grant:authorization_code"),
      refresh_token: core.db.counter("stat:grant:refresh_token"),
    },
    invalidGrants: core.db.counter("stat:invalidGrants"),
    revocations: core.db.counter("stat:revocations"),
    validTokens: validTokens(core),
  };
}

/**
 * Every secret the emulator has handed out since the last reset, used, expired and revoked ones
 * included: OAuth access and refresh tokens, webhook download tokens, ZAKs of start URLs and the
 * signatures of file URLs. A product test scans its storage and logs for them.
 */
function issuedSecrets(core: Core) {
  const tokens = (kind: string) =>
    core.db
      .all<{ token: string }>("SELECT token FROM tokens WHERE kind = ? ORDER BY rowid", kind)
      .map((r) => r.token);
  return {
    access: tokens("access"),
    refresh: tokens("refresh"),
    download: tokens("download"),
    zak: core.db.all<{ zak: string }>("SELECT zak FROM start_links ORDER BY rowid").map((r) => r.zak),
    fileUrlSignatures: core.db
      .all<{ sig: string }>("SELECT sig FROM file_url_signatures ORDER BY rowid")
      .map((r) => r.sig),
  };
}

function createAccount(core: Core, b: Body) {
  const n = core.db.accounts().length + 1;
  const id = typeof b.id === "string" ? b.id : `emuAcct${newOpaque(6)}`;
  const ownerId = newUserId();
  const email = typeof b.ownerEmail === "string" ? b.ownerEmail : `owner@school-${n}.example`;
  core.db.putAccount({
    id,
    name: typeof b.name === "string" ? b.name : `School ${n}`,
    ownerId,
    accountNumber: 9_100_000_000 + n,
    planType: "Pro",
    seats: typeof b.seats === "number" ? b.seats : 5,
    storageBytes: 5 * 1024 ** 3,
    baseUsageBytes: 0,
  });
  core.db.putUser(
    makeUser(
      {
        id: ownerId,
        accountId: id,
        email,
        firstName: "Account",
        lastName: "Owner",
        type: 2,
        status: "active",
        role: "Owner",
      },
      isoSeconds(core.now()),
    ),
  );
  return { accountId: id, ownerId, ownerEmail: email };
}

async function deauthorize(core: Core, b: Body) {
  const accountId = typeof b.accountId === "string" ? b.accountId : SEED.accountA;
  const account = core.db.account(accountId);
  if (!account) throw new Error(`unknown account ${accountId}`);
  const clientId = typeof b.clientId === "string" ? b.clientId : SEED.clientId;
  const grantUser = core.db.one<{ user_id: string }>(
    "SELECT user_id FROM tokens WHERE account_id = ? AND client_id = ? ORDER BY rowid DESC LIMIT 1",
    accountId,
    clientId,
  );
  revokeAccount(core, accountId, clientId);
  const now = core.now();
  const delivery = await emitEvent(core, "app_deauthorized", {
    account_id: accountId,
    user_id: grantUser?.user_id ?? account.ownerId,
    signature: hex(randomBytes(32)),
    deauthorization_time: isoSeconds(now),
    client_id: clientId,
    event_ts: now,
  });
  return { delivery: delivery.id };
}

export interface ControlHooks {
  reset(): void;
}

/** Routes /__emulator/* except the file hash, which the Worker computes by streaming. */
export async function handleControl(
  core: Core,
  req: WireRequest,
  hooks: ControlHooks,
): Promise<WireResponse> {
  const path = req.path.replace(/^\/__emulator/, "");
  const m = req.method;
  try {
    if (m === "POST" && path === "/reset") {
      hooks.reset();
      return json(200, { ok: true });
    }
    if (path === "/config") {
      if (m === "POST") applyConfig(core, body(req));
      const b = m === "POST" ? body(req) : {};
      const webhook = b.webhook as { url?: string } | undefined;
      if (webhook?.url) await emitUrlValidation(core);
      return json(200, publicConfig(core));
    }
    if (m === "POST" && path === "/accounts") return json(201, createAccount(core, body(req)));
    if (m === "GET" && path === "/stats") return json(200, stats(core));
    if (m === "POST" && path === "/portal-token") {
      const b = body(req);
      const account = core.db.account(typeof b.accountId === "string" ? b.accountId : SEED.accountA);
      if (!account) return bad("accountId: no such account");
      return json(200, {
        access_token: issuePortalToken(core, account.id, account.ownerId, [...GRANULAR_SCOPES]),
      });
    }
    if (m === "GET" && path === "/operations") {
      // What each emulated /v2 operation needs: classic scopes for classic clients, granular for granular.
      return json(200, {
        operations: routes.map(({ operation, method, path: template, label, scopes, granular }) => ({
          operation,
          method,
          path: template,
          label,
          scopes,
          granular,
        })),
      });
    }
    if (m === "GET" && path === "/issued-secrets") return json(200, issuedSecrets(core));
    if (m === "POST" && path === "/clock") {
      const b = body(req);
      const now = core.advanceClock(typeof b.advanceSeconds === "number" ? b.advanceSeconds : 0);
      // Time passing is what makes retries and the 72-hour URL validation due.
      await revalidateIfDue(core);
      core.defer(sendDue(core));
      return json(200, { now: isoSeconds(now), nowMs: now });
    }
    if (m === "GET" && path === "/clock")
      return json(200, { now: isoSeconds(core.now()), nowMs: core.now() });
    if (path === "/faults") {
      if (m === "POST") return json(201, { id: addFault(core, body(req) as FaultInput).id });
      if (m === "GET") return json(200, { faults: core.db.faults() });
      if (m === "DELETE") {
        core.db.run("DELETE FROM faults");
        return json(200, { ok: true });
      }
    }
    const faultMatch = /^\/faults\/([^/]+)$/.exec(path);
    if (m === "DELETE" && faultMatch?.[1]) {
      core.db.deleteFault(faultMatch[1]);
      return json(200, { ok: true });
    }
    if (path === "/webhooks") {
      if (m === "GET") return json(200, { deliveries: core.db.deliveries() });
      if (m === "DELETE") {
        core.db.run("DELETE FROM outbox");
        return json(200, { ok: true });
      }
    }
    if (m === "GET" && path === "/webhooks/due") {
      return json(200, { deliveries: await dueDeliveries(core) });
    }
    if (m === "POST" && path === "/webhooks/release") {
      await sendDue(core);
      return json(200, { deliveries: core.db.deliveries() });
    }
    if (m === "POST" && path === "/webhooks/reorder") {
      const ids = body(req).ids;
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string"))
        return bad("ids: the delivery ids in the order wanted");
      core.db.reorderDeliveries(ids as string[]);
      return json(200, { deliveries: core.db.deliveries() });
    }
    const hook = /^\/webhooks\/(wh_[^/]+)\/(answer|duplicate)$/.exec(path);
    if (m === "POST" && hook?.[1]) {
      if (hook[2] === "duplicate") {
        const copy = await duplicateDelivery(core, hook[1]);
        return copy ? json(201, { delivery: copy }) : json(404, { error: "no such delivery" });
      }
      const b = body(req);
      if (typeof b.status !== "number" && typeof b.status !== "string")
        return bad("status: the endpoint's HTTP status, or what went wrong");
      const answered = await recordAnswer(
        core,
        hook[1],
        b.status,
        typeof b.body === "string" ? b.body : undefined,
      );
      return answered ? json(200, { delivery: answered }) : json(404, { error: "no such delivery" });
    }
    if (m === "POST" && path === "/webhooks/validate") {
      return json(201, { delivery: await emitUrlValidation(core) });
    }
    if (m === "POST" && path === "/webhooks/validate/check") {
      const b = body(req);
      const delivery = typeof b.deliveryId === "string" ? core.db.delivery(b.deliveryId) : undefined;
      if (!delivery) return bad("deliveryId of an endpoint.url_validation delivery is required");
      return json(200, {
        valid: await checkValidationAnswer(core, delivery.body, JSON.stringify(b.response ?? {})),
      });
    }
    const simulate = /^\/meetings\/([^/]+)\/simulate$/.exec(path);
    if (m === "POST" && simulate?.[1]) {
      return json(200, await simulateMeeting(core, simulate[1], body(req) as SimulateInput, req.origin));
    }
    const edit = /^\/meetings\/(\d+)\/edit$/.exec(path);
    if (m === "POST" && edit?.[1]) {
      // The host changes the meeting in Zoom's web portal: Zoom sends meeting.updated.
      const meeting = core.db.liveMeeting(Number(edit[1]));
      if (!meeting) return json(404, { error: "no such meeting" });
      const host = core.db.user(meeting.hostId);
      const next = await applyMeetingUpdate(core, meeting, body(req), {
        email: host?.email ?? "",
        id: meeting.hostId,
      });
      return json(200, {
        id: next.id,
        topic: next.topic,
        start_time: next.startTime,
        duration: next.duration,
      });
    }
    const transcript = /^\/recordings\/([^/]+)\/transcript$/.exec(path);
    if (m === "POST" && transcript?.[1]) {
      return json(200, await completeTranscript(core, decodeURIComponent(transcript[1]), req.origin));
    }
    const complete = /^\/recordings\/([^/]+)\/complete$/.exec(path);
    if (m === "POST" && complete?.[1]) {
      return json(200, await completeRecording(core, decodeURIComponent(complete[1]), req.origin));
    }
    if (m === "POST" && path === "/deauthorize") return json(200, await deauthorize(core, body(req)));
    const app = /^\/accounts\/([^/]+)\/app$/.exec(path);
    if (m === "POST" && app?.[1]) {
      // The account's admin disables (or enables again) the app in Zoom's Marketplace.
      const account = core.db.account(app[1]);
      if (!account) return json(404, { error: "no such account" });
      const disabled = body(req).disabled === true;
      core.db.putAccount({ ...account, appDisabled: disabled });
      return json(200, { id: account.id, appDisabled: disabled });
    }
    const accept = /^\/users\/([^/]+)\/accept$/.exec(path);
    if (m === "POST" && accept?.[1]) {
      const user = core.db.user(accept[1]);
      if (user?.status !== "pending") return json(404, { error: "no pending user with that id" });
      core.db.putUser({ ...user, status: "active" });
      await emitEvent(core, "user.invitation_accepted", {
        account_id: user.accountId,
        object: {
          id: user.id,
          first_name: user.firstName,
          last_name: user.lastName,
          email: user.email,
          type: user.type,
        },
      });
      return json(200, { id: user.id, status: "active" });
    }
    const meetingMatch = /^\/meetings\/(\d+)$/.exec(path);
    if (m === "GET" && meetingMatch?.[1]) {
      // What Zoom stored, settings included, as the account's admin would see it in Zoom's portal.
      const meeting = core.db.meeting(Number(meetingMatch[1]));
      return meeting ? json(200, meeting) : json(404, { error: "no such meeting" });
    }
    const fileMatch = /^\/files\/([^/]+)$/.exec(path);
    if (m === "GET" && fileMatch?.[1]) {
      const file = core.db.file(fileMatch[1]);
      return file ? json(200, describe(file)) : json(404, { error: "no such file" });
    }
    return json(404, { error: `unknown control route ${m} ${path}` });
  } catch (err) {
    if (err instanceof ZoomError) return err.toResponse();
    return bad(err instanceof Error ? err.message : String(err));
  }
}
