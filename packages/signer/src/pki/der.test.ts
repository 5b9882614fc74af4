import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as asn1js from 'asn1js';
import { derChildren, derSetOrder, derTlv } from './der.js';

describe('DER by hand', () => {
  it('derTlv writes the shortest definite length, as asn1js does', () => {
    for (const size of [0, 1, 127, 128, 255, 256, 65_535, 65_536]) {
      const contents = new Uint8Array(size).fill(7);
      const mine = derTlv(0x04, contents);
      const theirs = new Uint8Array(new asn1js.OctetString({ valueHex: contents }).toBER(false));
      assert.deepEqual(mine, theirs, `${size} octets`);
    }
  });

  it('derChildren splits a constructed TLV into its elements and refuses pieces that do not add up', () => {
    const a = derTlv(0x02, new Uint8Array([5]));
    const b = derTlv(0x04, new Uint8Array(300));
    const sequence = derTlv(0x30, a, b);
    assert.deepEqual(derChildren(sequence), [a, b]);
    assert.throws(() => derChildren(sequence.subarray(0, sequence.length - 1)), /beyond/);
    assert.throws(() => derChildren(new Uint8Array([...sequence, 0])), /trailing/);
    assert.throws(() => derChildren(new Uint8Array([0x30, 0x80, 0, 0])), /definite/);
  });

  it('derSetOrder orders by encoding, the shorter padded with zeros (X.690 §11.6)', () => {
    const longer = new Uint8Array([0x30, 0x01, 0x05]);
    const shorter = new Uint8Array([0x30, 0x01]);
    const higher = new Uint8Array([0x30, 0x02]);
    assert.deepEqual(derSetOrder([higher, longer, shorter]), [shorter, longer, higher]);
  });
});
