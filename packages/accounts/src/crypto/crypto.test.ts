import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { safeEqual, seal, unseal } from '@signet/store';
import { openFaceTemplate, sealFaceTemplate } from '../face/templates.js';
import { ClientSecretVerifier, generateClientSecret, hashClientSecret, verifyClientSecret } from './client-secret.js';
import { deriveKeys } from './master-key.js';

/** Replaces the base64url part `index` of a sealed value. */
function withPart(sealed: string, index: number, change: (part: Buffer) => Buffer): string {
  const parts = sealed.split('.');
  parts[index] = change(Buffer.from(parts[index] ?? '', 'base64url')).toString('base64url');
  return parts.join('.');
}

const flipFirstByte = (b: Buffer): Buffer => {
  const copy = Buffer.from(b);
  copy[0] = (copy[0] ?? 0) ^ 0x01;
  return copy;
};

describe('seal / unseal (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const plaintext = JSON.stringify({ kty: 'EC', d: 'secret-scalar', crv: 'P-256' });

  it('round-trips, and never leaves the plaintext readable', () => {
    const sealed = seal(key, plaintext, 'kid-1');
    assert.match(sealed, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.ok(!sealed.includes('secret-scalar'));
    assert.equal(unseal(key, sealed, 'kid-1'), plaintext);
  });

  it('round-trips the empty string and non-ASCII text', () => {
    assert.equal(unseal(key, seal(key, '', 'c'), 'c'), '');
    assert.equal(unseal(key, seal(key, 'clé ✓ 鍵', 'c'), 'c'), 'clé ✓ 鍵');
  });

  it('uses a fresh IV each time', () => {
    assert.notEqual(seal(key, plaintext, 'c'), seal(key, plaintext, 'c'));
  });

  it('fails with the wrong key', () => {
    assert.throws(() => unseal(randomBytes(32), seal(key, plaintext, 'kid-1'), 'kid-1'));
  });

  it('fails with the wrong context, so a sealed value cannot move to another row', () => {
    assert.throws(() => unseal(key, seal(key, plaintext, 'kid-1'), 'kid-2'));
  });

  it('fails when any byte of the IV, ciphertext or tag is flipped', () => {
    const sealed = seal(key, plaintext, 'kid-1');
    for (const part of [1, 2, 3]) {
      assert.throws(() => unseal(key, withPart(sealed, part, flipFirstByte), 'kid-1'), `part ${part}`);
    }
  });

  it('fails when the tag is truncated (a short GCM tag is forgeable)', () => {
    const sealed = seal(key, plaintext, 'kid-1');
    for (const length of [4, 8, 12, 15]) {
      assert.throws(
        () =>
          unseal(
            key,
            withPart(sealed, 3, (tag) => tag.subarray(0, length)),
            'kid-1',
          ),
        `a ${length}-byte prefix of the right tag must not open the value`,
      );
    }
  });

  it('refuses values that are not in its format', () => {
    const sealed = seal(key, plaintext, 'kid-1');
    for (const bad of [
      '',
      'v1',
      sealed.replace(/^v1/, 'v2'),
      `${sealed}.extra`,
      sealed.split('.').slice(0, 3).join('.'),
    ]) {
      assert.throws(() => unseal(key, bad, 'kid-1'), `"${bad.slice(0, 12)}…"`);
    }
  });
});

describe('client secrets', () => {
  const key = randomBytes(32);

  it('are 256 random bits, base64url', () => {
    const a = generateClientSecret();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a, 'base64url').length, 32);
    assert.notEqual(a, generateClientSecret());
  });

  it('hash to a keyed value that is not the secret', () => {
    const secret = generateClientSecret();
    const hash = hashClientSecret(key, secret);
    assert.ok(!hash.includes(secret));
    assert.equal(hash, hashClientSecret(key, secret), 'deterministic under one key');
    assert.notEqual(hash, hashClientSecret(randomBytes(32), secret), 'the key changes the hash');
  });

  it('verify the right secret only', () => {
    const secret = generateClientSecret();
    const hash = hashClientSecret(key, secret);
    assert.equal(verifyClientSecret(key, secret, hash), true);
    assert.equal(verifyClientSecret(key, generateClientSecret(), hash), false);
    assert.equal(verifyClientSecret(key, `${secret}x`, hash), false);
    assert.equal(verifyClientSecret(key, secret.slice(0, -1), hash), false);
    assert.equal(verifyClientSecret(key, '', hash), false);
    assert.equal(verifyClientSecret(randomBytes(32), secret, hash), false, 'a different server key');
    assert.equal(verifyClientSecret(key, secret, `${hash}x`), false, 'a malformed stored hash');
  });

  it('never match a null hash, whatever is presented', () => {
    for (const presented of ['', generateClientSecret(), Buffer.alloc(32).toString('base64url')]) {
      assert.equal(verifyClientSecret(key, presented, null), false);
    }
  });
});

