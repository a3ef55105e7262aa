import type { Context, Handler } from "hono";

/**
 * `GET /docs`: a self-contained page (no CDN, no external script or font:
 * ccgate runs on offline networks) that loads `/openapi.json` and renders
 * every path, its parameters, request and response schemas.
 */
export function docsRoute(): Handler {
  return function docs(c: Context) {
    return c.body(PAGE, 200, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy":
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
    });
  };
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ccgate API</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 2rem; color: #1d1d1f; }
h1 { margin-bottom: 0; } .lead { color: #555; }
section { border: 1px solid #ddd; border-radius: 6px; margin: 1rem 0; padding: .5rem 1rem; }
.verb { display: inline-block; min-width: 4rem; font-weight: 700; text-transform: uppercase; }
.post { color: #0a6b2d; } .get { color: #0645ad; }
code, pre { font: 13px ui-monospace, monospace; background: #f5f5f7; border-radius: 4px; }
pre { padding: .5rem; overflow: auto; max-height: 24rem; }
details summary { cursor: pointer; }
</style>
</head>
<body>
<h1>ccgate API</h1>
<p class="lead" id="description">Loading <a href="/openapi.json">/openapi.json</a>…</p>
<div id="paths"></div>
<h2>Schemas</h2>
<div id="schemas"></div>
<script>
"use strict";
const el = (tag, attrs, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
};
const pre = (value) => el("pre", {}, JSON.stringify(value, null, 2));
fetch("/openapi.json").then((r) => r.json()).then((doc) => {
  document.getElementById("description").textContent = doc.info.description + " (OpenAPI " + doc.openapi + ", ";
  document.getElementById("description").append(el("a", { href: "/openapi.json" }, "download"), ")");
  const paths = document.getElementById("paths");
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [verb, op] of Object.entries(item)) {
      const section = el("section", { id: verb + path });
      section.append(el("h3", {}, el("span", { class: "verb " + verb }, verb), " ", el("code", {}, path)));
      section.append(el("p", {}, op.summary || ""));
      if (op.security) section.append(el("p", {}, "Authorization: Bearer <ccgate token>"));
      if (op.parameters) {
        const list = el("ul");
        for (const p of op.parameters) list.append(el("li", {}, el("code", {}, p.name), " (" + p.in + ") ", JSON.stringify(p.schema)));
        section.append(list);
      }
      if (op.requestBody) section.append(el("details", {}, el("summary", {}, "Request body"), pre(op.requestBody.content)));
      section.append(el("details", {}, el("summary", {}, "Responses"), pre(op.responses)));
      paths.append(section);
    }
  }
  const schemas = document.getElementById("schemas");
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    schemas.append(el("details", { id: "schema-" + name }, el("summary", {}, name), pre(schema)));
  }
}).catch((err) => {
  document.getElementById("description").textContent = "Cannot load /openapi.json: " + err;
});
</script>
</body>
</html>
`;
