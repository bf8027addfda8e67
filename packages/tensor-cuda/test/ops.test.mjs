// CUDA property tests: every cuda op against the js backend (the oracle) on random shapes, plus
// bit-identical random streams, autograd on the device and memory ownership. Needs a GPU and the
// built addon; run with `pnpm test:cuda` (never part of the CPU suite).
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tensor from "../../tensor/dist/index.js";

const T = { ...tensor }; // a plain object: ops are looked up by name below

const { Tensor } = T;
const st = T.cudaStatus();
if (!st.available) throw new Error(`cuda unavailable: ${st.reason}`);
console.log(
  `# device ${st.device.name} cc ${st.device.computeCapability} driver ${st.device.driverVersion} blas ${st.blas}`,
);

let seed = 1;
const rnd = (shape, scale = 1) => T.mul(T.randn(shape, { seed: seed++ }), scale);
const dev = (t) => t.to("cuda");

function close(got, want, tol, what) {
  const g = got.toHost().toFloat64();
  const w = want.toFloat64();
  assert.deepEqual([...got.shape], [...want.shape], `${what}: shape`);
  for (let i = 0; i < w.length; i++) {
    if (Number.isNaN(w[i]) && Number.isNaN(g[i])) continue;
    const e = Math.abs(g[i] - w[i]) / (tol.abs + tol.rel * Math.abs(w[i]));
    if (!(e <= 1))
      assert.fail(`${what}: element ${i} is ${g[i]}, want ${w[i]} (tol ${JSON.stringify(tol)})`);
  }
}
const F = { abs: 1e-5, rel: 1e-5 };
const G = { abs: 2e-4, rel: 2e-3 };
const shapes = [[7], [3, 5], [2, 3, 33], [4, 1, 257], [2, 2, 3, 65]];

test("binary ops with broadcasting, strided views and scalars", () => {
  for (const s of shapes) {
    const a = rnd(s);
    const b = rnd([1, ...s.slice(1)]).reshape([...(s.length > 1 ? [1] : []), ...s.slice(1)]);
    for (const op of ["add", "sub", "mul", "div", "maximum", "minimum"]) {
      close(T[op](dev(a), dev(b)), T[op](a, b), F, `${op} ${s}`);
    }
    close(T.add(dev(a), 2.5), T.add(a, 2.5), F, "add scalar");
    if (s.length > 1)
      close(T.mul(dev(a).transpose(0, 1), 3), T.mul(a.transpose(0, 1), 3), F, "strided mul");
  }
});

test("unary ops and activations", () => {
  for (const s of shapes) {
    const x = rnd(s);
    const p = T.add(T.abs(x), 0.1);
    for (const op of [
      "neg",
      "abs",
      "exp",
      "tanh",
      "sigmoid",
      "silu",
      "gelu",
      "relu",
      "square",
      "sin",
      "cos",
    ])
      close(T[op](dev(x)), T[op](x), G, `${op} ${s}`);
    for (const op of ["log", "sqrt", "rsqrt", "reciprocal"])
      close(T[op](dev(p)), T[op](p), G, `${op} ${s}`);
    close(T.swiglu(dev(x), dev(p)), T.swiglu(x, p), G, "swiglu");
  }
});

test("reductions, softmax and casts", () => {
  for (const s of shapes) {
    const x = rnd(s);
    for (const ax of [undefined, 0, s.length - 1]) {
      close(T.sum(dev(x), ax), T.sum(x, ax), G, `sum ${s} ${ax}`);
      close(T.mean(dev(x), ax, true), T.mean(x, ax, true), G, `mean ${s} ${ax}`);
      close(T.max(dev(x), ax), T.max(x, ax), F, `max ${s} ${ax}`);
      close(T.argmax(dev(x), ax), T.argmax(x, ax), F, `argmax ${s} ${ax}`);
    }
    close(T.softmax(dev(x)), T.softmax(x), G, `softmax ${s}`);
    close(T.logSoftmax(dev(x), 0), T.logSoftmax(x, 0), G, `logSoftmax axis 0 ${s}`);
    close(
      T.cast(T.cast(dev(x), "bf16"), "f32"),
      T.cast(T.cast(x, "bf16"), "f32"),
      F,
      "bf16 round trip",
    );
    close(
      T.cast(T.cast(dev(x), "f16"), "f32"),
      T.cast(T.cast(x, "f16"), "f32"),
      F,
      "f16 round trip",
    );
  }
});

