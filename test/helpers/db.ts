// D1 conveniences for tests: list, empty and dump every product table, count and read rows.
import { env } from "cloudflare:workers";

/** The tables the migrations created, by name (SQLite's, Cloudflare's and D1's own bookkeeping left out). */
export async function productTables(): Promise<string[]> {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE 'd1_%' ORDER BY name",
  ).all<{ name: string }>();
  return tables.results.map((t) => t.name);
}

/** Empties every table the migrations created (the migrations' own bookkeeping stays). */
export async function clearTables(): Promise<void> {
  const tables = await productTables();
  await env.DB.batch(tables.map((name) => env.DB.prepare(`DELETE FROM "${name}"`)));
}

/** Every row of every product table, in one batch read. */
export async function dumpTables(): Promise<{ table: string; rows: Record<string, unknown>[] }[]> {
  const tables = await productTables();
  const dumps = await env.DB.batch(tables.map((name) => env.DB.prepare(`SELECT * FROM "${name}"`)));
  return dumps.map((d, i) => ({ table: tables[i] as string, rows: d.results as Record<string, unknown>[] }));
}

export async function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
  return (
    await env.DB.prepare(sql)
      .bind(...params)
      .all<T>()
  ).results;
}

export const count = async (table: string) =>
  (await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<number>("n")) ?? 0;
