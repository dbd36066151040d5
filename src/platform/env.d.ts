// The Worker's Env comes from `wrangler types` (worker-configuration.d.ts, generated from wrangler.toml
// and the secrets listed in .dev.vars.example). This adds what neither file can declare: the optional
// settings that are left unset unless needed. Regenerate with `npm run types` after changing either file.
interface OptionalSettings {
  /** A pinned JWKS document used instead of JWT_JWKS_URL. */
  JWT_JWKS_JSON?: string;
  /** The webhook secret token before a rotation, and the end of its rotation window. */
  ZOOM_WEBHOOK_SECRET_PREVIOUS?: string;
  ZOOM_WEBHOOK_SECRET_PREVIOUS_UNTIL?: string;
}

interface Env extends OptionalSettings {}

declare namespace Cloudflare {
  interface Env extends OptionalSettings {}
}
