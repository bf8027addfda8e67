// Bad inputs across the public API raise typed errors whose messages name the offending shapes,
// dtypes or indices, on every available backend (native kernels must never see them).
import { describe, expect, it } from "vitest";
import {
  add,
  argmax,
  availableBackends,
  cat,
  chunk,
  crossEntropy,
  DTypeError,
  embedding,
  gather,
  grad,
  groupQuantize,
  IndexError,
  layerNorm,
  linear,
  matmul,
  mean,
  QTensor,
  qmatmul,
  quantize,
  rand,
  randn,
  rmsNorm,
  rope,
  ropeFrequencies,
  ShapeError,
  scaledDotProductAttention,
  setNumThreads,
  softmax,
  split,
  stack,
  sum,
  swiglu,
  Tensor,
  topk,
  ValueError,
  where,
  withBackend,
  XError,
  zeros,
} from "./index.js";

/** A bad call and substrings its message must contain (the offending shapes, dtypes, indices). */
type Row = [what: string, call: () => unknown, ...names: string[]];

const z = (...shape: number[]) => zeros(shape);
const ids = (values: number[], dtype: "i32" | "f32" = "i32") =>
  Tensor.from(values, [values.length], dtype);

// biome-ignore format: one bad call per line reads as a table
const SHAPE_ROWS: Row[] = [
  ["matmul inner dims", () => matmul(z(2, 3), z(4, 5)), "[2, 3]", "[4, 5]", "3 vs 4"],
  ["matmul batch dims", () => matmul(z(2, 3, 4), z(5, 4, 6)), "[2, 3, 4]", "[5, 4, 6]"],
  ["matmul of a scalar", () => matmul(z(), z(3)), "[]", "[3]"],
  ["linear in-features", () => linear(z(2, 5), z(3, 4)), "[2, 5]", "[3, 4]"],
  ["add without broadcast", () => add(z(2, 3), z(4)), "[2, 3]", "[4]"],
  ["reshape to wrong size", () => z(2, 3).reshape([4, 2]), "6", "[4, 2]"],
  ["reshape with two -1", () => z(2, 3).reshape([-1, -1]), "[-1, -1]"],
  ["cat mismatched", () => cat([z(2, 3), z(2, 4)], 0), "[2, 3]", "[2, 4]"],
  ["stack mismatched", () => stack([z(2, 3), z(3, 2)]), "[2, 3]", "[3, 2]"],
  ["split sizes", () => split(z(5), [2, 2]), "[2, 2]", "5"],
  ["expand", () => z(2, 3).expand([4, 3]), "[2, 3]", "[4, 3]"],
  ["expand -1 in a new axis", () => z(3).expand([-1, 3]), "[3]", "[-1, 3]"],
  ["permute repeats", () => z(2, 3).permute([0, 0]), "[0, 0]"],
  ["Tensor.from count", () => Tensor.from([1, 2, 3], [2, 2]), "3", "[2, 2]"],
  ["negative dimension", () => zeros([2, -1]), "[2, -1]", "-1"],
  ["rmsNorm weight", () => rmsNorm(z(2, 4), z(3)), "[3]", "[2, 4]"],
  ["layerNorm bias", () => layerNorm(z(2, 4), z(4), z(5)), "[5]", "[2, 4]"],
  ["swiglu shapes", () => swiglu(z(2, 4), z(2, 5)), "[2, 4]", "[2, 5]"],
  ["crossEntropy shapes", () => crossEntropy(z(3, 5), ids([0, 1])), "[3, 5]", "[2]"],
  ["embedding weight rank", () => embedding(z(6), ids([0])), "[6]"],
  ["gather index rank", () => gather(z(2, 3), 1, ids([0])), "[1]", "[2, 3]"],
  ["rope odd dim", () => rope(z(1, 2, 3, 5), [0, 1, 2], [1, 0.5]), "[1, 2, 3, 5]", "5"],
  ["rope positions", () => rope(z(1, 2, 3, 4), [0, 1], ropeFrequencies({ dim: 4 })), "[2]", "[1, 2, 3, 4]"],
  ["attention Hq % Hkv", () => scaledDotProductAttention(z(1, 3, 4, 8), z(1, 2, 4, 8), z(1, 2, 4, 8)), "[1, 3, 4, 8]", "[1, 2, 4, 8]"],
  ["attention head dim", () => scaledDotProductAttention(z(1, 2, 4, 8), z(1, 2, 4, 6), z(1, 2, 4, 6)), "[1, 2, 4, 8]", "[1, 2, 4, 6]"],
  ["attention rank", () => scaledDotProductAttention(z(2, 4, 8), z(2, 4, 8), z(2, 4, 8)), "[2, 4, 8]"],
  ["attention mask", () => scaledDotProductAttention(z(1, 2, 4, 8), z(1, 2, 4, 8), z(1, 2, 4, 8), { mask: z(3, 4) }), "[3, 4]", "[1, 2, 4, 4]"],
  ["quantize q4_0 last dim", () => quantize(z(2, 40), "q4_0"), "q4_0", "[2, 40]", "32"],
  ["quantize q8_0 last dim", () => quantize(z(3, 33), "q8_0"), "q8_0", "[3, 33]"],
  ["group size", () => groupQuantize(new Float32Array(40), [2, 20], "u4", { groupSize: 32 }), "32", "20"],
  ["qmatmul inner dims", () => qmatmul(z(2, 48), quantize(z(4, 32), "q8_0")), "[2, 48]", "[4, 32]"],
  ["item of many", () => z(2).item(), "[2]"],
  ["grad of non-scalar", () => grad((x: Tensor) => x)(z(3)), "[3]"],
];

