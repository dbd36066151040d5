// Bundles the emulator Worker for miniflare (tests and benchmarks), which cannot read a
// wrangler config for auxiliary workers.

import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = fileURLToPath(new URL(".", import.meta.url));
export const emulatorScriptPath = `${here}dist/index.js`;

export async function buildEmulator(): Promise<void> {
  await build({
    entryPoints: [`${here}src/index.ts`],
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2024",
    external: ["cloudflare:*"],
    // standardwebhooks (the event receiver's verifier) and its dependencies publish only "main".
    mainFields: ["module", "main"],
    outfile: emulatorScriptPath,
    loader: { ".mp4": "binary" },
    logLevel: "warning",
  });
}

/** Miniflare options that run the emulator as a Worker named "zoom-emulator". */
export function emulatorWorkerOptions(bindings: Record<string, string> = {}) {
  return {
    name: "zoom-emulator",
    modules: true,
    scriptPath: emulatorScriptPath,
    compatibilityDate: "2026-11-01",
    durableObjects: { ZOOM_STATE: { className: "ZoomState", useSQLite: true } },
    bindings,
  };
}
