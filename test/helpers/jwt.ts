// Mints Wise-style JWTs for tests with the test configuration's HS256 secret.
import { env } from "cloudflare:workers";
import { SignJWT } from "jose";

export interface TokenOptions {
  tenant?: string | undefined;
  role?: string | undefined;
  sub?: string | undefined;
  ttlSeconds?: number;
  notBefore?: number;
  issuer?: string;
  audience?: string;
  secret?: string;
}

export async function mintToken(opts: TokenOptions = {}): Promise<string> {
  const claims: Record<string, unknown> = {};
  if (!("tenant" in opts) || opts.tenant !== undefined) claims.tenant = opts.tenant ?? "tenant-a";
  if (!("role" in opts) || opts.role !== undefined) claims.role = opts.role ?? "admin";
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(opts.issuer ?? env.JWT_ISSUER ?? "")
    .setAudience(opts.audience ?? env.JWT_AUDIENCE ?? "")
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (opts.ttlSeconds ?? 600));
  if (!("sub" in opts) || opts.sub !== undefined) jwt.setSubject(opts.sub ?? "user-1");
  if (opts.notBefore !== undefined) jwt.setNotBefore(opts.notBefore);
  return jwt.sign(new TextEncoder().encode(opts.secret ?? env.JWT_HS256_SECRET ?? ""));
}

export const bearer = async (opts: TokenOptions = {}) => ({
  authorization: `Bearer ${await mintToken(opts)}`,
});
