// Local development settings shared by `npm start` and `npm run token`: the vars that replace
// production's in wrangler.toml, and the secrets from .dev.vars (created from the example).
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const APP_PORT = 8787;
export const EMULATOR_PORT = 8788;

export const localVars: Record<string, string> = {
  ENVIRONMENT: "development",
  PUBLIC_BASE_URL: `http://localhost:${APP_PORT}`,
  WISE_ORIGINS: `http://localhost:${APP_PORT},http://localhost:3000`,
  JWT_ISSUER: "https://wise.local",
  JWT_AUDIENCE: "wise-zoom-edge",
  JWT_JWKS_URL: "",
  ZOOM_OAUTH_BASE_URL: `http://localhost:${EMULATOR_PORT}`,
  ZOOM_API_BASE_URL: `http://localhost:${EMULATOR_PORT}/v2`,
  CONSOLE_ENABLED: "true",
};

/** Reads .dev.vars, creating it from .dev.vars.example on first run. */
export function devVars(): Record<string, string> {
  const path = `${root}.dev.vars`;
  if (!existsSync(path)) copyFileSync(`${root}.dev.vars.example`, path);
  const vars: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1] && m[2] !== undefined) vars[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  }
  return vars;
}
