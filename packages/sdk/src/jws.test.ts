import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JWS_ALGORITHMS, parseCompactJws } from './jws.js';

describe('parseCompactJws: one spelling per token', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  // 64 signature bytes end in a one-byte group: two characters, the last with 4 unused bits.
  const token = `${b64({ alg: 'ES256' })}.${b64({ sub: 'p' })}.${Buffer.alloc(64, 7).toString('base64url')}`;

  it('accepts a canonical token, and an empty signature (left to the algorithm check)', () => {
    assert.equal(parseCompactJws(token).payload, b64({ sub: 'p' }));
    assert.equal(parseCompactJws(`${b64({ alg: 'none' })}.${b64({})}.`).signature, '');
  });

  it('refuses padding, whitespace, flipped unused bits and a wrong segment count', () => {
    const last = token.at(-1) as string;
    const flipped = `${token.slice(0, -1)}${last === 'w' ? 'x' : 'w'}`;
    for (const variant of [
      `${token}=`,
      `${token}\n`,
      ` ${token}`,
      flipped,
      `${token}.x`,
      token.slice(0, token.lastIndexOf('.')),
    ]) {
      assert.throws(() => parseCompactJws(variant), { code: 'jwt_invalid' }, JSON.stringify(variant));
    }
  });

  it('lists asymmetric algorithms only', () => {
    for (const alg of JWS_ALGORITHMS) assert.match(alg, /^(ES|RS|PS)(256|384|512)$|^EdDSA$/);
  });
});
