// /v1/recordings (archived recordings, playback links, retry, delete) and the tenant's archive
// policy /v1/zoom/archive-policy. HTTP only: logic lives in src/archive/.
import { visibleTo } from "../archive/access.ts";
import {
  deleteRecording,
  listRecordings,
  presentRecording,
  requirePlayableFile,
  requireViewableRecording,
  retryRecording,
} from "../archive/manage.ts";
import { database } from "../db/client.ts";
import { getTenant, updateTenant } from "../db/tenants.ts";
import { createRouter } from "../http/context.ts";
import { mintPlayToken } from "../links/play-token.ts";
import * as contract from "./contracts/recordings.ts";

export const recordingsApi = createRouter();

recordingsApi.openapi(contract.getRecordings, async (c) => {
  const q = c.req.valid("query");
  const principal = c.get("principal");
  const list = await listRecordings(database(c.env.DB), principal.tenantId, q, visibleTo(principal));
  return c.json({ recordings: list }, 200);
});

recordingsApi.openapi(contract.getRecording, async (c) => {
  const principal = c.get("principal");
  const { row, files } = await requireViewableRecording(
    database(c.env.DB),
    principal,
    c.req.valid("param").id,
  );
  return c.json(presentRecording(row, files), 200);
});

recordingsApi.openapi(contract.postRecordingsFilesPlaybackLink, async (c) => {
  const config = c.get("config");
  const principal = c.get("principal");
  const { fileId } = c.req.valid("param");
  const found = await requirePlayableFile(database(c.env.DB), principal, fileId);
  // Long enough to watch the whole recording, pausing included.
  const ttl = config.playLinkTtlSeconds + (found.recording.durationMinutes ?? 0) * 60;
  const { token, expiresAt } = await mintPlayToken(
    config.linkKeys,
    { tenantId: principal.tenantId, fileId, subject: principal.userId },
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
  await requireViewableRecording(database(c.env.DB), principal, id);
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
