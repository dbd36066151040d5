// Two test projects: "workers" runs inside workerd with the real bindings and the Zoom emulator
// as an auxiliary worker; "node" runs checks that need Node (JSON-Schema contract checks, scripts).
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { buildEmulator, emulatorWorkerOptions } from "./emulator/build.ts";
import { buildDocsAssets } from "./scripts/docs-assets.ts";
import { testBindings } from "./test/bindings.ts";

export default defineConfig(async () => {
  await buildEmulator();
  buildDocsAssets(); // wrangler.toml's [assets] directory must exist
  const migrations = await readD1Migrations("migrations");
  return {
    test: {
      reporters: process.env.CI ? ["default", "json"] : ["default"],
      silent: "passed-only" as const,
      outputFile: { json: "test-results/vitest.json" },
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  ...testBindings,
                  TEST_MIGRATIONS: migrations,
                  // `npm run fuzz` raises the API fuzzer's runs and picks a random seed.
                  FUZZ_RUNS: process.env.FUZZ_RUNS ?? "",
                  FUZZ_SEED: process.env.FUZZ_SEED ?? "",
                },
                // Every outbound fetch of the Worker under test (Zoom's OAuth and API hosts,
                // recording downloads) is answered by the emulator.
                outboundService: "zoom-emulator",
                workers: [emulatorWorkerOptions()],
                // A strict twin of JOIN_RATE_LIMITER, for tests that pass it in place of the real one.
                ratelimits: {
                  TEST_STRICT_RATE_LIMITER: { namespace_id: "9001", simple: { limit: 5, period: 60 } },
                },
              },
            }),
          ],
          test: {
            name: "workers",
            // The emulator's state is shared by the files of a run, so they take turns.
            fileParallelism: false,
            include: ["src/**/*.test.ts", "test/**/*.test.ts", "emulator/test/**/*.test.ts"],
            exclude: ["**/*.node.test.ts"],
            setupFiles: ["test/setup/apply-migrations.ts"],
            testTimeout: 60_000,
            hookTimeout: 60_000,
          },
        },
        {
          test: {
            name: "e2e",
            environment: "node",
            include: ["e2e/**/*.e2e.ts"],
            globalSetup: ["e2e/global-setup.ts"],
            fileParallelism: false,
            testTimeout: 120_000,
            hookTimeout: 180_000,
          },
        },
        {
          test: {
            name: "node",
            environment: "node",
            include: ["**/*.node.test.ts"],
            exclude: ["node_modules/**"],
            testTimeout: 300_000,
          },
        },
      ],
    },
  };
});
