// The shapes every contract repeats: a JSON answer with its description, and a required JSON body.
import type { z } from "@hono/zod-openapi";

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true as const,
  content: { "application/json": { schema } },
});
