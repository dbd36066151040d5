import { describe, expect, it } from "vitest";
import { Conflict, forbidden, InvalidInput, LimitReached, notFound } from "../platform/errors.ts";
import {
  ZoomApiError,
  ZoomNeedsRelink,
  ZoomNotLinked,
  ZoomRateLimited,
  ZoomUnavailable,
} from "../zoom/errors.ts";
import { ApiError, toProblem } from "./problem.ts";

const mapped = (err: unknown) => {
  const p = toProblem(err);
  expect(p).toBeInstanceOf(ApiError);
  return p as ApiError;
};

describe("toProblem", () => {
  it("gives each kind of domain failure its status and usual title", () => {
    expect(mapped(new InvalidInput("bad")).status).toBe(400);
    expect(mapped(new InvalidInput("bad")).code).toBe("bad_request");
    expect(mapped(forbidden()).status).toBe(403);
    expect(mapped(notFound()).title).toBe("Not found");
    const c = mapped(new Conflict("class_over", "The class is over", { extras: { status: "ended" } }));
    expect([c.status, c.code, c.title, c.detail, c.extras]).toEqual([
      409,
      "class_over",
      "Conflict",
      "The class is over",
      { status: "ended" },
    ]);
  });

  it("keeps a failure's own title and turns a retry time into Retry-After", () => {
    const p = mapped(
      new LimitReached("meeting_write_limit", "later", {
        title: "Daily meeting limit reached",
        retryAfterSeconds: 60,
      }),
    );
    expect([p.status, p.title, p.headers["retry-after"]]).toEqual([429, "Daily meeting limit reached", "60"]);
    expect(mapped(new Conflict("x", "y")).headers).toEqual({});
  });

  it("maps Zoom's failures by what the caller can do", () => {
    expect(mapped(new ZoomNotLinked("none")).code).toBe("zoom_not_linked");
    expect(mapped(new ZoomNeedsRelink("invalid_grant")).extras).toEqual({ reason: "invalid_grant" });
    const limited = mapped(new ZoomRateLimited(7, "QPS", "slow down"));
    expect([limited.status, limited.headers["retry-after"]]).toEqual([429, "7"]);
    const down = mapped(new ZoomUnavailable("timeout"));
    expect([down.status, down.detail, down.cause]).toEqual([
      503,
      "Zoom did not answer properly; try again shortly",
      "timeout",
    ]);
    expect(mapped(new ZoomApiError(400, 300, "Invalid field", "meetings.create")).status).toBe(502);
  });

  it("leaves anything else to onError", () => {
    const err = new TypeError("boom");
    expect(toProblem(err)).toBe(err);
  });
});
