import {
  type CryptoKey,
  decodeProtectedHeader,
  errors,
  type JWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';
import { SdkError } from './errors.js';
import { systemNow } from './http.js';
import { JWS_ALGORITHMS, type JwsAlg, parseCompactJws } from './jws.js';

/**
 * Seconds of clock difference tolerated on `exp`, `nbf`, `iat` and `auth_time`, by default.
 *
 * @example
 * await verifyIdToken(idToken, { ...options, clockToleranceSeconds: DEFAULT_CLOCK_TOLERANCE_SECONDS / 3 });
 */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

/** The smallest RSA modulus accepted, in bits (RFC 7518 §3.3). */
const MIN_RSA_MODULUS_BITS = 2048;

/**
 * Where the verification keys come from: a {@link RemoteJwks} (anything with its `getKey`), or
 * a jose key resolver such as `createLocalJWKSet(jwks)`.
 *
 * @example
 * const keys: KeySource = new RemoteJwks('https://accounts.example/.well-known/jwks.json');
 */
export type KeySource = { getKey: JWTVerifyGetKey } | JWTVerifyGetKey;

/**
 * What {@link verifyJwt} checks a JWT against.
 *
 * @example
 * const options: VerifyJwtOptions = { issuer, audience: 'https://signer.example', keys: jwks };
 */
export interface VerifyJwtOptions {
  /** The expected `iss`, exactly. */
  issuer: string;
  /** `aud` must contain this. */
  audience: string;
  /** The issuer's keys. */
  keys: KeySource;
  /** The expected `typ` header (e.g. `at+jwt`), compared as jose does. Default: not checked. */
  typ?: string;
  /** Claims that must be present. Default: `['exp', 'iat']`. */
  requiredClaims?: string[];
  /** Narrows {@link JWS_ALGORITHMS}; never widens it. Default: all of them. */
  algorithms?: readonly JwsAlg[];
  /** Seconds of clock skew tolerated. Default: {@link DEFAULT_CLOCK_TOLERANCE_SECONDS} (30). */
  clockToleranceSeconds?: number;
  /** The clock in epoch seconds. Default: `Date.now() / 1000`. */
  now?: () => number;
}

/**
 * A verified JWT.
 *
 * @example
 * const { payload, protectedHeader }: VerifiedJwt = await verifyJwt(token, options);
 */
export interface VerifiedJwt {
  payload: JWTPayload;
  protectedHeader: JWSHeaderParameters;
}

/**
 * The one JWT verification of Signet: the compact JWS parsed strictly ({@link parseCompactJws}),
 * the algorithm one of {@link JWS_ALGORITHMS} (or `algorithms`), no `crit`, RSA keys of at least
 * 2048 bits, and jose's `jwtVerify` for the signature, `iss`, `aud`, `exp`, `nbf`, `typ` and the
 * required claims. Throws `SdkError` `jwt_invalid`, `jwt_signature_invalid`,
 * `jwt_claim_invalid` (naming the claim) or `jwks_no_matching_key`, with jose's error as `cause`;
 * errors of the key source (e.g. `request_failed`) pass unchanged.
 *
 * @example
 * const { payload } = await verifyJwt(token, { issuer, audience: 'http://localhost:4446', keys: jwks, typ: 'at+jwt' });
 */
export async function verifyJwt(token: string, options: VerifyJwtOptions): Promise<VerifiedJwt> {
  const algorithms = allowedAlgorithms(options.algorithms);
  try {
    parseCompactJws(token);
    return await verifyWithJose(token, options, algorithms);
  } catch (error) {
    throw sdkErrorOf(error, token, algorithms);
  }
}

/** {@link JWS_ALGORITHMS}, narrowed to `requested` when given. */
export function allowedAlgorithms(requested: readonly string[] | undefined): JwsAlg[] {
  const all: readonly string[] = JWS_ALGORITHMS;
  return (requested ?? JWS_ALGORITHMS).filter((alg): alg is JwsAlg => all.includes(alg));
}

async function verifyWithJose(token: string, options: VerifyJwtOptions, algorithms: JwsAlg[]): Promise<VerifiedJwt> {
  const verifyOptions: JWTVerifyOptions = {
    algorithms,
    issuer: options.issuer,
    audience: options.audience,
    requiredClaims: options.requiredClaims ?? ['exp', 'iat'],
    currentDate: new Date((options.now ?? systemNow)() * 1000),
    clockTolerance: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    ...(options.typ !== undefined ? { typ: options.typ } : {}),
  };
  const source = typeof options.keys === 'function' ? options.keys : options.keys.getKey;
  const getKey: JWTVerifyGetKey = async (header, input) => {
    checkHeader(header);
    return checkKeyStrength((await source(header, input)) as CryptoKey);
  };
  try {
    const { payload, protectedHeader } = await jwtVerify(token, getKey, verifyOptions);
    return { payload, protectedHeader };
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    // Without a `kid` several published keys may fit (RFC 7515 §4.1.4): try each, as jose documents.
    for await (const key of error) {
      try {
        const { payload, protectedHeader } = await jwtVerify(token, checkKeyStrength(key), verifyOptions);
        return { payload, protectedHeader };
      } catch (attempt) {
        if (!(attempt instanceof errors.JWSSignatureVerificationFailed)) throw attempt;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

function checkHeader(header: JWSHeaderParameters): void {
  // RFC 7515 §4.1.11: the SDK understands no extension (jose would let `b64` through), so any `crit` is refused.
  if (header.crit !== undefined) throw new SdkError('jwt_invalid', 'the token has critical header extensions');
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    throw new SdkError('jwt_invalid', 'the header kid is not a string');
  }
}

/** jose refuses short RSA keys too, with a TypeError; this gives callers the stable code. */
function checkKeyStrength(key: CryptoKey): CryptoKey {
  const { modulusLength } = key.algorithm as { modulusLength?: number };
  if (modulusLength !== undefined && modulusLength < MIN_RSA_MODULUS_BITS) {
    throw new SdkError('jwt_invalid', `the RSA key is shorter than ${MIN_RSA_MODULUS_BITS} bits`);
  }
  return key;
}

/** jose's errors as the SDK's stable codes (jose's error kept as `cause`); SdkErrors pass unchanged. */
function sdkErrorOf(error: unknown, token: string, algorithms: readonly JwsAlg[]): unknown {
  if (error instanceof SdkError) return error;
  if (error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired) {
    return new SdkError('jwt_claim_invalid', error.message, { claim: error.claim, cause: error });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new SdkError(
      'jwt_invalid',
      `alg "${headerAlg(token)}" is not accepted (accepted: ${algorithms.join(', ')})`,
      {
        cause: error,
      },
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new SdkError('jwt_signature_invalid', 'the signature does not verify', { cause: error });
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return new SdkError('jwks_no_matching_key', 'no key matches the token', { cause: error });
  }
  if (error instanceof errors.JOSEError) return new SdkError('jwt_invalid', error.message, { cause: error });
  return error;
}

function headerAlg(token: string): string {
  try {
    return String(decodeProtectedHeader(token).alg);
  } catch {
    return 'undefined';
  }
}
