import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { makePdf, openssl, pdfsig, qpdfSignatureDicts, scratchDir } from '@signet/testing/pdf';
import type { CertificateAuthority } from '../pki/authority.js';
import { POLICY_PERSON_SIGNING } from '../pki/policies.js';
import { layOut } from './appearance.js';
import { parseSignedData } from './cms.js';
import { signPdf } from './sign.js';
import { extractSignatures } from './signatures.js';
import { testAuthority } from './testing.js';
import { verifyPdf } from './verify.js';

const ana = {
  subject: 'https://accounts.test ana',
  name: 'Ana García',
  givenName: 'Ana',
  surname: 'García',
  serialNumber: 'IDCES-12345678Z',
  country: 'ES',
  email: 'ana@example.com',
};
const bruno = {
  subject: 'https://accounts.test bruno',
  name: 'Bruno Díaz',
  serialNumber: 'IDCES-87654321X',
  country: 'ES',
};

const run = promisify(execFile);

describe('signPdf', () => {
  let ca: CertificateAuthority;
  let dispose: () => Promise<void>;
  const files = scratchDir();
  let once: Uint8Array;
  let twice: Uint8Array;

  before(async () => {
    ({ ca, dispose } = await testAuthority());
    const original = await makePdf(3);
    once = await signPdf(original, {
      credential: await ca.credentialFor(ana),
      timestampAuthority: ca.timestampAuthority,
      reason: 'I approve this document',
      location: 'Madrid',
    });
    twice = await signPdf(once, {
      credential: await ca.credentialFor(bruno),
      timestampAuthority: ca.timestampAuthority,
    });
  });
  after(async () => {
    files.dispose();
    await dispose();
  });

  it('makes one PAdES signature that pdfsig reports valid over the whole document', async () => {
    const { signatures, output } = await pdfsig(files.write('once.pdf', once), { trust: ca.rootCertificatePem });
    assert.equal(signatures.length, 1, output);
    const [signature] = signatures;
    assert.equal(signature?.valid, true, output);
    assert.equal(signature?.certificateTrusted, true, 'pdfsig validates the chain to the root it was given');
    assert.equal(signature?.totalDocumentSigned, true, output);
    assert.equal(signature?.type, 'ETSI.CAdES.detached');
    assert.equal(signature?.commonName, 'Ana García');
  });

  it('appends the second signature as an incremental update: both valid, the first covers a prefix', async () => {
    assert.deepEqual(Buffer.from(twice.subarray(0, once.length)), Buffer.from(once), 'the first revision is unchanged');
    const { signatures, output } = await pdfsig(files.write('twice.pdf', twice), { trust: ca.rootCertificatePem });
    assert.equal(signatures.length, 2, output);
    assert.deepEqual(
      signatures.map((s) => [s.commonName, s.valid, s.certificateTrusted, s.totalDocumentSigned]),
      [
        ['Ana García', true, true, false],
        ['Bruno Díaz', true, true, true],
      ],
      output,
    );
    assert.match(output, /Not total document signed/);
  });

  it('our own verification agrees: both intact, chained to the root, timestamped', async () => {
    const reports = (await verifyPdf(twice, [ca.rootCertificatePem])).signatures;
    assert.equal(reports.length, 2);
    const [first] = reports;
    assert.deepEqual(first?.signer, {
      name: 'Ana García',
      serialNumber: 'IDCES-12345678Z',
      country: 'ES',
      certificateSubject: first?.signer.certificateSubject,
    });
    assert.match(first?.signer.certificateSubject ?? '', /CN=Ana García/);
    assert.match(first?.signer.certificateSubject ?? '', /2\.5\.4\.42=Ana|GN=Ana|G=Ana/);
    assert.deepEqual(
      reports.map((r) => [r.field, r.integrity, r.chain, r.coversWholeDocument]),
      [
        ['Signature_1', 'valid', 'trusted', false],
        ['Signature_2', 'valid', 'trusted', true],
      ],
    );
    for (const r of reports) {
      assert.ok(r.timestamp && r.signingTime, 'timestamp and signing time are reported');
      assert.ok(Math.abs(Date.parse(r.timestamp) - Date.parse(r.signingTime)) < 60_000);
    }
  });

  it('reports the chain untrusted against another root', async () => {
    const other = await testAuthority();
    try {
      const reports = (await verifyPdf(twice, [other.ca.rootCertificatePem])).signatures;
      assert.deepEqual(
        reports.map((r) => [r.integrity, r.chain]),
        [
          ['valid', 'untrusted'],
          ['valid', 'untrusted'],
        ],
      );
    } finally {
      await other.dispose();
    }
  });

  it('one flipped byte inside the signed range breaks the signature for pdfsig and verifyPdf', async () => {
    const [, second] = await extractSignatures(twice);
    assert.ok(second);
    const tampered = new Uint8Array(twice);
    // A digit of the first page's MediaBox, well inside the first range of the last signature: the
    // file still parses, only what it says has changed.
    const at = Buffer.from(twice).indexOf('/MediaBox') + '/MediaBox [0 0 '.length;
    assert.ok(at > 20 && at < second.byteRange[1]);
    assert.match(String.fromCharCode(tampered[at] ?? 0), /[1-9]/);
    tampered[at] = (tampered[at] ?? 0) ^ 0x01;
    const { signatures, output } = await pdfsig(files.write('tampered.pdf', tampered));
    assert.equal(signatures.length, 2, output);
    assert.equal(signatures[1]?.valid, false, output);
    assert.match(signatures[1]?.validation ?? '', /Digest Mismatch|Invalid/i);
    const reports = (await verifyPdf(tampered, [ca.rootCertificatePem])).signatures;
    assert.equal(reports[1]?.integrity, 'invalid');
  });

  it('a flipped byte in the second range (after the signature value) is caught as well', async () => {
    const [, second] = await extractSignatures(twice);
    assert.ok(second);
    const tampered = new Uint8Array(twice);
    const at = second.byteRange[2] + 2;
    tampered[at] = (tampered[at] ?? 0) ^ 0x01;
    const reports = (await verifyPdf(tampered, [ca.rootCertificatePem])).signatures;
    assert.equal(reports.at(-1)?.integrity, 'invalid');
  });

  it('the signer certificate chains to the root with openssl', async () => {
    const [first] = await extractSignatures(once);
    assert.ok(first);
    const cms = files.write('sig.p7s', first.cms);
    const certificates = await openssl('pkcs7', '-inform', 'DER', '-in', cms, '-print_certs');
    const pems = certificates.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const signer = pems.find(
      (pem) => pem !== ca.rootCertificatePem.trim() && !pem.includes(ca.rootCertificatePem.trim()),
    );
    assert.ok(signer);
    const root = files.write('root.pem', ca.rootCertificatePem);
    const out = await openssl('verify', '-CAfile', root, files.write('signer.pem', signer));
    assert.match(out, /signer\.pem: OK/);
    const signerPem = files.write('signer2.pem', signer);
    const subject = await openssl('x509', '-in', signerPem, '-noout', '-subject', '-nameopt', 'RFC2253,-esc_msb');
    // RFC 2253 prints the last RDN first: the encoded order is C, serialNumber, givenName, surname, CN.
    assert.equal(subject.trim(), 'subject=CN=Ana García,SN=García,GN=Ana,serialNumber=IDCES-12345678Z,C=ES');
    const text = await openssl(
      'x509',
      '-in',
      signerPem,
      '-noout',
      '-ext',
      'keyUsage,subjectAltName,certificatePolicies',
    );
    assert.match(text, /Digital Signature, Non Repudiation/);
    assert.match(text, /email:ana@example.com/);
    assert.match(text, new RegExp(`Policy: ${POLICY_PERSON_SIGNING.replaceAll('.', '\\.')}\n`), text);
    // qcStatements holds only id-qcs-pkixQCSyntax-v2 with the natural-person semantics identifier.
    const dump = await openssl('asn1parse', '-in', signerPem);
    const at = /^\s*(\d+):.*OCTET STRING.*$/m.exec(dump.slice(dump.indexOf(':qcStatements')))?.[1];
    assert.ok(at, dump);
    const statements = await openssl('asn1parse', '-in', signerPem, '-strparse', at);
    assert.deepEqual(
      [...statements.matchAll(/OBJECT\s+:(\S+)/g)].map((m) => m[1]),
      ['1.3.6.1.5.5.7.11.2', '0.4.0.194121.1.1'],
      statements,
    );
  });

  it('B-T: the signature-time-stamp token dates the hash of the signature value', async () => {
    const [first] = await extractSignatures(once);
    assert.ok(first);
    const signedData = parseSignedData(first.cms);
    const signerInfo = signedData.signerInfos[0];
    assert.ok(signerInfo);
    const attrs = signerInfo.signedAttrs?.attributes.map((a) => a.type) ?? [];
    assert.ok(attrs.includes('1.2.840.113549.1.9.16.2.47'), 'ESS signing-certificate-v2 is signed');
    const token = signerInfo.unsignedAttrs?.attributes.find((a) => a.type === '1.2.840.113549.1.9.16.2.14');
    assert.ok(token, 'signature-time-stamp unsigned attribute');
    const { checkDetachedCms } = await import('./cms.js');
    const check = await checkDetachedCms(first.cms, first.signedBytes);
    assert.equal(check.failure, null);
    assert.equal(check.timestamp?.failure, null);
    const expected = await crypto.subtle.digest('SHA-256', signerInfo.signature.getValue());
    assert.deepEqual(
      Buffer.from(check.timestamp?.tstInfo.messageImprint.hashedMessage.getValue() ?? new ArrayBuffer(0)),
      Buffer.from(expected),
    );
  });

  it('PAdES baseline: no signing-time signed attribute (OpenSSL), the claimed time is /M (qpdf)', async () => {
    const signingTime = new Date('2030-01-02T03:04:05Z');
    const signed = await signPdf(await makePdf(1), {
      credential: await ca.credentialFor(ana),
      timestampAuthority: ca.timestampAuthority,
      signingTime,
    });
    const [signature] = await extractSignatures(signed);
    assert.ok(signature);
    const printed = await openssl(
      'cms',
      '-cmsout',
      '-print',
      '-inform',
      'DER',
      '-in',
      files.write('baseline.p7s', signature.cms),
    );
    const signedAttrs = /signedAttrs:([\s\S]*?)\n\s*unsignedAttrs:/.exec(printed)?.[1] ?? '';
    const objects = [...signedAttrs.matchAll(/object: .*\((\d[\d.]+)\)/g)].map((m) => m[1]);
    assert.deepEqual(
      objects.sort(),
      [
        '1.2.840.113549.1.9.16.2.47', // ESS signing-certificate-v2
        '1.2.840.113549.1.9.3', // content-type
        '1.2.840.113549.1.9.4', // message-digest
        '1.2.840.113549.1.9.52', // CMS algorithm protection
      ],
      printed,
    );
    assert.doesNotMatch(printed, /1\.2\.840\.113549\.1\.9\.5\)|signingTime/);
    const [dict] = await qpdfSignatureDicts(files.write('baseline.pdf', signed));
    assert.equal(dict?.['/M'], 'D:20300102030405Z');
    const [report] = (await verifyPdf(signed, [ca.rootCertificatePem])).signatures;
    assert.equal(report?.signingTime, signingTime.toISOString(), 'the claimed time is read from /M');
    const { signatures, output } = await pdfsig(files.write('baseline-check.pdf', signed), {
      trust: ca.rootCertificatePem,
    });
    assert.deepEqual([signatures[0]?.valid, signatures[0]?.certificateTrusted], [true, true], output);
  });

  it('writes /Reason and /Location once escaped: qpdf reads back the text as given', async () => {
    const reason = 'Agreed (v2) \\ final \\(sic)';
    const location = 'C/ Mayor (3º) \\ Madrid';
    const signed = await signPdf(await makePdf(1), { credential: await ca.credentialFor(ana), reason, location });
    const [dict] = await qpdfSignatureDicts(files.write('reason.pdf', signed));
    assert.equal(dict?.['/Reason'], reason);
    assert.equal(dict?.['/Location'], location);
    const { signatures, output } = await pdfsig(files.write('reason-check.pdf', signed));
    assert.equal(signatures[0]?.valid, true, output);
  });

  it('refuses to sign a signed document it could only rewrite (which would break the signature)', async () => {
    const damaged = once.subarray(0, once.length - 30);
    await assert.rejects(signPdf(damaged, { credential: await ca.credentialFor(bruno) }), {
      name: 'PdfSigningError',
      code: 'not_incremental',
    });
  });

  it('without a timestamp authority the signature is B-B: valid, no timestamp', async () => {
    const signed = await signPdf(await makePdf(1), { credential: await ca.credentialFor(ana) });
    const [report] = (await verifyPdf(signed, [ca.rootCertificatePem])).signatures;
    assert.equal(report?.integrity, 'valid');
    assert.equal(report?.timestamp, null);
    const { signatures } = await pdfsig(files.write('bb.pdf', signed));
    assert.equal(signatures[0]?.valid, true);
  });
});

