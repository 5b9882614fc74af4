import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openDatabase } from './store.js';

const STORE = fileURLToPath(new URL('./store.ts', import.meta.url));

/**
 * One writer process: `count` transactions that read the highest number, yield, then insert the
 * next one, the read-then-write shape of the services' transactions. Prints how many failed.
 */
const WRITER = `
const { openDatabase } = await import(${JSON.stringify(STORE)});
const { sql } = await import('kysely');
const { db } = openDatabase({ url: process.argv[1] });
let failed = 0;
for (let i = 0; i < Number(process.argv[2]); i++) {
  try {
    await db.transaction().execute(async (trx) => {
      const { rows } = await sql\`select coalesce(max(n), 0) as n from numbers\`.execute(trx);
      await new Promise((resolve) => setTimeout(resolve, 1));
      await sql\`insert into numbers (n) values (\${Number(rows[0].n) + 1})\`.execute(trx);
    });
  } catch (error) {
    failed++;
    console.error(error.code ?? error.message);
  }
}
await db.destroy();
console.log(failed);
`;

function writer(path: string, count: number): Promise<{ failed: number; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WRITER, path, String(count)]);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolve({ failed: Number(out.trim()), stderr: err })
        : reject(new Error(`writer exited ${code}: ${err}`)),
    ),
  );
}

describe('SQLite written by several processes', () => {
  it('serialises read-then-write transactions across processes: none fails, none loses an update', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-sqlite-writers-'));
    const path = join(dir, 'db.sqlite');
    const { db } = openDatabase<{ numbers: { n: number } }>({ url: path });
    try {
      await sql`create table numbers (n integer primary key)`.execute(db);
      const results = await Promise.all([writer(path, 60), writer(path, 60)]);
      assert.deepEqual(
        results.map((r) => r.failed),
        [0, 0],
        results.map((r) => r.stderr).join('\n'),
      );
      const { rows } = await sql<{
        total: number;
        top: number;
      }>`select count(*) as total, max(n) as top from numbers`.execute(db);
      assert.deepEqual(rows[0], { total: 120, top: 120 }, 'each transaction saw the one before it');
    } finally {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
