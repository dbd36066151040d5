// GET/PATCH /v1/tenant: the institute's profile and policies (user creation, license recycling,
// meeting settings, host licenses, who may license on schedule, Zoom admins as teachers, where
// outbound events may go and the storage alert threshold).
import { database } from "../db/client.ts";
import { getTenant, updateTenant } from "../db/tenants.ts";
import { createRouter } from "../http/context.ts";
import * as contract from "./contracts/tenant.ts";
import { view } from "./contracts/tenant.ts";

export const tenant = createRouter();

tenant.openapi(contract.getTenant, async (c) =>
  c.json(view(await getTenant(database(c.env.DB), c.get("principal").tenantId)), 200),
);

tenant.openapi(contract.patchTenant, async (c) => {
  const body = c.req.valid("json");
  const { name, ...settings } = body;
  const row = await updateTenant(database(c.env.DB), c.get("principal").tenantId, { name, settings });
  return c.json(view(row), 200);
});
