// Verifies Wise's bearer JWTs with jose. The accepted algorithms are fixed by configuration
// (HS256 locally, RS256/ES256/EdDSA from a JWKS in production), which is what defeats
// `alg: none` and HS/RS key-confusion tokens: jose refuses any algorithm not listed.
import { createLocalJWKSet, createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from "jose";
import { z } from "zod";
import { ApiError } from "../http/problem.ts";
import type { Config, JwtVerification } from "../platform/config.ts";
import { type Principal, Role, WiseId } from "../platform/identity.ts";

export { type Principal, Role, WiseId };

const Claims = z.object({
  sub: WiseId,
  tenant: WiseId,
  role: Role,
  // Numeric dates; jose has checked exp and nbf against the clock already.
  iat: z.number(),
  exp: z.number(),
});

export const CLOCK_SKEW_SECONDS = 30;
const ASYMMETRIC = ["RS256", "ES256", "EdDSA"];

const remoteSets = new Map<string, JWTVerifyGetKey>();
const inlineSets = new WeakMap<object, JWTVerifyGetKey>();

function keyFor(v: JwtVerification): { key: Uint8Array | JWTVerifyGetKey; algorithms: string[] } {
  switch (v.kind) {
    case "hs256":
      return { key: v.secret, algorithms: ["HS256"] };
    case "jwks-url": {
      let set = remoteSets.get(v.url);
      if (!set) {
        set = createRemoteJWKSet(new URL(v.url), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
        remoteSets.set(v.url, set);
      }
      return { key: set, algorithms: ASYMMETRIC };
    }
    case "jwks-inline": {
      let set = inlineSets.get(v.jwks);
      if (!set) {
        set = createLocalJWKSet(v.jwks as Parameters<typeof createLocalJWKSet>[0]);
        inlineSets.set(v.jwks, set);
      }
      return { key: set, algorithms: ASYMMETRIC };
    }
  }
}

const unauthorized = (detail: string, reason: string) =>
  new ApiError(
    401,
    "unauthorized",
    "Unauthorized",
    detail,
    {},
    {
      cause: reason,
      headers: { "www-authenticate": 'Bearer realm="wise-zoom-edge", error="invalid_token"' },
    },
  );

/** Reads `Authorization: Bearer <jwt>` and returns the verified principal, or throws a 401. */
export async function authenticate(header: string | undefined, config: Config): Promise<Principal> {
  if (!header) {
    throw new ApiError(
      401,
      "unauthorized",
      "Unauthorized",
      "An Authorization: Bearer token is required",
      {},
      {
        headers: { "www-authenticate": 'Bearer realm="wise-zoom-edge"' },
      },
    );
  }
  const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(header.trim());
  if (!m?.[1] || m[1].length > 8192) {
    throw unauthorized("The Authorization header must be 'Bearer <JWT>'", "malformed header");
  }
  const { key, algorithms } = keyFor(config.jwt.verification);
  let payload: Record<string, unknown>;
  try {
    const verified = await jwtVerify(m[1], key as Uint8Array, {
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      algorithms,
      clockTolerance: CLOCK_SKEW_SECONDS,
      requiredClaims: ["exp", "iat"],
    });
    payload = verified.payload as Record<string, unknown>;
  } catch (err) {
    const reason = err instanceof errors.JOSEError ? err.code : "verification failed";
    const detail =
      err instanceof errors.JWTExpired
        ? "The token has expired"
        : err instanceof errors.JWTClaimValidationFailed
          ? `The token's ${err.claim} claim is not acceptable`
          : "The token could not be verified";
    throw unauthorized(detail, reason);
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success) {
    const fields = [...new Set(claims.error.issues.map((i) => i.path.join(".")))].join(", ");
    throw unauthorized(`The token lacks valid claims: ${fields}`, "claims");
  }
  // A stolen long-lived token is a long-lived key: bound what Wise may issue, and refuse tokens
  // "issued" in the future (a clock or a forger's trick to stretch the lifetime).
  const { iat, exp } = claims.data;
  if (iat > Math.floor(Date.now() / 1000) + CLOCK_SKEW_SECONDS) {
    throw unauthorized("The token's iat claim is in the future", "iat in the future");
  }
  if (exp - iat > config.jwt.maxLifetimeSeconds) {
    throw unauthorized(
      `The token lives longer than ${config.jwt.maxLifetimeSeconds} seconds (exp - iat)`,
      "lifetime over the maximum",
    );
  }
  return { userId: claims.data.sub, tenantId: claims.data.tenant, role: claims.data.role };
}
