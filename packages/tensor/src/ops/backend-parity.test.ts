// The js backend is the oracle: with the native cpu backend loaded, every op must agree with it
// on shapes with odd tails and on non-contiguous, offset and broadcast views.
import { describe, expect, it } from "vitest";
import { valueAndGrad } from "../autograd/api.js";
import { installCpuBackend } from "../backend/cpu/index.js";
import { availableBackends, hasKernel, withBackend } from "../backend/registry.js";
import { Tensor } from "../tensor.js";
import { cast } from "./cast.js";
import * as E from "./elementwise.js";
import { gather, indexSelect } from "./indexing.js";
import { rand, randint, randn } from "./random.js";
import * as R from "./reduce.js";
import { cat, where } from "./shape-ops.js";
import { topk } from "./sort.js";

const BINARY = {
  add: E.add,
  sub: E.sub,
  mul: E.mul,
  div: E.div,
  maximum: E.maximum,
  minimum: E.minimum,
};
const UNARY = {
  neg: E.neg,
  abs: E.abs,
  exp: E.exp,
  sin: E.sin,
  cos: E.cos,
  tanh: E.tanh,
  sigmoid: E.sigmoid,
  relu: E.relu,
  square: E.square,
  sign: E.sign,
};
const POSITIVE_UNARY = { log: E.log, sqrt: E.sqrt, rsqrt: E.rsqrt, reciprocal: E.reciprocal };

const hasCpu = installCpuBackend() && availableBackends().includes("cpu");

function both(f: () => Tensor | Tensor[]): [Tensor[], Tensor[]] {
  const wrap = (v: Tensor | Tensor[]) => (Array.isArray(v) ? v : [v]);
  return [wrap(withBackend("cpu", f)), wrap(withBackend("js", f))];
}

function agree(what: string, f: () => Tensor | Tensor[], rtol = 2e-6, atol = 1e-6): void {
  const [cpu, js] = both(f);
  expect(cpu.length).toBe(js.length);
  cpu.forEach((c, k) => {
    const j = js[k]!;
    expect(c.shape, what).toEqual(j.shape);
    expect(c.dtype, what).toBe(j.dtype);
    const a = c.toArray();
    const b = j.toArray();
    for (let i = 0; i < a.length; i++) {
      const ok = Object.is(a[i], b[i]) || Math.abs(a[i]! - b[i]!) <= atol + rtol * Math.abs(b[i]!);
      if (!ok) expect.fail(`${what}[${k}] element ${i}: cpu ${a[i]} vs js ${b[i]}`);
    }
  });
}

// Operands: contiguous with odd tails, transposed, offset slices, and broadcast views.
function operands(seed: number) {
  const base = randn([7, 37], { seed });
  return {
    plain: randn([5, 3, 19], { seed: seed + 1 }),
    transposed: randn([19, 3, 5], { seed: seed + 2 }).permute([2, 1, 0]),
    offset: base.slice(0, 2, 7).slice(1, 3, 22), // [5, 19] starting mid-row
    strided: base.slice(1, 0, 37, 2).slice(0, 1, 6), // [5, 19] with step 2
    row: randn([19], { seed: seed + 3 }),
    positive: E.add(rand([5, 3, 19], { seed: seed + 4 }), 0.1),
  };
}

