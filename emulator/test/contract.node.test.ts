// Contract tests: drives every emulated operation through the bundled emulator in Miniflare and
// validates each success body against Zoom's published OpenAPI schema (from $ZOOM_OPENAPI_DIR),
// each error answer against the statuses and codes the spec declares for the operation, each
// webhook in the outbox against Zoom's webhook schema for that event, and the product's own request
// bodies (built by its pure body builders) against the operations' request schemas.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import formats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MEETING_POLICY } from "../../src/classes/policy.ts";
import { meetingBody, Recurrence } from "../../src/classes/schedule.ts";
import {
  cloudRecordingBody,
  createUserBody,
  endMeetingBody,
  registrantBody,
  updateUserBody,
  userStatusBody,
} from "../../src/zoom/bodies.ts";
import { type EmulatorInMiniflare, startEmulator } from "./miniflare.ts";

const dir = process.env.ZOOM_OPENAPI_DIR;
if (!dir) {
  console.warn(
    "SKIPPED: emulator contract tests need ZOOM_OPENAPI_DIR (a directory with Zoom's OpenAPI specs, see emulator/README.md)",
  );
}

type Json = Record<string, unknown>;
type SpecOperation = {
  requestBody?: { content?: Record<string, { schema: Json }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema: Json }> }>;
  "x-extensions"?: { "x-macro-scopes"?: string[]; "x-granular-scopes"?: string[] };
};
type Spec = { paths: Record<string, Record<string, SpecOperation>> };
type WebhookSpec = {
  webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: Json }> } } }>;
};

const load = <T>(name: string): T =>
  JSON.parse(readFileSync(resolve(process.cwd(), dir ?? "", name), "utf8")) as T;

