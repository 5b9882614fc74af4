import { createHash } from 'node:crypto';
import type { JsonSchema, OpenApiDocument, OpenApiOperation } from './document.js';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

const STYLE = `
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.5rem;color:#1b1f24}
h1{margin-bottom:.2rem}nav ul{columns:2;padding-left:1.2rem}
section.op{border-top:1px solid #d0d7de;padding:.6rem 0 1rem}
.method{display:inline-block;min-width:4.2rem;font-weight:700;font-family:ui-monospace,monospace}
.path{font-family:ui-monospace,monospace;font-size:1.05rem}.id{color:#57606a;font-size:.85rem}
.lock{color:#9a6700;font-size:.85rem}table{border-collapse:collapse;margin:.3rem 0}
td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left;vertical-align:top}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:.8rem;max-height:24rem}
details{margin:.3rem 0}summary{cursor:pointer}p.desc{white-space:pre-line}
`;

/**
 * The docs page's Content-Security-Policy: nothing loads, and the one inline stylesheet is
 * allowed by its hash (no 'unsafe-inline', no CDN).
 */
export const DOCS_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

const json = (value: unknown) => escapeHtml(JSON.stringify(value, null, 2));

/**
 * Renders the OpenAPI document as one self-contained HTML page: every operation with its
 * operationId, parameters, request and response schemas and examples. Every value from the
 * document is escaped.
 */
export function renderDocsPage(doc: OpenApiDocument): string {
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
  const toc = ops
    .map(
      ({ path, method, op }) =>
        `<li><a href="#${escapeHtml(op.operationId)}"><span class="method">${escapeHtml(method.toUpperCase())}</span> ${escapeHtml(path)}</a></li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)} ${escapeHtml(doc.info.version)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(doc.info.title)}</h1>
<p>Version ${escapeHtml(doc.info.version)} · server <code>${escapeHtml(doc.servers[0]?.url ?? '')}</code> · machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escapeHtml(doc.openapi)})</p>
<p class="desc">${escapeHtml(doc.info.description)}</p>
<nav><h2>Operations</h2><ul>
${toc}
</ul></nav>
${ops.map(({ path, method, op }) => renderOperation(path, method, op)).join('\n')}
</body>
</html>
`;
}

function renderOperation(path: string, method: string, op: OpenApiOperation): string {
  const parts = [
    `<section class="op" id="${escapeHtml(op.operationId)}">`,
    `<h2><span class="method">${escapeHtml(method.toUpperCase())}</span> <span class="path">${escapeHtml(path)}</span></h2>`,
    `<div class="id">operationId: <code>${escapeHtml(op.operationId)}</code>${op.security ? ' · <span class="lock">requires Authorization: Bearer &lt;access token&gt;</span>' : ' · public'}</div>`,
  ];
  if (op.summary) parts.push(`<p><strong>${escapeHtml(op.summary)}</strong></p>`);
  if (op.description) parts.push(`<p class="desc">${escapeHtml(op.description)}</p>`);
  if (op.parameters?.length) {
    parts.push(
      '<h3>Parameters</h3><table><tr><th>name</th><th>in</th><th>required</th><th>schema</th><th>description</th></tr>',
      ...op.parameters.map(
        (p) =>
          `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td><td>${escapeHtml(p.description ?? '')}</td></tr>`,
      ),
      '</table>',
    );
  }
  if (op.requestBody) {
    parts.push('<h3>Request body</h3>');
    for (const [type, media] of Object.entries(op.requestBody.content)) parts.push(renderMedia(type, media.schema));
  }
  parts.push('<h3>Responses</h3>');
  for (const [status, response] of Object.entries(op.responses)) {
    parts.push(`<p><strong>${escapeHtml(status)}</strong> ${escapeHtml(response.description)}</p>`);
    for (const [type, media] of Object.entries(response.content ?? {})) parts.push(renderMedia(type, media.schema));
  }
  parts.push('</section>');
  return parts.join('\n');
}

function renderMedia(type: string, schema: JsonSchema): string {
  const { examples, ...rest } = schema;
  const out = [`<div><code>${escapeHtml(type)}</code></div>`];
  if (Array.isArray(examples)) {
    for (const example of examples) out.push(`<div>Example</div><pre>${json(example)}</pre>`);
  }
  out.push(`<details><summary>Schema</summary><pre>${json(rest)}</pre></details>`);
  return out.join('\n');
}