// biome-ignore format: one bad call per line reads as a table
const DTYPE_ROWS: Row[] = [
  ["crossEntropy f32 targets", () => crossEntropy(z(2, 5), ids([0, 1], "f32")), "f32", "i32"],
  ["matmul mixed dtypes", () => matmul(z(2, 2), zeros([2, 2], "f16")), "f32", "f16"],
  ["matmul of integers", () => matmul(zeros([2, 2], "i32"), zeros([2, 2], "i32")), "i32"],
  ["softmax of integers", () => softmax(zeros([3], "i32")), "i32"],
  ["rmsNorm of bool", () => rmsNorm(zeros([2, 3], "bool")), "bool"],
  ["embedding float ids", () => embedding(z(4, 2), ids([1], "f32")), "f32"],
  ["attention k/v dtypes", () => scaledDotProductAttention(z(1, 1, 2, 4), z(1, 1, 2, 4), zeros([1, 1, 2, 4], "f16")), "f32", "f16"],
  ["where condition", () => where(z(2), z(2), z(2)), "f32", "bool"],
  ["cat dtypes", () => cat([z(2), zeros([2], "f16")]), "f32", "f16"],
  ["quantize integers", () => quantize(zeros([32], "i32"), "q8_0"), "i32"],
  ["unknown dtype", () => zeros([2], "q8" as never), "q8"],
  ["rand integers", () => rand([2], { dtype: "u8" }), "u8"],
  ["randn integers", () => randn([2], { dtype: "i32" }), "i32"],
];

// biome-ignore format: one bad call per line reads as a table
const INDEX_ROWS: Row[] = [
  ["embedding id range", () => embedding(z(4, 2), ids([1, 7])), "index 7", "size 4"],
  ["embedding negative id", () => embedding(z(4, 2), ids([-1])), "-1", "4"],
  ["crossEntropy target range", () => crossEntropy(z(2, 5), ids([0, 5])), "5", "position 1"],
  ["gather index range", () => gather(z(2, 3), 1, Tensor.from([0, 3], [1, 2], "i32")), "index 3", "size 3"],
  ["sum bad axis", () => sum(z(2, 3), 2), "axis 2", "rank 2"],
  ["mean bad negative axis", () => mean(z(2, 3), -3), "-3", "rank 2"],
  ["softmax bad axis", () => softmax(z(2, 3), 5), "5", "rank 2"],
  ["argmax bad axis", () => argmax(z(2, 3), 2), "2", "rank 2"],
  ["transpose bad axis", () => z(2, 3).transpose(0, 3), "3", "rank 2"],
  ["cat bad axis", () => cat([z(2), z(2)], 1), "1", "rank 1"],
  ["select out of range", () => z(2, 3).select(1, 3), "3", "size 3"],
  ["topk k > size", () => topk(z(2, 4), 5), "k = 5", "size 4"],
  ["grad argnums", () => grad((x: Tensor) => sum(x), 3)(z(2)), "argnums 3"],
];

// biome-ignore format: one bad call per line reads as a table
const VALUE_ROWS: Row[] = [
  ["rope frequencies of odd dim", () => ropeFrequencies({ dim: 5 }), "even", "got 5"],
  ["slice step", () => z(4).slice(0, 0, 4, 0), "step", "got 0"],
  ["chunk count", () => chunk(z(4), 0), "got 0"],
  ["cat of nothing", () => cat([]), "at least one"],
  ["quantize NaN", () => quantize(Tensor.from(new Array(32).fill(Number.NaN)), "q8_0"), "NaN"],
  ["QTensor byte count", () => new QTensor({ format: "q8_0", shape: [32], data: new Uint8Array(3) }), "34", "3"],
  ["setNumThreads", () => setNumThreads(0), "got 0"],
];

const TABLE: [typeof XError, Row[]][] = [
  [ShapeError, SHAPE_ROWS],
  [DTypeError, DTYPE_ROWS],
  [IndexError, INDEX_ROWS],
  [ValueError, VALUE_ROWS],
];
const CASES = TABLE.flatMap(([error, rows]) =>
  rows.map(([what, call, ...names]) => [`${error.name}: ${what}`, { error, call, names }] as const),
);

describe.each(availableBackends())("typed errors on the %s backend", (backend) => {
  it.each(CASES)("%s", (what, c) => {
    let thrown: unknown;
    try {
      withBackend(backend, c.call);
    } catch (err) {
      thrown = err;
    }
    expect(thrown, `${what} did not throw`).toBeDefined();
    expect(thrown, String(thrown)).toBeInstanceOf(c.error);
    expect(thrown).toBeInstanceOf(XError);
    const err = thrown as XError;
    expect(err.name).toBe(c.error.name);
    for (const name of c.names) expect(err.message).toContain(name);
  });
});