describe('signPdf with a visible appearance', () => {
  const files = scratchDir();
  let ca: CertificateAuthority;
  let dispose: () => Promise<void>;
  before(async () => {
    ({ ca, dispose } = await testAuthority());
  });
  after(async () => {
    files.dispose();
    await dispose();
  });

  it('puts a signed widget with an appearance on the asked page; pdfsig still reports both signatures valid', async () => {
    const credential = await ca.credentialFor(ana);
    const box = { page: 2, x: 56, y: 56, width: 220, height: 50 };
    const once = await signPdf(await makePdf(3), { credential, appearance: box, reason: 'Agreed (v2)' });
    const twice = await signPdf(once, {
      credential: await ca.credentialFor(bruno),
      timestampAuthority: ca.timestampAuthority,
      appearance: { ...box, page: 3 },
    });
    const { signatures, output } = await pdfsig(files.write('visible.pdf', twice));
    assert.deepEqual(
      signatures.map((s) => [s.field, s.valid]),
      [
        ['Signature_1', true],
        ['Signature_2', true],
      ],
      output,
    );
    const { PDF } = await import('@libpdf/core');
    const document = await PDF.load(twice);
    const registry = document.context.registry;
    const resolve = registry.resolve.bind(registry);
    for (const [name, pageIndex] of [
      ['Signature_1', 1],
      ['Signature_2', 2],
    ] as const) {
      const page = document.getPage(pageIndex);
      const annots = page?.dict.getArray('Annots', resolve);
      assert.ok(annots && annots.length === 1, `page ${pageIndex + 1} carries the widget`);
      const widget = annots.at(0, resolve) as import('@libpdf/core').PdfDict;
      assert.equal(widget.getString('T')?.asString(), name);
      const rect = widget.getArray('Rect', resolve);
      assert.ok(rect);
      assert.deepEqual(
        [0, 1, 2, 3].map((i) => (rect.at(i) as import('@libpdf/core').PdfNumber).value),
        [56, 56, 276, 106],
      );
      assert.ok(widget.getDict('AP', resolve)?.get('N'), 'normal appearance stream');
    }
    assert.deepEqual(
      (await verifyPdf(twice, [ca.rootCertificatePem])).signatures.map((r) => r.integrity),
      ['valid', 'valid'],
    );
  });

  it('embeds a font (pdffonts: emb yes) and fits every line in the box, shrinking or wrapping', async () => {
    const box = { page: 1, x: 56, y: 56, width: 220, height: 50 };
    const once = await signPdf(await makePdf(1), {
      credential: await ca.credentialFor({ ...ana, name: 'Ana García Núñez' }),
      appearance: box,
      reason: 'Agreed (v2) \\ final',
    });
    const small = { page: 1, x: 300, y: 56, width: 150, height: 36 };
    const twice = await signPdf(once, {
      credential: await ca.credentialFor({ ...bruno, name: 'Bruno Díaz Ñúñez de la Peña y Castellanos-Rodríguez' }),
      timestampAuthority: ca.timestampAuthority,
      appearance: small,
      reason: 'Conforme con el contrato de arrendamiento y sus anexos I, II y III',
    });
    const path = files.write('fonts.pdf', twice);
    const { stdout: fonts } = await run('/usr/bin/pdffonts', [path]);
    const embedded = fonts
      .split('\n')
      .filter((l) => /DejaVuSans\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/.test(l));
    assert.equal(embedded.length, 2, fonts);
    // (The one Helvetica left is the test page's own text, from makePdf.)
    // Read back through the font's ToUnicode: every line of both boxes, accents included.
    const text = async (b: typeof box) =>
      (
        await run('/usr/bin/pdftotext', [
          ...['-f', '1', '-l', '1', '-r', '72', '-x', String(b.x), '-y', String(842 - b.y - b.height)],
          ...['-W', String(b.width), '-H', String(b.height), path, '-'],
        ])
      ).stdout.replace(/\s+/g, ' ');
    assert.match(
      await text(box),
      /Digitally signed by Ana García Núñez Date: \d{4}-\d\d-\d\d [\d:]{8} UTC Reason: Agreed \(v2\) \\ final/,
    );
    assert.match(
      await text(small),
      /Digitally signed by Bruno Díaz Ñúñez de la Peña y Castellanos-Rodríguez Date: .* UTC Reason: Conforme con el contrato de arrendamiento y sus anexos I, II y III/,
    );
    const { signatures, output } = await pdfsig(files.write('fonts-check.pdf', twice), {
      trust: ca.rootCertificatePem,
    });
    assert.deepEqual(
      signatures.map((s) => [s.valid, s.certificateTrusted]),
      [
        [true, true],
        [true, true],
      ],
      output,
    );
  });

  it('layOut: the largest size at which all wrapped lines fit; never a line outside the box', () => {
    const font = { getTextWidth: (t: string, size: number) => t.length * size * 0.55 };
    const three = ['Digitally signed by Ana García', 'Date: 2030-01-02 03:04:05 UTC', 'Reason: Agreed (v2)'];
    for (const [width, height] of [
      [212, 42],
      [142, 28],
      [400, 200],
      [60, 20],
    ] as const) {
      const { size, lines } = layOut(three, width, height, font);
      assert.ok(size >= 4 && size <= 10, `size ${size}`);
      for (const line of lines) assert.ok(font.getTextWidth(line, size) <= width + 1e-9, `${line} fits ${width}`);
      assert.ok((lines.length - 1) * size * 1.2 + 1.164 * size <= height + 1e-9, `${lines.length} lines fit ${height}`);
    }
    assert.deepEqual(layOut(three, 400, 200, font), { size: 10, lines: three }, 'room to spare: largest size, no wrap');
    const wrapped = layOut(three, 142, 60, font);
    assert.equal(wrapped.lines.join(' ').replace(/\s+/g, ' '), three.join(' '), 'wrapping keeps every word');
    const cut = layOut(three, 60, 12, font);
    assert.ok(cut.lines.at(-1)?.endsWith('…'), 'a box too small for the text says so');
  });

  it('refuses a box outside the page or on a page that does not exist', async () => {
    const credential = await ca.credentialFor(ana);
    const pdf = await makePdf(1);
    for (const appearance of [
      { page: 2, x: 10, y: 10, width: 100, height: 40 },
      { page: 1, x: 500, y: 10, width: 200, height: 40 },
      { page: 1, x: 10, y: 10, width: 0, height: 40 },
    ]) {
      await assert.rejects(signPdf(pdf, { credential, appearance }), {
        name: 'PdfSigningError',
        code: 'bad_appearance',
      });
    }
  });
});
