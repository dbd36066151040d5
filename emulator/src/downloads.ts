// Recording downloads: download_url checks the bearer (OAuth access token of the account or a
// webhook download_token) and redirects to a signed, expiring file URL that needs no auth.
import type { Core } from "./core.ts";
import type { RecordingFile } from "./db.ts";
import { invalidToken, json, redirect, type WireRequest, type WireResponse, ZoomError } from "./http.ts";
import { hmacHex } from "./ids.ts";
import { FILE_KINDS, settleProcessing, type UrlKind } from "./recordings.ts";
import { accessToken, bearer, downloadToken } from "./tokens.ts";

const FILE_URL_TTL_SECONDS = 600;

export function downloadAccount(core: Core, key: string): string | undefined {
  return core.db.fileByDownloadKey(key)?.accountId;
}

/**
 * download_url: the REST URL takes the account's OAuth access token or a download_token; the URL
 * of a recording.completed event (`kind: "webhook"`) takes only a download_token, so once that has
 * expired a fresh URL must be read through GET /meetings/{uuid}/recordings. A file still processing
 * is not there yet. The answer redirects to a signed file URL (on `downloads.fileOrigin` when set,
 * as Zoom's CDN is another host).
 */
export async function downloadRedirect(
  core: Core,
  req: WireRequest,
  key: string,
  kind: UrlKind = "rest",
): Promise<WireResponse> {
  if ("access_token" in req.query) throw invalidToken();
  const found = core.db.fileByDownloadKey(key);
  const file = found ? settleProcessing(core, [found])[0] : undefined;
  const tokenValue = bearer(req.headers.authorization) ?? "";
  const holder =
    (kind === "rest" ? accessToken(core, tokenValue) : undefined) ?? downloadToken(core, tokenValue);
  if (!holder) throw invalidToken();
  if (file?.state !== "active" || file.accountId !== holder.account_id) {
    throw new ZoomError(404, 3301, "This recording does not exist.");
  }
  if (file.status !== "completed")
    throw new ZoomError(404, 3301, "The recording file is still being processed.");
  const exp = Math.floor(core.now() / 1000) + FILE_URL_TTL_SECONDS;
  const sig = await hmacHex(core.signingKey(), `${file.fileId}:${exp}`);
  // Kept so that tests can look for the signed URL where it must not be (see /issued-secrets).
  core.db.run("INSERT OR IGNORE INTO file_url_signatures (sig) VALUES (?)", sig);
  const origin = core.config().downloads?.fileOrigin || req.origin;
  return redirect(`${origin}/file/${file.fileId}?exp=${exp}&sig=${sig}`);
}

export interface FileDescriptor {
  fileId: string;
  size: number;
  sample: boolean;
  contentType: string;
  etag: string;
}

export function describe(file: RecordingFile): FileDescriptor {
  return {
    fileId: file.fileId,
    size: file.size,
    sample: file.sample,
    contentType: FILE_KINDS[file.fileType].contentType,
    etag: `"${file.fileId}-${file.size}"`,
  };
}

/**
 * Checks a signed file URL. An Authorization header is refused: CDNs that serve Zoom's files choke
 * on a forwarded bearer, and a product that forwards it leaks the token to a third party.
 */
export async function fileAccess(
  core: Core,
  fileId: string,
  exp: string,
  sig: string,
  hasAuthorization: boolean,
): Promise<FileDescriptor | WireResponse> {
  if (hasAuthorization) {
    return json(400, { code: 400, message: "Authorization header is not allowed on a signed URL." });
  }
  const expected = await hmacHex(core.signingKey(), `${fileId}:${exp}`);
  if (sig !== expected) return json(403, { code: 403, message: "Invalid signature." });
  if (Number(exp) <= Math.floor(core.now() / 1000))
    return json(403, { code: 403, message: "Signed URL expired." });
  const file = core.db.file(fileId);
  if (!file || file.state === "deleted") return json(404, { code: 404, message: "File not found." });
  return describe(file);
}
