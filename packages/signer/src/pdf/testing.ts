import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDF, PdfStream, rgb } from '@libpdf/core';
import { CertificateAuthority } from '../pki/authority.js';
import { signerTestBackends } from '../store/testing.js';

const run = promisify(execFile);

/** A small PDF made in code: `pages` A4 pages, each with a line of text. */
export async function makePdf(pages = 3, text = 'Signet test document'): Promise<Uint8Array> {
  const document = PDF.create();
  for (let i = 1; i <= pages; i++) {
    const page = document.addPage({ size: 'a4' });
    page.drawText(`${text}, page ${i} of ${pages}`, { x: 56, y: 780, size: 14, color: rgb(0, 0, 0) });
  }
  return document.save();
}

/** A certificate authority on a fresh SQLite Signer database, for PDF tests. */
export async function testAuthority(): Promise<{ ca: CertificateAuthority; dispose(): Promise<void> }> {
  const backend = signerTestBackends().find((b) => b.name === 'sqlite');
  if (!backend) throw new Error('no sqlite backend');
  const { store, dispose } = await backend.open();
  const ca = await CertificateAuthority.open({ db: store.db, masterKey: randomBytes(32) });
  return { ca, dispose };
}

/** A scratch directory and a function that removes it. */
export function scratchDir(): { dir: string; write(name: string, data: Uint8Array | string): string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'signet-pdf-'));
  return {
    dir,
    write(name, data) {
      const path = join(dir, name);
      writeFileSync(path, data);
      return path;
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** One signature as poppler's `pdfsig` reports it. */
export interface PdfsigSignature {
  field: string;
  commonName: string;
  valid: boolean;
  validation: string;
  /** `Certificate is Trusted.` when pdfsig was given the root (`trust`) and the chain reaches it. */
  certificateValidation: string;
  certificateTrusted: boolean;
  totalDocumentSigned: boolean;
  type: string;
}

/**
 * Runs `/usr/bin/pdfsig` on a file and parses its report (it exits non-zero when a signature is
 * invalid). With `trust`, pdfsig gets its own NSS database (made with `certutil`, Debian
 * libnss3-tools) holding that root as a trusted CA, so it also validates the certificate chain.
 */
export async function pdfsig(
  path: string,
  options: { trust?: string } = {},
): Promise<{ output: string; signatures: PdfsigSignature[] }> {
  let output: string;
  const nss = options.trust ? await trustStore(options.trust) : undefined;
  try {
    output = (await run('/usr/bin/pdfsig', [...(nss ? ['-nssdir', `sql:${nss}`] : []), path])).stdout;
  } catch (error) {
    output = String((error as { stdout?: unknown }).stdout ?? '');
  } finally {
    if (nss) rmSync(nss, { recursive: true, force: true });
  }
  const signatures = output
    .split(/^Signature #\d+:$/m)
    .slice(1)
    .map((block) => {
      const line = (label: string) => new RegExp(`- ${label}: (.*)$`, 'm').exec(block)?.[1]?.trim() ?? '';
      return {
        field: line('Signature Field Name'),
        commonName: line('Signer Certificate Common Name'),
        validation: line('Signature Validation'),
        valid: line('Signature Validation') === 'Signature is Valid.',
        certificateValidation: line('Certificate Validation'),
        certificateTrusted: line('Certificate Validation') === 'Certificate is Trusted.',
        totalDocumentSigned: /^\s*- Total document signed$/m.test(block),
        type: line('Signature Type'),
      };
    });
  return { output, signatures };
}

/** A throwaway NSS database trusting `rootPem` as a certification authority (trust flags `C,C,C`: SSL, e-mail and object signing). */
async function trustStore(rootPem: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-nss-'));
  writeFileSync(join(dir, 'root.pem'), rootPem);
  await run('/usr/bin/certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  await run('/usr/bin/certutil', [
    '-A',
    '-d',
    `sql:${dir}`,
    '-n',
    'Signet root',
    '-t',
    'C,C,C',
    '-a',
    '-i',
    join(dir, 'root.pem'),
  ]);
  return dir;
}

/** Runs openssl with arguments; returns stdout, or throws with stderr. */
export async function openssl(...args: string[]): Promise<string> {
  return (await run('/usr/bin/openssl', args)).stdout;
}

/** The validation data in a PDF's Document Security Store (PDF 2.0 §12.8.4.3), DER each, read with @libpdf/core. */
export async function readDss(
  pdf: Uint8Array,
): Promise<{ certs: Uint8Array[]; ocsps: Uint8Array[]; crls: Uint8Array[] }> {
  const document = await PDF.load(pdf);
  const registry = document.context.registry;
  const resolve = registry.resolve.bind(registry);
  const dss = document.getCatalog().getDict('DSS', resolve);
  const streams = (key: string) => {
    const array = dss?.getArray(key, resolve);
    const out: Uint8Array[] = [];
    for (let i = 0; i < (array?.length ?? 0); i++) {
      const item = array?.at(i, resolve);
      if (item instanceof PdfStream) out.push(item.getDecodedData());
    }
    return out;
  };
  return { certs: streams('Certs'), ocsps: streams('OCSPs'), crls: streams('CRLs') };
}
