// The layer rules of docs/architecture.md, as `npm run lint` applies them: the code as it is has no
// violation, and a cycle, an upward import (type-only included) or an emulator module reaching into
// src/ is caught.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { cruise, type IViolation } from "dependency-cruiser";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const config = createRequire(import.meta.url)(join(root, ".dependency-cruiser.cjs"));

async function violations(baseDir: string, paths: string[]): Promise<IViolation[]> {
  const result = await cruise(
    paths,
    {
      baseDir,
      validate: true,
      ruleSet: { forbidden: config.forbidden },
      tsPreCompilationDeps: true,
      exclude: config.options.exclude,
      doNotFollow: config.options.doNotFollow,
    },
    config.options.enhancedResolveOptions,
  );
  if (typeof result.output === "string") throw new Error("unexpected string output");
  return result.output.summary.violations;
}

const scratch = mkdtempSync(join(tmpdir(), "layers-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(scratch, "t-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const rules = (found: IViolation[]) => found.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();

describe("layers", () => {
  it("src/ and emulator/src/ as they are break no rule", async () => {
    expect(rules(await violations(root, ["src", "emulator/src"]))).toEqual([]);
  });

  it("catches a type-only import from storage up to zoom", async () => {
    const dir = tree({
      "src/zoom/account.ts": "export class Account {}\n",
      "src/db/tenants.ts": 'import type { Account } from "../zoom/account.ts";\nexport type A = Account;\n',
    });
    expect(rules(await violations(dir, ["src"]))).toEqual([
      "no-upward-from-storage: src/db/tenants.ts -> src/zoom/account.ts",
    ]);
  });

  it("catches a domain module importing http", async () => {
    const dir = tree({
      "src/http/problem.ts": "export const p = 1;\n",
      "src/teachers/teachers.ts": 'import { p } from "../http/problem.ts";\nexport const t = p;\n',
    });
    expect(rules(await violations(dir, ["src"]))).toEqual([
      "no-upward-from-domain: src/teachers/teachers.ts -> src/http/problem.ts",
    ]);
  });

  it("catches the emulator's storage importing its state object", async () => {
    const dir = tree({
      "emulator/src/state.ts": "export class ZoomState {}\n",
      "emulator/src/db/store.ts":
        'import type { ZoomState } from "../state.ts";\nexport type S = ZoomState;\n',
    });
    expect(rules(await violations(dir, ["emulator/src"]))).toEqual([
      "no-upward-from-emulator-store: emulator/src/db/store.ts -> emulator/src/state.ts",
    ]);
  });

  it("catches a cycle inside one layer", async () => {
    const dir = tree({
      "src/platform/a.ts": 'import type { B } from "./b.ts";\nexport type A = B;\n',
      "src/platform/b.ts": 'import type { A } from "./a.ts";\nexport type B = A | 1;\n',
    });
    const found = rules(await violations(dir, ["src"]));
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.startsWith("no-cycles:"))).toBe(true);
  });

  it("catches the emulator reaching into src/ and a module outside any layer", async () => {
    const dir = tree({
      "src/platform/log.ts": "export const log = 1;\n",
      "emulator/src/http.ts": 'import { log } from "../../src/platform/log.ts";\nexport const h = log;\n',
      "src/misc/thing.ts": 'import { log } from "../platform/log.ts";\nexport const x = log;\n',
    });
    expect(rules(await violations(dir, ["src", "emulator/src"]))).toEqual([
      "emulator-apart: emulator/src/http.ts -> src/platform/log.ts",
      "in-a-layer-src-: src/misc/thing.ts -> src/platform/log.ts",
    ]);
  });
});
