// GET /r/{token}: a signed playback link; verifies the token, then streams the file from R2.
import { Hono } from "hono";
import { servePlayback } from "../archive/playback.ts";
import type { AppEnv } from "../http/context.ts";
import { createRouter } from "../http/context.ts";
import { messagePage } from "../http/pages.ts";
import { PlayTokenError, verifyPlayToken } from "../links/play-token.ts";
import { ConfigError, loadConfig } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { charged } from "./click-limit.ts";
import { methodNotAllowedPage, refusedPage } from "./pages/link-clicks.ts";

export const playback = createRouter();

playback.on(["GET", "HEAD"], "/r/:token", async (c) => {
  let grant: Awaited<ReturnType<typeof verifyPlayToken>>;
  try {
    grant = await verifyPlayToken(c.get("config").linkKeys, c.req.param("token"));
  } catch (err) {
    if (!(err instanceof PlayTokenError)) throw err;
    log("info", "playback link refused", { requestId: c.get("requestId"), reason: err.reason });
    return err.reason === "expired"
      ? messagePage(
          "Link expired",
          "This playback link has expired. Open the recording again from Wise.",
          410,
        )
      : messagePage("Invalid link", "This playback link is not valid.", 403);
  }
  const served = await servePlayback(c.env, grant, c.req.raw);
  if (served === "not_available") {
    return messagePage(
      "Recording not available",
      "This recording is not available (any more). Ask your teacher for a new link.",
      404,
    );
  }
  if (served === "revoked") {
    return messagePage(
      "Link withdrawn",
      "This playback link was withdrawn. Ask your teacher for access to the class.",
      403,
    );
  }
  return served;
});

/**
 * /r runs the playback router in a pipeline of its own: configuration and request id only, and a
 * refused link (403, 410) charged to the client's address like a refused join or start click.
 */
export const playbackApp = new Hono<AppEnv>();
playbackApp.use(async (c, next) => {
  c.set("config", loadConfig(c.env));
  c.set("requestId", crypto.randomUUID());
  await next();
  if (c.res.status === 403 || c.res.status === 410) c.res = await charged(c.req.raw, c.env, c.res);
});
playbackApp.route("/", playback);
playbackApp.all("/r/*", (c) =>
  c.req.method === "GET" || c.req.method === "HEAD" ? refusedPage("malformed") : methodNotAllowedPage(),
);
playbackApp.onError((err) => {
  if (err instanceof ConfigError) throw err;
  log("error", "playback failed", { err });
  return messagePage("Something went wrong", "Try the link again in a moment.", 500);
});
