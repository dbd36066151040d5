/** @jsxImportSource hono/jsx */
// /console: the admin console (enabled by CONSOLE_ENABLED). In local development it can hand out a
// token for the seeded demo tenant, so a newcomer sees the service work without Wise.
import { SignJWT } from "jose";
import { consoleCss, consoleJs } from "../console/assets.ts";
import { ConsolePage } from "../console/page.tsx";
import { createRouter } from "../http/context.ts";
import { ApiError, notFound } from "../http/problem.ts";

export const consoleRoutes = createRouter();

const DEMO_TENANT = "demo";

consoleRoutes.use("/console/*", async (c, next) => {
  if (!c.get("config").consoleEnabled) throw notFound("The console is not enabled on this deployment");
  await next();
});
consoleRoutes.use("/console", async (c, next) => {
  if (!c.get("config").consoleEnabled) throw notFound("The console is not enabled on this deployment");
  await next();
});

const demoTokensAllowed = (config: { environment: string; jwt: { verification: { kind: string } } }) =>
  config.environment !== "production" && config.jwt.verification.kind === "hs256";

consoleRoutes.get("/console", (c) => {
  c.header("cache-control", "no-store");
  return c.html(
    `<!doctype html>${(<ConsolePage demoTokens={demoTokensAllowed(c.get("config"))} />).toString()}`,
  );
});

consoleRoutes.get("/console/console.js", (c) => {
  c.header("content-type", "text/javascript; charset=utf-8");
  c.header("cache-control", "no-cache");
  return c.body(consoleJs);
});

consoleRoutes.get("/console/console.css", (c) => {
  c.header("content-type", "text/css; charset=utf-8");
  c.header("cache-control", "no-cache");
  return c.body(consoleCss);
});

consoleRoutes.post("/console/demo-token", async (c) => {
  const config = c.get("config");
  if (!demoTokensAllowed(config) || config.jwt.verification.kind !== "hs256") {
    throw new ApiError(404, "not_found", "Not found", "Demo tokens exist only in local development");
  }
  const token = await new SignJWT({ tenant: DEMO_TENANT, role: "admin" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(config.jwt.issuer)
    .setAudience(config.jwt.audience)
    .setSubject("demo-admin")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(config.jwt.verification.secret);
  c.header("cache-control", "no-store");
  return c.json({ token });
});
