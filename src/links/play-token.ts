// Playback links for /r/{token}: the `play` purpose of the signed link tokens (links/token.ts),
// granting one archived file of one tenant to one Wise user until the link expires.
import { type LinkFailure, type LinkKey, signLink, verifyLink } from "./token.ts";

export interface PlayGrant {
  tenantId: string;
  fileId: string;
  /** Who the link was made for (a Wise user id). */
  subject: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** A verified grant also says when it was issued (epoch ms), to compare with revocations. */
export interface VerifiedPlayGrant extends PlayGrant {
  issuedAt: number;
}

export type PlayTokenFailure = Exclude<LinkFailure, "too_long">;

export class PlayTokenError extends Error {
  override name = "PlayTokenError";
  constructor(readonly reason: PlayTokenFailure) {
    super(`play token refused: ${reason}`);
  }
}

export async function mintPlayToken(
  keys: readonly LinkKey[],
  grant: Omit<PlayGrant, "expiresAt">,
  ttlSeconds: number,
  nowSeconds?: number,
): Promise<{ token: string; expiresAt: number }> {
  // iat keeps milliseconds: a link minted in the same second after a revocation must open.
  const issuedAt = nowSeconds === undefined ? Date.now() : nowSeconds * 1000;
  const seconds = Math.floor(issuedAt / 1000);
  const expiresAt = seconds + ttlSeconds;
  const token = await signLink(keys, {
    purpose: "play",
    tenant: grant.tenantId,
    file: grant.fileId,
    subject: grant.subject,
    exp: expiresAt,
    nbf: seconds,
    iat: issuedAt,
  });
  return { token, expiresAt };
}

/** Verifies a play token; throws PlayTokenError with the reason. */
export async function verifyPlayToken(
  keys: readonly LinkKey[],
  token: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<VerifiedPlayGrant> {
  const result = await verifyLink(keys, token, "play", nowSeconds * 1000);
  if (!result.ok) throw new PlayTokenError(result.reason === "too_long" ? "malformed" : result.reason);
  const { claims } = result;
  if (!claims.file) throw new PlayTokenError("malformed");
  return {
    tenantId: claims.tenant,
    fileId: claims.file,
    subject: claims.subject,
    expiresAt: claims.exp,
    issuedAt: claims.iat,
  };
}
