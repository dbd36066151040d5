// GET /r/{token}: a signed playback link; verifies the token, then streams the file from R2.
import { servePlayback } from "../archive/playback.ts";
import { createRouter } from "../http/context.ts";
import { messagePage } from "../http/pages.ts";
import { PlayTokenError, verifyPlayToken } from "../links/play-token.ts";
import { log } from "../platform/log.ts";

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
  return (
    (await servePlayback(c.env, grant, c.req.raw)) ??
    messagePage(
      "Recording not available",
      "This recording is not available (any more). Ask your teacher for a new link.",
      404,
    )
  );
});
