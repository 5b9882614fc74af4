/** Seeded random choices for the fuzz tests, so a failing case can be replayed from its seed. */

/** mulberry32: a small, fast, seedable PRNG, good enough to pick test inputs. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number): number => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const bytes = (n: number): Buffer => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = int(256);
    return b;
  };
  const ascii = (n: number, from = 0x20, to = 0x7e): string =>
    String.fromCharCode(...Array.from({ length: n }, () => from + int(to - from + 1)));
  const unicode = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) {
      const cp = pick([
        0x20 + int(0x5f),
        0xa0 + int(0x700),
        0x4e00 + int(0x5000),
        0x1f300 + int(0x300),
        0xd800 + int(0x800),
      ]);
      s += cp > 0xffff ? String.fromCodePoint(cp) : String.fromCharCode(cp);
    }
    return s;
  };
  return { next, int, pick, bytes, ascii, unicode };
}

/** What {@link prng} returns. */
export type Rng = ReturnType<typeof prng>;
