// The two pages' behaviour: the upload (the PDF goes as the request body) and the live progress
// of an envelope (Server-Sent Events relayed by the app from the Signer's /v1/events).

const upload = document.getElementById('upload');
if (upload) {
  upload.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = document.getElementById('sign');
    const problem = document.getElementById('upload-error');
    const file = document.getElementById('pdf').files[0];
    button.disabled = true;
    button.textContent = 'Signing…';
    problem.hidden = true;
    try {
      const response = await fetch('/envelopes', {
        method: 'POST',
        headers: { 'content-type': 'application/pdf' },
        body: file ?? new Uint8Array(0),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error_description || body.error || `error ${response.status}`);
      location.assign(`/envelopes/${encodeURIComponent(body.id)}`);
    } catch (error) {
      problem.textContent = error.message;
      problem.hidden = false;
      button.disabled = false;
      button.textContent = 'Sign the PDF';
    }
  });
}

const SAY = {
  'envelope.created': 'Envelope created',
  'person.identified': 'You were identified by your id_token',
  'document.signed': 'The document was signed',
  'person.signed': 'You signed',
  'envelope.signed': 'Signature recorded',
  'envelope.completed': 'Completed: the signed PDF is ready',
  'envelope.rejected': 'Rejected',
  'envelope.canceled': 'Canceled',
  'envelope.expired': 'Expired',
  'document.downloaded': 'The signed PDF was downloaded',
};
const FINAL = ['envelope.completed', 'envelope.rejected', 'envelope.canceled', 'envelope.expired'];

const list = document.getElementById('events');
if (list) {
  const status = document.getElementById('status');
  const download = document.getElementById('download');
  const source = new EventSource(`/envelopes/${encodeURIComponent(list.dataset.envelope)}/events`);
  source.onmessage = (message) => {
    const event = JSON.parse(message.data);
    const item = document.createElement('li');
    item.dataset.type = event.type;
    item.textContent = SAY[event.type] ?? event.type;
    const time = document.createElement('time');
    time.dateTime = new Date(event.occurred_at * 1000).toISOString();
    time.textContent = new Date(event.occurred_at * 1000).toLocaleTimeString();
    item.append(time);
    list.append(item);
    if (FINAL.includes(event.type)) {
      status.textContent = event.data.status;
      status.dataset.status = event.data.status;
      if (event.type === 'envelope.completed') download.hidden = false;
    }
  };
}
