import { createHash, X509Certificate as NodeCertificate, type webcrypto } from 'node:crypto';
import type { RevocationProvider } from '@libpdf/core';
import { setBounded } from '@signet/store';
import * as asn1js from 'asn1js';
import type { Kysely } from 'kysely';
import * as pkijs from 'pkijs';
import type { SignerDatabase } from '../store/database.js';
import { pkiEngine, webCrypto } from './crypto.js';
import { parseCertificate, parseDer } from './ess.js';
import { normalizeSerial } from './ltv-migration.js';
import { issuedSerial, revocationOf, revocationsBy } from './repository.js';
import type { x509 } from './x509.js';

/** An authority that issues certificates and so answers for their status: the root (current or retired). */
export interface IssuingAuthority {
  id: string;
  certificate: x509.X509Certificate;
  privateKey: webcrypto.CryptoKey;
}

/** CRLReason codes (RFC 5280 §5.3.1) an operator may give. */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

/** What the CA says about one certificate. */
export type CertificateStatus =
  | { status: 'good' }
  | { status: 'revoked'; revokedAt: number; reason: number }
  | { status: 'unknown' };

/** An OCSP request that is not DER or not an OCSPRequest: the HTTP edge answers 400. */
export class OcspRequestError extends Error {}

/** How long an OCSP response or a CRL may be relied on before asking again. */
export const REVOCATION_VALIDITY_SECONDS = 86_400;
/**
 * How long a signed OCSP response or CRL made for a signature's DSS is served again (RFC 5019
 * §2.1: responses may be produced ahead and reused). Well below the 5 minutes by which the PDF
 * verifier lets revocation data predate a signature's time, so reused data still speaks for it.
 */
export const PRESIGNED_REUSE_SECONDS = 60;
/** At most this many presigned responses and CRLs are kept (oldest dropped first). */
export const MAX_PRESIGNED = 1_000;
/** At most this many certificates' parsed facts (serial, issuing root) are kept. */
export const MAX_PARSED_CERTIFICATES = 1_000;
/** An OCSP request naming more certificates than this is refused (`malformedRequest`): one is usual. */
export const MAX_OCSP_REQUEST_CERTIFICATES = 8;

const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_OCSP_NONCE = '1.3.6.1.5.5.7.48.1.2';
const OID_CRL_NUMBER = '2.5.29.20';
const OID_CRL_REASON = '2.5.29.21';
const OID_AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};
/** OCSPResponseStatus (RFC 6960 §4.2.1). */
const OCSP_STATUS = { successful: 0, malformedRequest: 1, internalError: 2, unauthorized: 6 } as const;

/**
 * The CA's revocation service: an RFC 6960 OCSP responder and RFC 5280 CRLs for each root, both
 * signed by the root itself (ADR 0015: the root key is online anyway, a delegated responder key
 * would add a key to protect and rotate and no separation), and the in-process
 * {@link RevocationProvider} @libpdf/core embeds in signatures' DSS.
 */
export class RevocationService {
  readonly #hashes = new Map<string, { name: Uint8Array; key: Uint8Array }>();
  /**
   * Signed OCSP responses and CRLs for the DSS, keyed by what they state (issuer, serial and
   * status; issuer and revoked list): the status is read from the database on every call, so a
   * revocation on any node changes the key and is never answered from an older signature.
   */
  readonly #presigned = new Map<string, { der: Uint8Array; signedAt: number }>();
  readonly #nodeCertificates = new Map<string, NodeCertificate>();
  /**
   * What the provider reads from a certificate (serial; the id of the root of ours that issued it),
   * by its DER: certificates are immutable, and the same few (the person's, the TSA's, the root)
   * come in every signature. Oldest dropped first beyond {@link MAX_PARSED_CERTIFICATES}.
   */
  readonly #parsed = new Map<string, { serial: string; issuerId?: string | undefined }>();

  constructor(
    private readonly db: Kysely<SignerDatabase>,
    private readonly now: () => number,
    /** Every root that still answers for certificates it issued, the active one first. */
    private readonly issuers: () => IssuingAuthority[],
  ) {}

  /** The status of the certificate `serial` (hex) issued by `issuerId`: revoked, good if we issued it, else unknown. */
  async statusOf(issuerId: string, serial: string): Promise<CertificateStatus> {
    const normalized = normalizeSerial(serial);
    const revoked = await revocationOf(this.db, issuerId, normalized);
    if (revoked) return { status: 'revoked', revokedAt: Number(revoked.revoked_at), reason: revoked.reason };
    return (await issuedSerial(this.db, issuerId, normalized)) ? { status: 'good' } : { status: 'unknown' };
  }

