import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { pkiEngine, webCrypto } from '../pki/crypto.js';
import { OID_SIGNING_CERTIFICATE_V2, parseDer } from '../pki/ess.js';
import { OID_TST_INFO } from '../pki/timestamp-authority.js';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
/** id-aa-signatureTimeStampToken (RFC 3161 Appendix A). */
export const OID_SIGNATURE_TIMESTAMP = '1.2.840.113549.1.9.16.2.14';

const HASHES: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

/** What a CMS SignedData says and whether it holds, before any trust decision. */
export interface CmsCheck {
  signedData: pkijs.SignedData;
  signerCertificate: pkijs.Certificate | null;
  /** Message digest equals the hash of the content, the signature verifies, ESS cert hash names the signer certificate. */
  intact: boolean;
  signingTime: Date | null;
  /** The signature-time-stamp token, when the CMS carries one. */
  timestamp: TimestampCheck | null;
}

/** A signature-time-stamp token and whether it holds. */
export interface TimestampCheck {
  token: pkijs.SignedData;
  tstInfo: pkijs.TSTInfo;
  genTime: Date;
  /** The TSTInfo messageImprint is the hash of the signature value it dates (RFC 3161 Appendix A). */
  imprintMatches: boolean;
  /** The token's own CMS signature verifies with its certificate. */
  intact: boolean;
}

/** Parses a DER ContentInfo holding SignedData; throws on anything else. */
export function parseSignedData(der: Uint8Array | ArrayBuffer): pkijs.SignedData {
  const contentInfo = new pkijs.ContentInfo({ schema: parseDer(der, 'CMS') });
  if (contentInfo.contentType !== OID_SIGNED_DATA) throw new Error('CMS content is not SignedData');
  return new pkijs.SignedData({ schema: contentInfo.content });
}

/** Checks a detached CMS signature over `content`: digest, signature, ESS certificate binding and its timestamp. */
export async function checkDetachedCms(cms: Uint8Array, content: Uint8Array): Promise<CmsCheck> {
  const signedData = parseSignedData(cms);
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo || signedData.signerInfos.length !== 1) throw new Error('expected exactly one SignerInfo');
  const verified = await verifySignedData(signedData, content);
  const signerCertificate = verified.signerCertificate;
  const essMatches = signerCertificate ? await essNamesCertificate(signerInfo, signerCertificate) : false;
  const signatureValue = signerInfo.signature.getValue();
  const timestamp = await checkTimestamp(signerInfo, signatureValue);
  return {
    signedData,
    signerCertificate,
    intact: verified.ok && essMatches && (timestamp === null || (timestamp.intact && timestamp.imprintMatches)),
    signingTime: signingTime(signerInfo),
    timestamp,
  };
}

async function verifySignedData(
  signedData: pkijs.SignedData,
  content?: Uint8Array,
): Promise<{ ok: boolean; signerCertificate: pkijs.Certificate | null }> {
  try {
    const result = await signedData.verify(
      {
        signer: 0,
        ...(content ? { data: toArrayBuffer(content) } : {}),
        checkChain: false,
        extendedMode: true,
      },
      pkiEngine,
    );
    return { ok: result.signatureVerified === true, signerCertificate: result.signerCertificate ?? null };
  } catch (error) {
    const signerCertificate = (error as { signerCertificate?: pkijs.Certificate | null }).signerCertificate ?? null;
    return { ok: false, signerCertificate };
  }
}

/** The signed signing-certificate-v2 attribute must carry the hash of the certificate that verified the signature. */
async function essNamesCertificate(signerInfo: pkijs.SignerInfo, certificate: pkijs.Certificate): Promise<boolean> {
  const attribute = signerInfo.signedAttrs?.attributes.find((a) => a.type === OID_SIGNING_CERTIFICATE_V2);
  const certs = attribute?.values[0] as asn1js.Sequence | undefined;
  const first = (certs?.valueBlock.value[0] as asn1js.Sequence | undefined)?.valueBlock.value[0] as
    | asn1js.Sequence
    | undefined;
  if (!first) return false;
  const parts = first.valueBlock.value;
  let hashName = 'SHA-256';
  let index = 0;
  if (parts[0] instanceof asn1js.Sequence) {
    const oid = (parts[0].valueBlock.value[0] as asn1js.ObjectIdentifier | undefined)?.valueBlock.toString();
    const name = oid ? HASHES[oid] : undefined;
    if (!name) return false;
    hashName = name;
    index = 1;
  }
  const hash = parts[index];
  if (!(hash instanceof asn1js.OctetString)) return false;
  const expected = await webCrypto.subtle.digest(hashName, certificate.toSchema().toBER(false));
  return Buffer.from(expected).equals(Buffer.from(hash.getValue()));
}

function signingTime(signerInfo: pkijs.SignerInfo): Date | null {
  const value = signerInfo.signedAttrs?.attributes.find((a) => a.type === OID_SIGNING_TIME)?.values[0];
  if (value instanceof asn1js.UTCTime || value instanceof asn1js.GeneralizedTime) return value.toDate();
  return null;
}

async function checkTimestamp(
  signerInfo: pkijs.SignerInfo,
  signatureValue: ArrayBuffer,
): Promise<TimestampCheck | null> {
  const attribute = signerInfo.unsignedAttrs?.attributes.find((a) => a.type === OID_SIGNATURE_TIMESTAMP);
  const value = attribute?.values[0];
  if (!value) return null;
  const token = parseSignedData(value.toBER(false));
  if (token.encapContentInfo.eContentType !== OID_TST_INFO) throw new Error('timestamp token does not hold a TSTInfo');
  const eContent = token.encapContentInfo.eContent;
  if (!eContent) throw new Error('timestamp token has no content');
  const tstInfo = new pkijs.TSTInfo({ schema: parseDer(eContent.getValue(), 'TSTInfo') });
  const algorithm = HASHES[tstInfo.messageImprint.hashAlgorithm.algorithmId];
  const expected = algorithm ? await webCrypto.subtle.digest(algorithm, signatureValue) : null;
  const imprint = tstInfo.messageImprint.hashedMessage.getValue();
  // pkijs turns a parsed eContent into a constructed OCTET STRING, which its own TSTInfo check cannot
  // read back; give it the primitive form (same DER) and the dated data, whose imprint it checks too.
  token.encapContentInfo.eContent = new asn1js.OctetString({ valueHex: eContent.getValue() });
  const verified = await verifySignedData(token, new Uint8Array(signatureValue));
  const essMatches = verified.signerCertificate
    ? await essNamesCertificate(token.signerInfos[0] as pkijs.SignerInfo, verified.signerCertificate)
    : false;
  return {
    token,
    tstInfo,
    genTime: tstInfo.genTime,
    imprintMatches: expected !== null && Buffer.from(expected).equals(Buffer.from(imprint)),
    intact: verified.ok && essMatches,
  };
}

/** The certificate in `signedData` that signed it (issuer and serial of the first SignerInfo). */
export function signerCertificateOf(signedData: pkijs.SignedData): pkijs.Certificate | null {
  const sid = signedData.signerInfos[0]?.sid;
  if (!(sid instanceof pkijs.IssuerAndSerialNumber)) return null;
  for (const c of signedData.certificates ?? []) {
    if (c instanceof pkijs.Certificate && c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber))
      return c;
  }
  return null;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
