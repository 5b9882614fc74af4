// The Signet signing page: draws each document's pages with pdf.js (served from this origin, run
// under CSP script-src/worker-src 'self', eval off) so the person reads what they sign before the
// Sign and Reject forms. Without this script the page still works: each document has a link.

import { GlobalWorkerOptions, getDocument } from './pdf.min.mjs';

GlobalWorkerOptions.workerSrc = new URL('./pdf.worker.min.mjs', import.meta.url).href;

/** A status line inside a viewer (loading, or why a document is not shown). */
function status(viewer, text) {
  const line = document.createElement('p');
  line.className = 'document-status';
  line.setAttribute('role', 'status');
  line.textContent = text;
  viewer.replaceChildren(line);
}

/** Renders every page of one PDF as a canvas, sized for the viewer and the screen's pixel density. */
async function render(viewer) {
  status(viewer, viewer.dataset.msgLoading || '');
  const pdf = await getDocument({ url: viewer.dataset.pdf, isEvalSupported: false, withCredentials: true }).promise;
  const canvases = [];
  const width = Math.max(240, viewer.clientWidth - 24);
  const ratio = Math.min(2, window.devicePixelRatio || 1);
  for (let number = 1; number <= pdf.numPages; number++) {
    const page = await pdf.getPage(number);
    const base = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: (width / base.width) * ratio });
    const canvas = document.createElement('canvas');
    canvas.className = 'document-page';
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${viewer.getAttribute('aria-label') || ''} ${number}/${pdf.numPages}`);
    await page.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
    canvases.push(canvas);
    if (number === 1) viewer.replaceChildren(canvas);
    else viewer.append(canvas);
  }
  viewer.dataset.rendered = String(canvases.length);
}

for (const viewer of document.querySelectorAll('[data-pdf]')) {
  render(viewer).catch(() => status(viewer, viewer.dataset.msgFailed || ''));
}
