import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { describe, it } from 'node:test';
import { webhookPoster } from './post-webhook.js';
import {
  guardedLookup,
  isPrivateAddress,
  isPrivateHost,
  PrivateDestinationError,
  type Resolver,
} from './private-networks.js';
import { startReceiver } from './testing.js';

const PRIVATE = [
  '127.0.0.1',
  '127.255.0.9',
  '10.0.0.1',
  '172.16.0.1',
  '172.31.255.254',
  '192.168.1.1',
  '169.254.169.254',
  '100.64.0.1',
  '100.127.255.255',
  '0.0.0.0',
  '0.1.2.3',
  '224.0.0.1',
  '255.255.255.255',
  '::',
  '::1',
  'fc00::1',
  'fd12:3456::1',
  'fe80::1',
  'ff02::1',
  '::ffff:127.0.0.1',
  '::ffff:169.254.169.254',
  '::ffff:10.1.2.3',
];
const PUBLIC = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '172.32.0.1',
  '100.128.0.1',
  '169.255.0.1',
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
  '::ffff:8.8.8.8',
];

/** A resolver that answers from a fixed table, as DNS would (any name not in it is unknown). */
function fakeResolver(table: Record<string, LookupAddress[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolver = async (hostname: string) => {
    asked.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses;
  };
  return Object.assign(resolver, { asked });
}

/** Calls a lookup function the way node:net does, as a promise. */
function callLookup(lookup: LookupFunction, hostname: string, options: { all?: boolean; family?: number } = {}) {
  return new Promise<{ address: string | LookupAddress[]; family?: number }>((resolve, reject) =>
    lookup(hostname, options, (error, address, family) =>
      error ? reject(error) : resolve({ address, ...(family === undefined ? {} : { family }) }),
    ),
  );
}

describe('private network addresses', () => {
  it('knows loopback, RFC 1918, link-local, CGNAT, unique-local, multicast, broadcast and their IPv4-mapped forms', () => {
    for (const address of PRIVATE) assert.equal(isPrivateAddress(address), true, address);
    for (const address of PUBLIC) assert.equal(isPrivateAddress(address), false, address);
    assert.equal(isPrivateAddress('example.com'), false, 'a host name is no address');
  });

  it('sees through the spellings a URL parser normalizes: decimal, hex, brackets, mapped IPv6', () => {
    for (const url of [
      'https://localhost/',
      'https://hooks.localhost/',
      'https://LOCALHOST./',
      'https://127.0.0.1./',
      'https://2130706433/',
      'https://0x7f.1/',
      'https://[::1]:8443/',
      'https://[::ffff:169.254.169.254]/',
      'https://[0:0:0:0:0:ffff:a00:1]/',
      'https://169.254.169.254/latest/meta-data/',
    ]) {
      assert.equal(isPrivateHost(new URL(url).hostname), true, url);
    }
    for (const url of [
      'https://example.com/',
      'https://8.8.8.8/',
      'https://[2606:4700::1111]/',
      'https://10.example/',
    ]) {
      assert.equal(isPrivateHost(new URL(url).hostname), false, url);
    }
  });
});

describe('guardedLookup', () => {
  const resolver = fakeResolver({
    'public.test': [
      { address: '2606:4700::1111', family: 6 },
      { address: '93.184.216.34', family: 4 },
    ],
    'internal.test': [{ address: '10.0.0.5', family: 4 }],
    'metadata.test': [{ address: '169.254.169.254', family: 4 }],
    'mixed.test': [
      { address: '93.184.216.34', family: 4 },
      { address: '::1', family: 6 },
    ],
  });
  const lookup = guardedLookup(resolver);

  it('answers public names as dns.lookup would, honouring all and family', async () => {
    assert.deepEqual(await callLookup(lookup, 'public.test'), { address: '2606:4700::1111', family: 6 });
    assert.deepEqual(await callLookup(lookup, 'public.test', { family: 4 }), { address: '93.184.216.34', family: 4 });
    assert.deepEqual((await callLookup(lookup, 'public.test', { all: true })).address, [
      { address: '2606:4700::1111', family: 6 },
      { address: '93.184.216.34', family: 4 },
    ]);
  });

  it('refuses a name with any private address, naming the name and the address', async () => {
    for (const [name, address] of [
      ['internal.test', '10.0.0.5'],
      ['metadata.test', '169.254.169.254'],
      ['mixed.test', '::1'],
    ] as const) {
      for (const options of [{}, { all: true }]) {
        await assert.rejects(callLookup(lookup, name, options), (error: unknown) => {
          assert.ok(error instanceof PrivateDestinationError);
          assert.equal(error.message, `destination ${name} (${address}) is a private network address`);
          return true;
        });
      }
    }
  });

  it('passes resolver failures on unchanged', async () => {
    await assert.rejects(callLookup(lookup, 'nowhere.test'), { code: 'ENOTFOUND' });
  });
});

describe('webhookPoster', () => {
  const webhook = (url: string) => ({
    url,
    headers: { 'content-type': 'application/json' },
    body: '{"a":1}',
    timeoutMs: 2000,
  });

  it('with allow, posts to a receiver on 127.0.0.1', async (t) => {
    const receiver = await startReceiver();
    t.after(() => receiver.stop());
    assert.equal(await webhookPoster('allow')(webhook(receiver.url)), 200);
    assert.equal(receiver.received.length, 1);
    assert.equal(receiver.received[0]?.body, '{"a":1}');
  });

  it('with deny, refuses a private IP literal or localhost without connecting', async (t) => {
    const receiver = await startReceiver();
    t.after(() => receiver.stop());
    const { port } = new URL(receiver.url);
    for (const [url, host] of [
      [receiver.url, '127.0.0.1'],
      [`http://localhost:${port}/hook`, 'localhost'],
      [`http://[::ffff:127.0.0.1]:${port}/hook`, '::ffff:7f00:1'],
    ] as const) {
      await assert.rejects(webhookPoster('deny')(webhook(url)), {
        name: 'PrivateDestinationError',
        message: `destination ${host} is a private network address`,
      });
    }
    assert.equal(receiver.received.length, 0);
  });

  it('with deny, refuses a name that resolves to a private address, and sends nothing', async (t) => {
    const receiver = await startReceiver();
    t.after(() => receiver.stop());
    const { port } = new URL(receiver.url);
    const resolver = fakeResolver({ 'hooks.test': [{ address: '127.0.0.1', family: 4 }] });
    await assert.rejects(webhookPoster('deny', guardedLookup(resolver))(webhook(`http://hooks.test:${port}/hook`)), {
      name: 'PrivateDestinationError',
      message: 'destination hooks.test (127.0.0.1) is a private network address',
    });
    assert.deepEqual(resolver.asked, ['hooks.test']);
    assert.equal(receiver.received.length, 0);
  });

  it('connects to the address its lookup returned: the checked answer is the one used', async (t) => {
    const receiver = await startReceiver();
    t.after(() => receiver.stop());
    const { port } = new URL(receiver.url);
    // A stand-in for a lookup that approved an address: the socket must go exactly there.
    const approved: string[] = [];
    const lookup: LookupFunction = (hostname, options, callback) => {
      approved.push(hostname);
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    assert.equal(await webhookPoster('deny', lookup)(webhook(`http://hooks.test:${port}/hook`)), 200);
    assert.deepEqual(approved, ['hooks.test']);
    assert.equal(receiver.received[0]?.headers.host, `hooks.test:${port}`);
  });
});
