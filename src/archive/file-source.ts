// Reading a recording file from Zoom: the signed download location (webhook download_token or the
// account's OAuth token, a fresh download_url from Zoom's API when the old one fails), then the file
// itself, checked to be the file (length, range, not an HTML page) before a byte is stored.
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { recordings } from "../db/schema.ts";
import type { Config } from "../platform/config.ts";
import { TokenVault } from "../tokens/vault.ts";
import { encodeMeetingUuid, ZoomClient } from "../zoom/client.ts";
import { ZoomApiError } from "../zoom/errors.ts";
import { ZoomRecordingMeeting } from "../zoom/schemas.ts";
import { fileIdOf, isAllowedFileLocation, isZoomDownloadUrl } from "./discover.ts";
import { ArchiveFailure, StillProcessing } from "./failures.ts";
import type { FileLease } from "./file-lease.ts";

export interface Download {
  body: ReadableStream<Uint8Array>;
  /** Where the body starts in the file (a resumed upload asks for the rest only). */
  offset: number;
  length: number;
}

export class ZoomFileSource {
  constructor(
    private readonly env: Env,
    private readonly config: Config,
    private readonly db: Db,
    private readonly lease: FileLease,
  ) {}

  /** Opens the file at `offset`, following Zoom's redirect; checks it is the file and not a page. */
  async open(offset: number): Promise<Download> {
    const location = await this.signedLocation();
    const headers: Record<string, string> = { "accept-encoding": "identity" };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    let res: Response;
    try {
      // No Authorization here: the signed URL needs none, and forwarding the bearer leaks it.
      if (location.response) res = location.response;
      else {
        if (!isAllowedFileLocation(location.url, this.config)) {
          throw new ArchiveFailure("Zoom redirected the download to a URL that is not https", false);
        }
        res = await fetch(location.url, { headers });
      }
    } catch (err) {
      if (err instanceof ArchiveFailure) throw err;
      throw new ArchiveFailure(`download failed: ${err instanceof Error ? err.message : String(err)}`, true);
    }
    const refuse = async (reason: string, retryable = true, after?: number): Promise<never> => {
      await res.body?.cancel().catch(() => {});
      throw new ArchiveFailure(reason, retryable, after);
    };
    if (res.status === 429) await refuse("Zoom rate-limited the download", true, retryAfter(res));
    if (res.status !== 200 && res.status !== 206) await refuse(`the file URL answered ${res.status}`);
    const type = res.headers.get("content-type") ?? "";
    // A sign-in or error page with status 200 is not the recording, whatever its length.
    if (/text\/html/i.test(type)) await refuse("Zoom answered an HTML page instead of the file");
    let start = 0;
    if (res.status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get("content-range") ?? "");
      if (!m || Number(m[1]) !== offset) await refuse("the source answered a different range than asked");
      start = offset;
    }
    const declared = res.headers.get("content-length");
    const expectedTotal = this.lease.file.sizeBytes;
    const length =
      declared !== null ? Number(declared) : expectedTotal !== null ? expectedTotal - start : Number.NaN;
    if (!Number.isSafeInteger(length) || length < 0) await refuse("the download has no length");
    if (expectedTotal !== null && start + length !== expectedTotal) {
      await refuse(`the download is ${start + length} bytes but Zoom's file_size is ${expectedTotal}`);
    }
    if (!res.body) await refuse("the download has no body");
    return { body: res.body as ReadableStream<Uint8Array>, offset: start, length };
  }

  /**
   * Asks download_url with a bearer: the webhook's download_token while it lives, else the
   * account's OAuth token (refreshed once if Zoom refuses it). An expired or refused
   * download_token, or a URL Zoom no longer answers, is replaced by a fresh download_url from
   * GET /meetings/{uuid}/recordings (the webhook's URL may take only its own token). The bearer is
   * sent only to a Zoom download URL and never follows a redirect. Returns the redirect target, or
   * the response itself when Zoom serves the file directly.
   */
  private async signedLocation(): Promise<{ url: string; response?: Response }> {
    let downloadToken = await this.storedDownloadToken();
    let client: ZoomClient | undefined;
    let oauthToken: string | undefined;
    let refreshed = false;
    let urlRefreshed = false;
    const refreshUrl = async () => {
      urlRefreshed = true;
      await this.refreshFromZoom();
    };
    for (;;) {
      if (!isZoomDownloadUrl(this.lease.file.downloadUrl, this.config)) {
        throw new ArchiveFailure("the download_url is not a Zoom recording download URL", false);
      }
      let token: string;
      if (downloadToken) token = downloadToken;
      else {
        client ??= await this.zoomClient();
        oauthToken ??= await client.accessToken();
        token = oauthToken;
      }
      let res: Response;
      try {
        res = await fetch(this.lease.file.downloadUrl, {
          headers: { authorization: `Bearer ${token}`, "accept-encoding": "identity" },
          redirect: "manual",
          signal: AbortSignal.timeout(Math.max(this.config.zoom.timeoutMs, 5000)),
        });
      } catch (err) {
        throw new ArchiveFailure(
          `download_url failed: ${err instanceof Error ? err.message : String(err)}`,
          true,
        );
      }
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel().catch(() => {});
        const location = res.headers.get("location");
        if (!location) throw new ArchiveFailure("Zoom redirected without a Location", true);
        return { url: new URL(location, this.lease.file.downloadUrl).toString() };
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel().catch(() => {});
        if (downloadToken) {
          // Expired or revoked download_token (an event days late): forget it, and ask Zoom's API
          // for a download_url that takes the account's token.
          downloadToken = null;
          await this.forgetDownloadToken();
          if (!urlRefreshed) await refreshUrl();
          continue;
        }
        if (client && oauthToken && !refreshed) {
          refreshed = true;
          oauthToken = await client.refreshAfterRejection(oauthToken);
          continue;
        }
        if (!urlRefreshed) {
          await refreshUrl();
          continue;
        }
        throw new ArchiveFailure("Zoom refused the download credentials", true);
      }
      if (res.status === 404 && !urlRefreshed) {
        // Still processing, moved, or gone: Zoom's API says which.
        await res.body?.cancel().catch(() => {});
        await refreshUrl();
        continue;
      }
      if (res.status === 429) {
        await res.body?.cancel().catch(() => {});
        throw new ArchiveFailure("Zoom rate-limited the download", true, retryAfter(res));
      }
      if (res.status === 200 || res.status === 206)
        return { url: this.lease.file.downloadUrl, response: res };
      await res.body?.cancel().catch(() => {});
      throw new ArchiveFailure(`download_url answered ${res.status}`, true);
    }
  }

  private client?: ZoomClient;
  private async zoomClient(): Promise<ZoomClient> {
    this.client ??= await ZoomClient.forTenant(this.env, this.config, this.db, this.lease.file.tenantId);
    return this.client;
  }

  /**
   * Reads the file as Zoom lists it now (GET /meetings/{uuid}/recordings, with the account's
   * token): a fresh download_url and, once processed, its size. Throws StillProcessing while Zoom
   * is not done, and a final failure when Zoom no longer has the file.
   */
  async refreshFromZoom(): Promise<void> {
    const client = await this.zoomClient();
    let atZoom: ZoomRecordingMeeting;
    try {
      atZoom = await client.call({
        operation: "recordings.get",
        method: "GET",
        path: `/meetings/${encodeMeetingUuid(this.lease.recording.meetingUuid)}/recordings`,
        schema: ZoomRecordingMeeting,
      });
    } catch (err) {
      if (err instanceof ZoomApiError && err.status === 404)
        throw new ArchiveFailure("Zoom no longer has this recording", false);
      throw err;
    }
    let listed: ZoomRecordingMeeting["recording_files"][number] | undefined;
    for (const f of [...atZoom.recording_files, ...atZoom.participant_audio_files]) {
      if ((await fileIdOf(atZoom.uuid, f)) === this.lease.file.id) listed = f;
    }
    if (!listed) throw new ArchiveFailure("Zoom no longer lists this file", false);
    if (listed.status === "processing") throw new StillProcessing();
    if (!isZoomDownloadUrl(listed.download_url, this.config)) {
      throw new ArchiveFailure("the download_url is not a Zoom recording download URL", false);
    }
    await this.lease.saveSource({
      downloadUrl: listed.download_url,
      sizeBytes: listed.file_size ?? this.lease.file.sizeBytes,
    });
  }

  private async storedDownloadToken(): Promise<string | null> {
    const r = this.lease.recording;
    if (!r.downloadTokenEnc || !r.downloadTokenExpiresAt || r.downloadTokenExpiresAt < Date.now() + 60_000)
      return null;
    try {
      return await new TokenVault(this.config.tokenKeys).decrypt(r.downloadTokenEnc, {
        tenantId: r.tenantId,
        zoomAccountId: r.zoomAccountId,
        field: `download_token:${r.id}`,
      });
    } catch {
      return null;
    }
  }

  private async forgetDownloadToken(): Promise<void> {
    await this.db
      .update(recordings)
      .set({ downloadTokenEnc: null, downloadTokenExpiresAt: null })
      .where(
        and(
          eq(recordings.tenantId, this.lease.recording.tenantId),
          eq(recordings.id, this.lease.recording.id),
        ),
      );
  }
}

function retryAfter(res: Response): number {
  const v = res.headers.get("retry-after");
  if (!v) return 60;
  const n = Number(v);
  if (Number.isFinite(n)) return Math.min(3600, Math.max(1, Math.ceil(n)));
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.min(86_400, Math.max(1, Math.ceil((at - Date.now()) / 1000))) : 60;
}
