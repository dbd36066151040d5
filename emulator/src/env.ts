// The emulator's settings (see emulator/wrangler.toml [vars]). The Durable Object binding is typed
// beside its class in state.ts, so that this module, used everywhere, imports nothing.

export interface EmulatorVars {
  /** Where webhooks are POSTed besides the outbox; empty means outbox only. */
  WEBHOOK_URL?: string;
  WEBHOOK_SECRET?: string;
  /** Extra redirect URIs of the local Wise client, comma separated (a stack on another port). */
  REDIRECT_URIS?: string;
}
