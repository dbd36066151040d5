// Bindings of the emulator Worker (see emulator/wrangler.toml).
import type { ZoomState } from "./state.ts";

export interface Env {
  ZOOM_STATE: DurableObjectNamespace<ZoomState>;
  /** Where webhooks are POSTed besides the outbox; empty means outbox only. */
  WEBHOOK_URL?: string;
  WEBHOOK_SECRET?: string;
  /** Extra redirect URIs of the local Wise client, comma separated (a stack on another port). */
  REDIRECT_URIS?: string;
}
