import { hkdfSync, randomBytes, webcrypto } from 'node:crypto';
import { seal, unseal } from '@signet/store';
import * as pkijs from 'pkijs';

const subtle = webcrypto;

/**
 * The pkijs engine on Node's WebCrypto. Pass it explicitly to every pkijs call that takes one:
 * pkijs keeps one engine per process, and @libpdf/core installs its own whose `digest` mangles
 * algorithm names given as strings (as SignedData.verify gives them).
 */
export const pkiEngine = new pkijs.CryptoEngine({ name: 'signet-node', crypto: subtle });
// pkijs calls that take no engine (certificate parsing helpers) use the process one: make sure there is one.
if (!pkijs.engine?.crypto) pkijs.setEngine('signet-node', pkiEngine);

/** The one key type the PKI issues: ECDSA P-256 (NSS in pdfsig and OpenSSL both verify it). */
export const KEY_ALGORITHM: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
/** ECDSA with SHA-256, for certificates, CMS signatures and timestamp tokens. */
export const SIGNING_ALGORITHM: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };

const HKDF_INFO = 'signet-signer/pki/v1';

/** Node's WebCrypto, for pkijs and hashing. */
export const webCrypto: webcrypto.Crypto = subtle;

/** Derives the PKI's own sealing key from the Signer's master key (HKDF-SHA256, info `signet-signer/pki/v1`). */
export function derivePkiKey(masterKey: Buffer): Buffer {
  if (masterKey.length !== 32) throw new Error('the Signer master key must be 32 bytes');
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), HKDF_INFO, 32));
}

/** A fresh extractable P-256 key pair (extractable so it can be sealed at rest). */
export async function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await subtle.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

/** Seals a private key (PKCS#8) with AES-256-GCM; `context` binds it to its row. */
export async function sealPrivateKey(key: Buffer, privateKey: webcrypto.CryptoKey, context: string): Promise<string> {
  const pkcs8 = Buffer.from(await subtle.subtle.exportKey('pkcs8', privateKey));
  return seal(key, pkcs8.toString('base64'), context);
}

/** Opens a private key sealed by {@link sealPrivateKey}, as a non-extractable signing key. */
export async function unsealPrivateKey(key: Buffer, sealed: string, context: string): Promise<webcrypto.CryptoKey> {
  const pkcs8 = Buffer.from(unseal(key, sealed, context), 'base64');
  return subtle.subtle.importKey('pkcs8', pkcs8, KEY_ALGORITHM, false, ['sign']);
}

/** The same private key, re-imported non-extractable, so nothing holding it in memory can export it. */
export async function nonExtractable(privateKey: webcrypto.CryptoKey): Promise<webcrypto.CryptoKey> {
  const pkcs8 = await subtle.subtle.exportKey('pkcs8', privateKey);
  return subtle.subtle.importKey('pkcs8', pkcs8, KEY_ALGORITHM, false, ['sign']);
}

/**
 * A random positive serial number of 16 octets whose DER INTEGER is minimal (RFC 5280 §4.1.2.2,
 * RFC 3161 §2.4.2): the first octet is 0x40–0x7F, so it needs no leading zero and is never one.
 * (Clearing only the top bit left a first octet of 0x00 one time in 256, a non-minimal encoding
 * OpenSSL refuses.) 126 random bits.
 */
export function randomSerialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x3f) | 0x40;
  return bytes;
}
