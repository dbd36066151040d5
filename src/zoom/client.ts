// The Zoom REST client every feature uses. Bearer header only (Zoom rejects tokens in URLs, code 124);
// one refresh-and-retry on 124; 429 handled with Retry-After or jittered backoff within a budget;
// transient failures retried only for idempotent calls; every answer validated with zod.
import type { z } from "zod";
import type { Db } from "../db/client.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { unwrapToken } from "./account-object.ts";
import { credentialForTenant } from "./credentials.ts";
import {
  ZoomApiError,
  ZoomNeedsRelink,
  ZoomNotLinked,
  ZoomRateLimited,
  ZoomResponseInvalid,
  ZoomUnavailable,
} from "./errors.ts";
import { afterRateLimit, backoffMs, DEFAULT_BUDGET, type RetryBudget } from "./retry.ts";

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface ZoomCall<T> {
  /** A stable name for logs and errors, e.g. "users.get". */
  operation: string;
  method: Method;
  /** Path under the API base, already encoded (see encodePathSegment / encodeMeetingUuid). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Schema of a 2xx JSON answer; omit for 204 answers. */
  schema?: z.ZodType<T>;
  /** Safe to repeat after a timeout or 5xx. Defaults to true for GET/PUT/DELETE. */
  idempotent?: boolean;
}

/** Encodes one path segment. */
export const encodePathSegment = (s: string) => encodeURIComponent(s);

/** Zoom requires a meeting UUID that starts with "/" or contains "//" to be URL-encoded twice. */
export function encodeMeetingUuid(uuid: string): string {
  const once = encodeURIComponent(uuid);
  return uuid.startsWith("/") || uuid.includes("//") ? encodeURIComponent(once) : once;
}

export class ZoomClient {
  constructor(
    private readonly env: Env,
    readonly config: Config,
    readonly zoomAccountId: string,
    private readonly budget: RetryBudget = DEFAULT_BUDGET,
  ) {}

  /** The client for a tenant's linked account; throws ZoomNotLinked / ZoomNeedsRelink otherwise. */
  static async forTenant(env: Env, config: Config, db: Db, tenantId: string): Promise<ZoomClient> {
    const row = await credentialForTenant(db, tenantId);
    if (!row) throw new ZoomNotLinked(`tenant ${tenantId} has no Zoom link`);
    if (row.status === "needs_relink") throw new ZoomNeedsRelink(row.reason ?? "needs relink");
    return new ZoomClient(env, config, row.zoomAccountId);
  }

  private get account() {
    return this.env.ZOOM_ACCOUNT.getByName(this.zoomAccountId);
  }

  async accessToken(): Promise<string> {
    return unwrapToken(await this.account.getAccessToken(this.zoomAccountId)).accessToken;
  }

  /** Zoom refused `rejected`: a newer token, refreshed once for all callers that saw the same refusal. */
  async refreshAfterRejection(rejected: string): Promise<string> {
    return unwrapToken(await this.account.refreshAfterRejection(this.zoomAccountId, rejected)).accessToken;
  }

  async call<T = undefined>(c: ZoomCall<T>): Promise<T> {
    const idempotent = c.idempotent ?? c.method !== "POST";
    let token = await this.accessToken();
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await this.send(c, token);
      } catch (err) {
        if (idempotent && attempt + 1 < this.budget.maxAttempts) {
          await sleep(Math.max(100, backoffMs(attempt, this.budget)));
          continue;
        }
        throw new ZoomUnavailable(`${c.operation}: ${err instanceof Error ? err.message : String(err)}`);
      }

      if (res.ok) return this.parse(c, res);

