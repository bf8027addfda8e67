// Leak checks through memory(): a long loop of ops (forward and backward) on every available
// backend must leave no live storages behind once the garbage collector has run.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import {
  add,
  availableBackends,
  type BackendName,
  cast,
  crossEntropy,
  dequantize,
  grad,
  linear,
  type MemoryInfo,
  matmul,
  memory,
  quantize,
  randn,
  rmsNorm,
  savedBytes,
  scaledDotProductAttention,
  softmax,
  sum,
  Tensor,
  withBackend,
} from "./index.js";

/** The engine's gc(), exposed at run time when the runner did not pass --expose-gc. */
function obtainGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (typeof existing === "function") return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}
const gc = obtainGc();

/** Collects garbage and yields macrotasks so FinalizationRegistry callbacks get to run. */
async function settle(): Promise<MemoryInfo["cpu"]> {
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return memory().cpu;
}

const x = randn([3, 5, 32], { seed: 1 });
const w = randn([32], { seed: 2 });
const W = randn([24, 32], { seed: 3 });
const q = randn([1, 4, 6, 8], { seed: 4 });
const kv = randn([1, 2, 6, 8], { seed: 5 });
const targets = Tensor.from([1, 3, 0, 23, 7, 2, 5, 9, 11, 4, 6, 8, 10, 12, 13], [3, 5], "i32");
const loss = (weight: Tensor, norm: Tensor) =>
  crossEntropy(linear(rmsNorm(x, norm), weight), targets);
const lossGrad = grad(loss, [0, 1]);

let savedDuringGrad = 0;
/** One iteration's worth of ops; returns nothing so every result is garbage afterwards. */
function step(): void {
  const y = matmul(x, W, { transB: true });
  add(y, 1);
  softmax(y);
  rmsNorm(x, w);
  scaledDotProductAttention(q, kv, kv, { causal: true });
  cast(cast(x, "f16"), "f32");
  dequantize(quantize(x, "q8_0"));
  dequantize(quantize(W, "q4_0"));
  const [gW, gNorm] = lossGrad(W, w);
  if (gW.shape[0] !== 24 || gNorm.size !== 32) throw new Error("unexpected gradient shapes");
  grad((a: Tensor) => {
    const l = sum(softmax(matmul(a, W, { transB: true })));
    savedDuringGrad = Math.max(savedDuringGrad, savedBytes());
    return l;
  })(x);
  expect(savedBytes()).toBe(0);
}

const backends = availableBackends().filter((b): b is BackendName => b === "js" || b === "cpu");
const ITERATIONS = 2000;
const CHECKPOINTS = 4;
// Slack for a few objects still referenced from closures or the last iteration's stack.
const MAX_STORAGES = 32;
const MAX_BYTES = 64 * 1024;

describe("memory()", () => {
  it("reports cpu storages, and no device entry without a device backend", () => {
    const m = memory();
    expect(m.cpu.storages).toBeGreaterThan(0);
    expect(m.cpu.bytes).toBeGreaterThan(0);
    expect(m.cuda).toBeUndefined();
  });

  it("counts a new tensor's bytes until it is collected", async () => {
    const before = await settle();
    let held: Tensor | undefined = Tensor.empty([1000], "f32");
    const during = memory().cpu;
    expect(during.storages - before.storages).toBeGreaterThanOrEqual(1);
    expect(during.bytes - before.bytes).toBeGreaterThanOrEqual(4000);
    expect(held.size).toBe(1000);
    held = undefined;
    const after = await settle();
    expect(after.bytes).toBeLessThanOrEqual(before.bytes);
  });

  // The leak check must be able to fail: holding results does show up as growth.
  it("sees growth when results are kept alive", async () => {
    const before = await settle();
    const kept: Tensor[] = [];
    for (let i = 0; i < 200; i++) kept.push(matmul(x, W, { transB: true }));
    const during = await settle();
    expect(during.storages - before.storages).toBeGreaterThanOrEqual(200);
    expect(during.bytes - before.bytes).toBeGreaterThanOrEqual(200 * 3 * 5 * 24 * 4);
    expect(during.storages - before.storages > MAX_STORAGES).toBe(true);
    kept.length = 0;
    const after = await settle();
    expect(after.storages - before.storages).toBeLessThanOrEqual(MAX_STORAGES);
  });

  for (const backend of backends) {
    it(`does not leak over ${ITERATIONS} iterations on the ${backend} backend`, async () => {
      savedDuringGrad = 0;
      withBackend(backend, () => {
        for (let i = 0; i < 20; i++) step(); // warm caches before the baseline
      });
      const baseline = await settle();
      const marks: MemoryInfo["cpu"][] = [];
      for (let c = 0; c < CHECKPOINTS; c++) {
        withBackend(backend, () => {
          for (let i = 0; i < ITERATIONS / CHECKPOINTS; i++) step();
        });
        marks.push(await settle());
      }
      expect(savedDuringGrad).toBeGreaterThan(0);
      expect(savedBytes()).toBe(0);
      for (const m of marks) {
        const growth = `${m.storages - baseline.storages} storages, ${m.bytes - baseline.bytes} bytes`;
        expect(m.storages - baseline.storages, growth).toBeLessThanOrEqual(MAX_STORAGES);
        expect(m.bytes - baseline.bytes, growth).toBeLessThanOrEqual(MAX_BYTES);
      }
    });
  }
});
