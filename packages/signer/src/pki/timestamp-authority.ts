import { createHash, type webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { pkiEngine, randomSerialNumber } from './crypto.js';
import { derChildren, derSetOrder, derTlv } from './der.js';
import { parseCertificate, parseDer, signingCertificateV2 } from './ess.js';
import { dottedOid, POLICY_TIMESTAMPING } from './policies.js';
import type { x509 } from './x509.js';

/** The digest algorithms the TSA accepts in a message imprint. */
export type DigestAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

const DIGESTS: Record<string, { name: DigestAlgorithm; length: number }> = {
  '2.16.840.1.101.3.4.2.1': { name: 'SHA-256', length: 32 },
  '2.16.840.1.101.3.4.2.2': { name: 'SHA-384', length: 48 },
  '2.16.840.1.101.3.4.2.3': { name: 'SHA-512', length: 64 },
};
const DIGEST_OIDS: Record<DigestAlgorithm, string> = {
  'SHA-256': '2.16.840.1.101.3.4.2.1',
  'SHA-384': '2.16.840.1.101.3.4.2.2',
  'SHA-512': '2.16.840.1.101.3.4.2.3',
};

/** id-ct-TSTInfo (RFC 3161 §2.4.2). */
export const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
/** The policy under which tokens are issued (Signet's own, see `policies.ts`); requests naming another are refused. */
export const TSA_POLICY = POLICY_TIMESTAMPING;

const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_SIGNED_DATA_DER = new Uint8Array(new asn1js.ObjectIdentifier({ value: OID_SIGNED_DATA }).toBER(false));

/** PKIFailureInfo bits (RFC 3161 §2.4.2). */
const FAILURE = { badAlg: 0, badRequest: 2, badDataFormat: 5, unacceptedPolicy: 15 } as const;

/** A time-stamp request that is not DER or not a TimeStampReq at all: the HTTP edge answers 400. */
export class TimestampRequestError extends Error {}

/**
 * An RFC 3161 timestamp authority. `timestamp` is the in-process shape @libpdf/core's signing
 * expects (digest in, DER TimeStampToken out); `respond` serves RFC 3161 over HTTP.
 */
export interface TimestampAuthority {
  /** The TSA's certificate (EKU id-kp-timeStamping), issued by the root. */
  readonly certificate: x509.X509Certificate;
  /** The issuers above {@link certificate}, nearest first, ending at the root. */
  readonly chain: readonly x509.X509Certificate[];
  /** A DER TimeStampToken (CMS SignedData over TSTInfo) for `digest`, the TSA certificate (and its chain) included. */
  timestamp(digest: Uint8Array, algorithm: DigestAlgorithm): Promise<Uint8Array>;
  /**
   * Answers a DER TimeStampReq with a DER TimeStampResp: granted, or a rejection naming the failure
   * (unknown algorithm, wrong imprint length, another policy). Throws {@link TimestampRequestError}
   * when the body is not a TimeStampReq.
   */
  respond(request: Uint8Array): Promise<Uint8Array>;
}

interface TokenRequest {
  digestOid: string;
  digest: ArrayBuffer;
  nonce?: asn1js.Integer;
  includeCertificate: boolean;
}

/** The built-in TSA: signs tokens with its own key, certified by the CA's root. */
export class InternalTimestampAuthority implements TimestampAuthority {
  readonly #certificate: pkijs.Certificate;
  /** The TSA certificate and its chain, DER, in DER's SET OF order: encoded once, embedded as they are. */
  readonly #certificates: Uint8Array[];
  /** The ESS signing-certificate-v2 attribute naming the TSA certificate: the same in every token. */
  readonly #signingCertificate: pkijs.Attribute;
  readonly #privateKey: webcrypto.CryptoKey;
  readonly #now: () => number;

  /** `chain`: the issuers above the TSA certificate, included in tokens after it when certificates are asked for. */
  constructor(
    readonly certificate: x509.X509Certificate,
    privateKey: webcrypto.CryptoKey,
    now: () => number,
    readonly chain: readonly x509.X509Certificate[] = [],
  ) {
    this.#certificate = parseCertificate(certificate.rawData);
    this.#certificates = derSetOrder([certificate, ...chain].map((c) => new Uint8Array(c.rawData)));
    this.#signingCertificate = signingCertificateV2(this.#certificate);
    this.#privateKey = privateKey;
    this.#now = now;
  }

  async timestamp(digest: Uint8Array, algorithm: DigestAlgorithm): Promise<Uint8Array> {
    return this.#issue({ digestOid: DIGEST_OIDS[algorithm], digest: copy(digest), includeCertificate: true });
  }

  async respond(request: Uint8Array): Promise<Uint8Array> {
    let parsed: pkijs.TimeStampReq;
    try {
      parsed = new pkijs.TimeStampReq({ schema: parseDer(request, 'time-stamp request') });
    } catch {
      throw new TimestampRequestError('the body is not a DER TimeStampReq');
    }
    const digestOid = parsed.messageImprint.hashAlgorithm.algorithmId;
    const digest = parsed.messageImprint.hashedMessage.getValue();
    const known = DIGESTS[digestOid];
    if (!known) return reject(FAILURE.badAlg, 'unsupported hash algorithm');
    if (digest.byteLength !== known.length)
      return reject(FAILURE.badDataFormat, 'message imprint has the wrong length');
    if (parsed.version !== 1) return reject(FAILURE.badRequest, 'unsupported request version');
    if (parsed.reqPolicy && dottedOid(parsed.reqPolicy) !== TSA_POLICY)
      return reject(FAILURE.unacceptedPolicy, 'unknown policy');
    if (parsed.extensions?.length) return reject(FAILURE.badRequest, 'extensions are not supported');
    const token = await this.#issue({
      digestOid,
      digest,
      ...(parsed.nonce ? { nonce: parsed.nonce } : {}),
      includeCertificate: parsed.certReq === true,
    });
    const response = new pkijs.TimeStampResp({
      status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }),
      timeStampToken: new pkijs.ContentInfo({ schema: parseDer(token, 'time-stamp token') }),
    });
    return new Uint8Array(response.toSchema().toBER(false));
  }

  /** A DER TimeStampToken: a ContentInfo holding SignedData over the TSTInfo, signed by the TSA key. */
  async #issue(request: TokenRequest): Promise<Uint8Array> {
    const tstInfo = new pkijs.TSTInfo({
      version: 1,
      policy: TSA_POLICY,
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: request.digestOid }),
        hashedMessage: new asn1js.OctetString({ valueHex: request.digest }),
      }),
      serialNumber: new asn1js.Integer({ valueHex: positiveSerial() }),
      genTime: new Date(this.#now() * 1000),
      accuracy: new pkijs.Accuracy({ seconds: 1 }),
      ...(request.nonce ? { nonce: request.nonce } : {}),
    });
    const content = tstInfo.toSchema().toBER(false);
    const encapContentInfo = new pkijs.EncapsulatedContentInfo({ eContentType: OID_TST_INFO });
    // Set after construction: pkijs's constructor turns a given eContent into a constructed (BER)
    // OCTET STRING of 64 KB pieces, which strict DER parsers refuse; the token must be DER throughout.
    encapContentInfo.eContent = new asn1js.OctetString({ valueHex: content });
    const signedData = new pkijs.SignedData({
      version: 3,
      encapContentInfo,
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({
            issuer: this.#certificate.issuer,
            serialNumber: this.#certificate.serialNumber,
          }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({
            type: 0,
            attributes: [
              new pkijs.Attribute({
                type: OID_CONTENT_TYPE,
                values: [new asn1js.ObjectIdentifier({ value: OID_TST_INFO })],
              }),
              new pkijs.Attribute({
                type: OID_MESSAGE_DIGEST,
                values: [new asn1js.OctetString({ valueHex: sha256(content) })],
              }),
              this.#signingCertificate,
            ],
          }),
        }),
      ],
    });
    await signedData.sign(this.#privateKey, 0, 'SHA-256', undefined, pkiEngine);
    // SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, certificates [0] IMPLICIT
    // OPTIONAL, crls [1] OPTIONAL, signerInfos } (RFC 5652 §5.1). The TSA certificate (RFC 3161 §2.4.1
    // requires it when asked) and its chain go in as the DER they already are: pkijs would re-parse
    // and re-encode each certificate for every token (ADR 0038).
    const parts = derChildren(new Uint8Array(signedData.toSchema(true).toBER(false)));
    if (parts.length !== 4) throw new Error('unexpected SignedData encoding');
    const certificates = request.includeCertificate ? [derTlv(0xa0, ...this.#certificates)] : [];
    const signed = derTlv(0x30, ...parts.slice(0, 3), ...certificates, ...parts.slice(3));
    return derTlv(0x30, OID_SIGNED_DATA_DER, derTlv(0xa0, signed));
  }
}

function sha256(data: ArrayBuffer): ArrayBuffer {
  const digest = createHash('sha256').update(new Uint8Array(data)).digest();
  return copy(digest);
}

function reject(bit: number, text: string): Uint8Array {
  const failInfo = new asn1js.BitString({ valueHex: bitString(bit) });
  const response = new pkijs.TimeStampResp({
    status: new pkijs.PKIStatusInfo({
      status: pkijs.PKIStatus.rejection,
      statusStrings: [new asn1js.Utf8String({ value: text })],
      failInfo,
    }),
  });
  return new Uint8Array(response.toSchema().toBER(false));
}

/** A BIT STRING value with only bit `n` set (bit 0 is the most significant of the first octet). */
function bitString(n: number): ArrayBuffer {
  const bytes = new Uint8Array(Math.floor(n / 8) + 1);
  bytes[Math.floor(n / 8)] = 0x80 >> (n % 8);
  return bytes.buffer;
}

function positiveSerial(): ArrayBuffer {
  return copy(randomSerialNumber());
}

function copy(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
