// Passkeys in Signet (issue 10): runs one WebAuthn ceremony with @simplewebauthn/browser (served
// from the package's own bundle as /assets/webauthn.js) and posts the browser's answer in the
// page's form. The options come from the form's data-options; the server took note of their
// challenge and accepts one answer to it. Served from /assets under CSP script-src 'self'.

(() => {
  const form = document.getElementById('passkey-form');
  const start = document.getElementById('passkey-start');
  const status = document.getElementById('passkey-status');
  if (!form || !start || !status) return;
  const say = (text) => {
    status.textContent = text || '';
  };
  const lib = window.SimpleWebAuthnBrowser;
  if (!lib?.browserSupportsWebAuthn()) {
    start.disabled = true;
    say(form.dataset.msgUnsupported);
    return;
  }
  start.addEventListener('click', async () => {
    start.disabled = true;
    say(form.dataset.msgWorking);
    try {
      const optionsJSON = JSON.parse(form.dataset.options);
      const answer =
        form.dataset.ceremony === 'register'
          ? await lib.startRegistration({ optionsJSON })
          : await lib.startAuthentication({ optionsJSON });
      form.elements.credential.value = JSON.stringify(answer);
      form.submit();
    } catch {
      // Cancelled, timed out, or no matching passkey: the challenge was not used, try again.
      say(form.dataset.msgCancelled);
      start.disabled = false;
    }
  });
})();
