// Local development settings shared by `npm start`, the browser tests and `npm run token`: the ports
// (PORT, ZOOM_EMULATOR_PORT), the vars that replace production's in wrangler.toml, and the secrets
// from .dev.vars (created from the example).
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const DEFAULT_APP_PORT = 8787;
export const DEFAULT_EMULATOR_PORT = 8788;
/** Issuer of local Wise JWTs (`npm run token` signs them, the app checks them). */
export const LOCAL_JWT_ISSUER = "https://wise.local";

export interface LocalPorts {
  app: number;
  emulator: number;
}

function port(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === "") return fallback;
  if (!/^\d{1,5}$/.test(raw.trim())) throw new Error(`${name} must be a port number, got "${raw}"`);
  const n = Number(raw);
  if (n < 1024 || n > 65535) throw new Error(`${name} must be between 1024 and 65535, got ${n}`);
  return n;
}

/** The ports of the app and the Zoom emulator: PORT and ZOOM_EMULATOR_PORT, or 8787 and 8788. */
export function localPorts(env: Record<string, string | undefined> = process.env): LocalPorts {
  const app = port("PORT", env.PORT, DEFAULT_APP_PORT);
  const emulator = port("ZOOM_EMULATOR_PORT", env.ZOOM_EMULATOR_PORT, DEFAULT_EMULATOR_PORT);
  if (app === emulator) throw new Error(`PORT and ZOOM_EMULATOR_PORT must differ (both ${app})`);
  return { app, emulator };
}

export const appOrigin = (ports: LocalPorts) => `http://localhost:${ports.app}`;
export const emulatorOrigin = (ports: LocalPorts) => `http://localhost:${ports.emulator}`;

/** Vars that replace production's for a local stack on these ports. */
export function localVars(ports: LocalPorts): Record<string, string> {
  return {
    ENVIRONMENT: "development",
    PUBLIC_BASE_URL: appOrigin(ports),
    WISE_ORIGINS: `${appOrigin(ports)},http://localhost:3000`,
    JWT_ISSUER: LOCAL_JWT_ISSUER,
    JWT_AUDIENCE: "wise-zoom-edge",
    JWT_JWKS_URL: "",
    ZOOM_OAUTH_BASE_URL: emulatorOrigin(ports),
    ZOOM_API_BASE_URL: `${emulatorOrigin(ports)}/v2`,
    CONSOLE_ENABLED: "true",
  };
}

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
