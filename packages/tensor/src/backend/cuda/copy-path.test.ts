// The cuda copy path checked on the CPU: the addon is replaced by mock-addon.cjs (host memory at
// fake addresses, loops with the kernels' semantics), so this checks what the TS side hands the
// addon for writeInto, cat and the slice/select/expand backward — element offsets of views, the
// destination's strides, stride-0 sources — against the js backend. The kernels themselves are
// checked on a GPU by packages/tensor-cuda/test/ops.test.mjs.
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  cat,
  cudaStatus,
  mul,
  randn,
  sum,
  Tensor,
  valueAndGrad,
  writeInto,
  zeros,
} from "../../index.js";

const saved = process.env.X_TENSOR_CUDA_ADDON;
process.env.X_TENSOR_CUDA_ADDON = fileURLToPath(new URL("./mock-addon.cjs", import.meta.url));
afterAll(() => {
  if (saved === undefined) delete process.env.X_TENSOR_CUDA_ADDON;
  else process.env.X_TENSOR_CUDA_ADDON = saved;
});

let seed = 1;
const rnd = (shape: number[]) => randn(shape, { seed: seed++ });
const same = (got: Tensor, want: Tensor) => {
  expect(got.device).toBe("cuda");
  expect([...got.shape]).toEqual([...want.shape]);
  expect(got.toArray()).toEqual(want.toArray());
};

describe("cuda copy path (mock addon)", () => {
  it("loads the mock", () => {
    expect(cudaStatus()).toMatchObject({ available: true, device: { name: "mock" } });
  });

  it("writeInto strided, offset and selected destinations from strided sources", () => {
    const views: [number[], (t: Tensor) => Tensor, Tensor][] = [
      [[4, 6], (b) => b.transpose(0, 1), rnd([4, 6]).transpose(0, 1)],
      [[5, 7], (b) => b.slice(1, 1, 7, 2), rnd([5, 3])],
      [[2, 3, 9, 4], (b) => b.slice(2, 3, 7), rnd([2, 4, 3, 4]).transpose(1, 2)],
      [[3, 4, 5], (b) => b.select(2, 4).slice(0, 1, 3), rnd([2, 4])],
    ];
    for (const [shape, view, src] of views) {
      const base = rnd(shape);
      const want = base.clone();
      writeInto(view(want), src);
      const got = base.to("cuda");
      // a strided device source: the transpose of a dense device copy of src's transpose
      const s = src.transpose(0, 1).contiguous().to("cuda").transpose(0, 1);
      writeInto(view(got), s);
      same(got, want);
    }
    const row = rnd([1, 5]);
    const want = zeros([4, 5]);
    writeInto(want.slice(0, 1, 4), row.expand([3, 5]));
    const got = zeros([4, 5]).to("cuda");
    writeInto(got.slice(0, 1, 4), row.to("cuda").expand([3, 5]));
    same(got, want);
  });

  it("cat along every axis of strided inputs", () => {
    const a = rnd([3, 4, 5]);
    const b = rnd([5, 4, 3]).transpose(0, 2);
    const bDev = b.transpose(0, 2).contiguous().to("cuda").transpose(0, 2); // strided on the device
    const c = rnd([3, 8, 10]).slice(1, 0, 8, 2).slice(2, 2, 7); // offset and stepped
    for (let ax = 0; ax < 3; ax++)
      same(cat([a.to("cuda"), bDev, c.to("cuda")], ax), cat([a, b, c], ax));
  });

  it("gradients of slice, select and expand equal the js backend's", () => {
    const x = rnd([4, 6, 5]);
    const cases: [(x: Tensor, w: Tensor) => Tensor, Tensor][] = [
      [(xx, w) => sum(mul(xx.slice(1, 1, 6, 3), w)), rnd([4, 2, 5])],
      [(xx, w) => sum(mul(xx.select(1, 4), w)), rnd([4, 5])],
      [(xx, w) => sum(mul(xx.expand([3, 4, 6, 5]), w)), rnd([3, 4, 6, 5])],
      [(xx, w) => sum(mul(xx.transpose(0, 1).slice(1, 1, 3), w)), rnd([6, 2, 5])],
    ];
    for (const [f, w] of cases) {
      const df = valueAndGrad(f, 0);
      const want = df(x, w);
      const got = df(x.to("cuda"), w.to("cuda"));
      expect(got.value.item()).toBeCloseTo(want.value.item(), 4);
      const g = got.grads.toArray();
      const e = want.grads.toArray();
      for (let i = 0; i < e.length; i++) expect(g[i]).toBeCloseTo(e[i]!, 5);
    }
  });

  it("keeps the view's element offset (not a byte offset) on both sides", () => {
    // A select at a large index: element and byte offsets differ by 4x, so either mix-up
    // writes outside the block (the mock throws) or to the wrong row.
    const buf = zeros([8, 16]).to("cuda");
    writeInto(buf.select(0, 7), Tensor.from(Array.from({ length: 16 }, (_, i) => i)).to("cuda"));
    const host = buf.toArray();
    expect(host.slice(7 * 16)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(host.slice(0, 7 * 16).every((v) => v === 0)).toBe(true);
  });
});
