import { createHash, X509Certificate as NodeCertificate, verify as verifySignatureValue } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID_SIGNING_CERTIFICATE_V2, parseDer } from '../pki/ess.js';
import { OID_TST_INFO } from '../pki/timestamp-authority.js';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_DATA = '1.2.840.113549.1.7.1';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
/** id-aa-signatureTimeStampToken (RFC 3161 Appendix A). */
export const OID_SIGNATURE_TIMESTAMP = '1.2.840.113549.1.9.16.2.14';

/** Digest algorithms a signature may use, by OID, with Node's name for them. */
export const HASHES: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
/** Signature algorithms accepted in a SignerInfo: ECDSA and RSA PKCS#1 v1.5 (what PAdES signers use). */
const SIGNATURE_ALGORITHMS = new Set([
  '1.2.840.10045.2.1', // id-ecPublicKey (some signers name the key, not the scheme)
  '1.2.840.10045.4.3.2',
  '1.2.840.10045.4.3.3',
  '1.2.840.10045.4.3.4',
  '1.2.840.113549.1.1.1',
  '1.2.840.113549.1.1.11',
  '1.2.840.113549.1.1.12',
  '1.2.840.113549.1.1.13',
]);

/**
 * Why a CMS signature does not hold, in ETSI EN 319 102-1 sub-indications:
 * - `FORMAT_FAILURE`: not a detached CMS SignedData with one SignerInfo and the attributes PAdES requires;
 * - `HASH_FAILURE`: the signed message digest is not the hash of the signed bytes;
 * - `SIG_CRYPTO_FAILURE`: the signature value does not verify, or the ESS attribute names another certificate;
 * - `NO_SIGNING_CERTIFICATE_FOUND`: the CMS does not carry the certificate its SignerInfo names.
 */
export type CmsFailure = 'FORMAT_FAILURE' | 'HASH_FAILURE' | 'SIG_CRYPTO_FAILURE' | 'NO_SIGNING_CERTIFICATE_FOUND';

/** What a CMS SignedData says and whether it holds, before any trust decision. */
export interface CmsCheck {
  signedData: pkijs.SignedData;
  signerCertificate: pkijs.Certificate | null;
  /** Null when the signature holds; else the first thing that does not, with a sentence for people. */
  failure: { subIndication: CmsFailure; reason: string } | null;
  /** The signing-time attribute, if (against PAdES baseline) the signer put one. */
  signingTime: Date | null;
  /** The signature-time-stamp token, when the CMS carries one. */
  timestamp: TimestampCheck | null;
}

/** An RFC 3161 timestamp token and whether it holds for the data it dates. */
export interface TimestampCheck {
  token: pkijs.SignedData;
  tstInfo: pkijs.TSTInfo;
  genTime: Date;
  tsaCertificate: pkijs.Certificate | null;
  /** Null when the token holds (its signature verifies and its imprint is the hash of the dated data). */
  failure: { subIndication: CmsFailure; reason: string } | null;
}

/** Parses a DER ContentInfo holding SignedData; throws on anything else. */
export function parseSignedData(der: Uint8Array | ArrayBuffer): pkijs.SignedData {
  const contentInfo = new pkijs.ContentInfo({ schema: parseDer(der, 'CMS') });
  if (contentInfo.contentType !== OID_SIGNED_DATA) throw new Error('CMS content is not SignedData');
  return new pkijs.SignedData({ schema: contentInfo.content });
}

/**
 * Checks a PAdES signature: a detached CMS SignedData over `signedBytes` (the bytes its
 * /ByteRange covers, hashed here, never taken from the CMS). Refuses a CMS that carries its own
 * content (eContent), whatever it says: a verifier that hashed that instead of the document would
 * vouch for a signature transplanted into another PDF. Then checks content type, message digest,
 * the signature value, the ESS signing-certificate-v2 binding and the signature-time-stamp.
 */
