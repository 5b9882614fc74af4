/**
 * One worker of `UntrustedPdfs`: reads one untrusted document at a time with `inspectPdf` (and
 * `verifyPdf` when asked), under fresh `PdfStream.decodeLimits` for each document, and posts the
 * answer back. A document that goes past the decode limits is reported as such even when the
 * parser caught the error and recovered; the pool then replaces this worker.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PdfStream } from '@libpdf/core';
import { inspectPdf } from './inspect.js';
import type { UntrustedReply, UntrustedRequest, UntrustedWorkerData } from './untrusted.js';
import { verifyPdf } from './verify.js';

const port = parentPort;
if (port === null) throw new Error('untrusted-worker.ts runs only as a worker thread of UntrustedPdfs');
const post = (reply: UntrustedReply) => port.postMessage(reply);
const { maxStreamBytes, maxDecodedBytes } = workerData as UntrustedWorkerData;

port.on('message', async (request: UntrustedRequest) => {
  const limits = PdfStream.decodeLimits;
  Object.assign(limits, { maxStreamBytes, remainingBytes: maxDecodedBytes, exceeded: false });
  try {
    const admission = await inspectPdf(request.bytes);
    const report =
      request.op === 'verify' && admission.ok && !limits.exceeded
        ? await verifyPdf(request.bytes, request.trustAnchorsPem, request.options)
        : null;
    post(
      limits.exceeded
        ? { type: 'decode_limit', id: request.id }
        : { type: 'result', id: request.id, admission, report },
    );
  } catch (error) {
    if (limits.exceeded) post({ type: 'decode_limit', id: request.id });
    else if (error instanceof Error && error.name === 'PdfReadError') {
      post({ type: 'result', id: request.id, admission: { ok: false, reason: 'corrupt' }, report: null });
    } else post({ type: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) });
  }
});
post({ type: 'ready' });
