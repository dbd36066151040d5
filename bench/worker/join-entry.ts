// Benchmark build of the product: the real Worker plus two constant redirects used as baselines,
// one answered at the entry (bare) and one through the app's middleware (same pipeline as /j), and
// /j without the per-IP limiter binding, to show how much of a click the (local) limiter takes.
import { createApp } from "../../src/app.ts";
import type { Env } from "../../src/env.ts";
import worker from "../../src/index.ts";

export { ClassRoster } from "../../src/links/roster-object.ts";
export { ZoomAccount } from "../../src/zoom/account-object.ts";

const app = createApp();
app.get("/__bench/app-redirect", () => new Response(null, { status: 302, headers: { location: BASELINE } }));
const BASELINE = "https://zoom.us/j/12345678901";

export default {
  ...worker,
  fetch(request, env, ctx) {
    const path = new URL(request.url).pathname;
    if (path === "/__bench/redirect") {
      return new Response(null, { status: 302, headers: { location: BASELINE } });
    }
    if (path === "/__bench/app-redirect") return app.fetch(request, env, ctx);
    if (path.startsWith("/__bench/j-unlimited/")) {
      const { JOIN_RATE_LIMITER: _, ...unlimited } = env;
      const url = new URL(request.url);
      url.pathname = `/j/${path.slice("/__bench/j-unlimited/".length)}`;
      return worker.fetch(new Request(url, request), unlimited, ctx);
    }
    return worker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env, unknown>;
