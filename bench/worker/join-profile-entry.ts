// Profiling build: the product Worker plus routes that each do one piece of a join click, so the
// cost of each piece can be measured against a constant redirect in the same run.
import { DurableObject } from "cloudflare:workers";
import { createApp } from "../../src/app.ts";
// First: the app registers zod-openapi before any schema module is evaluated.
import worker from "../../src/index.ts";
import { resolveJoin } from "../../src/links/click.ts";
import { rosterOf } from "../../src/links/roster-object.ts";
import { verifyLink } from "../../src/links/token.ts";
import { loadConfig } from "../../src/platform/config.ts";
import { accessLog } from "../../src/platform/log.ts";
import { seedClass } from "./seed-class.ts";

export { ClassRoster } from "../../src/links/roster-object.ts";
export { ZoomAccount } from "../../src/zoom/account-object.ts";

/** A trivial SQLite-backed object: the floor of one Durable Object RPC. */
export class ProfilePing extends DurableObject<Env> {
  private readonly rows = new Map<string, string>();
  ping(key: string): string | null {
    return this.rows.get(key) ?? key;
  }
}

const BASELINE = "https://zoom.us/j/12345678901";
const app = createApp();
app.get("/__p/app-redirect", () => new Response(null, { status: 302, headers: { location: BASELINE } }));
const redirect = () => new Response(null, { status: 302, headers: { location: BASELINE } });

type PEnv = Env & { PROFILE_PING: DurableObjectNamespace<ProfilePing> };

export default {
  ...worker,
  async fetch(request, env, ctx) {
    const path = new URL(request.url).pathname;
    if (path === "/__bench/seed-class") return seedClass(request, env);
    const [, p, what, token = ""] = path.split("/");
    if (p !== "__p") return worker.fetch(request, env, ctx);
    const config = loadConfig(env);
    if (what === "app-redirect") return app.fetch(request, env, ctx);
    switch (what) {
      case "bare":
        return redirect();
      case "ratelimit":
        await env.JOIN_RATE_LIMITER?.limit({ key: request.headers.get("cf-connecting-ip") ?? "x" });
        return redirect();
      case "verify": {
        const v = await verifyLink(config.linkKeys, token, "join");
        if (!v.ok) throw new Error(v.reason);
        return redirect();
      }
      case "log":
        accessLog(crypto.randomUUID(), "GET", "/j/x", 302, 0);
        return redirect();
      case "do":
        await env.PROFILE_PING.getByName("bench-t/bench-class").ping("s1");
        return redirect();
      case "roster": {
        const i = Math.floor(Math.random() * 1000);
        await rosterOf(env, "bench-t", "bench-class").join("bench-t", "bench-class", `s${i}`, `k${i}`);
        return redirect();
      }
      case "verify-roster": {
        const v = await verifyLink(config.linkKeys, token, "join");
        if (!v.ok) throw new Error(v.reason);
        const c = v.claims;
        await rosterOf(env, c.tenant, c.class as string).join(
          c.tenant,
          c.class as string,
          c.subject,
          `k${c.iat}`,
        );
        return redirect();
      }
      case "resolve": {
        const o = await resolveJoin(env, config, token);
        if (o.kind !== "redirect") throw new Error(o.kind);
        return new Response(null, { status: 302, headers: { location: o.location } });
      }
    }
    return new Response("?", { status: 404 });
  },
} satisfies ExportedHandler<PEnv, unknown>;