export async function checkDetachedCms(cms: Uint8Array, signedBytes: Uint8Array): Promise<CmsCheck> {
  let signedData: pkijs.SignedData;
  try {
    signedData = parseSignedData(cms);
  } catch {
    return formatFailure(new pkijs.SignedData(), 'the signature is not a DER CMS SignedData');
  }
  if (signedData.encapContentInfo.eContent !== undefined) {
    return formatFailure(signedData, 'the CMS carries its own content (eContent): a PAdES signature is detached');
  }
  if (signedData.encapContentInfo.eContentType !== OID_DATA) {
    return formatFailure(signedData, 'the CMS content type is not id-data');
  }
  const signed = await checkSignerInfo(signedData, signedBytes, OID_DATA);
  const signerInfo = signedData.signerInfos[0];
  let timestamp: TimestampCheck | null = null;
  if (signerInfo && signed.failure === null) {
    const tokens = signerInfo.unsignedAttrs?.attributes.filter((a) => a.type === OID_SIGNATURE_TIMESTAMP) ?? [];
    const value = tokens[0]?.values[0];
    if (tokens.length > 1 || (tokens[0] && tokens[0].values.length !== 1) || (tokens[0] && !value)) {
      return {
        ...signed,
        failure: { subIndication: 'FORMAT_FAILURE', reason: 'more than one signature-time-stamp' },
        signingTime: signingTime(signerInfo),
        timestamp: null,
      };
    }
    if (value)
      timestamp = await checkTimestampToken(value.toBER(false), new Uint8Array(signerInfo.signature.getValue()));
  }
  return {
    ...signed,
    failure: signed.failure ?? timestamp?.failure ?? null,
    signingTime: signerInfo ? signingTime(signerInfo) : null,
    timestamp,
  };
}

/**
 * Checks an RFC 3161 TimeStampToken dating `datedBytes`: a CMS SignedData whose attached TSTInfo's
 * message imprint is the hash of those bytes, signed (with signed attributes and ESS binding) by
 * the certificate it carries. Used for signature-time-stamps (dating the signature value) and for
 * document timestamps (dating the ByteRange bytes).
 */
export async function checkTimestampToken(
  token: Uint8Array | ArrayBuffer,
  datedBytes: Uint8Array,
): Promise<TimestampCheck> {
  const empty = {
    token: new pkijs.SignedData(),
    tstInfo: new pkijs.TSTInfo(),
    genTime: new Date(0),
    tsaCertificate: null,
  };
  let signedData: pkijs.SignedData;
  try {
    signedData = parseSignedData(token);
  } catch {
    return {
      ...empty,
      failure: { subIndication: 'FORMAT_FAILURE', reason: 'the timestamp is not a DER CMS SignedData' },
    };
  }
  const eContent = signedData.encapContentInfo.eContent;
  if (signedData.encapContentInfo.eContentType !== OID_TST_INFO || !eContent) {
    return {
      ...empty,
      token: signedData,
      failure: { subIndication: 'FORMAT_FAILURE', reason: 'the timestamp token does not hold a TSTInfo' },
    };
  }
  const content = octets(eContent);
  let tstInfo: pkijs.TSTInfo;
  try {
    tstInfo = new pkijs.TSTInfo({ schema: parseDer(content, 'TSTInfo') });
  } catch {
    return {
      ...empty,
      token: signedData,
      failure: { subIndication: 'FORMAT_FAILURE', reason: 'the TSTInfo is not DER' },
    };
  }
  const signed = await checkSignerInfo(signedData, content, OID_TST_INFO);
  const base = { token: signedData, tstInfo, genTime: tstInfo.genTime, tsaCertificate: signed.signerCertificate };
  if (signed.failure) return { ...base, failure: signed.failure };
  const hash = HASHES[tstInfo.messageImprint.hashAlgorithm.algorithmId];
  const imprint = Buffer.from(tstInfo.messageImprint.hashedMessage.getValue());
  if (!hash || !createHash(hash).update(datedBytes).digest().equals(imprint)) {
    return { ...base, failure: { subIndication: 'HASH_FAILURE', reason: 'the timestamp dates other data' } };
  }
  return { ...base, failure: null };
}

interface SignerInfoCheck {
  signedData: pkijs.SignedData;
  signerCertificate: pkijs.Certificate | null;
  failure: CmsCheck['failure'];
}

/**
 * The one SignerInfo of `signedData` signs `content`: signed attributes with the expected content
 * type and the digest of `content` (computed here), a signature value that verifies with the
 * certificate named by sid, and an ESS signing-certificate-v2 naming that certificate.
 */
