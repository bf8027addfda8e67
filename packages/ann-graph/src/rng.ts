// splitmix64 over two u32 halves (no BigInt in the hot path) and f64 Box-Muller normals.

/** A seeded splitmix64 stream; the same seed gives the same numbers on every platform. */
export class SplitMix64 {
  private hi: number;
  private lo: number;
  constructor(seed: number) {
    this.hi = Math.floor(seed / 2 ** 32) >>> 0;
    this.lo = seed >>> 0;
  }

  /** The next 64-bit output as [hi, lo] u32 halves. */
  next(): [number, number] {
    // state += 0x9E3779B97F4A7C15
    const lo = this.lo + 0x7f4a7c15;
    this.hi = (this.hi + 0x9e3779b9 + (lo > 0xffffffff ? 1 : 0)) >>> 0;
    this.lo = lo >>> 0;
    let [h, l] = [this.hi, this.lo];
    [h, l] = xorShift(h, l, 30);
    [h, l] = mul64(h, l, 0xbf58476d, 0x1ce4e5b9);
    [h, l] = xorShift(h, l, 27);
    [h, l] = mul64(h, l, 0x94d049bb, 0x133111eb);
    return xorShift(h, l, 31);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const [h, l] = this.next();
    return ((h >>> 0) * 2 ** 21 + (l >>> 11)) / 2 ** 53;
  }

  /** Standard normal (Box-Muller in f64). */
  normal(): number {
    const u = 1 - this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

function xorShift(h: number, l: number, s: number): [number, number] {
  // (x ^ (x >> s)) for 0 < s < 32
  const sl = ((l >>> s) | (h << (32 - s))) >>> 0;
  const sh = h >>> s;
  return [(h ^ sh) >>> 0, (l ^ sl) >>> 0];
}

function mul64(ah: number, al: number, bh: number, bl: number): [number, number] {
  // (a * b) mod 2^64 with 16-bit limbs for the low product.
  const a0 = al & 0xffff,
    a1 = al >>> 16,
    b0 = bl & 0xffff,
    b1 = bl >>> 16;
  const p00 = a0 * b0,
    p01 = a0 * b1,
    p10 = a1 * b0,
    p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const lo = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  const carry = p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  const hi = (carry + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
  return [hi, lo >>> 0];
}
