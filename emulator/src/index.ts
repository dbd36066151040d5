// Zoom emulator Worker: routes by path only (any host), turns requests into RPC calls on the
// ZoomState object and streams recording files itself so nothing is buffered.
import { Hono } from "hono";
import { damagedBody, fileStream, parseRange, sha256OfFile, withLength } from "./files.ts";
import type { WireRequest, WireResponse } from "./http.ts";
import { receiver } from "./receiver.ts";
import type { Env } from "./state.ts";

export { ZoomState } from "./state.ts";

type AppEnv = { Bindings: Env };

const app = new Hono<AppEnv>();

const zoom = (env: Env) => env.ZOOM_STATE.getByName("zoom");

async function wire(req: Request): Promise<WireRequest> {
  const url = new URL(req.url);
  const headers: Record<string, string> = {};
  for (const name of ["authorization", "content-type"]) {
    const v = req.headers.get(name);
    if (v !== null) headers[name] = v;
  }
  return {
    method: req.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    // Decoded by hand: Request.text() warns on form bodies in workerd.
    body:
      req.method === "GET" || req.method === "HEAD" ? "" : new TextDecoder().decode(await req.arrayBuffer()),
    origin: url.origin,
  };
}

/** Turns the state object's answer into a Response, applying fault effects on the way. */
async function respond(w: WireResponse): Promise<Response> {
  const effect = w.effect;
  if (effect?.delayMs) await new Promise((r) => setTimeout(r, effect.delayMs));
  const headers = new Headers({ ...w.headers, ...(effect?.headers ?? {}) });
  const nullBody =
    w.status === 204 || w.status === 304 || (w.body === "" && w.status >= 300 && w.status < 400);
  if (nullBody) return new Response(null, { status: w.status, headers });
  if (effect && (effect.dropAfterBytes !== undefined || effect.truncateBody !== undefined)) {
    const bytes = new TextEncoder().encode(w.body);
    headers.set("content-length", String(bytes.length));
    return new Response(damagedBody(bytes, effect), { status: w.status, headers });
  }
  return new Response(w.body, { status: w.status, headers });
}

app.get("/", (c) =>
  c.html(
    "<!doctype html><meta name=viewport content='width=device-width'><h1>Zoom emulator</h1><p>See emulator/README.md. OAuth at /oauth/authorize, Marketplace installs at /marketplace/apps/{clientId}/add, API at /v2, control API at /__emulator.</p>",
  ),
);

app.on(["GET", "POST"], "/oauth/authorize", async (c) =>
  respond(await zoom(c.env).authorize(await wire(c.req.raw))),
);
// The App Marketplace's "Add" button for an app: Zoom's consent without the integrator's state.
app.get("/marketplace/apps/:clientId/add", async (c) =>
  respond(await zoom(c.env).marketplaceAdd(c.req.param("clientId"), c.req.query("redirect_uri"))),
);
app.post("/oauth/token", async (c) => respond(await zoom(c.env).token(await wire(c.req.raw))));
app.post("/oauth/revoke", async (c) => respond(await zoom(c.env).revoke(await wire(c.req.raw))));

app.all("/v2/*", async (c) => respond(await zoom(c.env).rest(await wire(c.req.raw))));

app.get("/rec/download/:key", async (c) =>
  respond(await zoom(c.env).download(await wire(c.req.raw), c.req.param("key"))),
);
app.get("/rec/webhook_download/:key", async (c) =>
  respond(await zoom(c.env).download(await wire(c.req.raw), c.req.param("key"), "webhook")),
);

app.on(["GET", "HEAD"], "/file/:fileId", async (c) => {
  const url = new URL(c.req.url);
  const answer = await zoom(c.env).file(
    c.req.param("fileId"),
    url.searchParams.get("exp") ?? "",
    url.searchParams.get("sig") ?? "",
    c.req.header("authorization") !== undefined,
  );
  if ("response" in answer) return respond(answer.response);
  const { file, effect } = answer;
  if (effect?.delayMs) await new Promise((r) => setTimeout(r, effect.delayMs));
  // Accept-Encoding is ignored on purpose: the body is always identity so its length is known.
  const headers = new Headers({
    "content-type": file.contentType,
    "accept-ranges": "bytes",
    etag: file.etag,
    "cache-control": "private, max-age=600",
    ...(effect?.headers ?? {}),
  });
  const range = parseRange(c.req.header("range") ?? null, file.size);
  if (range.kind === "unsatisfiable") {
    headers.set("content-range", `bytes */${file.size}`);
    return new Response(null, { status: 416, headers });
  }
  const [start, end, status] =
    range.kind === "partial" ? [range.start, range.end + 1, 206] : [0, file.size, 200];
  if (range.kind === "partial") headers.set("content-range", `bytes ${start}-${end - 1}/${file.size}`);
  headers.set("content-length", String(end - start));
  if (c.req.method === "HEAD") return new Response(null, { status, headers });
  const body = withLength(fileStream(file, start, end, effect), end - start);
  return new Response(body, { status, headers });
});

app.get("/__emulator/files/:fileId/sha256", async (c) => {
  const file = await zoom(c.env).fileDescriptor(c.req.param("fileId"));
  if (!file) return c.json({ error: "no such file" }, 404);
  return c.json({ fileId: file.fileId, size: file.size, sha256: await sha256OfFile(file) });
});

// Wise's event endpoint stand-in and its control routes (before the catch-all control API).
app.route("/", receiver);

app.all("/__emulator/*", async (c) => respond(await zoom(c.env).control(await wire(c.req.raw))));

app.get("/s/:meetingId", async (c) =>
  respond(await zoom(c.env).startPage(c.req.param("meetingId"), c.req.query("zak") ?? "")),
);
app.get("/j/:meetingId", async (c) => respond(await zoom(c.env).joinPage(c.req.param("meetingId"))));
app.get("/w/:meetingId", async (c) =>
  respond(await zoom(c.env).joinPage(c.req.param("meetingId"), c.req.query("tk") ?? "")),
);

app.notFound((c) => c.json({ code: 404, message: "Not Found" }, 404));

export default app satisfies ExportedHandler<Env>;
