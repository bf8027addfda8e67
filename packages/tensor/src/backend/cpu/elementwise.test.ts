import { describe, expect, it } from "vitest";
import { grad } from "../../autograd/api.js";
import { add, mul, sub } from "../../ops/elementwise.js";
import { sum } from "../../ops/reduce.js";
import { Tensor } from "../../tensor.js";
import {
  type BinaryKernel,
  BinaryOp,
  type UnaryKernel,
  UnaryOp,
  type UnaryOpName,
} from "../kernels.js";
import { withBackend } from "../registry.js";
import {
  cpuKernel,
  EPS,
  expectClose,
  forEachConfig,
  int,
  pick,
  rng,
  skipNative,
  TAILS,
  uniform,
  view,
} from "./testkit.js";

const binaryRef: Record<number, (a: number, b: number) => number> = {
  [BinaryOp.add]: (a, b) => a + b,
  [BinaryOp.sub]: (a, b) => a - b,
  [BinaryOp.mul]: (a, b) => a * b,
  [BinaryOp.div]: (a, b) => a / b,
  [BinaryOp.max]: (a, b) => Math.max(a, b),
  [BinaryOp.min]: (a, b) => Math.min(a, b),
  [BinaryOp.pow]: (a, b) => a ** b,
};

// erf in f64: Taylor series near 0, continued fraction for erfc in the tails (|x| > 3).
function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) {
    let term = x,
      sum = x;
    for (let n = 1; n < 80; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (x + f);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + f);
}

