import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { openssl, scratchDir } from '@signet/testing/pdf';
import * as asn1js from 'asn1js';
import { testAuthority } from '../pdf/testing.js';
import type { CertificateAuthority } from './authority.js';
import { randomSerialNumber } from './crypto.js';
import { dottedOid, POLICY_TIMESTAMPING, SIGNET_ARC } from './policies.js';
import { TSA_POLICY } from './timestamp-authority.js';

describe('InternalTimestampAuthority profile', () => {
  let ca: CertificateAuthority;
  let dispose: () => Promise<void>;
  const files = scratchDir();
  let tokenPath: string;

  before(async () => {
    ({ ca, dispose } = await testAuthority());
    const token = await ca.timestampAuthority.timestamp(new Uint8Array(32).fill(7), 'SHA-256');
    tokenPath = files.write('token.der', token);
  });
  after(async () => {
    files.dispose();
    await dispose();
  });

  it('emits DER: OpenSSL re-encodes the token byte for byte, eContent a primitive OCTET STRING', async () => {
    const again = `${files.dir}/again.der`;
    await openssl('cms', '-cmsout', '-inform', 'DER', '-in', tokenPath, '-outform', 'DER', '-out', again);
    assert.deepEqual(
      readFileSync(again),
      readFileSync(tokenPath),
      'a BER token (constructed OCTET STRING) re-encodes shorter',
    );
    const dump = await openssl('asn1parse', '-inform', 'DER', '-in', tokenPath);
    assert.match(dump, /:id-smime-ct-TSTInfo\n.*cont \[ 0 \]\s*\n.*prim: OCTET STRING/);
    assert.doesNotMatch(dump, /cons: OCTET STRING/);
  });

  it("states Signet's TSA policy, not anyPolicy, in the token and the TSA certificate", async () => {
    assert.equal(TSA_POLICY, POLICY_TIMESTAMPING);
    assert.ok(POLICY_TIMESTAMPING.startsWith(`${SIGNET_ARC}.`));
    assert.match(SIGNET_ARC, /^2\.25\.[1-9]\d{0,38}$/, 'a UUID-based OID (X.667)');
    const text = await openssl('ts', '-reply', '-token_in', '-in', tokenPath, '-text');
    assert.match(text, new RegExp(`^Policy OID: ${POLICY_TIMESTAMPING.replaceAll('.', '\\.')}$`, 'm'), text);
    const certificate = files.write('tsa.pem', ca.timestampAuthority.certificate.toString('pem'));
    const extensions = await openssl('x509', '-in', certificate, '-noout', '-ext', 'certificatePolicies');
    assert.match(extensions, new RegExp(`Policy: ${POLICY_TIMESTAMPING.replaceAll('.', '\\.')}\\n`), extensions);
    assert.doesNotMatch(extensions + text, /2\.5\.29\.32\.0|X509v3 Any Policy/);
  });

  it('grants a query naming its policy (openssl ts -tspolicy) and refuses one naming another', async () => {
    const data = files.write('data.txt', 'the document');
    const reply = async (policy: string) => {
      const query = `${files.dir}/${policy}.tsq`;
      await openssl('ts', '-query', '-data', data, '-sha256', '-cert', '-tspolicy', policy, '-out', query);
      const response = await ca.timestampAuthority.respond(readFileSync(query));
      return openssl('ts', '-reply', '-in', files.write(`${policy}.tsr`, response), '-text');
    };
    const granted = await reply(POLICY_TIMESTAMPING);
    assert.match(granted, /Status: Granted\./, granted);
    const refused = await reply('1.2.3.4');
    assert.match(refused, /Status: Rejected\./, refused);
    assert.match(refused, /requested TSA policy is not supported/, refused);
  });

  it('dottedOid reads back the 128-bit arc that asn1js prints as hex', () => {
    const der = new asn1js.ObjectIdentifier({ value: POLICY_TIMESTAMPING }).toBER(false);
    const parsed = (asn1js.fromBER(der).result as asn1js.ObjectIdentifier).getValue();
    assert.notEqual(parsed, POLICY_TIMESTAMPING, 'asn1js 3 prints the UUID arc as {hex}');
    assert.equal(dottedOid(parsed), POLICY_TIMESTAMPING);
    assert.equal(dottedOid('1.2.840.113549.1.9.5'), '1.2.840.113549.1.9.5');
  });
});

describe('serial numbers', () => {
  it('are positive and minimal DER integers, every time (OpenSSL refuses a leading zero octet)', () => {
    for (let i = 0; i < 20_000; i++) {
      const serial = randomSerialNumber();
      const encoded = Buffer.from(new asn1js.Integer({ valueHex: serial }).toBER(false));
      // 02 10 <16 octets>: no 0x00 to pad, no 0x00 leading a value below 0x80, never negative.
      assert.equal(encoded.length, 18, encoded.toString('hex'));
      assert.ok((serial[0] ?? 0) >= 0x40 && (serial[0] ?? 0) <= 0x7f);
    }
  });
});
