// GET/PATCH /v1/tenant: the institute's profile and policies (user creation, license recycling).
import { createRoute, z } from "@hono/zod-openapi";
import { database } from "../db/client.ts";
import { getTenant, updateTenant } from "../db/tenants.ts";
import { bearerSecurity, createRouter, requireRole } from "../http/context.ts";

export const tenant = createRouter();

const TenantView = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    userCreateAction: z.enum(["create", "custCreate"]),
    licensePolicy: z.enum(["manual", "auto-recycle"]),
    createdAt: z.string().nullable(),
  })
  .openapi("Tenant");

const TenantPatch = z
  .object({
    name: z.string().trim().min(1).max(200).nullable().optional(),
    userCreateAction: z
      .enum(["create", "custCreate"])
      .optional()
      .openapi({ description: "How teachers' Zoom users are created (custCreate needs Zoom's approval)" }),
    licensePolicy: z
      .enum(["manual", "auto-recycle"])
      .optional()
      .openapi({ description: "auto-recycle moves a seat from the least recently teaching teacher" }),
  })
  .strict()
  .openapi("TenantPatch");

type Row = Awaited<ReturnType<typeof getTenant>>;
const view = (t: Row) => ({
  id: t.id,
  name: t.name,
  userCreateAction: t.settings.userCreateAction ?? ("create" as const),
  licensePolicy: t.settings.licensePolicy ?? ("manual" as const),
  createdAt: t.createdAt === null ? null : new Date(t.createdAt).toISOString(),
});

tenant.openapi(
  createRoute({
    method: "get",
    path: "/v1/tenant",
    tags: ["Tenant"],
    summary: "The caller's institute and its policies",
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    responses: {
      200: { description: "The tenant", content: { "application/json": { schema: TenantView } } },
    },
  }),
  async (c) => c.json(view(await getTenant(database(c.env.DB), c.get("principal").tenantId)), 200),
);

tenant.openapi(
  createRoute({
    method: "patch",
    path: "/v1/tenant",
    tags: ["Tenant"],
    summary: "Change the institute's name or policies",
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    request: { body: { required: true, content: { "application/json": { schema: TenantPatch } } } },
    responses: {
      200: { description: "The updated tenant", content: { "application/json": { schema: TenantView } } },
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const { name, ...settings } = body;
    const row = await updateTenant(database(c.env.DB), c.get("principal").tenantId, { name, settings });
    return c.json(view(row), 200);
  },
);