async function checkSignerInfo(
  signedData: pkijs.SignedData,
  content: Uint8Array,
  contentType: string,
): Promise<SignerInfoCheck> {
  const fail = (subIndication: CmsFailure, reason: string, signerCertificate: pkijs.Certificate | null = null) => ({
    signedData,
    signerCertificate,
    failure: { subIndication, reason },
  });
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo || signedData.signerInfos.length !== 1)
    return fail('FORMAT_FAILURE', 'expected exactly one SignerInfo');
  const certificate = signerCertificateOf(signedData);
  if (!certificate) return fail('NO_SIGNING_CERTIFICATE_FOUND', 'the CMS does not carry the signer certificate');
  const attributes = signerInfo.signedAttrs?.attributes;
  if (!attributes || !signerInfo.signedAttrs)
    return fail('FORMAT_FAILURE', 'the SignerInfo has no signed attributes', certificate);
  const only = (oid: string) => {
    const found = attributes.filter((a) => a.type === oid);
    return found.length === 1 && found[0]?.values.length === 1 ? found[0].values[0] : undefined;
  };
  const type = only(OID_CONTENT_TYPE);
  if (!(type instanceof asn1js.ObjectIdentifier) || type.valueBlock.toString() !== contentType) {
    return fail('FORMAT_FAILURE', 'the signed content-type attribute is missing or wrong', certificate);
  }
  const hash = HASHES[signerInfo.digestAlgorithm.algorithmId];
  if (!hash) return fail('FORMAT_FAILURE', 'unsupported digest algorithm', certificate);
  const digest = only(OID_MESSAGE_DIGEST);
  if (!(digest instanceof asn1js.OctetString))
    return fail('FORMAT_FAILURE', 'no message-digest attribute', certificate);
  if (
    !createHash(hash)
      .update(content)
      .digest()
      .equals(Buffer.from(octets(digest)))
  ) {
    return fail('HASH_FAILURE', 'the signed bytes do not match the signed message digest', certificate);
  }
  if (!SIGNATURE_ALGORITHMS.has(signerInfo.signatureAlgorithm.algorithmId)) {
    return fail('FORMAT_FAILURE', 'unsupported signature algorithm', certificate);
  }
  // The signature covers the DER SET OF the signed attributes exactly as encoded (RFC 5652 §5.4).
  const encoded = Buffer.from(signerInfo.signedAttrs.encodedValue);
  const signedAttributes = Buffer.concat([Buffer.from([0x31]), encoded.subarray(1)]);
  let verified = false;
  try {
    const key = new NodeCertificate(Buffer.from(certificate.toSchema().toBER(false))).publicKey;
    const signature = Buffer.from(signerInfo.signature.getValue());
    verified = verifySignatureValue(hash, signedAttributes, { key, dsaEncoding: 'der' }, signature);
  } catch {
    verified = false;
  }
  if (!verified) return fail('SIG_CRYPTO_FAILURE', 'the signature value does not verify', certificate);
  if (!essNamesCertificate(signerInfo, certificate)) {
    return fail(
      'SIG_CRYPTO_FAILURE',
      'the signing-certificate-v2 attribute does not name the signer certificate',
      certificate,
    );
  }
  return { signedData, signerCertificate: certificate, failure: null };
}

/** The signed signing-certificate-v2 attribute must carry the hash of the certificate that verified the signature. */
function essNamesCertificate(signerInfo: pkijs.SignerInfo, certificate: pkijs.Certificate): boolean {
  const attributes = signerInfo.signedAttrs?.attributes.filter((a) => a.type === OID_SIGNING_CERTIFICATE_V2) ?? [];
  if (attributes.length !== 1) return false;
  const certs = attributes[0]?.values[0] as asn1js.Sequence | undefined;
  const first = (certs?.valueBlock.value[0] as asn1js.Sequence | undefined)?.valueBlock.value[0] as
    | asn1js.Sequence
    | undefined;
  if (!(first instanceof asn1js.Sequence)) return false;
  const parts = first.valueBlock.value;
  let hash = 'sha256';
  let index = 0;
  if (parts[0] instanceof asn1js.Sequence) {
    const oid = (parts[0].valueBlock.value[0] as asn1js.ObjectIdentifier | undefined)?.valueBlock.toString();
    const name = oid ? HASHES[oid] : undefined;
    if (!name) return false;
    hash = name;
    index = 1;
  }
  const certHash = parts[index];
  if (!(certHash instanceof asn1js.OctetString)) return false;
  const expected = createHash(hash)
    .update(Buffer.from(certificate.toSchema().toBER(false)))
    .digest();
  return expected.equals(Buffer.from(octets(certHash)));
}

function signingTime(signerInfo: pkijs.SignerInfo): Date | null {
  const value = signerInfo.signedAttrs?.attributes.find((a) => a.type === OID_SIGNING_TIME)?.values[0];
  if (value instanceof asn1js.UTCTime || value instanceof asn1js.GeneralizedTime) return value.toDate();
  return null;
}

function formatFailure(signedData: pkijs.SignedData, reason: string): CmsCheck {
  return {
    signedData,
    signerCertificate: null,
    failure: { subIndication: 'FORMAT_FAILURE', reason },
    signingTime: null,
    timestamp: null,
  };
}

/** The value of an OCTET STRING, whether encoded primitive (DER) or constructed (BER pieces). */
function octets(value: asn1js.OctetString): Uint8Array {
  return new Uint8Array(value.getValue());
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
