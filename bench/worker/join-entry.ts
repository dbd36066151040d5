// Benchmark build of the product: the real Worker plus two constant redirects used as baselines,
// one answered at the entry (bare) and one through the API's middleware stack (what /j skips).
import { createApp } from "../../src/app.ts";
import worker from "../../src/index.ts";
import { seedClass } from "./seed-class.ts";

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
    if (path === "/__bench/seed-class") return seedClass(request, env);
    return worker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env, unknown>;