  /**
   * Answers a DER OCSPRequest with a DER OCSPResponse: one SingleResponse per requested
   * certificate (`unknown` for another issuer's), the request's nonce echoed. Throws
   * {@link OcspRequestError} when the body is not an OCSPRequest; more than
   * {@link MAX_OCSP_REQUEST_CERTIFICATES} is a `malformedRequest` response.
   */
  async respond(request: Uint8Array): Promise<Uint8Array> {
    let parsed: pkijs.OCSPRequest;
    try {
      parsed = new pkijs.OCSPRequest({ schema: parseDer(request, 'OCSP request') });
    } catch {
      throw new OcspRequestError('the body is not a DER OCSPRequest');
    }
    const requested = parsed.tbsRequest.requestList;
    if (requested.length === 0 || requested.length > MAX_OCSP_REQUEST_CERTIFICATES) {
      return ocspError(OCSP_STATUS.malformedRequest);
    }
    // Signed requests are accepted and their signature ignored: the answer is public anyway.
    const nonce = parsed.tbsRequest.requestExtensions?.find((e) => e.extnID === OID_OCSP_NONCE);
    const issuers = this.issuers();
    const matched = await Promise.all(requested.map((r) => this.issuerOf(r.reqCert, issuers)));
    // A response is signed by one key: certificates of another issuer in the same request are `unknown`.
    const responder = matched.find((issuer) => issuer !== undefined) ?? issuers[0];
    if (!responder) return ocspError(OCSP_STATUS.internalError);
    const statuses = await Promise.all(
      requested.map(async ({ reqCert }, i) => {
        const serial = Buffer.from(reqCert.serialNumber.valueBlock.valueHexView).toString('hex');
        const status: CertificateStatus =
          matched[i] === responder ? await this.statusOf(responder.id, serial) : { status: 'unknown' };
        return { certID: reqCert, status };
      }),
    );
    return this.ocspResponse(responder, statuses, nonce);
  }

