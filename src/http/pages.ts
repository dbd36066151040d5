// Small server-rendered HTML pages for people (students, teachers, admins in a browser):
// readable on a phone, no script needed, nothing secret in them. Each page carries its own strict
// Content-Security-Policy: its one style block and (optional) script run under a per-response nonce.
import { html, raw } from "hono/html";

/** A fresh CSP nonce: 128 random bits, base64. */
export function cspNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

/**
 * The policy of a page: nothing but its own nonce'd style and script; the script may fetch from
 * this origin (the waiting page polls its status). No framing, no base or form targets elsewhere.
 */
export const pagePolicy = (nonce: string) =>
  `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`;

/** Headers of every page: strict CSP, and no Referer (a signed link in the URL must not leak). */
export function pageHeaders(nonce: string): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": pagePolicy(nonce),
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
  };
}

export interface PageOptions {
  /** Extra markup for the head (meta refresh, noscript). Never user input. */
  head?: string;
  /** A script body, run under the page's nonce. Never user input. */
  script?: string;
}

export function page(
  title: string,
  body: string | ReturnType<typeof html>,
  status = 200,
  options: PageOptions = {},
): Response {
  const nonce = cspNonce();
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
${raw(options.head ?? "")}
<style nonce="${nonce}">
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:1.5rem;background:#f6f7f9;color:#1d2330;line-height:1.5}
main{max-width:34rem;margin:10vh auto;background:#fff;border-radius:12px;padding:1.5rem 1.75rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.35rem;margin:0 0 .75rem}
p{margin:.5rem 0}
a.button{display:inline-block;margin-top:.75rem;padding:.6rem 1rem;border-radius:8px;background:#2d5bff;color:#fff;text-decoration:none}
</style>
</head>
<body><main><h1>${title}</h1>${body}</main>${options.script ? raw(`<script nonce="${nonce}">${options.script}</script>`) : ""}</body>
</html>`;
  return new Response(String(doc), { status, headers: pageHeaders(nonce) });
}

/** A page with a title and a paragraph of plain text (escaped). */
export function messagePage(title: string, message: string, status: number): Response {
  return page(title, html`<p>${message}</p>`, status);
}
