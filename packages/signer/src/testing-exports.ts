// `@signet/signer/testing`: the Signer's insides that other packages' tests, e2e/ and bench/ need
// (harnesses, fixtures, the PDF signing and reading steps on their own). Test-only: the Signer's own
// code never imports it, and shared helpers that are not the Signer's live in `@signet/testing`.
export { createEnvelope } from './envelopes/create.js';
export { type EnvelopeHarness, envelopeHarness, pdfBase64, storeSignedEnvelope } from './envelopes/testing.js';
export { signPdf } from './pdf/sign.js';
export { extractSignatures } from './pdf/signatures.js';
export { readDss, testAuthority } from './pdf/testing.js';
export { verifyPdf } from './pdf/verify.js';
export { type SignerTestBackend, signerTestBackends } from './store/testing.js';