      const body = await readErrorBody(res);
      if ((res.status === 401 || res.status === 400) && body.code === 124 && !refreshed) {
        // The request was refused at the door, so repeating it is safe whatever the method.
        refreshed = true;
        token = await this.refreshAfterRejection(token);
        attempt--;
        continue;
      }
      if (res.status === 429) {
        const decision = afterRateLimit(attempt, res.headers.get("retry-after"), this.budget, Date.now());
        const kind = /daily/i.test(res.headers.get("x-ratelimit-type") ?? body.message)
          ? "Daily-limit"
          : res.headers.get("x-ratelimit-type") === "QPS"
            ? "QPS"
            : "unknown";
        if (decision.retry && kind !== "Daily-limit") {
          await sleep(decision.waitMs);
          continue;
        }
        const seconds = Math.max(
          1,
          Math.ceil((decision.retry ? decision.waitMs : decision.retryAfterMs) / 1000),
        );
        throw new ZoomRateLimited(seconds, kind, `${c.operation}: ${body.message}`);
      }
      if (res.status >= 500) {
        if (idempotent && attempt + 1 < this.budget.maxAttempts) {
          await sleep(Math.max(100, backoffMs(attempt, this.budget)));
          continue;
        }
        throw new ZoomUnavailable(`${c.operation}: Zoom answered ${res.status}`);
      }
      throw new ZoomApiError(res.status, body.code, body.message, c.operation);
    }
  }

  /** Follows next_page_token through every page, yielding each page's items under `key`. */
  async *pages<T extends { next_page_token?: string | undefined }, K extends keyof T>(
    c: ZoomCall<T>,
    key: K,
  ): AsyncGenerator<T[K] extends (infer I)[] | undefined ? I : never> {
    let next: string | undefined;
    let guard = 0;
    do {
      const page = await this.call({ ...c, query: { ...c.query, next_page_token: next || undefined } });
      const items = (page[key] ?? []) as unknown as (T[K] extends (infer I)[] | undefined ? I : never)[];
      yield* items;
      next = page.next_page_token || undefined;
      if (++guard > 10_000) throw new ZoomResponseInvalid(`${c.operation}: pagination does not end`);
    } while (next);
  }

  private send(c: ZoomCall<unknown>, token: string): Promise<Response> {
    const url = new URL(`${this.config.zoom.apiBaseUrl}${c.path}`);
    for (const [k, v] of Object.entries(c.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
    if (c.body !== undefined) headers["content-type"] = "application/json";
    return fetch(url, {
      method: c.method,
      headers,
      body: c.body === undefined ? undefined : JSON.stringify(c.body),
      signal: AbortSignal.timeout(this.config.zoom.timeoutMs),
      redirect: "manual",
    });
  }

  private async parse<T>(c: ZoomCall<T>, res: Response): Promise<T> {
    if (!c.schema) {
      await res.body?.cancel();
      return undefined as T;
    }
    let raw: unknown;
    try {
      raw = parseZoomJson(await res.text());
    } catch {
      throw new ZoomResponseInvalid(`${c.operation}: the answer is not JSON`);
    }
    const parsed = c.schema.safeParse(raw);
    if (!parsed.success) {
      log("warn", "zoom answer does not match the expected schema", {
        operation: c.operation,
        issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`),
      });
      throw new ZoomResponseInvalid(`${c.operation}: unexpected answer shape`);
    }
    return parsed.data;
  }
}

async function readErrorBody(res: Response): Promise<{ code: number | undefined; message: string }> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { code?: unknown; message?: unknown };
    return {
      code: typeof body.code === "number" ? body.code : undefined,
      message: typeof body.message === "string" ? body.message.slice(0, 500) : `HTTP ${res.status}`,
    };
  } catch {
    return { code: undefined, message: `HTTP ${res.status}` };
  }
}

/**
 * JSON.parse that keeps integers beyond 2^53 exact, as strings: Zoom's meeting ids can exceed it,
 * and a rounded id would address another meeting. Uses the reviver's access to the source text.
 */
export function parseZoomJson(text: string): unknown {
  return JSON.parse(text, (_key, value, context?: { source?: string }) =>
    typeof value === "number" &&
    !Number.isSafeInteger(value) &&
    context?.source &&
    /^-?\d+$/.test(context.source)
      ? context.source
      : value,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
