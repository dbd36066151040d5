// Keeps emulator/README.md's "ZOOM.md behaviours and their tests" true: every test it cites must be
// a test of the file it names, and every behaviour must name an emulator and a product test or say
// why there is none.
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const readme = readFileSync(resolve(root, "emulator/README.md"), "utf8");
const HEADING = "## ZOOM.md behaviours and their tests";

/** The table's rows, each split into its three cells. */
function rows(): { behaviour: string; emulator: string; product: string }[] {
  const start = readme.indexOf(HEADING);
  if (start < 0) return [];
  const next = readme.indexOf("\n## ", start + HEADING.length);
  const section = readme.slice(start, next < 0 ? undefined : next);
  return section
    .split("\n")
    .filter((l) => l.startsWith("| ") && !l.startsWith("| behaviour") && !l.startsWith("| ---"))
    .map((line) => {
      // A `\|` inside a cell is a literal pipe.
      const cells = line
        .slice(2, -2)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim());
      return { behaviour: cells[0] ?? "", emulator: cells[1] ?? "", product: cells[2] ?? "" };
    });
}

/** Citations of a cell: `` `file` "title" ``. */
function citations(cell: string): { file: string; title: string }[] {
  return [...cell.matchAll(/`([^`\s]+\.ts)` "([^"]+)"/g)].map((m) => ({
    file: m[1] as string,
    title: m[2] as string,
  }));
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** True when `title` is the title of an it/test in `source` (plain or `.each(...)(`). */
function hasTest(source: string, title: string): boolean {
  return new RegExp(`(?:\\bit|\\btest|\\))\\(\\s*"${escapeRegExp(title)}"`).test(source);
}

describe("emulator/README.md's ZOOM.md table", () => {
  const table = rows();

  it("has a row per behaviour, each with three cells", () => {
    expect(table.length).toBeGreaterThanOrEqual(60);
    for (const r of table)
      expect([r.behaviour, r.emulator, r.product].every(Boolean), r.behaviour).toBe(true);
  });

  it("names, in each row, an emulator test and a product test, or says why there is none", () => {
    for (const r of table) {
      const emulator = citations(r.emulator);
      const product = citations(r.product);
      const explained = (cell: string) => cell.startsWith("—");
      expect(emulator.length > 0 || explained(r.emulator), `emulator cell of "${r.behaviour}"`).toBe(true);
      expect(product.length > 0 || explained(r.product), `product cell of "${r.behaviour}"`).toBe(true);
      for (const c of emulator) expect(c.file, r.behaviour).toMatch(/^emulator\/test\//);
      for (const c of product) expect(c.file, r.behaviour).toMatch(/^(test|src|emulator\/test)\//);
    }
  });

  it("cites only tests that exist in the files it names", () => {
    const missing: string[] = [];
    const sources = new Map<string, string>();
    for (const r of table) {
      for (const c of [...citations(r.emulator), ...citations(r.product)]) {
        const path = resolve(root, c.file);
        if (!sources.has(c.file)) sources.set(c.file, existsSync(path) ? readFileSync(path, "utf8") : "");
        if (!hasTest(sources.get(c.file) ?? "", c.title)) missing.push(`${c.file}: "${c.title}"`);
      }
    }
    expect(sources.size).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it("finds a test title written over several lines or after .each, and not a mere string", () => {
    const source =
      'it.each([1])(\n    "a title %s",\n  () => {});\nit("plain", () => {});\nconst s = "loose";';
    expect(hasTest(source, "a title %s")).toBe(true);
    expect(hasTest(source, "plain")).toBe(true);
    expect(hasTest(source, "loose")).toBe(false);
    expect(hasTest(source, "plain!")).toBe(false);
  });
});
