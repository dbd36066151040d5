// Range header interpretation for playback: single ranges, suffixes, and the malformed or
// impossible ones that must be 416 or ignored.
import { describe, expect, it } from "vitest";
import { contentRange, ifRangeAllows, parseRange } from "./ranges.ts";

describe("parseRange", () => {
  const size = 1000;
  it("serves the whole object without a usable header", () => {
    expect(parseRange(null, size)).toEqual({ kind: "full" });
    expect(parseRange("", size)).toEqual({ kind: "full" });
    expect(parseRange("items=0-5", size)).toEqual({ kind: "full" });
    expect(parseRange("bytes=abc", size)).toEqual({ kind: "full" });
    expect(parseRange("bytes=-", size)).toEqual({ kind: "full" });
  });
  it("answers multiple ranges with the whole object", () => {
    expect(parseRange("bytes=0-1,5-9", size)).toEqual({ kind: "full" });
  });
  it("reads first-last, open-ended and suffix ranges", () => {
    expect(parseRange("bytes=0-0", size)).toEqual({ kind: "partial", offset: 0, length: 1 });
    expect(parseRange("bytes=10-19", size)).toEqual({ kind: "partial", offset: 10, length: 10 });
    expect(parseRange("bytes=990-", size)).toEqual({ kind: "partial", offset: 990, length: 10 });
    expect(parseRange("bytes=-10", size)).toEqual({ kind: "partial", offset: 990, length: 10 });
    expect(parseRange("bytes=-5000", size)).toEqual({ kind: "partial", offset: 0, length: 1000 });
    expect(parseRange("bytes=-99999999999999999999", size)).toEqual({
      kind: "partial",
      offset: 0,
      length: 1000,
    });
    expect(parseRange("Bytes = 5-9", size)).toEqual({ kind: "partial", offset: 5, length: 5 });
  });
  it("clamps a last position past the end", () => {
    expect(parseRange("bytes=900-5000", size)).toEqual({ kind: "partial", offset: 900, length: 100 });
    expect(parseRange("bytes=900-99999999999999999999", size)).toEqual({
      kind: "partial",
      offset: 900,
      length: 100,
    });
  });
  it("refuses impossible ranges", () => {
    expect(parseRange("bytes=5-2", size)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=-0", size)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=1000-", size)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=5000-6000", size)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=99999999999999999999-", size)).toEqual({ kind: "unsatisfiable" });
    expect(parseRange("bytes=0-", 0)).toEqual({ kind: "unsatisfiable" });
  });
  it("formats Content-Range", () => {
    expect(contentRange(10, 10, 1000)).toBe("bytes 10-19/1000");
  });
});

describe("ifRangeAllows", () => {
  const modified = new Date("2026-05-01T10:00:00Z");
  it("allows a partial answer only for the same representation", () => {
    expect(ifRangeAllows(null, '"abc"', modified)).toBe(true);
    expect(ifRangeAllows('"abc"', '"abc"', modified)).toBe(true);
    expect(ifRangeAllows('"old"', '"abc"', modified)).toBe(false);
    expect(ifRangeAllows('W/"abc"', '"abc"', modified)).toBe(false);
    expect(ifRangeAllows("Fri, 01 May 2026 10:00:00 GMT", '"abc"', modified)).toBe(true);
    expect(ifRangeAllows("Fri, 01 May 2026 09:00:00 GMT", '"abc"', modified)).toBe(false);
    expect(ifRangeAllows("garbage", '"abc"', modified)).toBe(false);
  });
});
