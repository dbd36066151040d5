// The Zoom client every feature uses: rate limits, retries only where safe, one refresh on 124,
// pagination, and validation of answers at the boundary.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../src/platform/config.ts";
import { ZoomClient } from "../../src/zoom/client.ts";
import {
  ZoomApiError,
  ZoomRateLimited,
  ZoomResponseInvalid,
  ZoomUnavailable,
} from "../../src/zoom/errors.ts";
import { ZoomUser } from "../../src/zoom/schemas.ts";
import { ACCOUNT_A, addFault, advanceZoomClock, freshStart, linkZoom, stats } from "../helpers/zoom.ts";

const budget = { maxAttempts: 3, maxWaitMs: 2_000, baseMs: 50, capMs: 200 };
const client = () => new ZoomClient(env, loadConfig(env), ACCOUNT_A, budget);
const me = { operation: "users.get", method: "GET" as const, path: "/users/me", schema: ZoomUser };
/** users.get calls made since the link (which itself reads users/me once). */
const meCalls = async () => ((await stats()).requests["users.get"] ?? 0) - 1;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

beforeEach(async () => {
  await freshStart();
  await linkZoom("tenant-a");
});

describe("rate limits", () => {
  it("honours Retry-After and succeeds", async () => {
    await addFault({
      operation: "users.get",
      status: 429,
      zoomCode: 429,
      message: "Too many",
      headers: { "retry-after": "1" },
    });
    const started = Date.now();
    expect((await client().call(me)).account_id).toBe(ACCOUNT_A);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await meCalls()).toBe(2);
  });

  it("gives up with a clear error once the budget is spent", async () => {
    await addFault({ operation: "users.get", status: 429, zoomCode: 429, message: "Too many", times: 0 });
    const err = await failure(client().call(me));
    expect(err).toBeInstanceOf(ZoomRateLimited);
    expect(await meCalls()).toBe(budget.maxAttempts);
  });

  it("does not wait out a daily limit", async () => {
    const tomorrow = new Date(Date.now() + 6 * 3600_000).toISOString();
    await addFault({
      operation: "users.get",
      status: 429,
      zoomCode: 429,
      message: "You have reached the maximum daily rate limit for this API.",
      headers: { "retry-after": tomorrow, "x-ratelimit-type": "Daily-limit" },
    });
    const err = (await failure(client().call(me))) as ZoomRateLimited;
    expect(err).toBeInstanceOf(ZoomRateLimited);
    expect(err.kind).toBe("Daily-limit");
    expect(err.retryAfterSeconds).toBeGreaterThan(5 * 3600);
    expect(await meCalls()).toBe(1);
  });
});

describe("retries", () => {
  it("retries an idempotent call after a 5xx", async () => {
    await addFault({ operation: "users.get", status: 502, times: 1 });
    expect((await client().call(me)).id).toBeTruthy();
    expect(await meCalls()).toBe(2);
  });

  it("never repeats a create after a 5xx", async () => {
    await addFault({ operation: "meetings.create", status: 500, times: 1 });
    const err = await failure(
      client().call({
        operation: "meetings.create",
        method: "POST",
        path: "/users/me/meetings",
        body: { topic: "x", type: 2, start_time: "2030-01-01T10:00:00Z", duration: 30 },
        schema: z.object({ id: z.number() }),
      }),
    );
    expect(err).toBeInstanceOf(ZoomUnavailable);
    expect((await stats()).requests["meetings.create"]).toBe(1);
  });

  it("refreshes once on code 124 and retries, but does not loop", async () => {
    await advanceZoomClock(3600);
    expect((await client().call(me)).id).toBeTruthy();
    expect((await stats()).grants.refresh_token).toBe(1);

    await addFault({
      operation: "users.get",
      status: 401,
      zoomCode: 124,
      message: "Invalid access token.",
      times: 0,
    });
    const err = (await failure(client().call(me))) as ZoomApiError;
    expect(err).toBeInstanceOf(ZoomApiError);
    expect(err.zoomCode).toBe(124);
    expect((await stats()).grants.refresh_token).toBeLessThanOrEqual(2);
  });

  it("maps Zoom error bodies to typed errors", async () => {
    const err = (await failure(
      client().call({ operation: "users.get", method: "GET", path: "/users/nobody-here", schema: ZoomUser }),
    )) as ZoomApiError;
    expect(err).toBeInstanceOf(ZoomApiError);
    expect(err.status).toBe(404);
    expect(err.zoomCode).toBe(1001);
  });
});

describe("answers are validated", () => {
  it("refuses an answer of the wrong shape, HTML with 200, or a truncated body", async () => {
    await addFault({ operation: "users.get", status: 200, body: { id: 42 } });
    expect(await failure(client().call(me))).toBeInstanceOf(ZoomResponseInvalid);
    await addFault({ operation: "users.get", html200: true });
    expect(await failure(client().call(me))).toBeInstanceOf(ZoomResponseInvalid);
  });

  it("walks every page", async () => {
    const users: string[] = [];
    const c = client();
    for await (const u of c.pages(
      {
        operation: "users.list",
        method: "GET",
        path: "/users",
        query: { page_size: 1, status: "active" },
        schema: z.object({
          next_page_token: z.string().optional(),
          users: z.array(z.object({ id: z.string() })),
        }),
      },
      "users",
    )) {
      users.push(u.id);
    }
    expect(users.length).toBeGreaterThanOrEqual(3);
    expect(new Set(users).size).toBe(users.length);
    expect((await stats()).requests["users.list"]).toBe(users.length);
  });
});
