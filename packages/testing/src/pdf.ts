import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { deflateSync } from 'node:zlib';
import { PDF, rgb } from '@libpdf/core';

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
  options: { trust?: string | undefined } = {},
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

/**
 * A decompression bomb: a one-page PDF whose catalog sits in a Flate object stream that inflates
 * to about `inflatedBytes` (the catalog, then spaces; deflate packs those about 1000 to 1, so
 * 250 MB make a file of about 250 KB). Found through a cross-reference stream, as PDF 1.5+ does.
 */
export function decompressionBomb(inflatedBytes: number): Uint8Array {
  const catalog = '<< /Type /Catalog /Pages 2 0 R >>';
  const header = '1 0 ';
  const objects = `${header}${catalog}`;
  const compressed = deflateSync(
    Buffer.alloc(Math.max(inflatedBytes, objects.length), ' ').fill(objects, 0, objects.length),
    {
      level: 9,
    },
  );
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let length = 0;
  const add = (chunk: string | Buffer) => {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    parts.push(buffer);
    length += buffer.length;
  };
  const object = (n: number, body: string | Buffer[]) => {
    offsets[n] = length;
    if (typeof body === 'string') add(`${n} 0 obj\n${body}\nendobj\n`);
    else {
      add(`${n} 0 obj\n`);
      for (const b of body) add(b);
      add('\nendobj\n');
    }
  };
  add('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
  object(2, '<< /Type /Pages /Kids [4 0 R] /Count 1 >>');
  object(3, [
    Buffer.from(
      `<< /Type /ObjStm /N 1 /First ${header.length} /Filter /FlateDecode /Length ${compressed.length} >>\nstream\n`,
    ),
    compressed,
    Buffer.from('\nendstream'),
  ]);
  object(4, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>');
  // Cross-reference stream, /W [1 4 2]: 0 free, 1 in object stream 3 (index 0), 2–5 in the file.
  const xrefOffset = length;
  const row = (type: number, field2: number, field3: number) => {
    const b = Buffer.alloc(7);
    b.writeUInt8(type, 0);
    b.writeUInt32BE(field2, 1);
    b.writeUInt16BE(field3, 5);
    return b;
  };
  const table = Buffer.concat([
    row(0, 0, 65535),
    row(2, 3, 0),
    row(1, offsets[2] ?? 0, 0),
    row(1, offsets[3] ?? 0, 0),
    row(1, offsets[4] ?? 0, 0),
    row(1, xrefOffset, 0),
  ]);
  object(5, [
    Buffer.from(`<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Length ${table.length} >>\nstream\n`),
    table,
    Buffer.from('\nendstream'),
  ]);
  add(`startxref\n${xrefOffset}\n%%EOF\n`);
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * Kills this process if not disarmed within `ms`: a test of code that may block the event loop
 * for ever (a parser loop) then fails instead of hanging the run, which node:test's own timeout
 * cannot do (its timer needs the event loop). The watchdog is a worker thread, whose timer runs
 * while the main thread is stuck.
 */
export function watchdog(ms: number, what: string): { disarm(): Promise<void> } {
  const source = `
    const { workerData } = require('node:worker_threads');
    setTimeout(() => {
      process.stderr.write('watchdog: ' + workerData.what + ' did not finish within ' + workerData.ms + ' ms\\n');
      process.kill(process.pid, 'SIGKILL');
    }, workerData.ms);`;
  const worker = new Worker(source, { eval: true, workerData: { ms, what } });
  worker.unref();
  return { disarm: async () => void (await worker.terminate()) };
}

/**
 * The signature dictionaries (`/Type /Sig`) of a PDF as Debian's `qpdf --json=2` reads them: keys
 * with their leading `/`, text strings decoded (qpdf's `u:` prefix removed).
 */
export async function qpdfSignatureDicts(path: string): Promise<Record<string, unknown>[]> {
  const { stdout } = await run('/usr/bin/qpdf', ['--json=2', '--json-key=qpdf', path], { maxBuffer: 64 << 20 });
  const objects = (JSON.parse(stdout) as { qpdf: [unknown, Record<string, { value?: unknown }>] }).qpdf[1];
  const decode = (v: unknown): unknown => (typeof v === 'string' && v.startsWith('u:') ? v.slice(2) : v);
  return Object.values(objects)
    .map((o) => o.value)
    .filter(
      (v): v is Record<string, unknown> =>
        typeof v === 'object' && v !== null && (v as Record<string, unknown>)['/Type'] === '/Sig',
    )
    .map((v) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)])));
}
