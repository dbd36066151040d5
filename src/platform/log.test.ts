import { describe, expect, it } from "vitest";
import { redact, redactPath } from "./log.ts";

describe("redact", () => {
  it("hides values under secret-looking keys", () => {
    expect(
      redact({
        access_token: "abc",
        refreshToken: "def",
        nested: { Authorization: "Bearer x", code: "c" },
        ok: 1,
      }),
    ).toEqual({
      access_token: "[redacted]",
      refreshToken: "[redacted]",
      nested: { Authorization: "[redacted]", code: "[redacted]" },
      ok: 1,
    });
  });

  it("hides JWT-shaped and long opaque strings and bearer credentials inside text", () => {
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlc2lnbmF0dXJl";
    const out = redact({
      message: `refresh failed for ${jwt}; header Bearer abc.def and ${"x".repeat(60)}`,
    }) as {
      message: string;
    };
    expect(out.message).not.toContain(jwt);
    expect(out.message).not.toContain("abc.def");
    expect(out.message).not.toContain("x".repeat(60));
    expect(out.message).toContain("refresh failed for [redacted]");
  });

  it("keeps link tokens out of logged paths", () => {
    expect(redactPath("/j/v1.abc.def")).toBe("/j/[token]");
    expect(redactPath("/r/anything/here")).toBe("/r/[token]");
    expect(redactPath("/v1/teachers")).toBe("/v1/teachers");
    expect(redactPath("/oauth/zoom/start/Zm9vYmFy")).toBe("/oauth/zoom/start/[handle]");
  });
});