describe.skipIf(!dir)("emulator contract against Zoom's OpenAPI specs", () => {
  let emu: EmulatorInMiniflare;
  let specs: Record<string, Spec>;
  let hooks: WebhookSpec["webhooks"];
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  // ajv-formats is CommonJS: its default export arrives wrapped under Node's ESM loader.
  const addFormats = ((formats as unknown as { default?: unknown }).default ?? formats) as (ajv: Ajv) => Ajv;
  addFormats(ajv);
  let token = "";
  const checked = new Set<string>();

  beforeAll(async () => {
    emu = await startEmulator();
    specs = { users: load("users.endpoints.json"), meetings: load("meetings.endpoints.json") };
    hooks = {
      ...load<WebhookSpec>("meetings.webhooks.json").webhooks,
      ...load<WebhookSpec>("users.webhooks.json").webhooks,
      ...load<WebhookSpec>("marketplace.webhooks.json").webhooks,
    };
    await control("/reset");
    await control("/config", { rateLimits: { enabled: false } });
    token = await authorize();
  }, 120_000);

  afterAll(async () => {
    await emu?.dispose();
  });

  const control = (path: string, body?: unknown, method = "POST") =>
    emu.control(path, body, method) as Promise<Json>;

  async function authorize(): Promise<string> {
    const body = (await emu.authorize()) as Json;
    // Fields the product depends on; the token endpoint has no OpenAPI schema.
    for (const k of ["access_token", "refresh_token", "expires_in", "scope", "token_type", "api_url"])
      expect(body).toHaveProperty(k);
    return body.access_token as string;
  }

  /** Zoom's spec defects, documented in zoom-openapi/README.md or found here; everything else must pass. */
  function knownDefect(e: ErrorObject, data: unknown): boolean {
    const at = (path: string) =>
      path
        .split("/")
        .slice(1)
        .reduce<unknown>((o, k) => (o as Json)?.[k], data);
    const fileMatch = /^(.*\/recording_files\/\d+)/.exec(e.instancePath);
    const file = fileMatch ? (at(fileMatch[1] as string) as Json) : undefined;
    // CC and TIMELINE files come without id, status and file_size although recording.completed requires them.
    if (e.keyword === "required" && file && (file.file_type === "CC" || file.file_type === "TIMELINE"))
      return true;
    // A file still processing is listed with status "processing" (the REST enum has only "completed")
    // and without file_size (which recording.completed requires), as Zoom does (ZOOM.md).
    if (
      file?.status === "processing" &&
      ((e.keyword === "enum" && e.instancePath.endsWith("/status")) ||
        (e.keyword === "required" &&
          (e.params as { missingProperty?: string }).missingProperty === "file_size"))
    )
      return true;
    // The REST file_type enum lacks TIMELINE, which Zoom returns.
    if (e.keyword === "enum" && e.instancePath.endsWith("/file_type") && at(e.instancePath) === "TIMELINE")
      return true;
    // The webhook recording_type enum lacks audio_transcript, which Zoom sends for TRANSCRIPT files.
    if (
      e.keyword === "enum" &&
      e.instancePath.endsWith("/recording_type") &&
      at(e.instancePath) === "audio_transcript"
    )
      return true;
    // Participant events require an email formatted as one, but Zoom sends "" for guests (their
    // email is hidden since 2022-23).
    if (e.keyword === "format" && e.instancePath.endsWith("/participant/email") && at(e.instancePath) === "")
      return true;
    // weekly_days's enum lists single days, but its description (and Zoom) take several: "2,4".
    if (
      e.keyword === "enum" &&
      e.instancePath.endsWith("/recurrence/weekly_days") &&
      /^[1-7](,[1-7])+$/.test(String(at(e.instancePath)))
    )
      return true;
    // GET /users/{userId}/settings is a oneOf whose branches all accept a full settings object.
    if (e.keyword === "oneOf" && Array.isArray((e.params as { passingSchemas?: unknown }).passingSchemas))
      return true;
    return false;
  }

  /**
   * The webhook specs' known dangling `$ref`s (zoom-openapi/README.md) point at `#/paths/<event>/...`
   * while the events live under `webhooks`: resolve them there.
   */
  function resolveDanglingRefs(node: Json): Json {
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(walk);
      if (!v || typeof v !== "object") return v;
      const ref = (v as Json).$ref;
      if (typeof ref === "string" && ref.startsWith("#/paths/")) {
        const target = ref
          .slice("#/paths/".length)
          .split("/")
          .map((k) => k.replaceAll("~1", "/").replaceAll("~0", "~"))
          .reduce<unknown>((o, k) => (o as Json)?.[k], hooks);
        expect(target, `target of ${ref}`).toBeDefined();
        return walk(target);
      }
      return Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, walk(x)]));
    };
    return walk(node) as Json;
  }

  function validate(schema: Json, data: unknown, what: string): void {
    const check = ajv.compile(schema);
    check(data);
    const errors = (check.errors ?? []).filter((e) => !knownDefect(e, data));
    expect(errors, `${what}: ${JSON.stringify(errors.slice(0, 5))}`).toEqual([]);
  }

  async function call(
    spec: "users" | "meetings",
    template: string,
    method: string,
    url: string,
    body?: unknown,
  ): Promise<{ status: number; json?: Json }> {
    const res = await emu.fetch(`/v2${url}`, {
      method: method.toUpperCase(),
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    expect(res.status, `${method} ${url}: ${text}`).toBeLessThan(300);
    const op = specs[spec]?.paths[template]?.[method];
    expect(op, `${method} ${template} in the spec`).toBeDefined();
    const declared = op?.responses[String(res.status)];
    expect(declared, `${method} ${template} declares ${res.status}`).toBeDefined();
    checked.add(`${method.toUpperCase()} ${template}`);
    if (!text) return { status: res.status };
    const json = JSON.parse(text) as Json;
    const schema = declared?.content?.["application/json"]?.schema;
    if (schema) validate(schema, json, `${method} ${template}`);
    return { status: res.status, json };
  }

  it("users", async () => {
    const list = await call("users", "/users", "get", "/users?page_size=2");
    expect((list.json?.users as Json[] | undefined)?.[0]).toHaveProperty("id");
    expect(list.json).toHaveProperty("next_page_token");
    await call("users", "/users", "get", `/users?page_size=2&next_page_token=${list.json?.next_page_token}`);
    const created = await call("users", "/users", "post", "/users", {
      action: "custCreate",
      user_info: { email: "contract@school-a.example", type: 1, first_name: "C" },
    });
    const id = created.json?.id as string;
    expect(id).toBeTruthy();
    const user = await call("users", "/users/{userId}", "get", `/users/${id}`);
    for (const k of ["id", "email", "type", "status", "account_id", "role_name"])
      expect(user.json).toHaveProperty(k);
    await call("users", "/users/{userId}", "patch", `/users/${id}`, { first_name: "Cee" });
    await call("users", "/users/{userId}/status", "put", `/users/${id}/status`, { action: "deactivate" });
    await call("users", "/users/{userId}/status", "put", `/users/${id}/status`, { action: "activate" });
    const settings = await call("users", "/users/{userId}/settings", "get", "/users/me/settings");
    expect((settings.json?.recording as Json | undefined)?.cloud_recording).toBe(true);
    await call("users", "/users/{userId}/settings", "patch", "/users/me/settings", {
      in_meeting: { waiting_room: false },
    });
    const summary = await call("users", "/users/summary", "get", "/users/summary");
    expect(summary.json?.licensed_users_count).toBe(2);
    await call("users", "/users/{userId}", "delete", `/users/${id}?action=delete`);
    // Without action, DELETE disassociates (user.disassociated).
    const leaving = await call("users", "/users", "post", "/users", {
      action: "custCreate",
      user_info: { email: "leaving-contract@school-a.example", type: 1, first_name: "L" },
    });
    await call("users", "/users/{userId}", "delete", `/users/${leaving.json?.id}`);
    const invited = await call("users", "/users", "post", "/users", {
      action: "create",
      user_info: { email: "invited-contract@school-a.example", type: 1, first_name: "I" },
    });
    await control(`/users/${invited.json?.id}/accept`);
  });

  it("meetings, registrants, past meetings and recordings", async () => {
    const m = await call("meetings", "/users/{userId}/meetings", "post", "/users/me/meetings", {
      topic: "Contract",
      type: 2,
      start_time: "2026-12-01T10:00:00Z",
      duration: 30,
      settings: { approval_type: 0, auto_recording: "cloud" },
    });
    for (const k of ["id", "uuid", "start_url", "join_url", "password", "host_id"])
      expect(m.json).toHaveProperty(k);
    const id = m.json?.id as number;
    await call("meetings", "/users/{userId}/meetings", "post", "/users/me/meetings", {
      topic: "Recurring",
      type: 8,
      start_time: "2026-12-01T10:00:00Z",
      recurrence: { type: 1, repeat_interval: 1, end_times: 3 },
    });
    await call("meetings", "/users/{userId}/meetings", "get", "/users/me/meetings");
    const got = await call("meetings", "/meetings/{meetingId}", "get", `/meetings/${id}`);
    expect(got.json?.start_url).not.toBe(m.json?.start_url);
    await call("meetings", "/meetings/{meetingId}", "patch", `/meetings/${id}`, { topic: "Contract 2" });
    // The host edits the meeting in Zoom's web portal.
    await control(`/meetings/${id}/edit`, { start_time: "2026-12-01T11:00:00Z", duration: 40 });
    const reg = await call(
      "meetings",
      "/meetings/{meetingId}/registrants",
      "post",
      `/meetings/${id}/registrants`,
      {
        first_name: "Reg",
        email: "reg@s.example",
      },
    );
    for (const k of ["registrant_id", "join_url"]) expect(reg.json).toHaveProperty(k);
    await call("meetings", "/meetings/{meetingId}/registrants", "get", `/meetings/${id}/registrants`);
    await call("meetings", "/meetings/{meetingId}/status", "put", `/meetings/${id}/status`, {
      action: "end",
    });

    const sim = await control(`/meetings/${id}/simulate`, {
      participants: [{ registrantId: reg.json?.registrant_id }, { name: "Guest", email: "g@s.example" }],
      recording: { participantAudio: true },
    });
    expect(sim.uuid, JSON.stringify(sim)).toBeTruthy();
    const uuid = encodeURIComponent(encodeURIComponent(sim.uuid as string));
    const past = await call("meetings", "/past_meetings/{meetingId}", "get", `/past_meetings/${uuid}`);
    expect(past.json?.uuid).toBe(sim.uuid);
    const parts = await call(
      "meetings",
      "/past_meetings/{meetingId}/participants",
      "get",
      `/past_meetings/${uuid}/participants`,
    );
    for (const k of ["name", "user_email", "join_time", "leave_time", "duration"]) {
      expect((parts.json?.participants as Json[] | undefined)?.[0]).toHaveProperty(k);
    }
    await call("meetings", "/past_meetings/{meetingId}/instances", "get", `/past_meetings/${id}/instances`);
    const list = await call("meetings", "/users/{userId}/recordings", "get", "/users/me/recordings");
    const files = ((list.json?.meetings as Json[] | undefined)?.[0]?.recording_files ?? []) as Json[];
    for (const k of ["download_url", "file_type", "file_extension", "recording_start"])
      expect(files[0]).toHaveProperty(k);
    const rec = await call(
      "meetings",
      "/meetings/{meetingId}/recordings",
      "get",
      `/meetings/${uuid}/recordings?include_fields=download_access_token`,
    );
    expect(rec.json?.download_access_token).toBeTruthy();
    // "Record a separate audio file of each participant": validated above against the spec's list.
    const ownAudio = (rec.json?.participant_audio_files ?? []) as Json[];
    expect(ownAudio).toHaveLength(3);
    for (const k of ["id", "download_url", "file_size", "file_type", "status"])
      expect(ownAudio[0]).toHaveProperty(k);
    const m4a = files.find((f) => f.file_type === "M4A");
    await call(
      "meetings",
      "/meetings/{meetingId}/recordings/{recordingId}",
      "delete",
      `/meetings/${uuid}/recordings/${m4a?.id}`,
    );
    await call(
      "meetings",
      "/meetings/{meetingId}/recordings",
      "delete",
      `/meetings/${uuid}/recordings?action=trash`,
    );
    await call(
      "meetings",
      "/meetings/{meetingUUID}/recordings/status",
      "put",
      `/meetings/${uuid}/recordings/status`,
      {
        action: "recover",
      },
    );
    // Deleting for good after the recovery (recording.deleted).
    await call(
      "meetings",
      "/meetings/{meetingId}/recordings",
      "delete",
      `/meetings/${uuid}/recordings?action=delete`,
    );
    const report = await call("meetings", "/report/cloud_recording", "get", "/report/cloud_recording");
    expect((report.json?.cloud_recording_storage as Json[] | undefined)?.length).toBeGreaterThan(0);
    // A transcript that finishes after the recording comes in its own event.
    const later = await control(`/meetings/${id}/simulate`, { recording: { transcriptLater: true } });
    await control(`/recordings/${encodeURIComponent(later.uuid as string)}/transcript`);
    // A file still processing (listed without a size), and one recording.completed per file.
    const slow = await control(`/meetings/${id}/simulate`, {
      recording: {
        files: [
          { fileType: "M4A", sizeBytes: 1000 },
          { fileType: "CHAT", sizeBytes: 100, processingMinutes: 30 },
        ],
      },
    });
    const processing = await call(
      "meetings",
      "/meetings/{meetingId}/recordings",
      "get",
      `/meetings/${encodeURIComponent(encodeURIComponent(slow.uuid as string))}/recordings`,
    );
    const unfinished = ((processing.json?.recording_files ?? []) as Json[]).find(
      (f) => f.file_type === "CHAT",
    );
    expect(unfinished?.status).toBe("processing");
    expect(unfinished).not.toHaveProperty("file_size");
    await control(`/meetings/${id}/simulate`, {
      recording: { files: [{ fileType: "M4A" }, { fileType: "CHAT" }], webhook: "perFile" },
    });
    await call("meetings", "/meetings/{meetingId}", "delete", `/meetings/${id}`);

    // GET /accounts/{accountId}/plans/usage belongs to Zoom's Billing API, which is not among the
    // downloaded specs: its documented answer is checked with this schema (plan_base one object).
    const usage = await emu.fetch("/v2/accounts/me/plans/usage", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(usage.status).toBe(200);
    const seats = {
      type: "object",
      required: ["type", "hosts", "usage"],
      properties: {
        type: { type: "string" },
        hosts: { type: "integer" },
        usage: { type: "integer" },
        pending: { type: "integer" },
      },
      additionalProperties: false,
    };
    const storage = { type: "string", pattern: "^(0|\\d+(\\.\\d+)? (B|KB|MB|GB|TB))$" };
    validate(
      {
        type: "object",
        required: ["plan_base", "plan_recording"],
        properties: {
          plan_base: seats,
          plan_large_meeting: { type: "array", items: seats },
          plan_webinar: { type: "array", items: seats },
          plan_zoom_rooms: seats,
          plan_recording: {
            type: "object",
            required: [
              "free_storage",
              "free_storage_usage",
              "plan_storage",
              "plan_storage_usage",
              "plan_storage_exceed",
            ],
            properties: {
              free_storage: storage,
              free_storage_usage: storage,
              plan_storage: storage,
              plan_storage_usage: storage,
              plan_storage_exceed: storage,
              type: { type: "string" },
            },
            additionalProperties: false,
          },
        },
      },
      await usage.json(),
      "GET /accounts/{accountId}/plans/usage",
    );
    await control("/deauthorize", { accountId: "emuAcctB2" });
    await control("/webhooks/validate");
  });

  it("webhooks in the outbox match Zoom's webhook schemas", async () => {
    const { deliveries } = (await control("/webhooks", undefined, "GET")) as {
      deliveries: { event: string; body: string }[];
    };
    const seen = new Set<string>();
    for (const d of deliveries) {
      const body = JSON.parse(d.body) as Json;
      seen.add(d.event);
      if (d.event === "endpoint.url_validation") {
        // No webhook spec describes the challenge: its shape is ZOOM.md's.
        validate(
          {
            type: "object",
            required: ["event", "event_ts", "payload"],
            additionalProperties: false,
            properties: {
              event: { const: "endpoint.url_validation" },
              event_ts: { type: "integer" },
              payload: {
                type: "object",
                required: ["plainToken"],
                additionalProperties: false,
                properties: { plainToken: { type: "string", minLength: 1 } },
              },
            },
          },
          body,
          d.event,
        );
        continue;
      }
      const schema = hooks[d.event]?.post.requestBody.content["application/json"]?.schema;
      expect(schema, `schema for ${d.event}`).toBeDefined();
      validate(resolveDanglingRefs(schema as Json), body, d.event);
    }
    const sent = [
      "user.created",
      "user.updated",
      "user.deactivated",
      "user.deleted",
      "user.activated",
      "user.disassociated",
      "meeting.started",
      "meeting.participant_joined",
      "meeting.participant_left",
      "meeting.ended",
      "recording.completed",
      "recording.trashed",
      "recording.recovered",
      "recording.deleted",
      "meeting.deleted",
      "meeting.updated",
      "user.invitation_accepted",
      "recording.transcript_completed",
      "app_deauthorized",
      "endpoint.url_validation",
    ];
    // Every event the emulator sends was produced above and validated: a new one must join this list.
    expect([...seen].sort()).toEqual([...sent].sort());
    const completed = JSON.parse(deliveries.find((d) => d.event === "recording.completed")?.body ?? "{}");
    expect(completed.download_token).toBeTruthy();
    // The run recorded with a separate audio file per participant was validated with its list.
    const withOwnAudio = deliveries
      .filter((d) => d.event === "recording.completed")
      .map((d) => JSON.parse(d.body).payload.object.participant_audio_files)
      .find((list) => Array.isArray(list));
    expect(withOwnAudio).toHaveLength(3);
    const started = JSON.parse(deliveries.find((d) => d.event === "meeting.started")?.body ?? "{}");
    expect(typeof started.payload.object.id).toBe("string");
  });

  /** An error answer: a status the spec declares for the operation, Zoom's body, a code it lists. */
  async function callError(
    spec: "users" | "meetings",
    template: string,
    method: string,
    url: string,
    expected: { status: number; code: number },
    body?: unknown,
    auth = token,
  ): Promise<void> {
    const res = await emu.fetch(`/v2${url}`, {
      method: method.toUpperCase(),
      headers: { authorization: `Bearer ${auth}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    expect(
      { status: res.status, code: (JSON.parse(text) as Json).code },
      `${method} ${url}: ${text}`,
    ).toEqual(expected);
    validate(
      {
        type: "object",
        required: ["code", "message"],
        properties: {
          code: { type: "integer" },
          message: { type: "string", minLength: 1 },
          errors: {
            type: "array",
            items: {
              type: "object",
              required: ["field", "message"],
              properties: { field: { type: "string" }, message: { type: "string" } },
            },
          },
        },
      },
      JSON.parse(text),
      `${method} ${template} error`,
    );
    const declared = specs[spec]?.paths[template]?.[method]?.responses[String(res.status)];
    expect(declared, `${method} ${template} declares ${res.status}`).toBeDefined();
    // Zoom lists each error code in the status's description ("**Error Code:** `3001`").
    expect(
      declared?.description ?? "",
      `${method} ${template} ${res.status} lists code ${expected.code}`,
    ).toContain(`\`${expected.code}\``);
  }

  it("error answers carry a status and code the spec declares", async () => {
    await control("/reset");
    await control("/config", { rateLimits: { enabled: false } });
    token = await authorize();
    await callError("meetings", "/meetings/{meetingId}", "get", "/meetings/12345678901", {
      status: 404,
      code: 3001,
    });
    await callError(
      "meetings",
      "/meetings/{meetingId}",
      "patch",
      "/meetings/12345678901",
      { status: 404, code: 3001 },
      {
        topic: "x",
      },
    );
    await callError("meetings", "/meetings/{meetingId}", "delete", "/meetings/12345678901", {
      status: 404,
      code: 3001,
    });
    await callError("users", "/users/{userId}", "get", "/users/NoSuchUserAtAllXXXXXX", {
      status: 404,
      code: 1001,
    });
    await callError(
      "meetings",
      "/users/{userId}/meetings",
      "post",
      "/users/NoSuchUserAtAllXXXXXX/meetings",
      { status: 404, code: 1001 },
      { topic: "x", type: 2 },
    );
    await callError(
      "users",
      "/users",
      "post",
      "/users",
      { status: 409, code: 1005 },
      createUserBody("create", { email: "owner@school-a.example", firstName: "O", lastName: "O", type: 1 }),
    );
    for (let i = 0; i < 3; i++) {
      await call(
        "users",
        "/users",
        "post",
        "/users",
        createUserBody("create", {
          email: `seat${i}@school-a.example`,
          firstName: "S",
          lastName: "S",
          type: 2,
        }),
      );
    }
    await callError(
      "users",
      "/users",
      "post",
      "/users",
      { status: 400, code: 2034 },
      createUserBody("create", { email: "seat9@school-a.example", firstName: "S", lastName: "S", type: 2 }),
    );
    await control("/config", { clients: [{ clientId: "wise-local-client", custCreate: false }] });
    await callError(
      "users",
      "/users",
      "post",
      "/users",
      { status: 400, code: 200 },
      createUserBody("custCreate", {
        email: "cust@school-a.example",
        firstName: "C",
        lastName: "C",
        type: 1,
      }),
    );
    await control("/config", { clients: [{ clientId: "wise-local-client", custCreate: true }] });
    const m = await call("meetings", "/users/{userId}/meetings", "post", "/users/me/meetings", {
      topic: "x",
      type: 2,
    });
    await callError(
      "meetings",
      "/meetings/{meetingId}/registrants",
      "post",
      `/meetings/${m.json?.id}/registrants`,
      { status: 400, code: 3000 },
      registrantBody("s@students.example", "Sam"),
    );
    // A meeting full of registrants (4,999 on Zoom, 1 here).
    await control("/config", { registrantCap: 1 });
    const full = await call("meetings", "/users/{userId}/meetings", "post", "/users/me/meetings", {
      topic: "full",
      type: 2,
      settings: { approval_type: 0 },
    });
    const fullPath = `/meetings/${full.json?.id}/registrants`;
    await call("meetings", "/meetings/{meetingId}/registrants", "post", fullPath, {
      first_name: "One",
      email: "one@students.example",
    });
    await callError(
      "meetings",
      "/meetings/{meetingId}/registrants",
      "post",
      fullPath,
      { status: 400, code: 3043 },
      registrantBody("two@students.example", "Two"),
    );
    await callError(
      "meetings",
      "/users/{userId}/meetings",
      "post",
      "/users/me/meetings",
      { status: 400, code: 300 },
      { topic: "x", type: 8, recurrence: { type: 1, end_times: 61 } },
    );
    // An expired token: 124 under HTTP 400 where the spec says so.
    await control("/clock", { advanceSeconds: 3600 + 5 });
    await callError("users", "/users", "get", "/users", { status: 400, code: 124 });
    await callError("users", "/users/summary", "get", "/users/summary", { status: 400, code: 124 });
    token = await authorize();
  });

  it("the product's own request bodies match the operations' request schemas", async () => {
    const requestSchema = (spec: "users" | "meetings", template: string, method: string) => {
      const schema =
        specs[spec]?.paths[template]?.[method]?.requestBody?.content?.["application/json"]?.schema;
      expect(schema, `${method} ${template} has a request schema`).toBeDefined();
      return schema as Json;
    };
    const input = {
      teacherId: "t1",
      topic: "Maths",
      startTime: Date.parse("2030-05-01T10:00:00Z"),
      durationMinutes: 45,
      timezone: "Asia/Kolkata",
      registration: true,
      autoRecording: "cloud" as const,
    };
    const policies = [
      DEFAULT_MEETING_POLICY,
      { ...DEFAULT_MEETING_POLICY, registrationApproval: "manual" as const, aiCompanion: true },
    ];
    const recurrences = [
      undefined,
      Recurrence.parse({ type: "weekly", weeklyDays: [2, 4], endTimes: 10 }),
      Recurrence.parse({ type: "monthly", monthlyDay: 3, endDateTime: "2030-12-01T00:00:00Z" }),
    ];
    for (const policy of policies) {
      for (const recurrence of recurrences) {
        const body = meetingBody("c1", { ...input, recurrence }, "tok", policy);
        validate(requestSchema("meetings", "/users/{userId}/meetings", "post"), body, "create meeting body");
        validate(requestSchema("meetings", "/meetings/{meetingId}", "patch"), body, "update meeting body");
      }
    }
    for (const action of ["create", "custCreate"] as const) {
      validate(
        requestSchema("users", "/users", "post"),
        createUserBody(action, { email: "a@b.example", firstName: "A", lastName: "B", type: 2 }),
        "create user body",
      );
    }
    validate(requestSchema("users", "/users/{userId}", "patch"), updateUserBody({ type: 1 }), "license body");
    validate(
      requestSchema("users", "/users/{userId}", "patch"),
      updateUserBody({ first_name: "A", last_name: "B" }),
      "rename body",
    );
    validate(
      requestSchema("users", "/users/{userId}/status", "put"),
      userStatusBody("deactivate"),
      "status body",
    );
    validate(
      requestSchema("users", "/users/{userId}/settings", "patch"),
      cloudRecordingBody(false),
      "settings body",
    );
    validate(requestSchema("meetings", "/meetings/{meetingId}/status", "put"), endMeetingBody(), "end body");
    validate(
      requestSchema("meetings", "/meetings/{meetingId}/registrants", "post"),
      registrantBody("student-ab@students.wise.invalid", "S".repeat(80)),
      "registrant body",
    );
  });

  type Route = { operation: string; method: string; path: string; scopes: string[]; granular: string[] };
  const emulatedOperations = async () =>
    ((await control("/operations", undefined, "GET")) as { operations: Route[] }).operations;

  /** The spec operation an emulated route stands for (parameter names may differ: meetingId vs meetingUUID). */
  function specOperation(
    route: Route,
  ): { spec: "users" | "meetings"; template: string; op: SpecOperation } | undefined {
    const shape = (p: string) => p.replace(/\{[^}]+\}/g, "{}");
    for (const spec of ["users", "meetings"] as const) {
      for (const [template, ops] of Object.entries(specs[spec]?.paths ?? {})) {
        const op = ops[route.method.toLowerCase()];
        if (op && shape(template) === shape(route.path)) return { spec, template, op };
      }
    }
    return undefined;
  }

  it("each emulated operation checks the spec's classic and granular scopes", async () => {
    const outside: string[] = [];
    for (const route of await emulatedOperations()) {
      const found = specOperation(route);
      const ext = found?.op["x-extensions"];
      if (!found || !ext?.["x-granular-scopes"]) {
        outside.push(route.operation);
        continue;
      }
      expect([...route.granular].sort(), route.operation).toEqual([...ext["x-granular-scopes"]].sort());
      for (const s of route.scopes) {
        // Zoom's spec lists recording:read but not recording:read:admin for GET .../recordings.
        if (route.operation === "recordings.get" && s === "recording:read:admin") continue;
        expect(ext["x-macro-scopes"], route.operation).toContain(s);
      }
    }
    // Plan usage is in the Billing API (no spec here); the cloud recording report declares no granular
    // scopes. Both keep the names Zoom's documentation gives.
    expect(outside.sort()).toEqual(["accounts.plans.usage", "report.cloud_recording"]);
  });

  it("a granular token without an operation's scope gets 4711 naming the spec's granular scopes", async () => {
    await control("/reset");
    await control("/config", {
      rateLimits: { enabled: false },
      clients: [{ clientId: "wise-local-client", scopes: ["user:read:user:admin"] }],
    });
    const narrow = ((await emu.authorize()) as Json).access_token as string;
    const undeclared: string[] = [];
    for (const route of await emulatedOperations()) {
      const found = specOperation(route);
      const granular = found?.op["x-extensions"]?.["x-granular-scopes"];
      if (!found || !granular || route.granular.includes("user:read:user:admin")) continue;
      const url = route.path
        .replace("{userId}", "me")
        .replace("{meetingId}", "12345678901")
        .replace("{recordingId}", "file-1");
      const res = await emu.fetch(`/v2${url}`, {
        method: route.method,
        headers: { authorization: `Bearer ${narrow}`, "content-type": "application/json" },
        body: route.method === "GET" || route.method === "DELETE" ? undefined : "{}",
      });
      const body = (await res.json()) as Json;
      expect({ status: res.status, code: body.code }, route.operation).toEqual({ status: 400, code: 4711 });
      const listed = /^Invalid access token, does not contain scopes:\[(.+)\]\.$/.exec(String(body.message));
      expect(listed?.[1]?.split(", ").sort(), route.operation).toEqual([...granular].sort());
      // Where the spec declares a 400 for the operation, 4711 comes under it.
      if (found.op.responses["400"]) expect(found.op.responses["400"]?.description).toContain("`400`");
      else undeclared.push(route.operation);
    }
    // Zoom's specs declare no 400 for these two (nor list 4711 anywhere); Zoom answers 4711 with 400.
    expect(undeclared.sort()).toEqual(["past_meetings.instances", "recordings.list"]);
    await control("/reset");
    await control("/config", { rateLimits: { enabled: false } });
    token = await authorize();
  });

  it("covered every operation", async () => {
    // Every operation the emulator serves (its own /operations list) went through `call` above.
    const served: string[] = [];
    const withoutSpec: string[] = [];
    for (const route of await emulatedOperations()) {
      const found = specOperation(route);
      if (found) served.push(`${route.method.toUpperCase()} ${found.template}`);
      else withoutSpec.push(route.operation);
    }
    // Plan usage is in the Billing API, absent from the downloaded specs: its fields are asserted above.
    expect(withoutSpec).toEqual(["accounts.plans.usage"]);
    expect([...checked].sort()).toEqual([...new Set(served)].sort());
    expect(checked.size).toBe(26);
  });
});
