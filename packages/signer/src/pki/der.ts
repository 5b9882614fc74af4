/**
 * The few DER (X.690) steps done by hand where pkijs would re-parse and re-encode what is already
 * DER: certificates encoded once and embedded as their bytes. Everything else is encoded by pkijs.
 */

/** A DER TLV: one identifier octet (`tag`, low-tag-number form), the definite length, the contents. */
export function derTlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const length = contents.reduce((sum, c) => sum + c.length, 0);
  const header = [tag, ...derLength(length)];
  const out = new Uint8Array(header.length + length);
  out.set(header, 0);
  let at = header.length;
  for (const c of contents) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The length octets of X.690 §8.1.3 in definite form: short below 128, else long with the fewest octets. */
function derLength(length: number): number[] {
  if (length < 0x80) return [length];
  const octets: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) octets.unshift(n % 256);
  return [0x80 | octets.length, ...octets];
}

/**
 * The TLVs directly inside one constructed DER TLV, as views of `der`. Only for DER this process
 * just encoded (definite lengths, low tag numbers): it checks that the pieces add up and throws
 * otherwise, and is no parser for untrusted input.
 */
export function derChildren(der: Uint8Array): Uint8Array[] {
  const [start, end] = contentsOf(der, 0);
  if (end !== der.length) throw new Error('DER: trailing bytes');
  const children: Uint8Array[] = [];
  for (let at = start; at < end; ) {
    const [, next] = contentsOf(der, at);
    children.push(der.subarray(at, next));
    at = next;
  }
  return children;
}

/** [start of contents, end of the TLV] of the TLV at `at`. */
function contentsOf(der: Uint8Array, at: number): [number, number] {
  const tag = der[at];
  if (tag === undefined || (tag & 0x1f) === 0x1f) throw new Error('DER: no tag, or a high tag number');
  const first = der[at + 1];
  if (first === undefined || first === 0x80) throw new Error('DER: no definite length');
  let length = first;
  let start = at + 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] ?? Number.NaN);
    start += count;
  }
  const end = start + length;
  if (!Number.isInteger(end) || end > der.length) throw new Error('DER: length beyond the data');
  return [start, end];
}

/**
 * DER's order for the elements of a SET OF (X.690 §11.6): by their encodings compared as octet
 * strings, the shorter padded with zero octets.
 */
export function derSetOrder(elements: readonly Uint8Array[]): Uint8Array[] {
  const compare = (a: Uint8Array, b: Uint8Array) => {
    const length = Math.max(a.length, b.length);
    for (let i = 0; i < length; i++) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  };
  return [...elements].sort(compare);
}
