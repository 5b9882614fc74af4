import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's HAProxy, the load balancer the several-nodes test puts in front of the nodes. */
export const HAPROXY = '/usr/sbin/haproxy';

/** A `signet start accounts|signer` process, ready (it printed its summary). */
export interface NodeProcess {
  name: string;
  kind: 'accounts' | 'signer';
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

/** Starts `signet start <kind> --json` as a real process with `env` (on top of this process's). */
export function startNode(
  name: string,
  kind: 'accounts' | 'signer',
  port: number,
  env: Record<string, string>,
): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/bin.ts', 'start', kind, '--json'], {
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
    '',
    'defaults',
    '  mode http',
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
