// GET /docs: a self-contained, server-rendered reference of the OpenAPI document. It needs no
// script or CDN, so it renders offline (local development) and under a strict CSP.
import { html, raw } from "hono/html";

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

interface Document {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
}

const METHODS = ["get", "post", "put", "patch", "delete"];

function schemaBlock(schema: unknown) {
  if (!schema) return "";
  return html`<details><summary>Schema</summary><pre>${JSON.stringify(schema, null, 2)}</pre></details>`;
}

export function renderDocs(doc: Document): Response {
  const ops: { tag: string; method: string; path: string; op: Operation }[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (op) ops.push({ tag: op.tags?.[0] ?? "Other", method, path, op });
    }
  }
  const tags = [...new Set(ops.map((o) => o.tag))];
  const body = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${doc.info.title} reference</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9;line-height:1.45}
header{background:#1d2330;color:#fff;padding:1rem 1.5rem}header a{color:#9db4ff}
main{max-width:60rem;margin:0 auto;padding:1rem}
nav a{margin-right:.75rem}
section.op{background:#fff;border-radius:10px;padding:1rem;margin:.75rem 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.m{display:inline-block;min-width:4.2rem;text-align:center;font-weight:700;border-radius:6px;padding:.1rem .4rem;color:#fff;text-transform:uppercase;font-size:.8rem}
.get{background:#2f855a}.post{background:#2b6cb0}.put{background:#b7791f}.patch{background:#805ad5}.delete{background:#c53030}
code.path{font-size:1rem;margin-left:.5rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e2e8f0;padding:.3rem;text-align:left;vertical-align:top}
pre{background:#f1f3f7;padding:.6rem;overflow:auto;font-size:.8rem;border-radius:6px}
</style></head>
<body><header><h1>${doc.info.title} <small>${doc.info.version}</small></h1>
<p>${doc.info.description ?? ""}</p><p><a href="/openapi.json">openapi.json</a></p></header>
<main><nav>${tags.map((t) => html`<a href="#${encodeURIComponent(t)}">${t}</a>`)}</nav>
${tags.map(
  (tag) => html`<h2 id="${encodeURIComponent(tag)}">${tag}</h2>
${ops
  .filter((o) => o.tag === tag)
  .map(
    ({ method, path, op }) => html`<section class="op">
<div><span class="m ${method}">${method}</span><code class="path">${path}</code>${op.security?.length ? raw(" &#128274;") : ""}</div>
<p><strong>${op.summary ?? ""}</strong></p>${op.description ? html`<p>${op.description}</p>` : ""}
${
  op.parameters?.length
    ? html`<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Description</th></tr>
${op.parameters.map((p) => html`<tr><td><code>${p.name}</code></td><td>${p.in}</td><td>${p.required ? "yes" : "no"}</td><td>${p.description ?? ""}</td></tr>`)}</table>`
    : ""
}
${op.requestBody?.content ? html`<h4>Request body</h4>${Object.entries(op.requestBody.content).map(([type, c]) => html`<p><code>${type}</code></p>${schemaBlock(c.schema)}`)}` : ""}
<h4>Responses</h4>
<table>${Object.entries(op.responses ?? {}).map(
      ([status, r]) =>
        html`<tr><td><code>${status}</code></td><td>${r.description ?? ""}${Object.values(r.content ?? {}).map((c) => schemaBlock(c.schema))}</td></tr>`,
    )}</table>
</section>`,
  )}`,
)}
</main></body></html>`;
  return new Response(String(body), {
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}
