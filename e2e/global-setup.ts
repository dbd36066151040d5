// Starts the local stack (app on PORT, Zoom emulator on ZOOM_EMULATOR_PORT, default 8787 and 8788, as
// `npm start` does) with fresh state for the browser tests, and stops it afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startLocalStack } from "../scripts/local-stack.ts";

export default async function setup(project: TestProject) {
  const state = mkdtempSync(join(tmpdir(), "wze-e2e-"));
  // One delivery per archive message, so a failing download shows as failed within the test.
  const stack = await startLocalStack({ persistTo: state, vars: { ARCHIVE_MAX_ATTEMPTS: "1" } });
  project.provide("appUrl", stack.appUrl);
  project.provide("zoomUrl", stack.zoomUrl);
  return async () => {
    await stack.stop();
    rmSync(state, { recursive: true, force: true });
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    appUrl: string;
    zoomUrl: string;
  }
}
