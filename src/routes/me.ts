// GET /v1/me: who the caller's JWT says they are. Lets Wise check a token end to end.
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, createRouter, requireRole } from "../http/context.ts";

export const me = createRouter();

const Me = z
  .object({
    userId: z.string(),
    tenantId: z.string(),
    role: z.enum(["admin", "teacher", "student"]),
  })
  .openapi("Caller");

me.openapi(
  createRoute({
    method: "get",
    path: "/v1/me",
    tags: ["Caller"],
    summary: "The verified caller",
    security: bearerSecurity,
    middleware: [requireRole("admin", "teacher", "student")] as const,
    responses: {
      200: { description: "The caller", content: { "application/json": { schema: Me } } },
    },
  }),
  (c) => {
    const p = c.get("principal");
    return c.json({ userId: p.userId, tenantId: p.tenantId, role: p.role }, 200);
  },
);
