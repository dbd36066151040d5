import { describe, expect, it } from "vitest";
import { parseStorageBytes } from "./storage.ts";

describe("parseStorageBytes", () => {
  it.each([
    ["0", 0],
    ["0 B", 0],
    ["12 B", 12],
    ["1 KB", 1024],
    ["340 MB", 340 * 1024 ** 2],
    ["2 GB", 2 * 1024 ** 3],
    ["1.2 GB", Math.round(1.2 * 1024 ** 3)],
    ["5GB", 5 * 1024 ** 3],
    ["  3 gb ", 3 * 1024 ** 3],
    ["1 TB", 1024 ** 4],
    ["1,024 MB", 1024 ** 3],
  ])("%s -> %d bytes", (text, bytes) => {
    expect(parseStorageBytes(text)).toBe(bytes);
  });

  it.each([[""], ["GB"], ["-1 GB"], ["2 PB"], ["two GB"], ["1e9"], ["1.2.3 GB"], [undefined], [null]])(
    "refuses %s",
    (text) => {
      expect(parseStorageBytes(text)).toBeUndefined();
    },
  );
});
