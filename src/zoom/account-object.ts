// The ZoomAccount Durable Object: one per linked Zoom account, the only code that refreshes tokens.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

export class ZoomAccount extends DurableObject<Env> {}
