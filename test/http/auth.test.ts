// Authentication of Wise's calls: every bad token gets 401/403 problem+json and writes nothing.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.ts";
import { call, json } from "../helpers/app.ts";
import { mintToken } from "../helpers/jwt.ts";

const b64url = (s: string) => btoa(s).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

async function patchTenant(authorization: string | undefined) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (authorization !== undefined) headers.authorization = authorization;
  return call("/v1/tenant", { method: "PATCH", headers, body: JSON.stringify({ name: "Changed" }) });
}

async function expectRefused(res: Response, status = 401) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = await json<{ code: string }>(res);
  expect(body.code).toBe(status === 401 ? "unauthorized" : "forbidden");
  expect(await env.DB.prepare("SELECT count(*) AS n FROM tenants").first("n")).toBe(0);
  return body;
}

describe("bearer JWT", () => {
  it("accepts a valid admin token", async () => {
    const res = await call("/v1/me", {
      headers: { authorization: `Bearer ${await mintToken({ sub: "u-9" })}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ userId: "u-9", tenantId: "tenant-a", role: "admin" });
  });

  it("refuses a missing header", async () => {
    const res = await patchTenant(undefined);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    await expectRefused(res);
  });

  it("refuses a malformed header", async () => {
    await expectRefused(await patchTenant("Basic dXNlcjpwYXNz"));
    await expectRefused(await patchTenant("Bearer not-a-jwt"));
    await expectRefused(await patchTenant(`Bearer ${await mintToken()} extra`));
  });

  it("refuses a bad signature and a tampered payload", async () => {
    await expectRefused(
      await patchTenant(`Bearer ${await mintToken({ secret: "another-secret-0123456789abcdef0123456789" })}`),
    );
    const [h, p, s] = (await mintToken({ role: "teacher" })).split(".");
    const payload = JSON.parse(atob((p ?? "").replace(/-/g, "+").replace(/_/g, "/")));
    payload.role = "admin";
    await expectRefused(await patchTenant(`Bearer ${h}.${b64url(JSON.stringify(payload))}.${s}`));
  });

  it("refuses alg: none", async () => {
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: "none", typ: "JWT" }));
    const payload = b64url(
      JSON.stringify({
        iss: env.JWT_ISSUER,
        aud: env.JWT_AUDIENCE,
        sub: "u",
        tenant: "tenant-a",
        role: "admin",
        exp: now + 600,
      }),
    );
    await expectRefused(await patchTenant(`Bearer ${header}.${payload}.`));
  });

  it("refuses expired and not-yet-valid tokens beyond the clock skew", async () => {
    await expectRefused(await patchTenant(`Bearer ${await mintToken({ ttlSeconds: -120 })}`));
    const future = Math.floor(Date.now() / 1000) + 300;
    await expectRefused(await patchTenant(`Bearer ${await mintToken({ notBefore: future })}`));
  });

  it("tolerates a small clock skew", async () => {
    const res = await call("/v1/me", {
      headers: { authorization: `Bearer ${await mintToken({ ttlSeconds: -10 })}` },
    });
    expect(res.status).toBe(200);
  });

  it("refuses a wrong issuer or audience", async () => {
    await expectRefused(await patchTenant(`Bearer ${await mintToken({ issuer: "https://evil.example" })}`));
    await expectRefused(await patchTenant(`Bearer ${await mintToken({ audience: "someone-else" })}`));
  });

  it("refuses tokens without tenant, role or sub, or with an unknown role or unsafe tenant", async () => {
    await expectRefused(await patchTenant(`Bearer ${await mintToken({ tenant: undefined })}`));
    await expectRefused(await patchTenant(`Bearer ${await mintToken({ role: undefined })}`));
    await expectRefused(await patchTenant(`Bearer ${await mintToken({ sub: undefined })}`));
    await expectRefused(await patchTenant(`Bearer ${await mintToken({ role: "superuser" })}`));
    await expectRefused(await patchTenant(`Bearer ${await mintToken({ tenant: "../other" })}`));
  });

  describe("lifetime", () => {
    const now = () => Math.floor(Date.now() / 1000);
    const signed = (claims: { iat?: number; exp: number }) => {
      const jwt = new SignJWT({ tenant: "tenant-a", role: "admin" })
        .setProtectedHeader({ alg: "HS256" })
        .setIssuer(env.JWT_ISSUER ?? "")
        .setAudience(env.JWT_AUDIENCE ?? "")
        .setSubject("u-1")
        .setExpirationTime(claims.exp);
      if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
      return jwt.sign(new TextEncoder().encode(env.JWT_HS256_SECRET ?? ""));
    };
    const me = async (token: string, overrides: Record<string, string> = {}) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(
        new Request("https://edge.test/v1/me", { headers: { authorization: `Bearer ${token}` } }),
        { ...env, ...overrides },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      return res;
    };

    it("refuses tokens whose exp - iat exceeds the maximum (24 h by default), accepts up to it", async () => {
      const t = now();
      expect((await me(await signed({ iat: t, exp: t + 86_400 }))).status).toBe(200);
      const long = await patchTenant(`Bearer ${await signed({ iat: t, exp: t + 86_401 })}`);
      expect((await expectRefused(long)) as { detail?: string }).toMatchObject({
        detail: expect.stringContaining("longer than 86400 seconds"),
      });
      // A token issued long ago that is still unexpired is long-lived all the same.
      await expectRefused(await patchTenant(`Bearer ${await signed({ iat: t - 30 * 3600, exp: t + 600 })}`));
    });

    it("follows JWT_MAX_LIFETIME_SECONDS", async () => {
      const t = now();
      const twoHours = await signed({ iat: t, exp: t + 7200 });
      expect((await me(twoHours)).status).toBe(200);
      expect((await me(twoHours, { JWT_MAX_LIFETIME_SECONDS: "3600" })).status).toBe(401);
    });

    it("refuses an iat in the future beyond the clock skew, and a token without iat", async () => {
      const t = now();
      expect((await me(await signed({ iat: t + 20, exp: t + 600 }))).status).toBe(200);
      const future = await patchTenant(`Bearer ${await signed({ iat: t + 120, exp: t + 600 })}`);
      expect(await expectRefused(future)).toMatchObject({ detail: "The token's iat claim is in the future" });
      await expectRefused(await patchTenant(`Bearer ${await signed({ exp: t + 600 })}`));
    });
  });

  it("answers 403 when the role may not call the route", async () => {
    await expectRefused(await patchTenant(`Bearer ${await mintToken({ role: "teacher" })}`), 403);
    await expectRefused(await patchTenant(`Bearer ${await mintToken({ role: "student" })}`), 403);
  });
});

describe("JWKS verification (production mode)", () => {
  async function withJwks(authorization: string, jwks: object) {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("https://edge.test/v1/me", { headers: { authorization } }),
      { ...env, JWT_JWKS_JSON: JSON.stringify(jwks) },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("accepts RS256 and ES256 tokens from the key set and refuses an HS256 token made with the public key", async () => {
    const rsa = await generateKeyPair("RS256", { extractable: true });
    const ec = await generateKeyPair("ES256", { extractable: true });
    const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: "r1", alg: "RS256", use: "sig" };
    const ecJwk = { ...(await exportJWK(ec.publicKey)), kid: "e1", alg: "ES256", use: "sig" };
    const jwks = { keys: [rsaJwk, ecJwk] };
    const sign = (alg: string, kid: string, key: CryptoKey | Uint8Array) =>
      new SignJWT({ tenant: "tenant-a", role: "admin" })
        .setProtectedHeader({ alg, kid })
        .setIssuer(env.JWT_ISSUER ?? "")
        .setAudience(env.JWT_AUDIENCE ?? "")
        .setSubject("u-1")
        .setIssuedAt()
        .setExpirationTime("5m")
        .sign(key);

    expect((await withJwks(`Bearer ${await sign("RS256", "r1", rsa.privateKey)}`, jwks)).status).toBe(200);
    expect((await withJwks(`Bearer ${await sign("ES256", "e1", ec.privateKey)}`, jwks)).status).toBe(200);
    // Key confusion: the RSA public key's bytes used as an HMAC secret.
    const confused = await sign("HS256", "r1", new TextEncoder().encode(JSON.stringify(rsaJwk)));
    expect((await withJwks(`Bearer ${confused}`, jwks)).status).toBe(401);
    // The local HS256 secret is not accepted once a key set is configured.
    expect((await withJwks(`Bearer ${await mintToken()}`, jwks)).status).toBe(401);
  });
});
