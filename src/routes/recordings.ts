// /v1/recordings (archived recordings, playback links, retry, delete) and the tenant's archive
// policy /v1/zoom/archive-policy. HTTP only: logic lives in src/archive/.
import { visibleTo } from "../archive/access.ts";
import {
  deleteRecording,
  findRecordingFile,
  getRecording,
  listRecordings,
  mayView,
  presentRecording,
  retryRecording,
} from "../archive/manage.ts";
import { database } from "../db/client.ts";
import { getTenant, updateTenant } from "../db/tenants.ts";
import { createRouter } from "../http/context.ts";
import { ApiError, notFound } from "../http/problem.ts";
import { mintPlayToken } from "../links/play-token.ts";
import * as contract from "./contracts/recordings.ts";
import { notYours } from "./contracts/recordings.ts";

export const recordingsApi = createRouter();

recordingsApi.openapi(contract.getRecordings, async (c) => {
  const q = c.req.valid("query");
  const principal = c.get("principal");
  const list = await listRecordings(database(c.env.DB), principal.tenantId, q, visibleTo(principal));
  return c.json({ recordings: list }, 200);
});

recordingsApi.openapi(contract.getRecording, async (c) => {
  const db = database(c.env.DB);
  const principal = c.get("principal");
  const { row, files } = await getRecording(db, principal.tenantId, c.req.valid("param").id);
  if (!(await mayView(db, principal, row.id))) throw notYours();
  return c.json(presentRecording(row, files), 200);
});

recordingsApi.openapi(contract.postRecordingsFilesPlaybackLink, async (c) => {
  const config = c.get("config");
  const principal = c.get("principal");
  const { tenantId, userId } = principal;
  const { fileId } = c.req.valid("param");
  const db = database(c.env.DB);
  const found = await findRecordingFile(db, tenantId, fileId);
  if (!found) throw notFound("No such recording file");
  if (!(await mayView(db, principal, found.recording.id))) throw notYours();
  if (found.file.status !== "archived") {
    throw new ApiError(409, "not_archived", "Not archived yet", "The file is not archived yet", {
      status: found.file.status,
    });
  }
  // Long enough to watch the whole recording, pausing included.
  const ttl = config.playLinkTtlSeconds + (found.recording.durationMinutes ?? 0) * 60;
  const { token, expiresAt } = await mintPlayToken(
    config.linkKeys,
    { tenantId, fileId, subject: userId },
    ttl,
  );
  return c.json(
    { url: `${config.publicBaseUrl}/r/${token}`, expiresAt: new Date(expiresAt * 1000).toISOString() },
    200,
  );
});

recordingsApi.openapi(contract.postRecordingsRetry, async (c) => {
  const principal = c.get("principal");
  const id = c.req.valid("param").id;
  await getRecording(database(c.env.DB), principal.tenantId, id);
  if (!(await mayView(database(c.env.DB), principal, id))) throw notYours();
  const enqueued = await retryRecording(c.env, principal.tenantId, id);
  return c.json({ enqueued }, 202);
});

recordingsApi.openapi(contract.deleteRecordings, async (c) => {
  const p = c.get("principal");
  const result = await deleteRecording(
    c.env,
    c.get("config"),
    p,
    c.req.valid("param").id,
    c.req.valid("query").fromZoom === "true",
  );
  return c.json(result, 200);
});

recordingsApi.openapi(contract.putZoomArchivePolicy, async (c) => {
  const policy = c.req.valid("json");
  const t = await updateTenant(database(c.env.DB), c.get("principal").tenantId, {
    settings: { archivePolicy: policy },
  });
  return c.json(t.settings.archivePolicy ?? policy, 200);
});

recordingsApi.openapi(contract.getZoomArchivePolicy, async (c) => {
  const t = await getTenant(database(c.env.DB), c.get("principal").tenantId);
  return c.json(t.settings.archivePolicy ?? { deleteFromZoom: "never" as const }, 200);
});
