// The pages a person sees at the end of a Zoom link attempt (or the redirect back to Wise): what
// happened, and where to go next. Secrets for Wise travel in the URL fragment only.
import type { Context } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../../http/context.ts";
import { page } from "../../http/pages.ts";
import type { LinkOutcome } from "../../linking/callback.ts";
import type { Config } from "../../platform/config.ts";

/** Where a person continues in Wise: its first origin (locally, the console). */
function wiseLanding(publicBaseUrl: string, origins: string[]): string {
  const origin = origins[0] ?? publicBaseUrl;
  // Locally the console on this service stands in for Wise's profile page.
  return origin === publicBaseUrl ? `${origin}/console` : `${origin}/`;
}

export function linkOutcomePage(c: Context<AppEnv>, config: Config, outcome: LinkOutcome) {
  const back = (result: string, fragment = "") => {
    if (!("returnTo" in outcome) || !outcome.returnTo) return null;
    const url = new URL(outcome.returnTo);
    url.searchParams.set("zoom_link", result);
    url.hash = fragment;
    return c.redirect(url.toString(), 302);
  };
  switch (outcome.kind) {
    case "pending": {
      // The confirmation secret travels in the fragment: never sent to a server, never in a Referer.
      const fragment = `zoom_confirm=${outcome.confirmation}`;
      const target = `${wiseLanding(config.publicBaseUrl, config.wiseOrigins)}#${fragment}`;
      return (
        back("pending", fragment) ??
        page(
          "Confirm the link in Wise",
          html`<p>Zoom authorized Wise${outcome.zoomUserEmail ? html` for ${outcome.zoomUserEmail}` : ""}. The link is not active yet: confirm it in Wise within 10 minutes.</p><p><a href="${target}">Continue in Wise</a></p>`,
        )
      );
    }
    case "handoff": {
      const target = `${wiseLanding(config.publicBaseUrl, config.wiseOrigins)}#zoom_handoff=${outcome.handoff}`;
      return page(
        "Finish linking Zoom in Wise",
        html`<p>Wise was added to Zoom${outcome.zoomUserEmail ? html` by ${outcome.zoomUserEmail}` : ""}. To link this Zoom account to your institute, sign in to Wise as an institute admin and confirm it there within 15 minutes.</p><p><a href="${target}" data-testid="handoff-link">Sign in to Wise and finish linking</a></p>`,
      );
    }
    case "relinked":
      return (
        back("relinked") ??
        page(
          "Zoom is linked",
          html`<p>Your Zoom account is now linked to Wise. You can close this window.</p>`,
        )
      );
    case "denied":
      return (
        back("denied") ??
        page("Zoom was not linked", html`<p>You chose not to authorize Wise in Zoom.</p>`, 200)
      );
    case "failed":
      return page(outcome.title, html`<p>${outcome.message}</p>`, outcome.status);
  }
}
