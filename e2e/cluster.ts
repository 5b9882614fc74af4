import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testLocations } from '@signet/store/testing';
import { basicAuth, freePort } from '@signet/testing/accounts';
import { REDIRECT_URI } from '@signet/testing/people';

/** Debian's HAProxy, the load balancer the several-nodes test puts in front of the nodes. */
export const HAPROXY = '/usr/sbin/haproxy';

/** A `signet start accounts|signer` process, ready (it printed its summary). */
export interface NodeProcess {
  name: string;
  /** `all`: plain `signet start`, both services in one process. */
  kind: 'accounts' | 'signer' | 'all';
  child: ChildProcess;
  /** The port its public listener (accounts) or its one listener (the Signer) is bound to. */
  port: number;
  /** The `--json` summary it printed. */
  summary: Record<string, unknown>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** What it wrote to stderr, for failure messages. */
  stderr(): string;
}

/** Starts `signet start [<kind>] --json` as a real process with `env` (on top of this process's). */
export function startNode(
  name: string,
  kind: 'accounts' | 'signer' | 'all',
  port: number,
  env: Record<string, string>,
): Promise<NodeProcess> {
  const args = ['--import', 'tsx', 'packages/cli/src/bin.ts', 'start', ...(kind === 'all' ? [] : [kind]), '--json'];
  const child = spawn(process.execPath, args, {
    // One process per node: the nodes are what is under test, and each is one machine's worth of CPU here.
    env: { ...process.env, SIGNET_LOG_LEVEL: 'warn', SIGNET_WORKERS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        resolve({ name, kind, child, port, summary: JSON.parse(line), exited, stderr: () => err });
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready: ${out}\n${err}`)));
  });
}

/** The frontends and servers of {@link haproxyConfig}. */
export interface HaproxyLayout {
  accountsPort: number;
  signerPort: number;
  statsPort: number;
  accounts: { name: string; port: number }[];
  signers: { name: string; port: number }[];
  /**
   * Test only: a request with `x-signet-node: <server>` goes to that server while it is up, so a
   * test can send one step of a flow to a chosen node through the load balancer.
   */
  pinning?: boolean;
  /**
   * How often HAProxy retries a request whose connection to a server failed, on another server
   * (`option redispatch`). Default 2; the drain test uses 0 so that no retry hides a failure.
   */
  retries?: number;
}

/**
 * The HAProxy configuration of docs/operations-several-nodes.md: round robin over the nodes of
 * each service, health checks on readiness every second (down after 2 failures, up after 2
 * successes), the answering server named in `x-signet-node`, a stats page.
 */
export function haproxyConfig(layout: HaproxyLayout): string {
  const backend = (name: string, readiness: string, servers: { name: string; port: number }[]) => [
    `backend ${name}`,
    '  balance roundrobin',
    '  option httpchk',
    `  http-check send meth GET uri ${readiness} ver HTTP/1.1 hdr Host localhost`,
    '  http-check expect status 200',
    '  default-server check inter 1s fall 2 rise 2',
    '  http-response set-header x-signet-node %s',
    ...(layout.pinning
      ? servers.map((s) => `  use-server ${s.name} if { req.hdr(x-signet-node) -m str ${s.name} }`)
      : []),
    ...servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port}`),
    '',
  ];
  return [
    'global',
    '  maxconn 1000',
    ...(process.env.SIGNET_HAPROXY_LOG ? ['  log stderr format raw local0'] : []),
    '',
    'defaults',
    '  mode http',
    ...(process.env.SIGNET_HAPROXY_LOG ? ['  log global', '  option httplog'] : []),
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-keep-alive 10s',
    '  option redispatch',
    `  retries ${layout.retries ?? 2}`,
    '',
    'frontend accounts',
    `  bind 127.0.0.1:${layout.accountsPort}`,
    '  default_backend accounts',
    '',
    'frontend signer',
    `  bind 127.0.0.1:${layout.signerPort}`,
    '  default_backend signer',
    '',
    'frontend stats',
    `  bind 127.0.0.1:${layout.statsPort}`,
    '  stats enable',
    '  stats uri /stats',
    '',
    ...backend('accounts', '/health/ready', layout.accounts),
    ...backend('signer', '/health', layout.signers),
  ].join('\n');
}

/** A running HAProxy and how to read its view of the servers. */
export interface RunningHaproxy {
  config: string;
  /** `<backend>/<server>` → HAProxy's status (`UP`, `DOWN`, `UP 1/2`, `no check`, …). */
  states(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/** Checks and starts HAProxy in the foreground on `layout`'s generated configuration. */
export async function startHaproxy(layout: HaproxyLayout): Promise<RunningHaproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-haproxy-'));
  const file = join(dir, 'haproxy.cfg');
  const config = haproxyConfig(layout);
  writeFileSync(file, config);
  const child = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    if (process.env.SIGNET_HAPROXY_LOG) process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const states = async () => {
    const res = await fetch(`http://127.0.0.1:${layout.statsPort}/stats;csv`);
    const [header, ...rows] = (await res.text()).trim().split('\n');
    const columns = (header ?? '').replace(/^# /, '').split(',');
    const status = columns.indexOf('status');
    const result: Record<string, string> = {};
    for (const row of rows) {
      const cells = row.split(',');
      if (cells[1] === 'FRONTEND' || cells[1] === 'BACKEND') continue;
      result[`${cells[0]}/${cells[1]}`] = cells[status] ?? '';
    }
    return result;
  };
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${err}`);
    if (
      await states().then(
        () => true,
        () => false,
      )
    )
      break;
    if (i > 100) throw new Error(`haproxy did not answer: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    config,
    states,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` holds, polling every 200 ms; fails with `what` after `ms`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Why a cluster test cannot run here: PostgreSQL or HAProxy missing (empty when both are there). */
export function missingForCluster(): string[] {
  return [
    ...(process.env.TEST_DATABASE_URL
      ? []
      : ['TEST_DATABASE_URL is not set (the PostgreSQL database the nodes share)']),
    ...(existsSync(HAPROXY) ? [] : [`${HAPROXY} is missing (Debian package haproxy: apt-get install -y haproxy)`]),
  ];
}

/**
 * A `describe` for tests of several nodes on PostgreSQL behind HAProxy: skipped, saying why, when
 * either is missing, except under CI (`SIGNET_CI=1`, set by .ci/run), where it fails saying what.
 */
export function describeCluster(name: string, suite: () => void): void {
  const missing = missingForCluster();
  if (missing.length > 0 && process.env.SIGNET_CI === '1') {
    describe(name, () => {
      it('has PostgreSQL and HAProxy', () => {
        assert.fail(`${name} cannot run under CI: ${missing.join('; ')}`);
      });
    });
  } else {
    describe(name, { skip: missing.length > 0 ? `SKIPPED: ${missing.join('; ')}` : false }, suite);
  }
}

/** An answer through the load balancer. */
export interface Answer {
  status: number;
  /** The server HAProxy sent the request to (`x-signet-node`); empty when HAProxy answered itself. */
  node: string;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A request through the load balancer; `node` pins it to that server (test-only HAProxy rule). */
export async function call(url: string, init: RequestInit & { node?: string } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.node) headers.set('x-signet-node', init.node);
  const res = await fetch(url, { ...init, headers });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, node: res.headers.get('x-signet-node') ?? '', headers: res.headers, body };
}

/** The node names of a {@link Cluster}: two accounts nodes, two Signer nodes. */
export type NodeName = 'a1' | 'a2' | 's1' | 's2';

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** See {@link HaproxyLayout.retries}. */
  retries?: number;
  /**
   * Connect the nodes to PostgreSQL through this local port (a cuttable proxy) instead of
   * directly; the test's own inspection (`databases`) still connects directly.
   */
  databasePort?: number;
}

/** Two accounts and two Signer nodes (`signet start accounts|signer`) on PostgreSQL behind HAProxy. */
export interface Cluster {
  accountsUrl: string;
  signerUrl: string;
  issuer: string;
  /** The Signer's audience, which its access tokens carry. */
  audience: string;
  adminToken: string;
  /** The admin listener of each accounts node. */
  adminUrls: Map<NodeName, string>;
  nodes: Map<NodeName, NodeProcess>;
  haproxy: RunningHaproxy;
  /** A client with the authorization code, refresh token and client credentials grants. */
  client: { client_id: string; client_secret: string };
  /** Direct connection URLs (schema in `options`) of each service's database, for inspection. */
  databases: { accounts: string; signer: string };
  /** `client_credentials` for the Signer's audience, through the load balancer. */
  clientToken(node?: NodeName): Promise<Answer>;
  /** A form POST with the client's Basic credentials. */
  form(fields: Record<string, string>): RequestInit;
  /** Starts (or restarts, after it stopped) a node on its port, with its service's shared settings. */
  start(name: NodeName): Promise<NodeProcess>;
  /** Waits until HAProxy sees every node of `names` (default all) `UP`. */
  waitUp(names?: NodeName[]): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Starts a {@link Cluster}: a schema per service, one master key per service shared by its nodes,
 * a data directory per node; the nodes one after the other, as a rollout would (the first migrates
 * and creates the keys); then a client made through a1's admin API.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const cleanups: (() => Promise<void>)[] = [];
  const dispose = async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  };
  try {
    const postgres = testLocations().find((l) => l.name === 'postgres');
    assert.ok(postgres, 'a PostgreSQL test location');
    const inSchema = async () => {
      const location = await postgres.create();
      cleanups.unshift(location.dispose);
      const url = new URL(location.options.url);
      url.searchParams.set('options', `-c search_path=${location.options.schema}`);
      const direct = url.toString();
      if (options.databasePort) {
        url.hostname = '127.0.0.1';
        url.port = String(options.databasePort);
      }
      return { direct, forNodes: url.toString() };
    };
    const [accountsDb, signerDb] = [await inSchema(), await inSchema()];
    const ports: Record<NodeName | 'accounts' | 'signer' | 'stats', number> = {
      accounts: await freePort(),
      signer: await freePort(),
      stats: await freePort(),
      a1: await freePort(),
      a2: await freePort(),
      s1: await freePort(),
      s2: await freePort(),
    };
    const accountsUrl = `http://127.0.0.1:${ports.accounts}`;
    const signerUrl = `http://127.0.0.1:${ports.signer}`;
    const issuer = `http://localhost:${ports.accounts}`;
    const audience = `http://localhost:${ports.signer}`;
    const adminToken = randomBytes(24).toString('base64url');
    const haproxy = await startHaproxy({
      accountsPort: ports.accounts,
      signerPort: ports.signer,
      statsPort: ports.stats,
      accounts: [
        { name: 'a1', port: ports.a1 },
        { name: 'a2', port: ports.a2 },
      ],
      signers: [
        { name: 's1', port: ports.s1 },
        { name: 's2', port: ports.s2 },
      ],
      pinning: true,
      ...(options.retries !== undefined ? { retries: options.retries } : {}),
    });
    cleanups.unshift(() => haproxy.stop());
    const env: Record<'accounts' | 'signer', Record<string, string>> = {
      accounts: {
        SIGNET_ISSUER: issuer,
        SIGNET_DATABASE_URL: accountsDb.forNodes,
        SIGNET_MASTER_KEY: randomBytes(32).toString('base64url'),
        SIGNET_ADMIN_TOKEN: adminToken,
        SIGNET_SIGNER_AUDIENCE: audience,
        SIGNET_DEMO_CLIENT: 'false',
        SIGNET_FACE_POOL_SIZE: '1',
      },
      signer: {
        SIGNET_ISSUER: issuer,
        SIGNET_SIGNER_DATABASE_URL: signerDb.forNodes,
        SIGNET_SIGNER_MASTER_KEY: randomBytes(32).toString('base64url'),
        SIGNET_SIGNER_AUDIENCE: audience,
        SIGNET_SIGNER_PUBLIC_URL: audience,
        SIGNET_SIGNER_PDF_WORKERS: '1',
      },
    };
    const nodes = new Map<NodeName, NodeProcess>();
    const adminUrls = new Map<NodeName, string>();
    const dataDirs = new Map<NodeName, string>();
    const start = async (name: NodeName) => {
      const kind = name.startsWith('a') ? 'accounts' : 'signer';
      let dataDir = dataDirs.get(name);
      if (!dataDir) {
        const dir = mkdtempSync(join(tmpdir(), `signet-${name}-`));
        dataDir = dir;
        dataDirs.set(name, dir);
        cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      }
      const port = ports[name];
      const portEnv: Record<string, string> =
        kind === 'accounts'
          ? { SIGNET_PORT: String(port), SIGNET_ADMIN_PORT: String(await freePort()) }
          : { SIGNET_SIGNER_PORT: String(port), SIGNET_SIGNER_METRICS_PORT: String(await freePort()) };
      const node = await startNode(name, kind, port, { ...env[kind], ...portEnv, SIGNET_DATA_DIR: dataDir });
      cleanups.unshift(async () => {
        if (node.child.exitCode === null) node.child.kill('SIGKILL');
        await node.exited;
      });
      nodes.set(name, node);
      if (kind === 'accounts') adminUrls.set(name, `http://127.0.0.1:${portEnv.SIGNET_ADMIN_PORT}`);
      return node;
    };
    const waitUp = (names: NodeName[] = ['a1', 'a2', 's1', 's2']) =>
      waitFor(`HAProxy to see ${names.join(', ')} up`, async () => {
        const states = await haproxy.states();
        return names.every((n) => states[`${n.startsWith('a') ? 'accounts' : 'signer'}/${n}`] === 'UP');
      });
    for (const name of ['a1', 'a2', 's1', 's2'] as const) await start(name);
    await waitUp();
    const created = await fetch(`${adminUrls.get('a1')}/admin/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Several nodes',
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        redirect_uris: [REDIRECT_URI],
      }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const client = (await created.json()) as { client_id: string; client_secret: string };
    const form = (fields: Record<string, string>): RequestInit => ({
      method: 'POST',
      headers: {
        authorization: basicAuth(client.client_id, client.client_secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(fields).toString(),
    });
    return {
      accountsUrl,
      signerUrl,
      issuer,
      audience,
      adminToken,
      adminUrls,
      nodes,
      haproxy,
      client,
      databases: { accounts: accountsDb.direct, signer: signerDb.direct },
      clientToken: (node) =>
        call(`${accountsUrl}/oauth2/token`, {
          ...form({ grant_type: 'client_credentials', audience }),
          ...(node ? { node } : {}),
        }),
      form,
      start,
      waitUp,
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}
