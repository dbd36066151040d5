// /v1/teachers: admins manage their teachers' Zoom users and licenses.
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { WiseId } from "../auth/jwt.ts";
import { database } from "../db/client.ts";
import { dispatchEvents } from "../events/outbox.ts";
import { type AppEnv, bearerSecurity, createRouter, requireJsonBody, requireRole } from "../http/context.ts";
import {
  createTeacher,
  listTeachers,
  removeTeacher,
  requireTeacher,
  syncTeachers,
  type TeacherRow,
  updateTeacher,
} from "../teachers/teachers.ts";
import { ZoomClient } from "../zoom/client.ts";

export const teachersRouter = createRouter();

const Teacher = z
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

const Name = z.string().trim().min(1).max(64);

const NewTeacher = z
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

const TeacherPatch = z
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

const Params = z.object({ wiseUserId: WiseId.openapi({ param: { name: "wiseUserId", in: "path" } }) });

const view = (t: TeacherRow) => ({
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

const zoomFor = (c: Context<AppEnv>) =>
  ZoomClient.forTenant(c.env, c.get("config"), database(c.env.DB), c.get("principal").tenantId);

const common = { tags: ["Teachers"], security: bearerSecurity };
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

teachersRouter.openapi(
  createRoute({
    ...common,
    middleware: [requireRole("admin")] as const,
    method: "get",
    path: "/v1/teachers",
    summary: "The institute's teachers and their Zoom users",
    responses: { 200: json(z.object({ teachers: z.array(Teacher) }), "Teachers") },
  }),
  async (c) => {
    const rows = await listTeachers(database(c.env.DB), c.get("principal").tenantId);
    return c.json({ teachers: rows.map(view) }, 200);
  },
);

teachersRouter.openapi(
  createRoute({
    ...common,
    middleware: [requireRole("admin")] as const,
    method: "post",
    path: "/v1/teachers",
    summary: "Add a teacher (idempotent per wiseUserId)",
    description:
      "Creates the teacher's Zoom user with the institute's user creation action, or adopts the Zoom user that already has this email in the account (never the account's owner or an admin unless the tenant's allowZoomAdminTeachers policy says so).",
    request: { body: { required: true, content: { "application/json": { schema: NewTeacher } } } },
    responses: {
      200: json(Teacher, "The teacher already existed"),
      201: json(Teacher, "The teacher was added"),
    },
  }),
  async (c) => {
    const { tenantId, userId } = c.get("principal");
    const db = database(c.env.DB);
    const { teacher, created } = await createTeacher(
      db,
      await zoomFor(c),
      tenantId,
      c.req.valid("json"),
      userId,
    );
    return created ? c.json(view(teacher), 201) : c.json(view(teacher), 200);
  },
);

teachersRouter.openapi(
  createRoute({
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
            .array(
              z.object({ wiseUserId: z.string(), classIds: z.array(z.string()), relicensed: z.boolean() }),
            )
            .openapi({
              description:
                "Teachers without a license who host scheduled classes; relicensed under the relicense hostLicensePolicy",
            }),
          teachers: z.array(Teacher),
        }),
        "What changed",
      ),
    },
  }),
  async (c) => {
    const { tenantId } = c.get("principal");
    const db = database(c.env.DB);
    const result = await syncTeachers(db, await zoomFor(c), tenantId, (ids) => dispatchEvents(c.env, ids));
    return c.json({ ...result, teachers: (await listTeachers(db, tenantId)).map(view) }, 200);
  },
);

teachersRouter.openapi(
  createRoute({
    ...common,
    middleware: [requireRole("admin"), requireJsonBody] as const,
    method: "patch",
    path: "/v1/teachers/{wiseUserId}",
    summary: "License or unlicense a teacher, or change their Zoom settings",
    description:
      "Unlicensing a teacher who hosts scheduled classes is refused (409 teacher_hosts_classes) unless the tenant's hostLicensePolicy is relicense.",
    request: {
      params: Params,
      body: { required: true, content: { "application/json": { schema: TeacherPatch } } },
    },
    responses: { 200: json(Teacher, "The teacher") },
  }),
  async (c) => {
    const { tenantId, userId } = c.get("principal");
    const { wiseUserId } = c.req.valid("param");
    const db = database(c.env.DB);
    // A teacher of another tenant (or none) is a 404 whether or not Zoom is linked.
    await requireTeacher(db, tenantId, wiseUserId);
    const row = await updateTeacher(db, await zoomFor(c), tenantId, wiseUserId, c.req.valid("json"), userId);
    return c.json(view(row), 200);
  },
);

teachersRouter.openapi(
  createRoute({
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
  }),
  async (c) => {
    const { tenantId } = c.get("principal");
    const db = database(c.env.DB);
    await removeTeacher(
      db,
      await zoomFor(c),
      tenantId,
      c.req.valid("param").wiseUserId,
      c.req.valid("query").action,
    );
    return c.body(null, 204);
  },
);
