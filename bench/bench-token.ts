import { type KeyObject, randomUUID, sign } from 'node:crypto';

/**
 * The access token the bench's own servers issue: an ES256 RFC 9068 JWT (`typ` at+jwt; iss, sub,
 * aud, client_id, iat, exp 3600 s later, jti) signed with node:crypto. No side effects on import:
 * the bench's child servers share it.
 */
export function signBenchToken(o: {
  privateKey: KeyObject;
  kid?: string;
  issuer: string;
  clientId: string;
  audience: string;
}): string {
  const b64json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const claims = {
    iss: o.issuer,
    sub: o.clientId,
    aud: o.audience,
    client_id: o.clientId,
    iat,
    exp: iat + 3600,
    jti: randomUUID(),
  };
  const header = { typ: 'at+jwt', alg: 'ES256', ...(o.kid ? { kid: o.kid } : {}) };
  const input = `${b64json(header)}.${b64json(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: o.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
