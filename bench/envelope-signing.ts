/**
 * `npm run bench:envelope-signing`: what PAdES B-LTA costs an envelope with one signature.
 *
 * In process, on a fresh SQLite Signer database: the envelope routes with a local issuer key (the
 * envelope tests' harness), one id_token person who signs at once, so `POST /v1/envelopes`
 * answers `completed` (create → completed in one request). Beside it, `signPdf` alone on the
 * same 2-page PDF at B-T and at B-LTA, to isolate the long-term validation part. The same person
 * signs every time (her credential is reused, as it is in production after her first envelope).
 *
 * Options: `--runs N` (default 50), `--warmup N` (default 5), `--store sqlite|postgres` (default
 * sqlite; postgres needs `TEST_DATABASE_URL`), `--json`.
 * See docs/benchmarks.md.
 */
import { parseArgs } from 'node:util';
import type { Envelope } from '@signet/protocol';
import { envelopeHarness, pdfBase64, signerTestBackends, signPdf } from '@signet/signer/testing';
import { makePdf } from '@signet/testing/pdf';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '5' },
    store: { type: 'string', default: 'sqlite' },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const warmup = Number(values.warmup);

/** Milliseconds of each of `runs` calls after `warmup` unmeasured ones: median, p90, min; and calls per second, one after the other. */
async function measure(
  run: () => Promise<unknown>,
): Promise<{ median: number; p90: number; min: number; perSecond: number }> {
  for (let i = 0; i < warmup; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  const total = times.reduce((sum, t) => sum + t, 0);
  return { median: at(0.5), p90: at(0.9), min: times[0] ?? Number.NaN, perSecond: (1000 * times.length) / total };
}

const backend = signerTestBackends().find((b) => b.name === values.store && !b.skip);
if (!backend) throw new Error(`no ${values.store} store (postgres needs TEST_DATABASE_URL)`);
const { store, dispose } = await backend.open();
const h = await envelopeHarness(store, { SIGNET_SIGNER_MAX_DOCUMENT_BYTES: '200000' });
try {
  const ca = h.context.ca;
  const pdf = await makePdf(2);
  const credential = await ca.credentialFor({ subject: `${'https://bench.test'} ana`, name: 'Ana Ruiz' });
  const bt = await measure(() => signPdf(pdf, { credential, timestampAuthority: ca.timestampAuthority }));
  const blta = await measure(() =>
    signPdf(pdf, { credential, timestampAuthority: ca.timestampAuthority, validationData: ca.validationData }),
  );
  const content = await pdfBase64(2);
  let nonce = 0;
  const envelope = await measure(async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/envelopes',
      headers: h.as('acme'),
      payload: {
        issuer: { initiative: 'acme', nonce: `bench-${++nonce}` },
        documents: [{ name: 'contract.pdf', content }],
        // The same person (her certificate is reused), each time a new sign-in: a sign-in signs once.
        persons: [{ id_token: await h.idToken('acme', { sub: 'bench-ana', auth_time: h.clock.now - nonce }) }],
        signatures: [{ document: 0, person: 0 }],
      },
    });
    if (res.statusCode !== 201 || (res.json() as Envelope).status !== 'completed') {
      throw new Error(`envelope not completed: ${res.statusCode} ${res.body}`);
    }
  });
  const bytes = {
    bt: (await signPdf(pdf, { credential, timestampAuthority: ca.timestampAuthority })).length,
    blta: (
      await signPdf(pdf, { credential, timestampAuthority: ca.timestampAuthority, validationData: ca.validationData })
    ).length,
  };
  const result = { runs, warmup, signPdfBT: bt, signPdfBLTA: blta, envelopeBLTA: envelope, bytes };
  if (values.json) console.log(JSON.stringify(result));
  else {
    const row = (name: string, r: { median: number; p90: number; min: number; perSecond: number }) =>
      `${name.padEnd(42)} median ${r.median.toFixed(1)} ms   p90 ${r.p90.toFixed(1)} ms   min ${r.min.toFixed(1)} ms   ${r.perSecond.toFixed(0)}/s`;
    console.log(`${runs} runs each after ${warmup} warm-up runs, ${backend.name}`);
    console.log(row('signPdf, B-T', bt));
    console.log(row('signPdf, B-LTA', blta));
    console.log(row('POST /v1/envelopes → completed (B-LTA)', envelope));
    console.log(`signed 2-page PDF: ${bytes.bt} bytes at B-T, ${bytes.blta} bytes at B-LTA`);
  }
} finally {
  await h.dispose();
  await dispose();
}
