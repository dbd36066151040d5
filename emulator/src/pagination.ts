// next_page_token pagination as Zoom does it: opaque tokens bound to one listing that die after
// 15 minutes (emulator time); page_size above the maximum is clamped.
import type { Core } from "./core.ts";
import { ZoomError } from "./http.ts";
import { newOpaque } from "./ids.ts";

const TOKEN_TTL_MS = 15 * 60 * 1000;

export interface PageMeta {
  page_count: number;
  page_size: number;
  total_records: number;
  next_page_token: string;
}

export function pageSize(raw: string | undefined, max: number, fallback = 30): number {
  const n = Number(raw);
  if (!raw || !Number.isInteger(n) || n < 1) return fallback;
  return Math.min(n, max);
}

/** `scope` names the listing (operation and filters) so a token cannot be replayed elsewhere. */
export function paginate<T>(
  core: Core,
  scope: string,
  items: T[],
  query: Record<string, string>,
  max: number,
  fallback = 30,
): { items: T[]; meta: PageMeta } {
  const size = pageSize(query.page_size, max, fallback);
  let offset = 0;
  const given = query.next_page_token;
  if (given) {
    const row = core.db.one<{ scope: string; offset: number; expires_at: number }>(
      "SELECT scope, offset, expires_at FROM page_tokens WHERE token = ?",
      given,
    );
    if (!row || row.scope !== scope || row.expires_at <= core.now()) {
      throw new ZoomError(400, 300, "The next page token is invalid or expired.");
    }
    offset = row.offset;
  }
  const page = items.slice(offset, offset + size);
  let next = "";
  if (offset + size < items.length) {
    next = newOpaque(24);
    core.db.run(
      "INSERT INTO page_tokens (token, scope, offset, expires_at) VALUES (?, ?, ?, ?)",
      next,
      scope,
      offset + size,
      core.now() + TOKEN_TTL_MS,
    );
  }
  return {
    items: page,
    meta: {
      page_count: Math.ceil(items.length / size),
      page_size: size,
      total_records: items.length,
      next_page_token: next,
    },
  };
}