  /**
   * An OCSP response for one certificate, made in process (no HTTP): what @libpdf/core's
   * revocation provider asks while building a signature's DSS. Null for a certificate no root of
   * ours issued. The status is read now; a response signed for the same status within
   * {@link PRESIGNED_REUSE_SECONDS} is served again (ADR 0037).
   */
  async ocspFor(certificateDer: Uint8Array, issuerDer: Uint8Array): Promise<Uint8Array | null> {
    const issuer = this.issuers().find((i) => Buffer.from(i.certificate.rawData).equals(Buffer.from(issuerDer)));
    if (!issuer) return null;
    const serial = this.#facts(certificateDer).serial;
    const status = await this.statusOf(issuer.id, serial);
    const stated = status.status === 'revoked' ? `revoked:${status.revokedAt}:${status.reason}` : status.status;
    return this.#presignedOr(`ocsp ${issuer.id} ${serial} ${stated}`, async () => {
      const certID = new pkijs.CertID();
      await certID.createForCertificate(
        parseCertificate(certificateDer),
        { issuerCertificate: parseCertificate(issuerDer), hashAlgorithm: 'SHA-1' },
        pkiEngine,
      );
      return this.ocspResponse(issuer, [{ certID, status }]);
    });
  }

  /** The DSS's signed data for `key` if made within {@link PRESIGNED_REUSE_SECONDS}, else `make`'s, kept. */
  async #presignedOr(key: string, make: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const now = this.now();
    const kept = this.#presigned.get(key);
    // signedAt > now: a clock set back; never serve data dated in the future.
    if (kept && kept.signedAt <= now && now - kept.signedAt < PRESIGNED_REUSE_SECONDS) return kept.der;
    const der = await make();
    setBounded(this.#presigned, key, { der, signedAt: now }, MAX_PRESIGNED);
    return der;
  }

  /**
   * The CRL of a root (default the active one), DER: every certificate it revoked, valid for
   * {@link REVOCATION_VALIDITY_SECONDS}, numbered by its issue time (monotonic across nodes whose
   * clocks agree to the second). Undefined for an id that is no root of ours.
   */
  async crl(issuerId?: string): Promise<Uint8Array | undefined> {
    const issuer = issuerId ? this.issuers().find((i) => i.id === issuerId) : this.issuers()[0];
    if (!issuer) return undefined;
    return this.#signCrl(issuer, await revocationsBy(this.db, issuer.id));
  }

  /** The CRL of `issuer` listing `revoked`, issued now. */
  async #signCrl(issuer: IssuingAuthority, revoked: Awaited<ReturnType<typeof revocationsBy>>): Promise<Uint8Array> {
    const now = this.now();
    const root = parseCertificate(issuer.certificate.rawData);
    const keyId = await webCrypto.subtle.digest(
      'SHA-1',
      root.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView as Uint8Array<ArrayBuffer>,
    );
    const crl = new pkijs.CertificateRevocationList({
      version: 1,
      issuer: root.subject,
      thisUpdate: new pkijs.Time({ type: 1, value: new Date(now * 1000) }),
      nextUpdate: new pkijs.Time({ type: 1, value: new Date((now + REVOCATION_VALIDITY_SECONDS) * 1000) }),
      crlExtensions: new pkijs.Extensions({
        extensions: [
          new pkijs.Extension({
            extnID: OID_AUTHORITY_KEY_IDENTIFIER,
            extnValue: new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: keyId }) })
              .toSchema()
              .toBER(false),
          }),
          new pkijs.Extension({
            extnID: OID_CRL_NUMBER,
            extnValue: new asn1js.Integer({ value: now }).toBER(false),
          }),
        ],
      }),
    });
    if (revoked.length > 0) {
      crl.revokedCertificates = revoked.map(
        (r) =>
          new pkijs.RevokedCertificate({
            userCertificate: new asn1js.Integer({ valueHex: hexToBuffer(r.serial) }),
            revocationDate: new pkijs.Time({ type: 1, value: new Date(Number(r.revoked_at) * 1000) }),
            crlEntryExtensions: new pkijs.Extensions({
              extensions: [
                new pkijs.Extension({
                  extnID: OID_CRL_REASON,
                  extnValue: new asn1js.Enumerated({ value: r.reason }).toBER(false),
                }),
              ],
            }),
          }),
      );
    }
    await crl.sign(issuer.privateKey, 'SHA-256', pkiEngine);
    return new Uint8Array(crl.toSchema(true).toBER(false));
  }

  /**
   * The in-process source of validation data for @libpdf/core's B-LT/B-LTA: OCSP answered
   * directly from the database, and the issuing root's CRL (what libpdf asks for the root itself,
   * which has no issuer to ask OCSP of). Both are reused while what they state holds and for at
   * most {@link PRESIGNED_REUSE_SECONDS}: signing them is most of their cost.
   */
  provider(): RevocationProvider {
    return {
      getOCSP: (certificate, issuer) => this.ocspFor(certificate, issuer),
      getCRL: async (certificate) => {
        const facts = this.#facts(certificate);
        if (facts.issuerId === undefined) {
          const named = new NodeCertificate(certificate);
          // Only a found issuer is kept: one that is not ours yet may be tomorrow (a root loaded later).
          facts.issuerId = this.issuers().find((i) => named.checkIssued(this.#nodeCertificate(i)))?.id;
        }
        const issuer = this.issuers().find((i) => i.id === facts.issuerId);
        if (!issuer) return null;
        const revoked = await revocationsBy(this.db, issuer.id);
        const list = revoked.map((r) => `${r.serial}:${r.revoked_at}:${r.reason}`).join(',');
        const listed = createHash('sha256').update(list).digest('base64url');
        return this.#presignedOr(`crl ${issuer.id} ${listed}`, () => this.#signCrl(issuer, revoked));
      },
    };
  }

  /** The parsed facts of a certificate, DER ({@link #parsed}). */
  #facts(der: Uint8Array): { serial: string; issuerId?: string | undefined } {
    const key = Buffer.from(der).toString('base64');
    let facts = this.#parsed.get(key);
    if (!facts) {
      facts = { serial: normalizeSerial(new NodeCertificate(der).serialNumber) };
      setBounded(this.#parsed, key, facts, MAX_PARSED_CERTIFICATES);
    }
    return facts;
  }

  /** The issuer's certificate as Node's X509Certificate, parsed once. */
  #nodeCertificate(issuer: IssuingAuthority): NodeCertificate {
    let certificate = this.#nodeCertificates.get(issuer.id);
    if (!certificate) {
      certificate = new NodeCertificate(new Uint8Array(issuer.certificate.rawData));
      this.#nodeCertificates.set(issuer.id, certificate);
    }
    return certificate;
  }

  private async issuerOf(certID: pkijs.CertID, issuers: IssuingAuthority[]): Promise<IssuingAuthority | undefined> {
    const hash = HASHES[certID.hashAlgorithm.algorithmId];
    if (!hash) return undefined;
    const name = Buffer.from(certID.issuerNameHash.valueBlock.valueHexView);
    const key = Buffer.from(certID.issuerKeyHash.valueBlock.valueHexView);
    for (const issuer of issuers) {
      const hashes = await this.hashesOf(issuer, hash);
      if (name.equals(hashes.name) && key.equals(hashes.key)) return issuer;
    }
    return undefined;
  }

  private async hashesOf(issuer: IssuingAuthority, hash: string): Promise<{ name: Uint8Array; key: Uint8Array }> {
    const cacheKey = `${issuer.id}:${hash}`;
    let hashes = this.#hashes.get(cacheKey);
    if (!hashes) {
      const certificate = parseCertificate(issuer.certificate.rawData);
      const name = certificate.subject.toSchema().toBER(false);
      const key = certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView as Uint8Array<ArrayBuffer>;
      hashes = {
        name: new Uint8Array(await webCrypto.subtle.digest(hash, name)),
        key: new Uint8Array(await webCrypto.subtle.digest(hash, key)),
      };
      this.#hashes.set(cacheKey, hashes);
    }
    return hashes;
  }

  private async ocspResponse(
    responder: IssuingAuthority,
    answers: { certID: pkijs.CertID; status: CertificateStatus }[],
    nonce?: pkijs.Extension,
  ): Promise<Uint8Array> {
    const now = this.now();
    const root = parseCertificate(responder.certificate.rawData);
    const basic = new pkijs.BasicOCSPResponse({
      tbsResponseData: new pkijs.ResponseData({
        // byKey: SHA-1 of the responder's public key (RFC 6960 §4.2.1).
        responderID: new asn1js.OctetString({ valueHex: await root.getKeyHash('SHA-1', pkiEngine) }),
        producedAt: new Date(now * 1000),
        responses: answers.map(
          ({ certID, status }) =>
            new pkijs.SingleResponse({
              certID,
              certStatus: certStatus(status),
              thisUpdate: new Date(now * 1000),
              nextUpdate: new Date((now + REVOCATION_VALIDITY_SECONDS) * 1000),
            }),
        ),
        ...(nonce ? { responseExtensions: [nonce] } : {}),
      }),
      // The signer's certificate travels with the response (RFC 6960 §4.2.1 `certs`), so a response
      // taken out of a PDF's DSS verifies with nothing but the root as trust anchor.
      certs: [root],
    });
    await basic.sign(responder.privateKey, 'SHA-256', pkiEngine);
    const response = new pkijs.OCSPResponse({
      responseStatus: new asn1js.Enumerated({ value: OCSP_STATUS.successful }),
      responseBytes: new pkijs.ResponseBytes({
        responseType: OID_OCSP_BASIC,
        response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }),
      }),
    });
    return new Uint8Array(response.toSchema().toBER(false));
  }
}

