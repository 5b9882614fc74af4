import { randomBytes } from 'node:crypto';
import { PDF } from '@libpdf/core';
import { CertificateAuthority } from '../pki/authority.js';
import { signerTestBackends } from '../store/testing.js';
import { readDss as readDocumentDss } from './dss.js';

/** A certificate authority on a fresh SQLite Signer database, for PDF tests. */
export async function testAuthority(): Promise<{ ca: CertificateAuthority; dispose(): Promise<void> }> {
  const backend = signerTestBackends().find((b) => b.name === 'sqlite');
  if (!backend) throw new Error('no sqlite backend');
  const { store, dispose } = await backend.open();
  const ca = await CertificateAuthority.open({ db: store.db, masterKey: randomBytes(32) });
  return { ca, dispose };
}

/** The validation data in a PDF's Document Security Store (PDF 2.0 §12.8.4.3), DER each: {@link readDocumentDss} on the loaded bytes. */
export async function readDss(
  pdf: Uint8Array,
): Promise<{ certs: Uint8Array[]; ocsps: Uint8Array[]; crls: Uint8Array[] }> {
  return readDocumentDss(await PDF.load(pdf));
}
