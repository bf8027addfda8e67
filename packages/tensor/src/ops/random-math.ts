// The transcendental steps of randn, shared bit for bit with native/src/random/philox.h.
// log((w + 1) / 2^32) and (cos, sin)(2 pi w / 2^32) by fixed polynomials (fdlibm's log and
// kernel sin/cos coefficients) over exact integer range reduction: only + - * / on doubles, in an
// order native/src/random/philox.h repeats, so every backend rounds identically (Math.log and
// Math.cos may differ from a C libm in the last ulp, which would break the same-stream promise).
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const TURN = 1.4629180792671596e-9; // 2 pi / 2^32

/** log((w + 1) / 2^32) for a u32 word w, within an ulp or two of the true value. */
export function logUniform(w: number): number {
  if (w === 0xffffffff) return 0;
  const v = w + 1;
  let e = 31 - Math.clz32(v);
  let m = v / 2 ** e;
  if (m > Math.SQRT2) {
    m = m * 0.5;
    e = e + 1;
  }
  const f = m - 1;
  const s = f / (2 + f);
  const z = s * s;
  const w2 = z * z;
  const t1 = w2 * (0.3999999999940942 + w2 * (0.22222198432149784 + w2 * 0.15313837699209373));
  const t2 =
    z *
    (0.6666666666666735 +
      w2 * (0.2857142874366239 + w2 * (0.1818357216161805 + w2 * 0.14798198605116586)));
  const r = t2 + t1;
  const hfsq = 0.5 * f * f;
  const k = e - 32;
  return k * LN2_HI - (hfsq - (s * (hfsq + r) + k * LN2_LO) - f);
}

/** [cos, sin] of 2 pi w / 2^32 for a u32 word w: exact quadrant from the top bits, |angle| <= pi/4 left. */
export function sinCosTurn(w: number): [number, number] {
  const t = (w + 0x20000000) >>> 0;
  const q = t >>> 30;
  const a = ((t & 0x3fffffff) - 0x20000000) * TURN;
  const z = a * a;
  const sr =
    0.00833333333332249 +
    z *
      (-0.0001984126982985795 +
        z * (2.7557313707070068e-6 + z * (-2.5050760253406863e-8 + z * 1.58969099521155e-10)));
  const sa = a + z * a * (-0.16666666666666632 + z * sr);
  const cr =
    z *
    (0.0416666666666666 +
      z *
        (-0.001388888888887411 +
          z *
            (2.480158728947673e-5 +
              z *
                (-2.7557314351390663e-7 +
                  z * (2.087572321298175e-9 + z * -1.1359647557788195e-11)))));
  const hz = 0.5 * z;
  const cw = 1 - hz;
  const ca = cw + (1 - cw - hz + z * cr);
  if (q === 0) return [ca, sa];
  if (q === 1) return [-sa, ca];
  if (q === 2) return [-ca, -sa];
  return [sa, -ca];
}
