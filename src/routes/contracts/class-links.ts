// The HTTP contract of routes/class-links.ts: request and answer schemas, and the OpenAPI
// declaration of each operation. The handlers are in the route file.
import { createRoute, z } from "@hono/zod-openapi";
import { WiseId } from "../../auth/jwt.ts";
import { bearerSecurity, requireRole } from "../../http/context.ts";
import { MAX_STUDENTS_PER_CALL } from "../../links/mint.ts";
import { json, jsonBody } from "./shared.ts";

export const ClassParams = z.object({ classId: WiseId.openapi({ param: { name: "classId", in: "path" } }) });
// Names become Zoom display names and query parameters: printable text only.
export const StudentName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\p{Cc}\p{Cf}]+$/u, "must not contain control or format characters")
  // The document's pattern as JSON Schema reads it (Unicode mode); the derived one carried "/u".
  .openapi({ pattern: "^[^\\p{Cc}\\p{Cf}]+$" });
export const JoinLinksRequest = z
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
export const JoinLinks = z
  .object({
    links: z.array(z.object({ studentId: z.string(), url: z.url() })),
    expiresAt: z.string(),
  })
  .openapi("JoinLinks");
export const StartLinkRequest = z
  .object({
    expiresAt: z.iso.datetime({ offset: true }).optional().openapi({
      description: "At most, and by default, the class's end plus the configured grace period",
    }),
  })
  .strict();

export const postClassesJoinLinks = createRoute({
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
    body: jsonBody(JoinLinksRequest),
  },
  responses: { 200: json(JoinLinks, "The links") },
});

export const postClassesStartLink = createRoute({
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
});

export const deleteClassesStartLink = createRoute({
  method: "delete",
  path: "/v1/classes/{classId}/start-link",
  tags: ["Links"],
  summary: "Revoke the start links of the class's teacher issued so far",
  security: bearerSecurity,
  middleware: [requireRole("admin", "teacher")] as const,
  request: { params: ClassParams },
  responses: { 204: { description: "Revoked; a start link minted later works" } },
});

export const deleteClassesJoinLinks = createRoute({
  method: "delete",
  path: "/v1/classes/{classId}/join-links",
  tags: ["Links"],
  summary: "Revoke every join link of the class issued so far",
  security: bearerSecurity,
  middleware: [requireRole("admin", "teacher")] as const,
  request: { params: ClassParams },
  responses: { 204: { description: "Revoked; links minted later work" } },
});

export const deleteClassesJoinLink = createRoute({
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
});
