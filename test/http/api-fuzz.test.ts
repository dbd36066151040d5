// Property-based tests of every operation of the OpenAPI document the app serves: generated paths,
// query strings and bodies that violate an operation's schema get a 4xx problem+json and leave D1
// and R2 byte-identical; generated valid requests never get a 5xx. A fixed seed in `npm test`;
// `npm run fuzz` runs longer with a random seed (FUZZ_RUNS, FUZZ_SEED).
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { api, clearTables } from "../helpers/api.ts";
import { BASE, call } from "../helpers/app.ts";
import { clearArchive, deliverTo, drain, recordedMeeting } from "../helpers/archive.ts";
import { createClass } from "../helpers/classes.ts";
import { dumpTables } from "../helpers/db.ts";
import { mintToken } from "../helpers/jwt.ts";
import {
  type FuzzRequest,
  invalidRequest,
  type OpenApiDocument,
  type Operation,
  operationsOf,
  validRequest,
} from "../helpers/openapi-fuzz.ts";
import { emulator, fetchAndSettle, resetEmulator } from "../helpers/zoom.ts";

const T = "tenant-a";
const settings = env as unknown as { FUZZ_RUNS?: string; FUZZ_SEED?: string };
const RUNS = Number(settings.FUZZ_RUNS) || 12;
const VALID_RUNS = Math.max(3, Math.ceil(RUNS / 4));
const SEED =
  settings.FUZZ_SEED === "random"
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(settings.FUZZ_SEED) || 20_261_207;

const doc = (await (await call("/openapi.json")).json()) as OpenApiDocument;
// Unlinking last: every other operation runs against a linked account.
const operations = operationsOf(doc).sort(
  (a, b) =>
    Number(a.path === "/v1/zoom/link" && a.method === "DELETE") -
    Number(b.path === "/v1/zoom/link" && b.method === "DELETE"),
);

/** Ids that exist, mixed into generated path values so that valid requests reach deep code. */
const known: Record<string, string[]> = {};
const withInputs = operations.filter((op) => invalidRequest(op, known) !== null);

let authorization = "";

async function send(req: FuzzRequest): Promise<Response> {
  const headers: Record<string, string> = { authorization };
  if (req.contentType !== undefined) headers["content-type"] = req.contentType;
  return fetchAndSettle(
    new Request(`${BASE}${req.url}`, {
      method: req.method,
      headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
    }),
  );
}

/** SHA-256 over every row of every D1 table and every R2 object's key, size, etag and metadata. */
async function digest(): Promise<string> {
  const parts = (await dumpTables()).map(
    ({ table, rows }) =>
      `${table}\t${rows.length}\n${rows
        .map((r) => JSON.stringify(r))
        .sort()
        .join("\n")}`,
  );
  let cursor: string | undefined;
  do {
    const page = await env.RECORDINGS.list({ cursor, include: ["customMetadata", "httpMetadata"] });
    for (const o of page.objects) {
      parts.push(JSON.stringify([o.key, o.size, o.etag, o.uploaded, o.customMetadata, o.httpMetadata]));
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\n\n")));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

const describeRequest = (req: FuzzRequest) =>
  `${req.method} ${req.url.slice(0, 200)} (${req.why}; body ${req.body === undefined ? "none" : `${req.body.length} chars: ${req.body.slice(0, 120)}`})`;

const opName = (op: Operation) => `${op.method} ${op.path}`;

beforeAll(async () => {
  await resetEmulator();
  await clearArchive();
  await clearTables();
  // The fuzzer's valid requests may make many Zoom calls in a second.
  await emulator("/config", { rateLimits: { enabled: false }, meetingDailyCap: 100_000 });
  authorization = `Bearer ${await mintToken({ tenant: T, role: "admin", sub: "admin-1", ttlSeconds: 3600 })}`;
  // A linked tenant with a teacher, a class with its meeting and roster, and an archived recording.
  const cls = await createClass(T, { classId: "class-1", teacherId: "t-1" });
  expect(
    (
      await api("POST", "/v1/teachers", {
        wiseUserId: "t-1",
        email: "t1@school-a.example",
        firstName: "Tess",
        lastName: "T1",
      })
    ).status,
  ).toBeLessThan(300);
  const links = await api("POST", `/v1/classes/${cls.classId}/join-links`, {
    students: [{ id: "stu-1", name: "Asha Rao" }],
  });
  expect(links.status).toBe(200);
  const rec = await recordedMeeting(T, [{ fileType: "MP4", sample: true }]);
  await deliverTo(rec.webhook as NonNullable<typeof rec.webhook>);
  await drain();
  const recording = await env.DB.prepare("SELECT id FROM recordings").first<{ id: string }>();
  Object.assign(known, {
    classId: [cls.classId],
    studentId: ["stu-1"],
    wiseUserId: ["t-1"],
    teacherId: ["t-1"],
    id: [recording?.id ?? "none"],
    fileId: rec.files.map((f) => f.id ?? f.fileId),
  });
});

describe(`API fuzz: ${operations.length} operations of /openapi.json, ${withInputs.length} with inputs to violate (seed ${SEED}, ${RUNS} runs each)`, () => {
  beforeAll(() => {
    // Thousands of requests: keep the Worker's log lines out of the run's output (a failure
    // carries the request and the answer).
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation(() => {});
    }
  });

  describe("schema-violating requests get a 4xx problem+json and change nothing in D1 or R2", () => {
    let before = "";
    beforeAll(async () => {
      before = await digest();
    });

    for (const op of withInputs) {
      it(opName(op), async () => {
        const arbitrary = invalidRequest(op, known) as fc.Arbitrary<FuzzRequest>;
        await fc.assert(
          fc.asyncProperty(arbitrary, async (req) => {
            const res = await send(req);
            const text = await res.text();
            const what = `${describeRequest(req)} -> ${res.status} ${text.slice(0, 300)}`;
            expect(res.status, what).toBeGreaterThanOrEqual(400);
            expect(res.status, what).toBeLessThan(500);
            expect(res.headers.get("content-type"), what).toMatch(/^application\/problem\+json/);
            const after = await digest();
            expect(after, `D1 or R2 changed: ${what}`).toBe(before);
          }),
          {
            seed: SEED,
            numRuns: RUNS,
            endOnFailure: true,
            interruptAfterTimeLimit: 60_000,
            markInterruptAsFailure: true,
          },
        );
      });
    }
  });

  describe("conforming requests never get a 5xx", () => {
    for (const op of operations) {
      it(opName(op), async () => {
        await fc.assert(
          fc.asyncProperty(validRequest(op, known), async (req) => {
            const res = await send(req);
            const text = await res.text();
            expect(res.status, `${describeRequest(req)} -> ${res.status} ${text.slice(0, 300)}`).toBeLessThan(
              500,
            );
          }),
          {
            seed: SEED,
            numRuns: VALID_RUNS,
            endOnFailure: true,
            interruptAfterTimeLimit: 60_000,
            markInterruptAsFailure: true,
          },
        );
      });
    }
  });

  it("covers every operation of the document", () => {
    vi.restoreAllMocks();
    console.log(
      `API fuzz: ${operations.length} operations fuzzed (${withInputs.length} with schema violations), seed ${SEED}, ${RUNS} invalid and ${VALID_RUNS} valid runs each`,
    );
    expect(operations.length).toBeGreaterThanOrEqual(29);
  });
});
