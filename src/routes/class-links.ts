// Minting and revoking a class's signed links: POST join-links / start-link, DELETE join-links.
import { createRoute, z } from "@hono/zod-openapi";
import { WiseId } from "../auth/jwt.ts";
import { database } from "../db/client.ts";
import { bearerSecurity, createRouter, requireRole } from "../http/context.ts";
import {
  MAX_STUDENTS_PER_CALL,
  mintJoinLinks,
  mintStartLink,
  revokeJoinLinks,
  revokeStartLinks,
} from "../links/mint.ts";

export const classLinks = createRouter();

const ClassParams = z.object({ classId: WiseId.openapi({ param: { name: "classId", in: "path" } }) });

// Names become Zoom display names and query parameters: printable text only.
const StudentName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}\p{Cf}]+$/u, "must not contain control or format characters")
  // The document's pattern as JSON Schema reads it (Unicode mode); the derived one carried "/u".
  .openapi({ pattern: "^[^\\p{Cc}\\p{Cf}]+$" });

const JoinLinksRequest = z
  .object({
    students: z
      .array(z.object({ id: WiseId, name: StudentName, email: z.email().max(254).optional() }).strict())
      .min(1)
      .max(MAX_STUDENTS_PER_CALL)
      .refine((s) => new Set(s.map((x) => x.id)).size === s.length, "student ids must be unique"),
    expiresAt: z.iso.datetime({ offset: true }).optional().openapi({
      description: "Defaults to the class's end plus the configured grace period",
    }),
  })
  .strict()
  .openapi("JoinLinksRequest");

const JoinLinks = z
  .object({
    links: z.array(z.object({ studentId: z.string(), url: z.url() })),
    expiresAt: z.string(),
  })
  .openapi("JoinLinks");

const StartLinkRequest = z
  .object({
    expiresAt: z.iso.datetime({ offset: true }).optional().openapi({
      description: "At most, and by default, the class's end plus the configured grace period",
    }),
  })
  .strict();

classLinks.openapi(
  createRoute({
    method: "post",
    path: "/v1/classes/{classId}/join-links",
    tags: ["Links"],
    summary: "Signed join links for a roster",
    description:
      "One /j/ link per student (up to 1,000 a call). Where the class uses registration, the students are registered at Zoom in the background so that a click needs no Zoom call.",
    security: bearerSecurity,
    middleware: [requireRole("admin", "teacher")] as const,
    request: {
      params: ClassParams,
      body: { required: true, content: { "application/json": { schema: JoinLinksRequest } } },
    },
    responses: { 200: { description: "The links", content: { "application/json": { schema: JoinLinks } } } },
  }),
  async (c) => {
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
  },
);

classLinks.openapi(
  createRoute({
    method: "post",
    path: "/v1/classes/{classId}/start-link",
    tags: ["Links"],
    summary: "Signed start link for the class's teacher",
    description:
      "An /s/ link; Zoom's start_url is fetched fresh when it is opened. It expires with the class (its end plus the grace period), and opens only for the class's current teacher while they are an active teacher of the tenant.",
    security: bearerSecurity,
    middleware: [requireRole("admin", "teacher")] as const,
    request: {
      params: ClassParams,
      body: { required: false, content: { "application/json": { schema: StartLinkRequest } } },
    },
    responses: {
      200: {
        description: "The link",
        content: { "application/json": { schema: z.object({ url: z.url(), expiresAt: z.string() }) } },
      },
    },
  }),
  async (c) => {
    const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
    const result = await mintStartLink(
      c.get("config"),
      database(c.env.DB),
      c.get("principal"),
      c.req.valid("param").classId,
      body.expiresAt,
    );
    return c.json(result, 200);
  },
);

classLinks.openapi(
  createRoute({
    method: "delete",
    path: "/v1/classes/{classId}/start-link",
    tags: ["Links"],
    summary: "Revoke the start links of the class's teacher issued so far",
    security: bearerSecurity,
    middleware: [requireRole("admin", "teacher")] as const,
    request: { params: ClassParams },
    responses: { 204: { description: "Revoked; a start link minted later works" } },
  }),
  async (c) => {
    await revokeStartLinks(database(c.env.DB), c.get("principal"), c.req.valid("param").classId);
    return c.body(null, 204);
  },
);

classLinks.openapi(
  createRoute({
    method: "delete",
    path: "/v1/classes/{classId}/join-links",
    tags: ["Links"],
    summary: "Revoke every join link of the class issued so far",
    security: bearerSecurity,
    middleware: [requireRole("admin", "teacher")] as const,
    request: { params: ClassParams },
    responses: { 204: { description: "Revoked; links minted later work" } },
  }),
  async (c) => {
    await revokeJoinLinks(c.env, database(c.env.DB), c.get("principal"), c.req.valid("param").classId);
    return c.body(null, 204);
  },
);

classLinks.openapi(
  createRoute({
    method: "delete",
    path: "/v1/classes/{classId}/join-links/{studentId}",
    tags: ["Links"],
    summary: "Revoke one student's join links issued so far",
    security: bearerSecurity,
    middleware: [requireRole("admin", "teacher")] as const,
    request: {
      params: ClassParams.extend({ studentId: WiseId.openapi({ param: { name: "studentId", in: "path" } }) }),
    },
    responses: { 204: { description: "Revoked; links minted later work" } },
  }),
  async (c) => {
    const { classId, studentId } = c.req.valid("param");
    await revokeJoinLinks(c.env, database(c.env.DB), c.get("principal"), classId, studentId);
    return c.body(null, 204);
  },
);
