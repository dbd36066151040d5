// Copies Scalar's standalone API reference bundle into the Worker's static assets (dist/assets,
// `[assets]` in wrangler.toml), where it is served at /docs/scalar.js beside the Worker: the /docs
// page then works offline and the Worker's own bundle stays small. Run by wrangler's `[build]`
// before `wrangler dev`/`deploy`, by `npm start` and by the test config.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
export const ASSETS_DIR = `${root}dist/assets`;
const SOURCE = `${root}node_modules/@scalar/api-reference/dist/browser/standalone.js`;
const TARGET = `${ASSETS_DIR}/docs/scalar.js`;

// Served by the platform's asset layer, which adds no headers of its own beyond type and caching.
const HEADERS = `/docs/*
  X-Content-Type-Options: nosniff
  Cross-Origin-Resource-Policy: same-origin
  Cache-Control: public, max-age=3600
`;

/** Copies the bundle when it is missing or differs in size or age; returns the target path. */
export function buildDocsAssets(): string {
  if (!existsSync(SOURCE)) throw new Error(`${SOURCE} is missing: run npm install`);
  mkdirSync(`${ASSETS_DIR}/docs`, { recursive: true });
  const source = statSync(SOURCE);
  const target = existsSync(TARGET) ? statSync(TARGET) : undefined;
  if (!target || target.size !== source.size || target.mtimeMs < source.mtimeMs) copyFileSync(SOURCE, TARGET);
  const headersPath = `${ASSETS_DIR}/_headers`;
  if (!existsSync(headersPath) || readFileSync(headersPath, "utf8") !== HEADERS)
    writeFileSync(headersPath, HEADERS);
  return TARGET;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`API reference bundle: ${buildDocsAssets()}`);
}
