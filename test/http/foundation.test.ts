// The HTTP skeleton: health, OpenAPI and docs, problem answers for bad requests, CORS, config.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index.ts";
import { BASE, call, json } from "../helpers/app.ts";
import { bearer } from "../helpers/jwt.ts";

afterEach(() => vi.restoreAllMocks());

describe("operations", () => {
  it("GET /healthz checks D1 and answers 200", async () => {
    const res = await call("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", d1: "ok" });
    expect(res.headers.get("x-request-id")).toMatch(/[0-9a-f-]{36}/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("GET /openapi.json is an OpenAPI 3.1 document of the routes", async () => {
    const res = await call("/openapi.json");
    expect(res.status).toBe(200);
    const doc = await json<{
      openapi: string;
      paths: Record<string, unknown>;
      components: Record<string, unknown>;
    }>(res);
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/healthz", "/v1/me", "/v1/tenant"]));
    expect(doc.components.securitySchemes).toHaveProperty("wiseJwt");
  });

  it("GET /docs serves Scalar's renderer from this origin, pointed at /openapi.json, under its CSP", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const csp = res.headers.get("content-security-policy") ?? "";
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    // One same-origin renderer script and the empty element it mounts on, carrying the settings.
    expect(scripts.filter((t) => /\ssrc=/.test(t))).toEqual(['<script src="/docs/scalar.js">']);
    const mount = scripts.find((t) => /id="api-reference"/.test(t)) ?? "";
    expect(mount).toContain('data-url="/openapi.json"');
    const settings = JSON.parse(
      /data-configuration="([^"]*)"/.exec(mount)?.[1]?.replaceAll("&quot;", '"') ?? "{}",
    );
    expect(settings).toMatchObject({ withDefaultFonts: false, telemetry: false });
    expect(html).not.toMatch(/https?:\/\//);
    expect(csp).toContain("script-src 'self' 'nonce-");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain("frame-ancestors 'none'");

    // The script itself is a static asset of this deployment (served before the Worker, as here).
    const asset = await env.ASSETS?.fetch(new Request(new URL("/docs/scalar.js", BASE)));
    expect(asset?.status).toBe(200);
    expect(asset?.headers.get("content-type")).toMatch(/javascript/);
    expect(asset?.headers.get("x-content-type-options")).toBe("nosniff");
    const code = (await asset?.text()) ?? "";
    expect(code.length).toBeGreaterThan(1_000_000);
    expect(code).toContain("createApiReference");
  });

  it("the API reference's CSP applies to /docs only", async () => {
    const docs = (await call("/docs")).headers.get("content-security-policy") ?? "";
    const api = (await call("/openapi.json")).headers.get("content-security-policy") ?? "";
    expect(docs).toContain("form-action 'none'");
    expect(api).not.toBe(docs);
    expect(api).toContain("form-action 'self'");
  });
});

describe("bad requests get problem+json", () => {
  it("an unknown route is a 404 problem", async () => {
    const res = await call("/v1/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 404, code: "not_found" });
  });

  it("a wrong method is a 405 problem with Allow", async () => {
    const res = await call("/healthz", { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toContain("GET");
    expect(await res.json()).toMatchObject({ code: "method_not_allowed" });
  });

  it("malformed JSON is a 400 problem and changes nothing", async () => {
    const res = await call("/v1/tenant", {
      method: "PATCH",
      headers: { ...(await bearer()), "content-type": "application/json" },
      body: '{"name": "x",',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await env.DB.prepare("SELECT count(*) AS n FROM tenants").first("n")).toBe(0);
  });

  it("a body that fails validation is a 400 problem naming the field", async () => {
    const res = await call("/v1/tenant", {
      method: "PATCH",
      headers: { ...(await bearer()), "content-type": "application/json" },
      body: JSON.stringify({ userCreateAction: "magic" }),
    });
    expect(res.status).toBe(400);
    const body = await json<{ code: string; errors: { field: string }[] }>(res);
    expect(body.code).toBe("invalid_request");
    expect(body.errors[0]?.field).toBe("userCreateAction");
  });

  it("a body over the size limit is a 413 problem", async () => {
    const res = await call("/v1/tenant", {
      method: "PATCH",
      headers: { ...(await bearer()), "content-type": "application/json" },
      body: JSON.stringify({ name: "x".repeat(Number(env.MAX_BODY_BYTES ?? 1_048_576) + 10) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "payload_too_large" });
    expect(await env.DB.prepare("SELECT count(*) AS n FROM tenants").first("n")).toBe(0);
  });
});

describe("tenant profile", () => {
  it("an admin reads defaults and patches policies, scoped to the token's tenant", async () => {
    const headers = { ...(await bearer({ tenant: "tenant-p" })), "content-type": "application/json" };
    let res = await call("/v1/tenant", { headers });
    expect(await res.json()).toMatchObject({
      id: "tenant-p",
      userCreateAction: "create",
      licensePolicy: "manual",
    });
    res = await call("/v1/tenant", {
      method: "PATCH",
      headers,
      body: JSON.stringify({ name: "Sunrise Academy", licensePolicy: "auto-recycle" }),
    });
    expect(res.status).toBe(200);
    res = await call("/v1/tenant", {
      method: "PATCH",
      headers,
      body: JSON.stringify({ userCreateAction: "custCreate" }),
    });
    expect(await res.json()).toMatchObject({
      name: "Sunrise Academy",
      licensePolicy: "auto-recycle",
      userCreateAction: "custCreate",
    });
    const other = await call("/v1/tenant", { headers: await bearer({ tenant: "tenant-q" }) });
    expect(await other.json()).toMatchObject({ id: "tenant-q", name: null, licensePolicy: "manual" });
  });
});

describe("CORS", () => {
  it("allows configured Wise origins only", async () => {
    const ok = await call("/v1/me", {
      method: "OPTIONS",
      headers: { origin: "https://app.wise.test", "access-control-request-method": "GET" },
    });
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.wise.test");
    const evil = await call("/v1/me", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
    });
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("configuration", () => {
  async function fetchWith(overrides: Record<string, string | undefined>, path = "/healthz") {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`https://edge.test${path}`), { ...env, ...overrides }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  it("a missing secret answers 500 misconfigured and logs one line naming it", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await fetchWith({ ZOOM_CLIENT_SECRET: undefined });
    expect(res.status).toBe(500);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const body = await json<{ code: string; detail: string }>(res);
    expect(body.code).toBe("misconfigured");
    expect(JSON.stringify(body)).not.toContain("ZOOM_CLIENT_SECRET");
    const lines = errors.mock.calls.map((c) => String(c[0])).filter((l) => l.includes("misconfigured"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("ZOOM_CLIENT_SECRET is missing");
  });

  it("a malformed key ring is refused, not defaulted", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await fetchWith({ TOKEN_ENCRYPTION_KEYS: "k1:c2hvcnQ=" });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: "misconfigured" });
  });

  it("a short HS256 secret without a JWKS is refused", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await fetchWith({ JWT_HS256_SECRET: "short" });
    expect(res.status).toBe(500);
    expect(String(errors.mock.calls[0]?.[0])).toContain("JWT_HS256_SECRET");
    expect(String(errors.mock.calls[0]?.[0])).not.toContain('short"');
  });
});
