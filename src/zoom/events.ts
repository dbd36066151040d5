// The shape of a Zoom webhook event and of a handler of one. The handlers themselves belong to the
// features they change; src/zoom-events/handlers.ts names one per event.
import { z } from "zod";
import type { Config } from "../platform/config.ts";

export const ZoomEvent = z.object({
  event: z.string().min(1).max(100),
  event_ts: z.number().optional(),
  payload: z.record(z.string(), z.unknown()),
  download_token: z.string().optional(),
});
export type ZoomEvent = z.infer<typeof ZoomEvent>;

export type EventHandler = (env: Env, config: Config, event: ZoomEvent) => Promise<void>;
