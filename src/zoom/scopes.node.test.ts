// The scope table against Zoom's OpenAPI specs ($ZOOM_OPENAPI_DIR) and against the code: every
// operation the product calls is in the table, each exists in the spec with the scopes the table
// names, and README lists exactly the scopes the product asks for. Also the grant check itself.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  knownScopes,
  missingScopes,
  requestedScopes,
  uncoveredOperations,
  ZOOM_OPERATIONS,
  type ZoomOperation,
} from "./scopes.ts";

const dir = process.env.ZOOM_OPENAPI_DIR;
const root = resolve(import.meta.dirname, "../..");
const table: [string, ZoomOperation][] = Object.entries(ZOOM_OPERATIONS);

type Operation = { "x-extensions"?: { "x-macro-scopes"?: string[]; "x-granular-scopes"?: string[] } };
type Spec = { paths: Record<string, Record<string, Operation>> };

function sourceFiles(path: string): string[] {
  return readdirSync(path).flatMap((name) => {
    const full = join(path, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

describe.skipIf(!dir)("the scope table against Zoom's specs", () => {
  const specs: Record<string, Spec> = dir
    ? {
        users: JSON.parse(readFileSync(resolve(root, dir, "users.endpoints.json"), "utf8")) as Spec,
        meetings: JSON.parse(readFileSync(resolve(root, dir, "meetings.endpoints.json"), "utf8")) as Spec,
      }
    : {};

  it.each(table.filter(([, op]) => op.spec))("%s exists in the spec with the table's scopes", (_name, op) => {
    const operation = specs[op.spec as string]?.paths[op.path]?.[op.method.toLowerCase()];
    expect(operation, `${op.method} ${op.path} in ${op.spec}.endpoints.json`).toBeDefined();
    const ext = operation?.["x-extensions"] ?? {};
    for (const s of op.granular) expect(ext["x-granular-scopes"]).toContain(s);
    for (const s of op.granular) expect(s.endsWith(":admin"), `${s} is account-level`).toBe(true);
    if (op.specGap) {
      // A documented gap must still be one: when Zoom fixes the spec, the note goes.
      expect(ext["x-macro-scopes"]).not.toContain(op.classic);
    } else {
      expect(ext["x-macro-scopes"]).toContain(op.classic);
    }
  });

  it("operations without a spec say why", () => {
    for (const [name, op] of table) if (!op.spec) expect(op.specGap, name).toBeTruthy();
  });
});

describe("the scope table against the code", () => {
  it("names every Zoom operation the product calls", () => {
    const called = new Set<string>();
    for (const file of sourceFiles(resolve(root, "src"))) {
      for (const m of readFileSync(file, "utf8").matchAll(/operation: "([a-z_.]+)"/g))
        called.add(m[1] as string);
    }
    // The callback reads the linking user with a plain fetch of /users/me (users.get).
    expect(readFileSync(resolve(root, "src/linking/callback.ts"), "utf8")).toContain("/users/me`");
    called.add("users.get");
    expect([...called].sort()).toEqual(Object.keys(ZOOM_OPERATIONS).sort());
  });

  it("README lists exactly the scopes the product asks for, in each naming", () => {
    const readme = readFileSync(resolve(root, "README.md"), "utf8");
    for (const set of ["granular", "classic"] as const) {
      const heading = `<!-- scopes:${set} -->`;
      const start = readme.indexOf(heading);
      expect(start, heading).toBeGreaterThan(-1);
      const block = readme.slice(start + heading.length, readme.indexOf("<!-- /scopes -->", start));
      const listed = [...block.matchAll(/^- `([^`]+)`/gm)].map((m) => m[1]);
      expect(listed.sort(), set).toEqual(requestedScopes(set).sort());
    }
  });
});

describe("README's Zoom webhooks section", () => {
  it("lists every event the product handles", () => {
    // The handler maps (`Record<string, EventHandler> = { "event": handler, ... }`), read as source:
    // importing them needs the Workers runtime.
    const events = new Set<string>(["endpoint.url_validation"]);
    for (const file of sourceFiles(resolve(root, "src"))) {
      for (const map of readFileSync(file, "utf8").matchAll(/Record<string, EventHandler> = \{([^}]*)\}/g)) {
        for (const key of (map[1] as string).matchAll(/^\s*"?([a-z_]+(?:\.[a-z_]+)*)"?:/gm))
          events.add(key[1] as string);
      }
    }
    expect(events.size).toBeGreaterThan(10);
    const readme = readFileSync(resolve(root, "README.md"), "utf8");
    const start = readme.indexOf("## Zoom webhooks");
    const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
    for (const event of events) expect(section, event).toContain(`\`${event}\``);
  });
});

describe("judging a grant", () => {
  const granular = requestedScopes("granular");
  const classic = requestedScopes("classic");

  it("asks for one scope per operation in one naming, never a mix", () => {
    expect(granular.every((s) => s.split(":").length >= 4)).toBe(true);
    expect(classic.every((s) => s.split(":").length === 3 && s.endsWith(":admin"))).toBe(true);
    expect(classic).toHaveLength(new Set(table.map(([, op]) => op.classic)).size);
    expect(granular).toHaveLength(table.length);
  });

  it("accepts a full grant in either naming", () => {
    expect(missingScopes(granular, "granular")).toEqual([]);
    expect(missingScopes(classic, "granular")).toEqual([]);
    expect(missingScopes(classic, "classic")).toEqual([]);
  });

  it("names what a grant lacks in the configured naming", () => {
    const grant = granular.filter((s) => s !== "user:read:summary:admin");
    expect(uncoveredOperations(grant)).toEqual(["users.summary"]);
    expect(missingScopes(grant, "granular")).toEqual(["user:read:summary:admin"]);
    expect(missingScopes(grant, "classic")).toEqual(["user:read:admin"]);
    expect(
      missingScopes(
        classic.filter((s) => s !== "meeting:write:admin"),
        "classic",
      ),
    ).toEqual(["meeting:write:admin"]);
  });

  it("accepts a mixed grant only when every operation is covered under one naming or the other", () => {
    // Classic for users and meetings, granular for the rest.
    const mixed = [
      "user:read:admin",
      "user:write:admin",
      "meeting:read:admin",
      "meeting:write:admin",
      ...granular.filter((s) => !s.startsWith("user:") && !s.startsWith("meeting:")),
    ];
    expect(missingScopes(mixed, "granular")).toEqual([]);
    const short = mixed.filter((s) => s !== "meeting:write:admin");
    expect(missingScopes(short, "granular")).toEqual([
      "meeting:write:meeting:admin",
      "meeting:update:meeting:admin",
      "meeting:delete:meeting:admin",
      "meeting:update:status:admin",
      "meeting:write:registrant:admin",
    ]);
  });

  it("counts unknown or malformed scope strings as nothing", () => {
    const tampered = granular.map((s) =>
      s === "meeting:read:meeting:admin" ? "meeting:read:meeting:admin:x" : s,
    );
    expect(missingScopes([...tampered, "meeting:read", "*", "", "MEETING:READ:ADMIN"], "granular")).toEqual([
      "meeting:read:meeting:admin",
    ]);
    expect(knownScopes().has("meeting:read")).toBe(false);
    expect(missingScopes([], "classic")).toEqual(classic);
  });
});
