// GET /healthz: liveness plus one trivial D1 query, for load balancers and uptime checks.
import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "../http/context.ts";
import { problemResponse } from "../http/problem.ts";
import { log } from "../platform/log.ts";

export const health = createRouter();

const Health = z.object({ status: z.literal("ok"), d1: z.literal("ok") }).openapi("Health");

health.openapi(
  createRoute({
    method: "get",
    path: "/healthz",
    tags: ["Operations"],
    summary: "Liveness and a cheap D1 check",
    responses: {
      200: {
        description: "The Worker runs and D1 answers",
        content: { "application/json": { schema: Health } },
      },
      503: { description: "D1 does not answer" },
    },
  }),
  async (c) => {
    try {
      await c.env.DB.prepare("SELECT 1").first();
    } catch (err) {
      log("error", "healthz: D1 check failed", { requestId: c.get("requestId"), err });
      return problemResponse(503, "unavailable", "D1 unavailable", "The database did not answer") as never;
    }
    c.header("cache-control", "no-store");
    return c.json({ status: "ok" as const, d1: "ok" as const }, 200);
  },
);