describe.skipIf(!hasCpu)("cpu backend agrees with js", () => {
  const o = operands(100);
  const { plain, transposed, offset, strided, row, positive } = o;

  it("has the kernels these ops dispatch to", () => {
    for (const k of ["binary", "unary", "reduce", "cast"])
      expect(hasKernel(k, "cpu"), k).toBe(true);
  });

  it("binary ops with broadcasting and views", () => {
    const pairs: [string, Tensor, Tensor | number][] = [
      ["plain/transposed", plain, transposed],
      ["offset/strided", offset, strided],
      ["plain/row", plain, row],
      ["offset/column", offset, strided.slice(1, 4, 5)],
      ["plain/scalar", plain, 0.37],
      ["transposed/offset", transposed, offset.unsqueeze(1).expand([5, 3, 19])],
    ];
    for (const [name, a, b] of pairs) {
      for (const [op, f] of Object.entries(BINARY)) {
        agree(`${op} ${name}`, () => f(a, b));
        agree(`${op} ${name} reversed`, () => f(b, a));
      }
    }
    agree("pow", () => E.pow(positive, transposed), 1e-5);
    agree("pow scalar", () => E.pow(positive, 2.5), 1e-5);
    agree("compare", () => [E.lt(plain, transposed), E.eq(offset, offset), E.ge(row, 0)]);
  });

  it("unary ops on views", () => {
    for (const x of [plain, transposed, offset, strided]) {
      for (const [op, f] of Object.entries(UNARY))
        agree(`${op} ${x.shape}`, () => f(x), 2e-6, 2e-6);
      agree("clamp", () => E.clamp(x, -0.5, 0.7));
      agree("reciprocal", () => E.reciprocal(x), 1e-5);
    }
    for (const [op, f] of Object.entries(POSITIVE_UNARY)) {
      agree(op, () => f(positive), 2e-6, 2e-6);
      agree(`${op} transposed`, () => f(positive.transpose(0, 2)), 2e-6, 2e-6);
    }
  });

  it("casts bit-exactly", () => {
    for (const x of [plain, transposed, offset, E.mul(plain, 7e4)]) {
      for (const dt of ["f16", "bf16"] as const) {
        agree(`cast ${dt}`, () => cast(x, dt), 0, 0);
        const h = withBackend("js", () => cast(x, dt));
        agree(`cast ${dt} back`, () => cast(h.transpose(0, -1), "f32"), 0, 0);
      }
    }
  });

  it("reductions over contiguous and scattered axes", () => {
    const axesList = [undefined, 0, 1, 2, -1, [0, 1], [1, 2], [0, 2]] as const;
    for (const x of [plain, transposed, E.mul(positive, 3)]) {
      for (const axes of axesList) {
        agree(`sum ${axes}`, () => R.sum(x, axes), 1e-5, 1e-5);
        agree(`mean ${axes}`, () => R.mean(x, axes, true), 1e-5, 1e-5);
        agree(`max ${axes}`, () => [R.max(x, axes), R.min(x, axes)], 0, 0);
        agree(`logsumexp ${axes}`, () => R.logsumexp(x, axes), 1e-5, 1e-5);
        agree(
          `norm ${axes}`,
          () => [R.norm(x, 2, axes), R.norm(x, 1, axes), R.norm(x, Infinity, axes)],
          1e-5,
          1e-5,
        );
        agree(`variance ${axes}`, () => R.std(x, axes), 1e-5, 1e-5);
      }
      for (const axis of [0, 1, 2])
        agree(`argmax ${axis}`, () => [R.argmax(x, axis), R.argmin(x, axis, true)], 0, 0);
    }
    for (const x of [offset, strided])
      agree("sum view", () => [R.sum(x, 1), R.max(x, 0), R.argmax(x)], 1e-5, 1e-5);
  });

  it("indexing, joining, sorting and gradients", () => {
    const idx = randint(0, 5, [4, 3, 19], { seed: 9 });
    agree("gather", () => gather(plain, 0, idx), 0, 0);
    agree("indexSelect", () => indexSelect(transposed, 2, randint(0, 19, [6], { seed: 3 })), 0, 0);
    agree("cat", () => cat([plain, transposed], 1), 0, 0);
    agree("where", () => where(E.gt(plain, 0), plain, transposed), 0, 0);
    agree("topk", () => [topk(transposed, 4).values, topk(transposed, 4).indices], 0, 0);
    const loss = (a: Tensor, b: Tensor) =>
      R.logsumexp(E.mul(E.tanh(E.add(a, b)), E.sigmoid(b)), [0, 2])
        .reshape([-1])
        .select(0, 1);
    agree(
      "gradients",
      () => {
        const r = valueAndGrad(loss, [0, 1])(plain, transposed);
        return [r.value, ...r.grads];
      },
      1e-5,
      1e-6,
    );
  });
});

describe("backend selection", () => {
  it("runs the js path whenever js is selected", () => {
    const x = Tensor.from([1, 2, 3]);
    expect(withBackend("js", () => E.exp(x).toArray())).toEqual(
      [1, 2, 3].map((v) => Math.fround(Math.exp(v))),
    );
  });
});