/** CertStatus (RFC 6960 §4.2.1): good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2] IMPLICIT NULL. */
function certStatus(status: CertificateStatus): asn1js.BaseBlock {
  if (status.status === 'revoked') {
    return new asn1js.Constructed({
      idBlock: { tagClass: 3, tagNumber: 1 },
      value: [
        new asn1js.GeneralizedTime({ valueDate: new Date(status.revokedAt * 1000) }),
        new asn1js.Constructed({
          idBlock: { tagClass: 3, tagNumber: 0 },
          value: [new asn1js.Enumerated({ value: status.reason })],
        }),
      ],
    });
  }
  return new asn1js.Primitive({
    idBlock: { tagClass: 3, tagNumber: status.status === 'good' ? 0 : 2 },
  });
}

function ocspError(status: number): Uint8Array {
  const response = new pkijs.OCSPResponse({ responseStatus: new asn1js.Enumerated({ value: status }) });
  return new Uint8Array(response.toSchema().toBER(false));
}

function hexToBuffer(hex: string): ArrayBuffer {
  const bytes = Buffer.from(hex, 'hex');
  // A serial with its top bit set needs a leading zero octet to stay positive.
  const positive = (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
  return positive.buffer.slice(positive.byteOffset, positive.byteOffset + positive.byteLength) as ArrayBuffer;
}