test("reductions: long rows (chunked sums), columns, ties and NaN", () => {
  const cases = [
    [[300001], 0],
    [[3, 70001], 1],
    [[512, 300], 0],
    [[2, 1000, 40], 1],
    [[2, 3, 300], 2],
    [[5, 7], 1],
  ];
  // Several axes: one block of a contiguous input (reduced in place), and a split set (moved last).
  const x3 = rnd([4, 5, 33]);
  for (const ax of [
    [0, 1],
    [1, 2],
    [0, 2],
  ])
    close(T.sum(dev(x3), ax), T.sum(x3, ax), G, `sum [4,5,33] ${ax}`);
  close(
    T.sum(dev(x3).transpose(0, 2), [0]),
    T.sum(x3.transpose(0, 2), [0]),
    G,
    "sum of a transpose",
  );
  for (const [s, ax] of cases) {
    const x = rnd(s);
    close(T.sum(dev(x), ax), T.sum(x, ax), G, `sum ${s} ${ax}`);
    close(T.sum(dev(x)), T.sum(x), G, `sum ${s} all`);
    for (const op of ["max", "min", "argmax", "argmin"])
      close(T[op](dev(x), ax), T[op](x, ax), F, `${op} ${s} ${ax}`);
  }
  // First NaN wins, then the first of equal extremes.
  const rows = Tensor.from([1, 5, 5, 2, 0, NaN, 3, NaN, 4, -1, -1, 4, 2, 2, 2, 2], [4, 4]);
  for (const op of ["max", "min", "argmax", "argmin"])
    for (const ax of [0, 1]) close(T[op](dev(rows), ax), T[op](rows, ax), F, `${op} ties ${ax}`);
});

test("adamwUpdate on cuda writes the same bits as the js loop", () => {
  const n = 100003;
  const hp = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const p = rnd([n]);
  const [m, v] = [T.zeros([n]), T.zeros([n])];
  const [pd, md, vd] = [dev(p), dev(m), dev(v)];
  for (let t = 1; t <= 3; t++) {
    const g = rnd([n], 0.1);
    const c = {
      ...hp,
      shrink: 1 - 1e-3 * 0.1,
      stepSize: 1e-3 / (1 - hp.beta1 ** t),
      sqrtBias2: Math.sqrt(1 - hp.beta2 ** t),
    };
    T.adamwUpdate(p, g, m, v, c);
    T.adamwUpdate(pd, dev(g), md, vd, c);
  }
  const bits = (t) => {
    const d = t.toHost().data();
    return new Uint32Array(d.buffer, d.byteOffset, d.length);
  };
  for (const [got, want, what] of [
    [pd, p, "param"],
    [md, m, "exp_avg"],
    [vd, v, "exp_avg_sq"],
  ])
    assert.deepEqual(bits(got), bits(want), `${what} bits`);
});

test("rmsNorm, rope, embedding, crossEntropy", () => {
  const x = rnd([2, 3, 5, 64]);
  const w = rnd([64]);
  close(T.rmsNorm(dev(x), dev(w), 1e-5), T.rmsNorm(x, w, 1e-5), G, "rmsNorm");
  const freqs = T.ropeFrequencies({ dim: 64 });
  for (const layout of ["rotate-half", "interleaved"])
    close(
      T.rope(dev(x), [3, 4, 5, 6, 7], freqs, { layout }),
      T.rope(x, [3, 4, 5, 6, 7], freqs, { layout }),
      G,
      `rope ${layout}`,
    );
  const table = rnd([50, 16]);
  const ids = Tensor.from([3, 0, 49, 3, 7], [5], "i32");
  close(T.embedding(dev(table), ids), T.embedding(table, ids), F, "embedding");
  close(T.embedding(dev(table), dev(ids)), T.embedding(table, ids), F, "embedding, device ids");
  assert.throws(() => T.embedding(dev(table), Tensor.from([50], [1], "i32")), T.IndexError);
  const logits = rnd([6, 300], 3);
  const tg = Tensor.from([1, 299, -100, 0, 42, 7], [6], "i32");
  for (const reduction of ["mean", "sum", "none"])
    close(
      T.crossEntropy(dev(logits), tg, { reduction }),
      T.crossEntropy(logits, tg, { reduction }),
      G,
      `crossEntropy ${reduction}`,
    );
});

