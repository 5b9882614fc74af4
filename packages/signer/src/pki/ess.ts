import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** id-aa-signingCertificateV2 (RFC 5035 §3). */
export const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';
/** id-sha256. */
export const OID_SHA256 = '2.16.840.1.101.3.4.2.1';

/**
 * The ESS signing-certificate-v2 attribute naming `certificate` by its SHA-256 hash and issuer +
 * serial, so nobody can swap in another certificate for the same key (RFC 5035, RFC 5816 for TSAs).
 * SHA-256 is the ESSCertIDv2 default, so its hashAlgorithm is omitted (DER).
 */
export function signingCertificateV2(certificate: pkijs.Certificate): pkijs.Attribute {
  const der = new Uint8Array(certificate.toSchema().toBER(false));
  const certHash = new Uint8Array(createHash('sha256').update(der).digest());
  const issuerSerial = new pkijs.IssuerSerial({
    issuer: new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 4, value: certificate.issuer })] }),
    serialNumber: certificate.serialNumber,
  });
  const essCertIdV2 = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: certHash }), issuerSerial.toSchema()],
  });
  return new pkijs.Attribute({
    type: OID_SIGNING_CERTIFICATE_V2,
    values: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] })],
  });
}

/** Parses one DER structure, throwing on garbage or trailing bytes. */
export function parseDer(bytes: Uint8Array | ArrayBuffer, what: string): asn1js.AsnType {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const buffer = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
  const parsed = asn1js.fromBER(buffer);
  if (parsed.offset === -1 || parsed.offset !== buffer.byteLength) throw new Error(`${what} is not valid DER`);
  return parsed.result;
}

/** A pkijs certificate from DER. */
export function parseCertificate(der: Uint8Array | ArrayBuffer): pkijs.Certificate {
  return new pkijs.Certificate({ schema: parseDer(der, 'certificate') });
}
