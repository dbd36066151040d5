// Serves an archived file to a verified playback grant from R2, with Range and conditional
// requests as video players use them (200, 206, 304, 412, 416).
import { and, eq } from "drizzle-orm";
import { database } from "../db/client.ts";
import { recordingFiles, recordings } from "../db/schema.ts";
import type { VerifiedPlayGrant } from "../links/play-token.ts";
import { playbackRevokedAt } from "./access.ts";
import { contentTypeOf } from "./discover.ts";
import { contentRange, ifRangeAllows, parseRange } from "./ranges.ts";

/**
 * Why a verified grant gets no bytes: the file is not (or no longer) archived, or the link's student
 * was revoked from the class after the link was issued. The caller answers with a page for people.
 */
export type PlaybackRefusal = "not_available" | "revoked";

const notAvailable = (): PlaybackRefusal => "not_available";
const revoked = (): PlaybackRefusal => "revoked";

function etagMatches(list: string, etag: string, weak: boolean): boolean {
  if (list.trim() === "*") return true;
  const strip = (t: string) => (weak ? t.replace(/^W\//, "") : t);
  return list.split(",").some((t) => strip(t.trim()) === strip(etag));
}

/** The file's bytes as the request asks for them, or why the grant gets none. */
export async function servePlayback(
  env: Env,
  grant: VerifiedPlayGrant,
  request: Request,
): Promise<Response | PlaybackRefusal> {
  // One query: the file, and the latest revocation of the link's student on the recording's class.
  const found = await database(env.DB)
    .select({ file: recordingFiles, revokedAt: playbackRevokedAt(grant.subject) })
    .from(recordingFiles)
    .innerJoin(
      recordings,
      and(eq(recordings.tenantId, recordingFiles.tenantId), eq(recordings.id, recordingFiles.recordingId)),
    )
    .where(and(eq(recordingFiles.tenantId, grant.tenantId), eq(recordingFiles.id, grant.fileId)))
    .get();
  if (found?.file.status !== "archived") return notAvailable();
  // Revoking a student from the class (or the whole class's links) ends the links issued before.
  if (grant.issuedAt <= Number(found.revokedAt)) return revoked();
  const { file } = found;

  const size = file.bytesArchived;
  const headers = new Headers({
    "content-type": contentTypeOf(file.fileExtension),
    "accept-ranges": "bytes",
    "cache-control": "private, max-age=3600",
    "content-disposition": `inline; filename="${file.fileType.toLowerCase()}.${file.fileExtension}"`,
    "x-content-type-options": "nosniff",
  });
  let range = parseRange(request.headers.get("range"), size);
  const ifRange = request.headers.get("if-range");
  if (ifRange && range.kind !== "full") {
    const head = await env.RECORDINGS.head(file.r2Key);
    if (!head) return notAvailable();
    if (!ifRangeAllows(ifRange, head.httpEtag, head.uploaded)) range = { kind: "full" };
  }
  if (range.kind === "unsatisfiable") {
    headers.set("content-range", `bytes */${size}`);
    return new Response(null, { status: 416, headers });
  }

  const object = await env.RECORDINGS.get(file.r2Key, {
    onlyIf: request.headers,
    ...(range.kind === "partial" ? { range: { offset: range.offset, length: range.length } } : {}),
  });
  if (!object) return notAvailable();
  headers.set("etag", object.httpEtag);
  headers.set("last-modified", object.uploaded.toUTCString());
  if (!("body" in object)) {
    // A failed precondition: If-Match / If-Unmodified-Since are 412, If-None-Match / If-Modified-Since 304.
    const ifMatch = request.headers.get("if-match");
    const ifUnmodified = Date.parse(request.headers.get("if-unmodified-since") ?? "");
    const failedStrong =
      (ifMatch !== null && !etagMatches(ifMatch, object.httpEtag, false)) ||
      (Number.isFinite(ifUnmodified) && object.uploaded.getTime() > ifUnmodified + 999);
    headers.delete("content-type");
    return new Response(null, { status: failedStrong ? 412 : 304, headers });
  }
  const body = request.method === "HEAD" ? null : object.body;
  if (body === null) await object.body.cancel();
  if (range.kind === "partial") {
    headers.set("content-range", contentRange(range.offset, range.length, size));
    headers.set("content-length", String(range.length));
    return new Response(body, { status: 206, headers });
  }
  headers.set("content-length", String(object.size));
  return new Response(body, { status: 200, headers });
}
