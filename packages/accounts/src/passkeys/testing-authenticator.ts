/**
 * A software WebAuthn authenticator for tests (issue 10): a P-256 key per credential, `none`
 * attestation, and every flag and field an attacker could set differently from an honest
 * authenticator (the origin and RP ID it answers for, UV, BE, the counter). Not for production.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>;

/** Minimal CBOR (RFC 8949) for attestation objects and COSE keys: ints, bytes, text, maps. */
function cbor(value: Cbor): Buffer {
  const head = (major: number, n: number): Buffer => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  };
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, text.length), text]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

/** What the authenticator answers for, and how. Defaults: honest, UV, device-bound. */
export interface AuthenticatorOptions {
  origin: string;
  /** The RP ID whose hash goes in the authenticator data; default the options' RP ID. */
  rpId?: string;
  /** User verified (UV flag). Default true. */
  userVerified?: boolean;
  /** Backup eligible (BE flag): a synced passkey. Default false. */
  backupEligible?: boolean;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');

/** One credential on a software authenticator. */
export class SoftwarePasskey {
  readonly id = randomBytes(16);
  private readonly privateKey: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  counter = 0;
  userHandle = '';

  constructor(readonly options: AuthenticatorOptions) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    this.publicJwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
  }

  get credentialId(): string {
    return b64(this.id);
  }

  /** The COSE public key (EC2, ES256). */
  cosePublicKey(): Buffer {
    return cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(this.publicJwk.x, 'base64url')],
        [-3, Buffer.from(this.publicJwk.y, 'base64url')],
      ]),
    );
  }

  private authData(rpId: string, attested: boolean, over: Partial<AuthenticatorOptions> = {}): Buffer {
    const o = { ...this.options, ...over };
    const flags = 0x01 | (o.userVerified === false ? 0 : 0x04) | (o.backupEligible ? 0x08 : 0) | (attested ? 0x40 : 0);
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    const parts: Buffer[] = [
      createHash('sha256')
        .update(o.rpId ?? rpId)
        .digest(),
      Buffer.from([flags]),
      counter,
    ];
    if (attested) {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(this.id.length);
      parts.push(Buffer.alloc(16), length, this.id, this.cosePublicKey());
    }
    return Buffer.concat(parts);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** Answers registration options (`navigator.credentials.create`). */
  register(
    options: { challenge: string; rp: { id?: string }; user: { id: string } },
    over: Partial<AuthenticatorOptions> = {},
  ) {
    const o = { ...this.options, ...over };
    this.userHandle = options.user.id;
    const authData = this.authData(options.rp.id ?? '', true, over);
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: b64(this.clientData('webauthn.create', options.challenge, o.origin)),
        attestationObject: b64(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** Answers sign-in options (`navigator.credentials.get`); the counter moves on by one. */
  assert(options: { challenge: string; rpId?: string }, over: Partial<AuthenticatorOptions> = {}) {
    const o = { ...this.options, ...over };
    this.counter++;
    const authData = this.authData(options.rpId ?? '', false, over);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, o.origin);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, createHash('sha256').update(clientDataJSON).digest()]),
      this.privateKey,
    );
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      response: {
        clientDataJSON: b64(clientDataJSON),
        authenticatorData: b64(authData),
        signature: b64(signature),
        userHandle: this.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