test("matmul (f32, TF32, bf16, f16), batched, transposed and broadcast", () => {
  for (const [m, k, n] of [
    [1, 64, 33],
    [17, 31, 9],
    [128, 256, 64],
  ]) {
    const a = rnd([m, k]);
    const b = rnd([k, n]);
    close(T.matmul(dev(a), dev(b)), T.matmul(a, b), G, `matmul ${m}x${k}x${n}`);
    close(
      T.matmul(dev(b), dev(a), { transA: true, transB: true }),
      T.matmul(b, a, { transA: true, transB: true }),
      G,
      "trans",
    );
    T.setCudaMatmulPrecision("tf32");
    close(
      T.matmul(dev(a), dev(b)),
      T.matmul(a, b),
      { abs: 2e-2 * Math.sqrt(k), rel: 1e-2 },
      "tf32",
    );
    T.setCudaMatmulPrecision("highest");
    for (const h of ["bf16", "f16"]) {
      const want = T.matmul(T.cast(a, h), T.cast(b, h));
      close(
        T.cast(T.matmul(T.cast(dev(a), h), T.cast(dev(b), h)), "f32"),
        T.cast(want, "f32"),
        { abs: 5e-2, rel: 2e-2 },
        h,
      );
    }
  }
  const a = rnd([3, 2, 5, 7]);
  const b = rnd([2, 7, 4]);
  close(T.matmul(dev(a), dev(b)), T.matmul(a, b), G, "broadcast batch");
  close(
    T.matmul(dev(a), dev(rnd([7]))),
    T.matmul(a, rnd([7], 1)),
    { abs: 1e9, rel: 0 },
    "matvec shape",
  );
  const x = rnd([2, 5, 7]);
  const w = rnd([3, 7]);
  const bias = rnd([3]);
  close(T.linear(dev(x), dev(w), dev(bias)), T.linear(x, w, bias), G, "linear");
});

test("attention: prefill and decode, GQA, causal, masks, probabilities", () => {
  for (const [B, Hq, Hkv, Sq, Skv, D] of [
    [1, 9, 3, 16, 16, 64],
    [2, 4, 2, 1, 37, 32],
    [1, 2, 2, 5, 9, 16],
  ]) {
    const q = rnd([B, Hq, Sq, D]);
    const k = rnd([B, Hkv, Skv, D]);
    const v = rnd([B, Hkv, Skv, D]);
    for (const causal of [false, true]) {
      const want = T.scaledDotProductAttention(q, k, v, { causal, returnProbs: true });
      const got = T.scaledDotProductAttention(dev(q), dev(k), dev(v), {
        causal,
        returnProbs: true,
      });
      close(got.out, want.out, G, `attention ${[B, Hq, Hkv, Sq, Skv, D]} causal ${causal}`);
      close(got.probs, want.probs, G, "probs");
    }
    const mask = T.gt(rnd([1, 1, Sq, Skv]), -0.5);
    close(
      T.scaledDotProductAttention(dev(q), dev(k), dev(v), { mask }),
      T.scaledDotProductAttention(q, k, v, { mask }),
      G,
      "bool mask",
    );
  }
});

test("qmatmul q8_0 and q4_0 (decode and prefill rows)", () => {
  for (const format of ["q8_0", "q4_0"]) {
    const w = T.quantize(rnd([48, 128]), format);
    for (const m of [1, 7]) {
      const x = rnd([m, 128]);
      close(
        T.qmatmul(dev(x), w),
        T.qmatmul(x, w),
        { abs: 1e-3, rel: 1e-3 },
        `qmatmul ${format} m=${m}`,
      );
    }
  }
});