describe('ClientSecretVerifier', () => {
  const key = randomBytes(32);
  const remembered = (v: ClientSecretVerifier) => (v as unknown as { verified: Map<string, true> }).verified;

  it('answers a secret it verified before from memory, and still refuses every other', () => {
    const v = new ClientSecretVerifier(key);
    const secret = generateClientSecret();
    const hash = hashClientSecret(key, secret);
    assert.equal(v.verify(generateClientSecret(), hash), false, 'wrong secret before');
    assert.equal(remembered(v).size, 0, 'a refused secret is not remembered');
    assert.equal(v.verify(secret, hash), true);
    assert.equal(remembered(v).size, 1);
    assert.equal(v.verify(secret, hash), true, 'from memory');
    for (const wrong of [generateClientSecret(), `${secret}x`, secret.slice(0, -1), '']) {
      assert.equal(v.verify(wrong, hash), false, `after a remembered secret: ${wrong}`);
    }
    assert.equal(v.verify(secret, null), false, 'an unknown client, with a secret remembered for another');
  });

  it('remembers neither the secret nor anything that outlives a rotation', () => {
    const v = new ClientSecretVerifier(key);
    const old = generateClientSecret();
    assert.equal(v.verify(old, hashClientSecret(key, old)), true);
    const [memo] = [...remembered(v).keys()];
    assert.ok(memo && !memo.includes(old), 'the memo is a hash, not the secret');
    const rotated = generateClientSecret();
    const rotatedHash = hashClientSecret(key, rotated);
    assert.equal(v.verify(old, rotatedHash), false, 'the old secret after the client was given a new one');
    assert.equal(v.verify(rotated, rotatedHash), true);
    const other = hashClientSecret(key, generateClientSecret());
    assert.equal(v.verify(rotated, other), false, "one client's secret for another client");
  });

  it('keeps at most maxEntries secrets, dropping the oldest', () => {
    const v = new ClientSecretVerifier(key, 2);
    for (let i = 0; i < 5; i++) {
      const secret = generateClientSecret();
      assert.equal(v.verify(secret, hashClientSecret(key, secret)), true);
    }
    assert.equal(remembered(v).size, 2);
  });
});

describe('deriveKeys', () => {
  it('derives distinct, stable 32-byte keys per purpose', () => {
    const master = randomBytes(32);
    const a = deriveKeys(master);
    assert.equal(a.seal.length, 32);
    assert.equal(a.clientSecret.length, 32);
    assert.ok(!a.seal.equals(a.clientSecret));
    assert.ok(a.seal.equals(deriveKeys(master).seal));
    assert.ok(!a.seal.equals(deriveKeys(randomBytes(32)).seal));
    assert.equal(a.face.length, 32);
    assert.ok(!a.face.equals(a.seal) && !a.face.equals(a.csrf) && !a.face.equals(a.clientSecret));
  });
});

describe('face templates at rest', () => {
  it('seal the embedding for one person: another person or key cannot open it', () => {
    const key = deriveKeys(randomBytes(32)).face;
    const template = { version: 'face-api/test', embedding: [0.1, -0.2, 0.3] };
    const sealed = sealFaceTemplate(key, 'user-1', template);
    assert.ok(!sealed.includes('0.1'), 'the embedding is not readable at rest');
    assert.deepEqual(openFaceTemplate(key, 'user-1', sealed), template);
    assert.throws(() => openFaceTemplate(key, 'user-2', sealed));
    assert.throws(() => openFaceTemplate(deriveKeys(randomBytes(32)).face, 'user-1', sealed));
  });
});

describe('safeEqual', () => {
  it('is true for equal strings only', () => {
    assert.equal(safeEqual('admin-token-123', 'admin-token-123'), true);
    assert.equal(safeEqual('', ''), true);
    assert.equal(safeEqual('admin-token-123', 'admin-token-124'), false);
    assert.equal(safeEqual('admin-token-123', 'admin-token-1234'), false, 'a longer string');
    assert.equal(safeEqual('admin-token-123', 'admin-token-12'), false, 'a prefix');
    assert.equal(safeEqual('a', ''), false);
    assert.equal(safeEqual('é', 'e'), false);
  });
});
