// /v2 cloud recordings (list, get, trash/delete, recover), plan usage and the cloud recording report.
import type { Recording } from "../db.ts";
import { json, noContent, validationError, ZoomError } from "../http.ts";
import { formatStorage, isoDate } from "../ids.ts";
import { paginate } from "../pagination.ts";
import { presentRecordingEvent, presentRecordingRest, usedStorage, visibleFiles } from "../recordings.ts";
import { issueDownloadToken } from "../tokens.ts";
import { emitEvent } from "../webhooks.ts";
import {
  dateParam,
  jsonBody,
  meetingNumber,
  param,
  type RestContext,
  type Route,
  resolveUser,
  str,
} from "./common.ts";

const DAY_MS = 86_400_000;

function noRecording(): ZoomError {
  return new ZoomError(404, 3301, "There is no recording for this meeting.");
}

/** A recording by instance UUID, or the latest recorded instance of a meeting number. */
function resolveRecording(c: RestContext, state: "active" | "trashed" | "any"): Recording {
  const raw = param(c, "meetingId");
  const id = meetingNumber(raw);
  const candidates =
    id === undefined ? [c.core.db.recording(raw)] : c.core.db.recordingsOfMeeting(id).reverse();
  const rec = candidates.find(
    (r) => r && r.accountId === c.account.id && (state === "any" ? r.state !== "deleted" : r.state === state),
  );
  if (!rec) throw noRecording();
  return rec;
}

function listRecordings(c: RestContext) {
  const user = resolveUser(c, param(c, "userId"));
  const today = isoDate(c.core.now());
  const from = dateParam(c, "from", isoDate(c.core.now() - DAY_MS));
  const to = dateParam(c, "to", today);
  const fromMs = Date.parse(`${from}T00:00:00Z`);
  const toMs = Date.parse(`${to}T23:59:59Z`);
  if (toMs < fromMs) throw new ZoomError(400, 300, "The end date must be after the start date.");
  const monthLater = new Date(fromMs);
  monthLater.setUTCMonth(monthLater.getUTCMonth() + 1);
  if (Date.parse(`${to}T00:00:00Z`) > monthLater.getTime()) {
    throw new ZoomError(400, 300, "The maximum date range can be one month.");
  }
  const trash = c.req.query.trash === "true";
  const state = trash ? "trashed" : "active";
  const recs = c.core.db
    .recordingsOfHost(user.id)
    .filter((r) => {
      const t = Date.parse(r.startTime);
      return t >= fromMs && t <= toMs;
    })
    .map((r) => ({ rec: r, files: visibleFiles(c.core, r, state) }))
    .filter((x) => x.files.length > 0 && x.rec.state !== "deleted");
  const page = paginate(c.core, `recordings:${user.id}:${from}:${to}:${state}`, recs, c.req.query, 300);
  return json(200, {
    from,
    to,
    ...page.meta,
    meetings: page.items.map((x) => presentRecordingRest(c.req.origin, x.rec, x.files)),
  });
}

function getRecording(c: RestContext) {
  const rec = resolveRecording(c, "active");
  const files = visibleFiles(c.core, rec, "active");
  if (!files.length) throw noRecording();
  const body: Record<string, unknown> = {
    ...presentRecordingRest(c.req.origin, rec, files),
    password: rec.password,
    recording_play_passcode: rec.password,
  };
  const include = (c.req.query.include_fields ?? "").split(",");
  if (include.includes("download_access_token")) {
    body.download_access_token = issueDownloadToken(c.core, rec.accountId, rec.hostId);
  }
  return json(200, body);
}

function deleteAction(c: RestContext): "trash" | "delete" {
  const action = c.req.query.action || "trash";
  if (action !== "trash" && action !== "delete") throw validationError("action", "Invalid field.");
  return action;
}

