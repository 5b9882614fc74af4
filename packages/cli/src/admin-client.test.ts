import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CliError, nextLink, resolveAdminToken, resolveAdminUrl } from './admin-client.js';

describe('resolveAdminUrl', () => {
  it('prefers --admin-url, then SIGNET_ADMIN_URL, then SIGNET_ADMIN_HOST/PORT, then the server defaults', () => {
    const env = { SIGNET_ADMIN_URL: 'http://env.example:9000', SIGNET_ADMIN_PORT: '5000' };
    assert.equal(resolveAdminUrl({ adminUrl: 'https://opt.example/admin/' }, env), 'https://opt.example/admin');
    assert.equal(resolveAdminUrl({}, env), 'http://env.example:9000');
    assert.equal(
      resolveAdminUrl({}, { SIGNET_ADMIN_HOST: 'signet.internal', SIGNET_ADMIN_PORT: '5000' }),
      'http://signet.internal:5000',
    );
    assert.equal(resolveAdminUrl({}, {}), 'http://127.0.0.1:4445');
    assert.equal(resolveAdminUrl({}, { SIGNET_ADMIN_URL: '  ' }), 'http://127.0.0.1:4445');
  });

  it('reaches a listener bound to every interface on loopback, and brackets IPv6 hosts', () => {
    assert.equal(resolveAdminUrl({}, { SIGNET_ADMIN_HOST: '0.0.0.0' }), 'http://127.0.0.1:4445');
    assert.equal(resolveAdminUrl({}, { SIGNET_ADMIN_HOST: '::' }), 'http://[::1]:4445');
    assert.equal(resolveAdminUrl({}, { SIGNET_ADMIN_HOST: '::1' }), 'http://[::1]:4445');
  });

  it('names the bad setting; a bad option is a usage error (2), a bad variable a failure (1)', () => {
    const fails = (fn: () => unknown, message: RegExp, exitCode: number) =>
      assert.throws(fn, (error: unknown) => {
        assert.ok(error instanceof CliError);
        assert.match(error.message, message);
        assert.equal(error.exitCode, exitCode);
        return true;
      });
    fails(() => resolveAdminUrl({ adminUrl: 'localhost:4445' }, {}), /^--admin-url: must be an http\(s\) URL/, 2);
    fails(() => resolveAdminUrl({ adminUrl: '127.0.0.1' }, {}), /^--admin-url: must be an absolute URL/, 2);
    fails(
      () => resolveAdminUrl({}, { SIGNET_ADMIN_URL: 'http://x/?a=1' }),
      /^SIGNET_ADMIN_URL: must not carry a query/,
      1,
    );
    fails(() => resolveAdminUrl({}, { SIGNET_ADMIN_PORT: 'eighty' }), /^SIGNET_ADMIN_PORT: must be a port number/, 1);
    fails(() => resolveAdminUrl({}, { SIGNET_ADMIN_PORT: '70000' }), /^SIGNET_ADMIN_PORT/, 1);
  });
});

describe('resolveAdminToken', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'signet-cli-token-'));
    writeFileSync(join(dir, 'admin-token'), 'from-the-file-0123456789\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers --admin-token, then SIGNET_ADMIN_TOKEN, then <SIGNET_DATA_DIR>/admin-token', () => {
    const env = { SIGNET_ADMIN_TOKEN: 'from-the-env', SIGNET_DATA_DIR: dir };
    assert.deepEqual(resolveAdminToken({ adminToken: 'from-the-option' }, env), {
      token: 'from-the-option',
      source: { kind: 'option' },
    });
    assert.deepEqual(resolveAdminToken({}, env), { token: 'from-the-env', source: { kind: 'env' } });
    assert.deepEqual(resolveAdminToken({}, { SIGNET_DATA_DIR: dir }), {
      token: 'from-the-file-0123456789',
      source: { kind: 'file', path: join(dir, 'admin-token') },
    });
  });

  it('says where it looked and what to do when there is no token', () => {
    const missing = join(dir, 'nowhere');
    assert.throws(
      () => resolveAdminToken({}, { SIGNET_DATA_DIR: missing }),
      (error: unknown) =>
        error instanceof CliError &&
        error.code === 'admin_token_missing' &&
        error.message.includes(join(missing, 'admin-token')) &&
        error.message.includes('set SIGNET_ADMIN_TOKEN'),
    );
    assert.throws(() => resolveAdminToken({ adminToken: ' ' }, {}), /--admin-token: must not be empty/);
  });
});

describe('nextLink', () => {
  it('finds rel="next" among links and parameters (RFC 8288)', () => {
    assert.equal(
      nextLink('</admin/clients?limit=100&page_token=a>; rel="next"'),
      '/admin/clients?limit=100&page_token=a',
    );
    assert.equal(nextLink('</p1>; rel="prev", </p3>; title="x"; rel="last next"'), '/p3');
    assert.equal(nextLink('</p3>; REL=next'), '/p3');
    assert.equal(nextLink('</p1>; rel="prev"'), undefined);
    assert.equal(nextLink(null), undefined);
    assert.equal(nextLink(''), undefined);
  });
});
