// Minting and revoking a class's signed links: POST join-links / start-link, DELETE join-links.
import { database } from "../db/client.ts";
import { createRouter } from "../http/context.ts";
import { mintJoinLinks, mintStartLink, revokeJoinLinks, revokeStartLinks } from "../links/mint.ts";
import * as contract from "./contracts/class-links.ts";

export const classLinks = createRouter();

classLinks.openapi(contract.postClassesJoinLinks, async (c) => {
  const { students, expiresAt } = c.req.valid("json");
  const result = await mintJoinLinks(
    c.env,
    c.get("config"),
    database(c.env.DB),
    c.get("principal"),
    c.req.valid("param").classId,
    students,
    expiresAt,
  );
  return c.json(result, 200);
});

classLinks.openapi(contract.postClassesStartLink, async (c) => {
  const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
  const result = await mintStartLink(
    c.get("config"),
    database(c.env.DB),
    c.get("principal"),
    c.req.valid("param").classId,
    body.expiresAt,
  );
  return c.json(result, 200);
});

classLinks.openapi(contract.deleteClassesStartLink, async (c) => {
  await revokeStartLinks(database(c.env.DB), c.get("principal"), c.req.valid("param").classId);
  return c.body(null, 204);
});

classLinks.openapi(contract.deleteClassesJoinLinks, async (c) => {
  await revokeJoinLinks(c.env, database(c.env.DB), c.get("principal"), c.req.valid("param").classId);
  return c.body(null, 204);
});

classLinks.openapi(contract.deleteClassesJoinLink, async (c) => {
  const { classId, studentId } = c.req.valid("param");
  await revokeJoinLinks(c.env, database(c.env.DB), c.get("principal"), classId, studentId);
  return c.body(null, 204);
});
