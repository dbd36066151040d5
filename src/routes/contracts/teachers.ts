// The HTTP contract of routes/teachers.ts: request and answer schemas, and the OpenAPI
// declaration of each operation. The handlers are in the route file.
import { createRoute, z } from "@hono/zod-openapi";
import { WiseId } from "../../auth/jwt.ts";
import { bearerSecurity, requireJsonBody, requireRole } from "../../http/context.ts";
import type { TeacherRow } from "../../teachers/teachers.ts";
import { json, jsonBody } from "./shared.ts";

export const Teacher = z
  .object({
    wiseUserId: z.string(),
    email: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    zoomUserId: z.string().nullable(),
    status: z.enum(["pending", "active", "inactive"]),
    licensed: z.boolean(),
    license: z.enum(["licensed", "basic"]),
    cloudRecording: z.boolean().nullable(),
    lastClassAt: z.string().nullable(),
  })
  .openapi("Teacher");
export const Name = z.string().trim().min(1).max(64);
export const NewTeacher = z
  .object({
    wiseUserId: WiseId,
    email: z
      .email()
      .max(128)
      .transform((e) => e.toLowerCase()),
    firstName: Name,
    lastName: Name,
    licensed: z.boolean().default(false),
  })
  .strict()
  .openapi("NewTeacher");
export const TeacherPatch = z
  .object({
    licensed: z.boolean().optional(),
    cloudRecording: z.boolean().optional().openapi({ description: "Allow recording to Zoom's cloud" }),
    firstName: Name.optional(),
    lastName: Name.optional(),
    active: z.boolean().optional().openapi({ description: "Activate or deactivate the Zoom user" }),
  })
  .strict()
  .refine((p) => Object.keys(p).length > 0, "nothing to change")
  .openapi("TeacherPatch");
export const Params = z.object({ wiseUserId: WiseId.openapi({ param: { name: "wiseUserId", in: "path" } }) });
export const view = (t: TeacherRow) => ({
  wiseUserId: t.wiseUserId,
  email: t.email,
  firstName: t.firstName,
  lastName: t.lastName,
  zoomUserId: t.zoomUserId,
  status: t.status,
  licensed: t.licensed,
  license: t.licensed ? ("licensed" as const) : ("basic" as const),
  cloudRecording: t.cloudRecording,
  lastClassAt: t.lastClassAt ? new Date(t.lastClassAt).toISOString() : null,
});
export const common = { tags: ["Teachers"], security: bearerSecurity };

export const getTeachers = createRoute({
  ...common,
  middleware: [requireRole("admin")] as const,
  method: "get",
  path: "/v1/teachers",
  summary: "The institute's teachers and their Zoom users",
  responses: { 200: json(z.object({ teachers: z.array(Teacher) }), "Teachers") },
});

export const postTeachers = createRoute({
  ...common,
  middleware: [requireRole("admin")] as const,
  method: "post",
  path: "/v1/teachers",
  summary: "Add a teacher (idempotent per wiseUserId)",
  description:
    "Creates the teacher's Zoom user with the institute's user creation action, or adopts the Zoom user that already has this email in the account (never the account's owner or an admin unless the tenant's allowZoomAdminTeachers policy says so).",
  request: { body: jsonBody(NewTeacher) },
  responses: {
    200: json(Teacher, "The teacher already existed"),
    201: json(Teacher, "The teacher was added"),
  },
});

export const postTeachersSync = createRoute({
  ...common,
  middleware: [requireRole("admin")] as const,
  method: "post",
  path: "/v1/teachers/sync",
  summary: "Reconcile teachers with Zoom's user list",
  responses: {
    200: json(
      z.object({
        zoomUsers: z.number(),
        updated: z.number(),
        missing: z.number(),
        unlicensedHosts: z
          .array(z.object({ wiseUserId: z.string(), classIds: z.array(z.string()), relicensed: z.boolean() }))
          .openapi({
            description:
              "Teachers without a license who host scheduled classes; relicensed under the relicense hostLicensePolicy",
          }),
        teachers: z.array(Teacher),
      }),
      "What changed",
    ),
  },
});

export const patchTeachers = createRoute({
  ...common,
  middleware: [requireRole("admin"), requireJsonBody] as const,
  method: "patch",
  path: "/v1/teachers/{wiseUserId}",
  summary: "License or unlicense a teacher, or change their Zoom settings",
  description:
    "Unlicensing a teacher who hosts scheduled classes is refused (409 teacher_hosts_classes) unless the tenant's hostLicensePolicy is relicense.",
  request: {
    params: Params,
    body: jsonBody(TeacherPatch),
  },
  responses: { 200: json(Teacher, "The teacher") },
});

export const deleteTeachers = createRoute({
  ...common,
  middleware: [requireRole("admin")] as const,
  method: "delete",
  path: "/v1/teachers/{wiseUserId}",
  summary: "Remove a teacher",
  description:
    "Disassociates the Zoom user from the account (they keep their Zoom login) unless action=delete.",
  request: {
    params: Params,
    query: z.object({ action: z.enum(["disassociate", "delete"]).default("disassociate") }),
  },
  responses: { 204: { description: "Removed" } },
});
