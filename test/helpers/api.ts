// Small conveniences for the /v1 feature tests: JSON calls as a role, and clean D1 tables.
import { call } from "./app.ts";
import { bearer } from "./jwt.ts";

export interface As {
  tenant?: string;
  role?: "admin" | "teacher" | "student";
  sub?: string;
}

/** Calls the Worker with a JSON body (when given) as the given caller; answers status and body. */
export async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  as: As = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = {
    ...(await bearer({
      tenant: as.tenant ?? "tenant-a",
      role: as.role ?? "admin",
      sub: as.sub ?? "admin-1",
    })),
  };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await call(path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
}

export { clearTables, count, rows } from "./db.ts";
