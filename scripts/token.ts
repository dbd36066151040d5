// Prints a Wise-style JWT for the local API:
//   npm run token -- --tenant demo --role admin [--sub id] [--ttl 3600]
import { parseArgs } from "node:util";
import { SignJWT } from "jose";
import { DEFAULT_APP_PORT, DEFAULT_EMULATOR_PORT, devVars, localVars } from "./local.ts";

const usage =
  "usage: npm run token -- --tenant <id> --role admin|teacher|student [--sub <id>] [--ttl <seconds>]";
let values: { tenant?: string; role?: string; sub?: string; ttl?: string };
try {
  ({ values } = parseArgs({
    options: {
      tenant: { type: "string", default: "demo" },
      role: { type: "string", default: "admin" },
      sub: { type: "string" },
      ttl: { type: "string", default: "3600" },
    },
  }));
} catch (err) {
  console.error(`${(err as Error).message}\n${usage}`);
  process.exit(2);
}
const role = values.role ?? "admin";
if (!["admin", "teacher", "student"].includes(role)) {
  console.error(`unknown role "${role}"\n${usage}`);
  process.exit(2);
}
const ttl = Number(values.ttl);
if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 31_536_000) {
  console.error(`--ttl must be a positive number of seconds\n${usage}`);
  process.exit(2);
}
// Issuer and audience do not depend on the ports.
const vars = localVars({ app: DEFAULT_APP_PORT, emulator: DEFAULT_EMULATOR_PORT });
const secret = devVars().JWT_HS256_SECRET;
if (!secret) {
  console.error("JWT_HS256_SECRET is not set in .dev.vars");
  process.exit(1);
}
const token = await new SignJWT({ tenant: values.tenant, role })
  .setProtectedHeader({ alg: "HS256", typ: "JWT" })
  .setIssuer(vars.JWT_ISSUER ?? "")
  .setAudience(vars.JWT_AUDIENCE ?? "")
  .setSubject(values.sub ?? `${role}-1`)
  .setIssuedAt()
  .setExpirationTime(Math.floor(Date.now() / 1000) + ttl)
  .sign(new TextEncoder().encode(secret));
console.log(token);
