// /v1/teachers: admins manage their teachers' Zoom users and licenses.
import type { Context } from "hono";
import { database } from "../db/client.ts";
import { dispatchEvents } from "../events/outbox.ts";
import { type AppEnv, createRouter } from "../http/context.ts";
import { syncTeachers } from "../teachers/sync.ts";
import {
  createTeacher,
  listTeachers,
  removeTeacher,
  requireTeacher,
  updateTeacher,
} from "../teachers/teachers.ts";
import { ZoomClient } from "../zoom/client.ts";
import * as contract from "./contracts/teachers.ts";
import { view } from "./contracts/teachers.ts";

export const teachersRouter = createRouter();

const zoomFor = (c: Context<AppEnv>) =>
  ZoomClient.forTenant(c.env, c.get("config"), database(c.env.DB), c.get("principal").tenantId);

teachersRouter.openapi(contract.getTeachers, async (c) => {
  const rows = await listTeachers(database(c.env.DB), c.get("principal").tenantId);
  return c.json({ teachers: rows.map(view) }, 200);
});

teachersRouter.openapi(contract.postTeachers, async (c) => {
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
});

teachersRouter.openapi(contract.postTeachersSync, async (c) => {
  const { tenantId } = c.get("principal");
  const db = database(c.env.DB);
  const result = await syncTeachers(db, await zoomFor(c), tenantId, (ids) => dispatchEvents(c.env, ids));
  return c.json({ ...result, teachers: (await listTeachers(db, tenantId)).map(view) }, 200);
});

teachersRouter.openapi(contract.patchTeachers, async (c) => {
  const { tenantId, userId } = c.get("principal");
  const { wiseUserId } = c.req.valid("param");
  const db = database(c.env.DB);
  // A teacher of another tenant (or none) is a 404 whether or not Zoom is linked.
  await requireTeacher(db, tenantId, wiseUserId);
  const row = await updateTeacher(db, await zoomFor(c), tenantId, wiseUserId, c.req.valid("json"), userId);
  return c.json(view(row), 200);
});

teachersRouter.openapi(contract.deleteTeachers, async (c) => {
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
});