test("random streams are bit-identical to the CPU", () => {
  for (const n of [1, 5, 1000, 4099]) {
    for (const [fn, args] of [
      ["rand", [[n]]],
      ["randn", [[n]]],
      ["randint", [-7, 1000, [n]]],
    ]) {
      const opts = { seed: 12345 + n, offset: 3 };
      const cpu = T[fn](...args, opts);
      const gpu = T[fn](...args, { ...opts, device: "cuda" });
      assert.equal(gpu.device, "cuda");
      assert.deepEqual([...gpu.toHost().data()], [...cpu.data()], `${fn} n=${n}`);
    }
  }
});

test("autograd on the device matches the CPU (matmul, rmsNorm, rope, attention, crossEntropy)", () => {
  const x = rnd([2, 4, 32]);
  const w1 = rnd([32, 32], 0.2);
  const g = rnd([32]);
  const tgt = Tensor.from([1, 5, 2, 0, 31, 3, 4, 9], [8], "i32");
  const freqs = T.ropeFrequencies({ dim: 8 });
  const loss = (xx, ww, gg) => {
    const h = T.rmsNorm(T.linear(xx, ww), gg);
    const q = T.rope(h.reshape([2, 4, 4, 8]).transpose(1, 2), [0, 1, 2, 3], freqs);
    const a = T.scaledDotProductAttention(q, q, q, { causal: true });
    const o = T.silu(a.transpose(1, 2).reshape([8, 32]));
    return T.crossEntropy(T.add(T.mul(o, 2), T.sum(xx)), tgt);
  };
  const df = T.valueAndGrad(loss, [0, 1, 2]);
  const want = df(x, w1, g);
  const got = df(dev(x), dev(w1), dev(g));
  close(got.value, want.value, G, "loss");
  for (let i = 0; i < 3; i++)
    close(got.grads[i], want.grads[i], { abs: 1e-3, rel: 1e-2 }, `grad ${i}`);
});

// Copies into non-contiguous destinations (writeInto, cat, the slice/select/expand backward): the
// paths a device KV cache and training go through. Each result is compared with the js backend.
test("writeInto a transposed, stepped, offset or selected destination", () => {
  const cases = [
    // [buffer shape, view of the buffer, source]
    [[4, 6], (b) => b.transpose(0, 1), rnd([4, 6]).transpose(0, 1)],
    [[5, 7], (b) => b.slice(1, 1, 7, 2), rnd([5, 3])],
    [[2, 3, 9, 4], (b) => b.slice(2, 3, 7), rnd([2, 4, 3, 4]).transpose(1, 2)],
    [[3, 4, 5], (b) => b.select(1, 2), rnd([5, 3]).transpose(0, 1)],
    [[3, 4, 5], (b) => b.select(2, 4).slice(0, 1, 3), rnd([2, 4])],
    [[6, 8], (b) => b.slice(0, 2, 5).slice(1, 1, 8, 3), rnd([3, 3])],
  ];
  for (const [i, [shape, view, src]] of cases.entries()) {
    const base = rnd(shape);
    const want = base.clone();
    T.writeInto(view(want), src);
    for (const [how, s] of [
      ["dense source", dev(src)],
      ["strided source", stridedOnDevice(src)],
    ]) {
      const got = dev(base);
      const out = T.writeInto(view(got), s);
      assert.equal(out.device, "cuda");
      close(got, want, F, `writeInto case ${i}, ${how} (whole buffer)`);
    }
  }
  // a broadcast (stride 0) source
  const row = rnd([1, 5]);
  const want = T.zeros([4, 5]);
  T.writeInto(want.slice(0, 1, 4), row.expand([3, 5]));
  const got = dev(T.zeros([4, 5]));
  T.writeInto(got.slice(0, 1, 4), dev(row).expand([3, 5]));
  close(got, want, F, "writeInto of an expanded source");
  // element sizes 4 (i32), 2 (f16), 1 (u8)
  for (const dtype of ["i32", "f16", "u8"]) {
    const base = T.cast(T.mul(rnd([3, 8]), 0), dtype);
    const src = T.cast(T.abs(T.mul(rnd([8, 2]), 20)), dtype);
    const ref = base.clone();
    T.writeInto(ref.slice(1, 2, 8, 3).transpose(0, 1), src.slice(0, 1, 4).transpose(0, 1));
    const out = dev(base);
    T.writeInto(out.slice(1, 2, 8, 3).transpose(0, 1), dev(src).slice(0, 1, 4).transpose(0, 1));
    assert.deepEqual(out.toArray(), ref.toArray(), `writeInto ${dtype}`);
  }
});

