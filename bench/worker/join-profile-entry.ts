// Profiling build: the product Worker plus routes that each do one piece of a join click, so the
// cost of each piece can be measured against a constant redirect in the same run.
import { DurableObject } from "cloudflare:workers";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { database } from "../../src/db/client.ts";
import type { Env } from "../../src/env.ts";
import { log } from "../../src/http/log.ts";
// First: the app registers zod-openapi before any schema module is evaluated.
import worker from "../../src/index.ts";
import { resolveJoin } from "../../src/links/click.ts";
import { verifyLink } from "../../src/links/token.ts";

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
    const [, p, what, token = ""] = path.split("/");
    if (p !== "__p") return worker.fetch(request, env, ctx);
    const config = loadConfig(env);
    if (what === "app-redirect") return app.fetch(request, env, ctx);
    if (what === "j-no-limiter") {
      const { JOIN_RATE_LIMITER: _, ...rest } = env;
      return worker.fetch(new Request(new URL(`/j/${token}`, request.url), request), rest as Env, ctx);
    }
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
        log("info", "request", {
          requestId: crypto.randomUUID(),
          method: "GET",
          path: "/j/[token]",
          status: 302,
          ms: 0,
        });
        return redirect();
      case "d1-select1":
        await env.DB.prepare("SELECT 1 AS one").first();
        return redirect();
      case "d1-pk":
        await env.DB.prepare(
          "SELECT join_url FROM class_registrants WHERE tenant_id = ? AND class_id = ? AND student_id = ?",
        )
          .bind("bench-t", "bench-class", "s1")
          .first();
        return redirect();
      case "resolve": {
        const o = await resolveJoin(env, config, database(env.DB), token);
        if (o.kind !== "redirect") throw new Error(o.kind);
        return new Response(null, { status: 302, headers: { location: o.location } });
      }
      case "verify-do":
      case "rl-verify-do": {
        if (what === "rl-verify-do") {
          await env.JOIN_RATE_LIMITER?.limit({ key: request.headers.get("cf-connecting-ip") ?? "x" });
        }
        const v = await verifyLink(config.linkKeys, token, "join");
        if (!v.ok) throw new Error(v.reason);
        await env.PROFILE_PING.getByName(`${v.claims.tenant}:${v.claims.class}`).ping(v.claims.subject);
        return redirect();
      }
      case "rl-parallel-verify-do": {
        const limited = env.JOIN_RATE_LIMITER?.limit({ key: request.headers.get("cf-connecting-ip") ?? "x" });
        const v = await verifyLink(config.linkKeys, token, "join");
        if (!v.ok) throw new Error(v.reason);
        await env.PROFILE_PING.getByName(`${v.claims.tenant}:${v.claims.class}`).ping(v.claims.subject);
        await limited;
        return redirect();
      }
      case "verify-d1": {
        const v = await verifyLink(config.linkKeys, token, "join");
        if (!v.ok) throw new Error(v.reason);
        await env.DB.prepare(
          "SELECT join_url FROM class_registrants WHERE tenant_id = ? AND class_id = ? AND student_id = ?",
        )
          .bind(v.claims.tenant, v.claims.class as string, v.claims.subject)
          .first();
        return redirect();
      }
      case "do": {
        const stub = env.PROFILE_PING.getByName("bench-t:bench-class");
        await stub.ping("s1");
        return redirect();
      }
    }
    return new Response("?", { status: 404 });
  },
} satisfies ExportedHandler<PEnv, unknown>;
