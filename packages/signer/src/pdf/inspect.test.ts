import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PDF } from '@libpdf/core';
import { makePdf } from '@signet/testing/pdf';
import { inspectPdf } from './inspect.js';

describe('inspectPdf', () => {
  it('counts the pages of a sound PDF', async () => {
    assert.deepEqual(await inspectPdf(await makePdf(4)), { ok: true, pageCount: 4 });
  });

  it('says not_pdf for bytes without a PDF header', async () => {
    assert.deepEqual(await inspectPdf(new TextEncoder().encode('hello, world')), { ok: false, reason: 'not_pdf' });
    assert.deepEqual(await inspectPdf(new Uint8Array(0)), { ok: false, reason: 'not_pdf' });
  });

  it('says corrupt for a truncated PDF and for a header with nothing behind it', async () => {
    const bytes = await makePdf(3);
    for (const cut of [bytes.length - 10, Math.floor(bytes.length / 2), 200]) {
      assert.deepEqual(await inspectPdf(bytes.subarray(0, cut)), { ok: false, reason: 'corrupt' }, `cut at ${cut}`);
    }
    assert.deepEqual(await inspectPdf(new TextEncoder().encode('%PDF-1.7\n%garbage only\n')), {
      ok: false,
      reason: 'corrupt',
    });
  });

  it('says encrypted for a password-protected PDF and for one with only an owner password', async () => {
    for (const protection of [{ userPassword: 'secret', ownerPassword: 'owner' }, { ownerPassword: 'owner' }]) {
      const document = await PDF.load(await makePdf(2));
      document.setProtection(protection);
      assert.deepEqual(await inspectPdf(await document.save()), { ok: false, reason: 'encrypted' });
    }
  });
});