/** A device copy of `t` laid out transposed in memory, viewed back as `t` (a strided device view). */
function stridedOnDevice(t) {
  if (t.ndim < 2) return dev(t);
  return dev(t.transpose(0, 1).contiguous()).transpose(0, 1);
}

test("a KV-cache style buffer: appends at the length, reads of the filled prefix", () => {
  const [B, H, cap, D] = [2, 3, 16, 8];
  const host = T.zeros([B, H, cap, D]);
  const buf = dev(host);
  let len = 0;
  for (const t of [5, 1, 1, 3]) {
    const k = rnd([B, t, H, D]).transpose(1, 2); // [B, H, t, D], strided like heads()
    T.writeInto(host.slice(2, len, len + t), k);
    T.writeInto(buf.slice(2, len, len + t), stridedOnDevice(k));
    len += t;
    close(buf.slice(2, 0, len), host.slice(2, 0, len).contiguous(), F, `prefix ${len}`);
  }
  close(buf, host, F, "whole buffer (the unfilled tail stays zero)");
});

test("cat along every axis with strided inputs", () => {
  const a = rnd([3, 4, 5]);
  const b = rnd([5, 4, 3]).transpose(0, 2); // [3, 4, 5], strided
  const c = rnd([3, 8, 10]).slice(1, 0, 8, 2).slice(2, 2, 7); // [3, 4, 5], offset + stepped
  for (let ax = 0; ax < 3; ax++) {
    const want = T.cat([a, b, c], ax);
    const got = T.cat([dev(a), stridedOnDevice(b), dev(c.contiguous())], ax);
    close(got, want, F, `cat axis ${ax}`);
    const viaViews = T.cat([dev(a).transpose(0, 2), dev(a).transpose(0, 2)], 2 - ax);
    close(viaViews, T.cat([a.transpose(0, 2), a.transpose(0, 2)], 2 - ax), F, `cat of views ${ax}`);
  }
  close(T.stack([dev(a), dev(a)], 1), T.stack([a, a], 1), F, "stack");
});

test("gradients of slice, select and expand on cuda match the js backend", () => {
  const x = rnd([4, 6, 5]);
  const w1 = rnd([4, 2, 5]);
  const w2 = rnd([4, 5]);
  const w3 = rnd([3, 4, 6, 5]);
  const w4 = rnd([6, 2, 5]);
  const cases = [
    ["slice step", (xx, w) => T.sum(T.mul(xx.slice(1, 1, 6, 3), w)), w1],
    ["select", (xx, w) => T.sum(T.mul(xx.select(1, 4), w)), w2],
    ["expand", (xx, w) => T.sum(T.mul(xx.expand([3, 4, 6, 5]), w)), w3],
    ["slice of a transpose", (xx, w) => T.sum(T.mul(xx.transpose(0, 1).slice(1, 1, 3), w)), w4],
    [
      "logits.slice as in causalLmLoss",
      (xx) => T.crossEntropy(xx.slice(1, 0, 5), T.randint(0, 5, [4, 5], { seed: 3 })),
      undefined,
    ],
  ];
  for (const [name, f, w] of cases) {
    const df = T.valueAndGrad(f, 0);
    const want = df(x, w);
    const got = df(dev(x), w === undefined ? undefined : dev(w));
    close(got.value, want.value, G, `${name}: value`);
    close(got.grads, want.grads, F, `${name}: gradient`);
  }
});

test("ownership: dispose, using, tidy and memory()", () => {
  const before = T.memory().cuda.bytes;
  const a = dev(rnd([256, 256]));
  assert.equal(T.memory().cuda.bytes, before + 256 * 256 * 4);
  a.dispose();
  assert.throws(() => T.add(a, 1), /disposed/);
  const kept = T.tidy(() => {
    const t = dev(rnd([64, 64]));
    return T.sum(T.mul(t, t), 1);
  });
  assert.equal(T.memory().cuda.bytes, before + 64 * 4);
  kept.dispose();
  assert.equal(T.memory().cuda.bytes, before);
  assert.throws(() => dev(rnd([2])).storage.data, T.DeviceError);
});
