// The Signer's /docs: Swagger UI (swagger-ui-dist, served from this origin) over /openapi.json.
// A file of its own, so the page's CSP needs no inline script: script-src 'self' only.
/* global SwaggerUIBundle */
window.addEventListener('DOMContentLoaded', () => {
  const root = document.getElementById('api-reference');
  if (!root || typeof SwaggerUIBundle !== 'function') return;
  root.textContent = '';
  SwaggerUIBundle({
    url: root.dataset.spec,
    domNode: root,
    layout: 'BaseLayout',
    // Deep links put a link inside each operation's toggle button (nested controls).
    deepLinking: false,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    defaultModelExpandDepth: 2,
    displayOperationId: true,
    // Never the public validator badge: nothing leaves this origin.
    validatorUrl: null,
    onComplete: () => {
      // Swagger UI leaves its server picker without an accessible name.
      document.getElementById('servers')?.setAttribute('aria-label', 'Server');
    },
  });
});
