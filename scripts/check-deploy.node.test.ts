// The deploy check: its verdict on each limit, and the command failing a build over a limit.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type Figures, LIMITS, verdict } from "./check-deploy.ts";

const MiB = 1024 * 1024;
const fits: Figures = {
  modules: [{ name: "index.js", bytes: 1.5 * MiB }],
  rawBytes: 1.5 * MiB,
  gzipBytes: 0.3 * MiB,
  startupMs: [95, 101, 90],
  assets: { files: 1, largest: { name: "docs/scalar.js", bytes: 4.7 * MiB } },
};

describe("verdict", () => {
  it("passes a Worker within every limit", () => {
    expect(verdict(fits)).toEqual([]);
  });

  it("fails a bundle over the compressed or uncompressed size limit", () => {
    expect(verdict({ ...fits, gzipBytes: 10 * MiB + 1 })).toEqual([
      "compressed size 10.00 MiB is over the 10.00 MiB limit",
    ]);
    expect(verdict({ ...fits, rawBytes: 65 * MiB })[0]).toMatch(/uncompressed size 65.00 MiB is over/);
  });

  it("fails on the slowest startup over the budget, and when startup was not measured", () => {
    expect(verdict({ ...fits, startupMs: [120, LIMITS.startupMs + 1, 130] })).toEqual([
      "startup takes 1001 ms of CPU, over the 1000 ms budget",
    ]);
    expect(verdict({ ...fits, startupMs: [] })).toEqual(["startup was not measured"]);
  });

  it("fails an empty build, an asset over 25 MiB and too many assets", () => {
    expect(verdict({ ...fits, modules: [] })).toContain("the dry run produced no module");
    expect(
      verdict({ ...fits, assets: { files: 1, largest: { name: "big.bin", bytes: 26 * MiB } } })[0],
    ).toMatch(/asset big.bin \(26.00 MiB\) is over 25.00 MiB/);
    expect(verdict({ ...fits, assets: { ...fits.assets, files: 20_001 } })).toEqual([
      "20001 assets, over 20000",
    ]);
  });
});

describe("npm run check:deploy", () => {
  it("builds with wrangler's dry run, prints the figures and exits 1 over a limit", () => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL("check-deploy.ts", import.meta.url))], {
      encoding: "utf8",
      env: { ...process.env, DEPLOY_CHECK_MAX_GZIP_BYTES: "1024" },
    });
    expect(r.stdout).toMatch(/gzip\s+\d+\.\d\d MiB \(\d+% of Free's 3\.00 MiB/);
    expect(r.stdout).toMatch(/startup CPU\s+\d+ ms median/);
    expect(r.stderr).toMatch(/deploy check FAILED: compressed size [\d.]+ MiB is over the 0\.00 MiB limit/);
    expect(r.status).toBe(1);
  });
});
