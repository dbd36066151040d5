import { DurableObject } from "cloudflare:workers";
export class ZoomState extends DurableObject {
  async ping() {
    return "pong";
  }
}
export default {
  async fetch(req: Request, env: { ZOOM_STATE: DurableObjectNamespace<ZoomState> }) {
    const s = env.ZOOM_STATE.getByName("zoom");
    return new Response(`emulator ${new URL(req.url).pathname} ${await s.ping()}`);
  },
};
