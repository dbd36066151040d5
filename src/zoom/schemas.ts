// Zoom response shapes the product relies on, validated at the boundary. Only the fields we use are
// declared (unknown ones are dropped); ids are normalised to strings since Zoom's int64s exceed 2^53.
import { z } from "zod";

/** An int64 id from Zoom (number, or string when beyond 2^53 or sent as a string) as a string. */
export const ZoomId = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));

export const ZoomUser = z.object({
  id: z.string().min(1),
  account_id: z.string().min(1).optional(),
  email: z.string(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  type: z.number().int(),
  role_name: z.string().optional(),
  status: z.string().optional(),
});
export type ZoomUser = z.infer<typeof ZoomUser>;
