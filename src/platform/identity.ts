// Who calls, as Wise names them: the verified caller of an API request and the ids Wise uses.
// Domain modules check roles and tenants against a Principal; auth/jwt.ts produces one.
import { z } from "zod";

export const Role = z.enum(["admin", "teacher", "student"]);
export type Role = z.infer<typeof Role>;

/** Wise institute ids and user ids: opaque, but restricted so they are safe in keys and logs. */
export const WiseId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, "must be 1-128 safe characters");

export interface Principal {
  userId: string;
  tenantId: string;
  role: Role;
}
