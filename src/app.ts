// The Hono application: cross-cutting middleware, the feature routers, the OpenAPI document,
// and the one place where errors become problem+json.
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import { NONCE, secureHeaders } from "hono/secure-headers";
import { openApiWebhooks } from "./events/catalogue.ts";
import type { AppEnv } from "./http/context.ts";
import { ApiError, problemResponse, toProblem } from "./http/problem.ts";
import { ConfigError, loadConfig } from "./platform/config.ts";
import { accessLog, log } from "./platform/log.ts";
import { classLinks } from "./routes/class-links.ts";
import { classesRouter } from "./routes/classes.ts";
import { consoleRoutes } from "./routes/console.tsx";
import { renderDocs } from "./routes/docs.ts";
import { eventsRouter } from "./routes/events.ts";
import { health } from "./routes/health.ts";
import { me } from "./routes/me.ts";
import { recordingsApi } from "./routes/recordings.ts";
import { teachersRouter } from "./routes/teachers.ts";
import { tenant } from "./routes/tenant.ts";
import { usageRouter } from "./routes/usage.ts";
import { webhooks } from "./routes/webhooks.ts";
import { zoomLink } from "./routes/zoom-link.ts";
import { zoomOauth } from "./routes/zoom-oauth.ts";

export function createApp() {
  const app = new OpenAPIHono<AppEnv>();

  app.use(
    requestId({
      // Accept a caller's id only when it is short and plain; otherwise mint one.
      limitLength: 64,
      generator: () => crypto.randomUUID(),
    }),
  );

  // Configuration is validated once per isolate; a bad one answers every request with 500.
  app.use(async (c, next) => {
    try {
      c.set("config", loadConfig(c.env));
    } catch (err) {
      if (err instanceof ConfigError) {
        return problemResponse(
          500,
          "misconfigured",
          "Service misconfigured",
          "The service is missing or has invalid configuration; the operators have been told in the logs",
        );
      }
      throw err;
    }
    await next();
  });

  // One structured access-log line per request; the path is reduced to its route (no query).
  app.use(async (c, next) => {
    const started = Date.now();
    await next();
    accessLog(c.get("requestId"), c.req.method, c.req.path, c.res.status, Date.now() - started);
  });

  app.use(
    secureHeaders({
      // Scripts only from this origin's files or under this response's nonce
      // (`c.get("secureHeadersNonce")`), never inline otherwise. Styles may be inline (the docs
      // renderer and the console set them); they cannot run code. Pages from http/pages.ts carry
      // a stricter policy of their own, which is kept (overwrite: false).
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", NONCE],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        mediaSrc: ["'self'", "blob:"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: "no-referrer",
      crossOriginResourcePolicy: false,
      overwrite: false,
    }),
  );

  app.use("/v1/*", async (c, next) => {
    const origins = c.get("config").wiseOrigins;
    return cors({
      origin: (origin) => (origins.includes(origin) ? origin : null),
      allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      allowHeaders: ["authorization", "content-type", "x-request-id"],
      exposeHeaders: ["x-request-id", "retry-after"],
      maxAge: 600,
    })(c, next);
  });

  app.use(async (c, next) =>
    bodyLimit({
      maxSize: c.get("config").maxBodyBytes,
      onError: () => {
        throw new ApiError(
          413,
          "payload_too_large",
          "Payload too large",
          "The request body is over the limit",
          {
            limitBytes: c.get("config").maxBodyBytes,
          },
        );
      },
    })(c, next),
  );

  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (_c, methods) =>
        problemResponse(
          405,
          "method_not_allowed",
          "Method not allowed",
          "This path does not accept that method",
          {},
          {
            allow: methods.join(", "),
          },
        ),
    }),
  );

  app.route("/", health);
  app.route("/", me);
  app.route("/", tenant);
  app.route("/", zoomLink);
  app.route("/", zoomOauth);
  app.route("/", webhooks);
  app.route("/", consoleRoutes);
  app.route("/", classLinks);
  app.route("/", recordingsApi);
  app.route("/", teachersRouter);
  app.route("/", classesRouter);
  app.route("/", usageRouter);
  app.route("/", eventsRouter);

  app.openAPIRegistry.registerComponent("securitySchemes", "wiseJwt", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "A JWT minted by Wise with claims sub (user), tenant (institute) and role.",
  });
  const documentConfig = {
    openapi: "3.1.0",
    info: {
      title: "wise-zoom-edge API",
      version: "1.0.0",
      description:
        "Links Wise institutes with their Zoom accounts. Errors are application/problem+json (RFC 9457) with a stable `code`.",
    },
  };
  // Served by hand rather than doc31: the generator replaces `webhooks` with its registry's, and
  // the outbound events' schemas (Standard Webhooks, one versioned body per type) are added here.
  app.get("/openapi.json", (c) =>
    c.json({
      ...app.getOpenAPI31Document({ ...documentConfig, servers: [{ url: c.get("config").publicBaseUrl }] }),
      webhooks: openApiWebhooks(),
    }),
  );
  app.get("/docs", () => renderDocs(documentConfig.info.title));

  app.notFound(() => problemResponse(404, "not_found", "Not found", "No route matches this path"));

  app.onError((thrown, c) => {
    const requestId = c.get("requestId");
    const err = toProblem(thrown);
    if (err instanceof ApiError) {
      if (err.status >= 500 || err.cause) {
        log(err.status >= 500 ? "error" : "info", err.code, {
          requestId,
          reason: err.cause,
          detail: err.detail,
        });
      }
      return problemResponse(err.status, err.code, err.title, err.detail, err.extras, err.headers);
    }
    if (err instanceof HTTPException) {
      // Raised by Hono's own validators and middleware (malformed JSON, for instance).
      const status = err.status;
      const code =
        status === 400 ? "malformed_request" : status === 413 ? "payload_too_large" : `http_${status}`;
      return problemResponse(status, code, err.message || "Bad request", err.message);
    }
    log("error", "unhandled error", { requestId, err });
    return problemResponse(
      500,
      "internal_error",
      "Internal error",
      `Something went wrong (request ${requestId})`,
    );
  });

  return app;
}
