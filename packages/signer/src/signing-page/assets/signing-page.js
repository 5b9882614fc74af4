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

/**
 * A marked box for each of the person's signatures on page `number`: the box the Signer draws the
 * signature in, given in PDF points from the page's lower-left corner, placed in percent of the
 * page as pdf.js shows it (rotation and crop box included), so it follows the canvas's size.
 */
function markers(places, number, base, label) {
  return places
    .filter((place) => place.page === number)
    .map((place) => {
      const [x1, y1, x2, y2] = base.convertToViewportRectangle([
        place.x,
        place.y,
        place.x + place.width,
        place.y + place.height,
      ]);
      const marker = document.createElement('div');
      marker.className = 'signature-marker';
      marker.textContent = label;
      // CSSOM, not a style attribute: allowed under the page's CSP (style-src 'self').
      marker.style.left = `${(Math.min(x1, x2) / base.width) * 100}%`;
      marker.style.top = `${(Math.min(y1, y2) / base.height) * 100}%`;
      marker.style.width = `${(Math.abs(x2 - x1) / base.width) * 100}%`;
      marker.style.height = `${(Math.abs(y2 - y1) / base.height) * 100}%`;
      return marker;
    });
}

/**
 * Renders every page of one PDF as a canvas, sized for the viewer and the screen's pixel density,
 * with the person's signature boxes marked on it.
 */
async function render(viewer) {
  const places = JSON.parse(viewer.dataset.places || '[]');
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
    const frame = document.createElement('div');
    frame.className = 'document-page-frame';
    frame.append(canvas, ...markers(places, number, base, viewer.dataset.msgMarker || ''));
    if (number === 1) viewer.replaceChildren(frame);
    else viewer.append(frame);
  }
  viewer.dataset.rendered = String(canvases.length);
}

// A decision is sent once: both buttons turn disabled, the pressed one busy and saying so
// (`data-busy`), until the next page comes. (The browser checks the reason before this fires.)
for (const form of document.querySelectorAll('form.actions')) {
  form.addEventListener('submit', () => {
    const pressed = form.querySelector('button[type="submit"]');
    for (const button of document.querySelectorAll('form.actions button[type="submit"]')) button.disabled = true;
    if (pressed?.dataset.busy) {
      pressed.textContent = pressed.dataset.busy;
      pressed.setAttribute('aria-busy', 'true');
    }
  });
}

for (const viewer of document.querySelectorAll('[data-pdf]')) {
  render(viewer).catch(() => status(viewer, viewer.dataset.msgFailed || ''));
}
