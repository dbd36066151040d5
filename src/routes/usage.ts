// GET /v1/zoom/usage: seats and cloud storage of the linked Zoom account, plus our archive totals.
import { createRoute, z } from "@hono/zod-openapi";
import { database } from "../db/client.ts";
import { dispatchEvents } from "../events/outbox.ts";
import { bearerSecurity, createRouter, requireRole } from "../http/context.ts";
import { usageFor } from "../usage/usage.ts";
import { ZoomClient } from "../zoom/client.ts";

export const usageRouter = createRouter();

const Usage = z
  .object({
    zoomAccountId: z.string(),
    seats: z.object({
      licensed: z.number(),
      basic: z.number(),
      pending: z.number(),
      total: z.number(),
      purchased: z.number().nullable(),
    }),
    cloudStorage: z.object({
      usedBytes: z.number().nullable(),
      planBytes: z.number().nullable(),
      freeBytes: z.number().nullable(),
    }),
    archive: z.object({ recordings: z.number(), files: z.number(), bytes: z.number() }),
    history: z
      .array(z.object({ at: z.string(), usedBytes: z.number().nullable() }))
      .openapi({ description: "Cloud storage used at each recent snapshot, oldest first" }),
    cachedAt: z.string(),
    ageSeconds: z.number(),
    stale: z.object({ reason: z.string(), retryAfterSeconds: z.number().optional() }).optional(),
  })
  .openapi("ZoomUsage");

usageRouter.openapi(
  createRoute({
    method: "get",
    path: "/v1/zoom/usage",
    tags: ["Zoom link"],
    summary: "Seats, cloud storage and archive totals",
    description:
      "Zoom's usage calls are heavily rate-limited, so the answer comes from a snapshot up to 15 minutes old (cachedAt, ageSeconds); refresh=1 reads Zoom again. If Zoom refuses a refresh for its rate limit, the last snapshot answers with `stale`.",
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    request: { query: z.object({ refresh: z.enum(["0", "1", "true", "false"]).optional() }) },
    responses: { 200: { description: "Usage", content: { "application/json": { schema: Usage } } } },
  }),
  async (c) => {
    const db = database(c.env.DB);
    const { tenantId } = c.get("principal");
    const client = await ZoomClient.forTenant(c.env, c.get("config"), db, tenantId);
    const refresh = c.req.valid("query").refresh;
    return c.json(
      await usageFor(db, client, tenantId, {
        refresh: refresh === "1" || refresh === "true",
        dispatch: (ids) => dispatchEvents(c.env, ids),
      }),
      200,
    );
  },
);
