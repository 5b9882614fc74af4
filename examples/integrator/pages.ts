import type { Envelope } from '@signet/protocol';

// The app's pages: plain HTML with one stylesheet and one script, both from this origin (the CSP
// allows nothing else), readable on a phone.

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Acme contracts</title>
<link rel="stylesheet" href="/style.css">
<script src="/app.js" defer></script>
</head>
<body>
<header><a href="/" class="brand">Acme contracts</a><span class="tag">a Signet integrator example</span></header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The home page before sign-in: one button. */
export function signInPage(): string {
  return layout(
    'Sign in',
    `<h1>Sign a contract</h1>
<p>Sign in with your passkey and your face at Signet. Acme then gets an id_token that says who you are, and
Signet signs the PDF in your name.</p>
<p><a class="button" id="sign-in" href="/login">Sign in with face</a></p>`,
  );
}

/** The home page after sign-in: who she is and the PDF to sign. */
export function uploadPage(person: { name: string; acr: string }): string {
  return layout(
    'Choose a PDF',
    `<h1>Hello, ${escapeHtml(person.name)}</h1>
<p class="note">Signed in at Signet, verified by <code>${escapeHtml(person.acr)}</code>.</p>
<form id="upload" action="/envelopes" method="post">
<label for="pdf">PDF to sign (up to 20 MB)</label>
<input id="pdf" name="pdf" type="file" accept="application/pdf">
<p class="note">Without a file, the sample agreement is signed.</p>
<button type="submit" id="sign">Sign the PDF</button>
<p id="upload-error" class="error" role="alert" hidden></p>
</form>`,
  );
}

/** The envelope page: its status, its events as they come, the signed PDF once done. */
export function envelopePage(envelope: Envelope): string {
  const done = envelope.status === 'completed';
  return layout(
    'Your envelope',
    `<h1>Your envelope</h1>
<p>Status: <strong id="status" data-status="${escapeHtml(envelope.status)}">${escapeHtml(envelope.status)}</strong></p>
<p class="note"><code>${escapeHtml(envelope.id)}</code> · ${escapeHtml(envelope.documents[0]?.name ?? '')}</p>
<h2>Progress, live from Signet</h2>
<ol id="events" data-envelope="${escapeHtml(envelope.id)}" aria-live="polite"></ol>
<p><a class="button" id="download" href="/envelopes/${encodeURIComponent(envelope.id)}/document" download${done ? '' : ' hidden'}>Download the signed PDF</a></p>
<p><a href="/">Sign another</a></p>`,
  );
}

/** An error page with what happened and the way back. */
export function errorPage(title: string, message: string): string {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>\n<p class="error">${escapeHtml(message)}</p>\n<p><a href="/">Back</a></p>`,
  );
}
