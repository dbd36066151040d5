import { DurableObject } from "cloudflare:workers";
export class ZoomAccount extends DurableObject {}
export default {
  async fetch(req: Request) { return new Response("app " + new URL(req.url).pathname); },
} satisfies ExportedHandler;