const unaryRef: Record<UnaryOpName, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  silu: (x) => x / (1 + Math.exp(-x)),
  gelu: (x) => 0.5 * x * erfc(-x / Math.SQRT2),
  relu: (x) => (Number.isNaN(x) ? x : Math.max(x, 0)),
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  // 0.5x(1 + tanh(u)) rewritten as x / (1 + e^(-2u)): the same function without f64 cancellation.
  gelu_tanh: (x) => x / (1 + Math.exp(-2 * Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
};

// Input ranges per op (log/sqrt also see negatives, zeros and infinities through SPECIALS).
const SPECIALS = [
  0,
  -0,
  1,
  -1,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
  1e-40,
  -1e-40,
  88.7,
  89,
  -87.5,
  -103,
  -110,
];
const range: Partial<Record<UnaryOpName, [number, number]>> = {
  exp: [-100, 89],
  log: [0, 1e6],
  sqrt: [0, 1e4],
  rsqrt: [1e-6, 1e4],
  sin: [-10, 10],
  cos: [-10, 10],
};

describe.skipIf(skipNative)("cpu binary", () => {
  it("matches f64 references over strided broadcasts, ISAs and threads", () => {
    const binary = cpuKernel<BinaryKernel>("binary");
    const r = rng(2);
    forEachConfig((cfg) => {
      for (let t = 0; t < 40; t++) {
        const draw = int(r, 0, 4);
        let shape = Array.from({ length: draw }, (_, d) =>
          d === draw - 1 ? pick(r, [...TAILS, 300]) : int(r, 1, 6),
        );
        if (t === 0) shape = [3, 9000]; // large enough to split across threads
        const rank = shape.length;
        // Each operand: some axes broadcast (stride 0), the rest laid out in a random axis order.
        const operand = () => {
          const dims = shape.map((s) => (r() < 0.25 ? 1 : s));
          const order = dims.map((_, i) => i).sort(() => r() - 0.5);
          const strides = new Array<number>(dims.length).fill(0);
          let size = 1;
          for (let i = order.length - 1; i >= 0; i--) {
            const d = order[i]!;
            strides[d] = dims[d] === 1 ? 0 : size;
            size *= dims[d]!;
          }
          return { strides: Int32Array.from(strides), data: view(r, size, uniform(r, 0.1, 4)) };
        };
        const a = operand(),
          b = operand();
        const total = shape.reduce((x, y) => x * y, 1);
        const op = int(r, 0, 6);
        const out = view(r, total, () => Number.NaN);
        binary(op, a.data, a.strides, b.data, b.strides, out, Int32Array.from(shape));
        const ref = new Float64Array(total);
        for (let i = 0; i < total; i++) {
          let rest = i,
            oa = 0,
            ob = 0;
          for (let d = rank - 1; d >= 0; d--) {
            const idx = rest % shape[d]!;
            rest = Math.floor(rest / shape[d]!);
            oa += idx * a.strides[d]!;
            ob += idx * b.strides[d]!;
          }
          ref[i] = Math.fround(binaryRef[op]!(a.data[oa]!, b.data[ob]!));
        }
        expectClose(
          `${cfg} op ${op} [${shape}]`,
          out,
          ref,
          op === BinaryOp.pow ? 4 * EPS : EPS,
          1e-37,
        );
      }
    });
  });

  it("propagates NaN through max and min", () => {
    const binary = cpuKernel<BinaryKernel>("binary");
    const a = Float32Array.from([
      Number.NaN,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      10,
      11,
      12,
      13,
      14,
      15,
      16,
    ]);
    const b = new Float32Array(17).fill(3);
    b[5] = Number.NaN;
    for (const op of [BinaryOp.max, BinaryOp.min]) {
      const out = new Float32Array(17);
      binary(op, a, Int32Array.of(1), b, Int32Array.of(1), out, Int32Array.of(17));
      expect(Number.isNaN(out[0]!) && Number.isNaN(out[5]!)).toBe(true);
      expect(out[2]).toBe(op === BinaryOp.max ? 3 : 2);
    }
  });

  it("rejects out-of-range strides, short outputs and bad ops", () => {
    const binary = cpuKernel<BinaryKernel>("binary");
    const f = (n: number) => new Float32Array(n);
    expect(() =>
      binary(0, f(4), Int32Array.of(2), f(4), Int32Array.of(1), f(4), Int32Array.of(4)),
    ).toThrow(/argument a .*too short/);
    expect(() =>
      binary(0, f(4), Int32Array.of(1), f(4), Int32Array.of(1), f(3), Int32Array.of(4)),
    ).toThrow(/argument out/);
    expect(() =>
      binary(9, f(4), Int32Array.of(1), f(4), Int32Array.of(1), f(4), Int32Array.of(4)),
    ).toThrow(/argument op/);
    expect(() =>
      binary(0, f(4), Int32Array.of(), f(4), Int32Array.of(1), f(4), Int32Array.of(4)),
    ).toThrow(/aStrides/);
    expect(() =>
      binary(0, f(4), Int32Array.of(-1), f(4), Int32Array.of(1), f(4), Int32Array.of(4)),
    ).toThrow(RangeError);
    expect(() =>
      binary(0, f(9), new Int32Array(9), f(9), new Int32Array(9), f(9), new Int32Array(9).fill(1)),
    ).toThrow(/rank/);
  });
});

describe.skipIf(skipNative)("cpu unary", () => {
  it("matches f64 references for every op within a few ulp", () => {
    const unary = cpuKernel<UnaryKernel>("unary");
    const r = rng(3);
    forEachConfig((cfg) => {
      for (const [name, op] of Object.entries(UnaryOp) as [UnaryOpName, number][]) {
        for (const n of [
          pick(r, TAILS),
          pick(r, [100, 257]),
          ...(cfg.endsWith("2t") ? [40000] : []),
        ]) {
          const [lo, hi] = range[name] ?? [-12, 12];
          const x = view(r, n + SPECIALS.length, (i) =>
            i < n ? lo + (hi - lo) * r() : SPECIALS[i - n]!,
          );
          const out = view(r, x.length, () => Number.NaN);
          unary(op, x, out);
          const ref = Float64Array.from(x, (v) => Math.fround(unaryRef[name](v)));
          // exp and log are our polynomials; the rest compose libm and IEEE ops. atol covers results
          // that are subnormal in f32 (and the flush-prone tails of sigmoid/silu/gelu).
          expectClose(`${cfg} ${name} n=${n}`, out, ref, 4 * EPS, 1e-37);
        }
      }
    });
  });

  it("rejects a short output and unknown ops", () => {
    const unary = cpuKernel<UnaryKernel>("unary");
    expect(() => unary(0, new Float32Array(5), new Float32Array(4))).toThrow(
      /argument out .*too short/,
    );
    expect(() => unary(16, new Float32Array(5), new Float32Array(5))).toThrow(/argument op/);
    expect(() => unary(0, new Float32Array(5), new Uint16Array(5) as never)).toThrow(TypeError);
  });
});

describe.skipIf(skipNative)("cpu gradients of add, sub and mul", () => {
  it("equal the js backend's f64 gradients bit for bit (computed natively in f32)", () => {
    const r = rng(9);
    const x = Tensor.wrap(
      Float32Array.from({ length: 3 * 70 }, () => r() * 4 - 2),
      [3, 70],
      "f32",
    );
    const y = Tensor.wrap(
      Float32Array.from({ length: 3 * 70 }, () => r() * 4 - 2),
      [3, 70],
      "f32",
    );
    const w = Tensor.wrap(
      Float32Array.from({ length: 3 * 70 }, () => r() * 4 - 2),
      [3, 70],
      "f32",
    );
    // mul(x, y) * w makes the incoming gradient of each op non-trivial.
    const f = (a: Tensor, b: Tensor) => sum(mul(add(mul(a, b), sub(mul(a, 1.5), b)), w));
    const hex = (t: Tensor) => Buffer.from((t.data() as Float32Array).buffer).toString("hex");
    const js = withBackend("js", () => grad(f, [0, 1])(x, y));
    const cpu = grad(f, [0, 1])(x, y);
    expect(hex(cpu[0])).toBe(hex(js[0]));
    expect(hex(cpu[1])).toBe(hex(js[1]));
  });
});
