// The typed Hono environment shared by every route: bindings, validated config, request id, caller.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import type { Principal, Role } from "../auth/jwt.ts";
import { authenticate } from "../auth/jwt.ts";
import type { Config } from "../platform/config.ts";
import { ApiError } from "./problem.ts";

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    config: Config;
    principal: Principal;
  };
}

/** A router for one feature; its zod validation failures become 400 problems. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({ field: i.path.join("."), message: i.message }));
        throw new ApiError(400, "invalid_request", "Invalid request", "The request does not match the API", {
          errors: issues,
        });
      }
    },
  });
}

/**
 * Requires a verified Wise JWT whose role is one of `roles`, and puts the caller (and so the
 * tenant every query is scoped by) on the context. 401 without a valid token, 403 for a role
 * that may not call the route.
 */
export const requireRole = (...roles: Role[]) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const principal = await authenticate(c.req.header("authorization"), c.get("config"));
    if (!roles.includes(principal.role)) {
      throw new ApiError(403, "forbidden", "Forbidden", `This route is for ${roles.join(" or ")} callers`);
    }
    c.set("principal", principal);
    await next();
  });

/**
 * For routes whose JSON body is required but may be `{}` (patches): refuses a request without one.
 * Without a content type the validator would read the missing body as `{}` and answer success.
 */
export const requireJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.req.header("content-type")) {
    throw new ApiError(400, "invalid_request", "Invalid request", "A JSON body is required", {
      errors: [{ field: "", message: "required" }],
    });
  }
  await next();
});

/**
 * An integer query parameter written in decimal digits. `z.coerce.number()` alone would take
 * "0x10", "1e2", " 5" or "5.0" (whatever Number() reads); those are a 400 here.
 */
export const queryInt = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^[0-9]{1,16}$/, "must be a decimal integer")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((n) => n ?? fallback)
    .openapi({ type: "integer", minimum: min, maximum: max, default: fallback });

/** Security scheme used by every /v1 route in the OpenAPI document. */
export const bearerSecurity = [{ wiseJwt: [] as string[] }];
