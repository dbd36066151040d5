// Small server-rendered HTML pages for people (students, teachers, admins in a browser):
// readable on a phone, no script needed, nothing secret in them.
import { html, raw } from "hono/html";

export function page(
  title: string,
  body: string | ReturnType<typeof html>,
  status = 200,
  extraHead = "",
): Response {
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
${raw(extraHead)}
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;padding:1.5rem;background:#f6f7f9;color:#1d2330;line-height:1.5}
main{max-width:34rem;margin:10vh auto;background:#fff;border-radius:12px;padding:1.5rem 1.75rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.35rem;margin:0 0 .75rem}
p{margin:.5rem 0}
a.button{display:inline-block;margin-top:.75rem;padding:.6rem 1rem;border-radius:8px;background:#2d5bff;color:#fff;text-decoration:none}
</style>
</head>
<body><main><h1>${title}</h1>${body}</main></body>
</html>`;
  return new Response(String(doc), {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
    },
  });
}

/** A page with a title and a paragraph of plain text (escaped). */
export function messagePage(title: string, message: string, status: number): Response {
  return page(title, html`<p>${message}</p>`, status);
}