async function recordingEvent(
  c: RestContext,
  event: string,
  rec: Recording,
  state: "active" | "trashed" | "deleted",
) {
  const files = c.core.db.filesOf(rec.uuid).filter((f) => f.state === state);
  await emitEvent(c.core, event, {
    account_id: c.account.id,
    operator: c.caller.email,
    operator_id: c.caller.id,
    object: presentRecordingEvent(c.req.origin, rec, files),
  });
}

async function deleteRecording(c: RestContext) {
  const action = deleteAction(c);
  const rec = resolveRecording(c, action === "delete" ? "any" : "active");
  const state = action === "trash" ? "trashed" : "deleted";
  for (const f of c.core.db.filesOf(rec.uuid)) {
    if (f.state !== "deleted") c.core.db.putFile({ ...f, state });
  }
  const updated: Recording = { ...rec, state };
  c.core.db.putRecording(updated);
  await recordingEvent(c, action === "trash" ? "recording.trashed" : "recording.deleted", updated, state);
  return noContent();
}

async function deleteRecordingFile(c: RestContext) {
  const action = deleteAction(c);
  const rec = resolveRecording(c, "any");
  const file = c.core.db
    .filesOf(rec.uuid)
    .find((f) => f.fileId === param(c, "recordingId") && f.state !== "deleted");
  if (!file || (action === "trash" && file.state !== "active")) {
    throw new ZoomError(404, 3303, `The recording file does not exist: ${param(c, "recordingId")}.`);
  }
  const state = action === "trash" ? "trashed" : "deleted";
  c.core.db.putFile({ ...file, state });
  if (!c.core.db.filesOf(rec.uuid).some((f) => f.state === "active")) {
    c.core.db.putRecording({ ...rec, state });
  }
  await recordingEvent(c, action === "trash" ? "recording.trashed" : "recording.deleted", rec, state);
  return noContent();
}

async function recoverRecording(c: RestContext) {
  const action = str(jsonBody(c).action);
  if (action !== "recover") throw validationError("action", "Invalid field.");
  const raw = param(c, "meetingId");
  const rec = c.core.db.recording(raw);
  const trashed = rec ? c.core.db.filesOf(rec.uuid).filter((f) => f.state === "trashed") : [];
  if (!rec || rec.accountId !== c.account.id || !trashed.length) throw noRecording();
  for (const f of trashed) c.core.db.putFile({ ...f, state: "active" });
  const updated: Recording = { ...rec, state: "active" };
  c.core.db.putRecording(updated);
  await recordingEvent(c, "recording.recovered", updated, "active");
  // The spec documents 200 with no body.
  return { status: 200, headers: {}, body: "" };
}

/**
 * Zoom's Billing API answer: `plan_base` is one object ({type, hosts, usage, pending}), storage is
 * text. Usage fills the free storage of the licenses first, then an additional storage plan; what
 * is beyond both is `plan_storage_exceed`.
 */
function planUsage(c: RestContext) {
  const accountId = param(c, "accountId");
  if (accountId !== "me" && accountId !== c.account.id) {
    throw new ZoomError(400, 200, "Only available for master account or the account itself.");
  }
  const used = usedStorage(c.core, c.account.id);
  const free = c.account.freeStorageBytes ?? 0;
  const plan = c.account.storageBytes;
  const freeUsed = Math.min(used, free);
  const planUsed = Math.min(used - freeUsed, plan);
  const exceed = used - freeUsed - planUsed;
  const users = c.core.db.usersOf(c.account.id);
  const licensed = users.filter((u) => u.type === 2 && u.status === "active").length;
  const pending = users.filter((u) => u.type === 2 && u.status === "pending").length;
  return json(200, {
    plan_base: { type: "monthly", hosts: c.account.seats, usage: licensed, pending },
    plan_recording: {
      free_storage: formatStorage(free),
      free_storage_usage: formatStorage(freeUsed),
      plan_storage: formatStorage(plan),
      plan_storage_usage: formatStorage(planUsed),
      plan_storage_exceed: formatStorage(exceed),
    },
  });
}

