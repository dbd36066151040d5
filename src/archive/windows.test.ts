// Listing windows: at most a month each, overlapping, covering the whole look-back.
import { describe, expect, it } from "vitest";
import { listingWindows } from "./windows.ts";

describe("listingWindows", () => {
  it("covers 30 days in month-long windows ending today", () => {
    const now = Date.parse("2026-03-15T12:00:00Z");
    expect(listingWindows(now, 30)).toEqual([
      { from: "2026-02-13", to: "2026-03-13" },
      { from: "2026-03-12", to: "2026-03-15" },
    ]);
  });
  it("backfills six months with overlapping windows of at most a month", () => {
    const now = Date.parse("2026-07-31T00:00:00Z");
    const w = listingWindows(now, 183);
    expect(w[0]?.from).toBe("2026-01-29");
    expect(w.at(-1)?.to).toBe("2026-07-31");
    for (let i = 1; i < w.length; i++) {
      const prev = w[i - 1] as { from: string; to: string };
      const cur = w[i] as { from: string; to: string };
      expect(cur.from < prev.to).toBe(true);
    }
    for (const { from, to } of w) {
      const f = new Date(`${from}T00:00:00Z`);
      f.setUTCMonth(f.getUTCMonth() + 1);
      expect(Date.parse(`${to}T00:00:00Z`)).toBeLessThanOrEqual(f.getTime());
    }
    expect(w.length).toBeLessThanOrEqual(8);
  });
  it("handles month ends", () => {
    const w = listingWindows(Date.parse("2026-03-31T00:00:00Z"), 31);
    expect(w[0]).toEqual({ from: "2026-02-28", to: "2026-03-28" });
  });
});
