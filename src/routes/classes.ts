// /v1/classes/{classId}/meeting and /sessions: a Wise class's Zoom meeting and its attendance, for
// admins and the class's teacher. Students have no business here (403), and no answer carries the
// join URL, passcode or start URL.
import type { Context } from "hono";
import { listClasses, requireClass } from "../classes/class-access.ts";
import { deleteClassMeeting, endClassMeeting, putClassMeeting } from "../classes/meetings.ts";
import { checkSchedule } from "../classes/schedule.ts";
import { listSessions, refreshSessions } from "../classes/sessions.ts";
import { database } from "../db/client.ts";
import { type AppEnv, createRouter } from "../http/context.ts";
import { withRosterNotice } from "../links/roster-object.ts";
import { ZoomClient } from "../zoom/client.ts";
import * as contract from "./contracts/classes.ts";
import { view } from "./contracts/classes.ts";

export const classesRouter = createRouter();

const zoomFor = (c: Context<AppEnv>) =>
  ZoomClient.forTenant(c.env, c.get("config"), database(c.env.DB), c.get("principal").tenantId);

classesRouter.openapi(contract.putClassesMeeting, async (c) => {
  const body = c.req.valid("json");
  const startTime = Date.parse(body.startTime);
  checkSchedule(body, startTime);
  const db = database(c.env.DB);
  const classId = c.req.valid("param").classId;
  const client = await zoomFor(c);
  const { row, created } = await withRosterNotice(c.env, c.get("principal").tenantId, classId, () =>
    putClassMeeting(db, client, c.get("principal"), classId, { ...body, startTime }),
  );
  return created ? c.json(view(row), 201) : c.json(view(row), 200);
});

classesRouter.openapi(contract.getClasses, async (c) => {
  const rows = await listClasses(database(c.env.DB), c.get("principal"), c.req.valid("query").limit);
  return c.json({ classes: rows.map(view) }, 200);
});

classesRouter.openapi(contract.getClassesMeeting, async (c) => {
  const row = await requireClass(database(c.env.DB), c.get("principal"), c.req.valid("param").classId);
  return c.json(view(row), 200);
});

classesRouter.openapi(contract.deleteClassesMeeting, async (c) => {
  const db = database(c.env.DB);
  const principal = c.get("principal");
  const classId = c.req.valid("param").classId;
  // Authorize before touching Zoom (a missing link must not hide a 403/404).
  await requireClass(db, principal, classId);
  const client = await zoomFor(c);
  await withRosterNotice(c.env, c.get("principal").tenantId, classId, () =>
    deleteClassMeeting(db, client, principal, classId),
  );
  return c.body(null, 204);
});

classesRouter.openapi(contract.postClassesMeetingEnd, async (c) => {
  const db = database(c.env.DB);
  const principal = c.get("principal");
  const classId = c.req.valid("param").classId;
  await requireClass(db, principal, classId);
  const client = await zoomFor(c);
  return c.json(
    view(
      await withRosterNotice(c.env, c.get("principal").tenantId, classId, () =>
        endClassMeeting(db, client, principal, classId),
      ),
    ),
    200,
  );
});

classesRouter.openapi(contract.getClassesSessions, async (c) => {
  const db = database(c.env.DB);
  const principal = c.get("principal");
  const row = await requireClass(db, principal, c.req.valid("param").classId);
  const refresh = c.req.valid("query").refresh;
  const fetched =
    refresh === "1" || refresh === "true" ? await refreshSessions(db, await zoomFor(c), row) : 0;
  return c.json(
    { classId: row.classId, fetched, sessions: await listSessions(db, principal.tenantId, row.classId) },
    200,
  );
});