function cloudRecordingReport(c: RestContext) {
  const now = c.core.now();
  const from = dateParam(c, "from", isoDate(now - DAY_MS));
  const to = dateParam(c, "to", isoDate(now));
  const fromMs = Date.parse(`${from}T00:00:00Z`);
  const toMs = Date.parse(`${to}T00:00:00Z`);
  if (toMs < fromMs) throw new ZoomError(400, 300, "The end date must be after the start date.");
  if (toMs - fromMs > 30 * DAY_MS) throw new ZoomError(400, 300, "The date range must be within one month.");
  const base = c.core.db.account(c.account.id)?.baseUsageBytes ?? 0;
  const files = c.core.db
    .recordingsOfAccount(c.account.id)
    .flatMap((r) => c.core.db.filesOf(r.uuid).map((f) => ({ day: r.startTime.slice(0, 10), f })))
    .filter((x) => x.f.state === "active");
  const days = [];
  for (let t = fromMs; t <= toMs; t += DAY_MS) {
    const day = isoDate(t);
    const used = base + files.filter((x) => x.day <= day).reduce((n, x) => n + x.f.size, 0);
    days.push({ date: day, usage: formatStorage(used), plan_usage: formatStorage(used), free_usage: "0" });
  }
  return json(200, { from, to, cloud_recording_storage: days });
}

const READ = ["recording:read:admin"];
const WRITE = ["recording:write:admin"];

export const recordingRoutes: Route[] = [
  {
    method: "GET",
    path: "/users/{userId}/recordings",
    operation: "recordings.list",
    label: "MEDIUM",
    scopes: READ,
    granular: [
      "cloud_recording:read:list_user_recordings",
      "cloud_recording:read:list_user_recordings:master",
      "cloud_recording:read:list_user_recordings:admin",
    ],
    handler: listRecordings,
  },
  {
    method: "GET",
    path: "/meetings/{meetingId}/recordings",
    operation: "recordings.get",
    label: "LIGHT",
    scopes: READ,
    granular: [
      "cloud_recording:read:list_recording_files:admin",
      "cloud_recording:read:list_recording_files",
      "cloud_recording:read:list_recording_files:master",
    ],
    handler: getRecording,
  },
  {
    method: "DELETE",
    path: "/meetings/{meetingId}/recordings",
    operation: "recordings.delete",
    label: "LIGHT",
    scopes: WRITE,
    granular: [
      "cloud_recording:delete:meeting_recording",
      "cloud_recording:delete:meeting_recording:admin",
      "cloud_recording:delete:meeting_recording:master",
    ],
    handler: deleteRecording,
  },
  {
    method: "DELETE",
    path: "/meetings/{meetingId}/recordings/{recordingId}",
    operation: "recordings.deleteFile",
    label: "LIGHT",
    scopes: WRITE,
    granular: [
      "cloud_recording:delete:recording_file",
      "cloud_recording:delete:recording_file:admin",
      "cloud_recording:delete:recording_file:master",
    ],
    handler: deleteRecordingFile,
  },
  {
    method: "PUT",
    path: "/meetings/{meetingId}/recordings/status",
    operation: "recordings.recover",
    label: "LIGHT",
    scopes: WRITE,
    granular: [
      "cloud_recording:update:recover_meeting_recordings",
      "cloud_recording:update:recover_meeting_recordings:master",
      "cloud_recording:update:recover_meeting_recordings:admin",
    ],
    handler: recoverRecording,
  },
  {
    method: "GET",
    path: "/accounts/{accountId}/plans/usage",
    operation: "accounts.plans.usage",
    label: "HEAVY",
    scopes: ["account:read:admin"],
    granular: ["billing:read:plan_usage:admin"],
    handler: planUsage,
  },
  {
    method: "GET",
    path: "/report/cloud_recording",
    operation: "report.cloud_recording",
    label: "HEAVY",
    scopes: ["report:read:admin"],
    granular: ["report:read:cloud_recording:admin"],
    handler: cloudRecordingReport,
  },
];
