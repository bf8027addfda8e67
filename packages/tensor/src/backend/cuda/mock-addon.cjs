// A CPU stand-in for the CUDA addon (test only): device memory is host memory behind fake byte
// addresses, and the few entry points the copy path needs run as plain loops with the kernels'
// documented semantics. copy-path.test.ts loads it through X_TENSOR_CUDA_ADDON to check what the
// TS side passes (element offsets, strides of both sides, stride-0 sources) without a GPU.
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const blocks = new Map(); // base address -> Uint8Array
let next = 1 << 20;

function at(addr, bytes) {
  for (const [base, mem] of blocks) {
    if (addr >= base && addr + bytes <= base + mem.length) return { mem, off: addr - base };
  }
  throw new Error(`mock cuda: address ${addr} (+${bytes} bytes) is outside every live block`);
}
const f32 = (addr, n) => {
  const { mem, off } = at(addr, n * 4);
  return new Float32Array(mem.buffer, mem.byteOffset + off, n);
};

module.exports = {
  version: JSON.parse(readFileSync(join(__dirname, "../../../package.json"), "utf8")).version,
  probe: () => ({
    devices: 1,
    name: "mock",
    computeCapability: "0.0",
    totalBytes: 1 << 30,
    driverVersion: 0,
    runtimeVersion: 0,
  }),
  init: () => ({ blas: "" }),
  alloc(bytes) {
    const base = next;
    next += Math.ceil(Math.max(bytes, 1) / 512) * 512 + 512; // a gap between blocks
    blocks.set(base, new Uint8Array(Math.max(bytes, 1)));
    return base;
  },
  free: (p) => blocks.delete(p),
  emptyCache() {},
  pool: () => ({ inUse: 0, cached: 0, deviceFree: 0, deviceTotal: 0 }),
  sync() {},
  upload(p, host) {
    const { mem, off } = at(p, host.byteLength);
    mem.set(new Uint8Array(host.buffer, host.byteOffset, host.byteLength), off);
  },
  download(p, host) {
    const { mem, off } = at(p, host.byteLength);
    new Uint8Array(host.buffer, host.byteOffset, host.byteLength).set(
      mem.subarray(off, off + host.byteLength),
    );
  },
  fill: (p, v, n) => f32(p, n).fill(v),
  // copyStrided(src, dst, elemBytes, shape, srcStrides, dstStrides): strides in elements.
  copyStrided(src, dst, size, shape, a, b) {
    const n = shape.reduce((x, y) => x * y, 1);
    for (let i = 0; i < n; i++) {
      let j = i;
      let o = 0;
      let od = 0;
      for (let d = shape.length - 1; d >= 0; d--) {
        const r = j % shape[d];
        j = (j - r) / shape[d];
        o += r * a[d];
        od += r * (b ? b[d] : 0);
      }
      const s = at(src + o * size, size);
      const t = at(dst + od * size, size);
      t.mem.set(s.mem.subarray(s.off, s.off + size), t.off);
    }
  },
  // reduce(op, x, out, outer, len, inner): only op 0 (sum), what sum() and its users need here.
  reduce(op, x, out, outer, len, inner) {
    if (op !== 0) throw new Error(`mock cuda: reduce op ${op}`);
    const xs = f32(x, outer * len * inner);
    const ys = f32(out, outer * inner);
    for (let o = 0; o < outer; o++)
      for (let k = 0; k < inner; k++) {
        let s = 0;
        for (let j = 0; j < len; j++) s += xs[(o * len + j) * inner + k];
        ys[o * inner + k] = s;
      }
  },
  // binary(op, a, b, out, shape, aStrides, bStrides): add, sub, mul, div with broadcasting.
  binary(op, a, b, out, shape, sa, sb) {
    const n = shape.reduce((x, y) => x * y, 1);
    const o = f32(out, n);
    for (let i = 0; i < n; i++) {
      let j = i;
      let oa = 0;
      let ob = 0;
      for (let d = shape.length - 1; d >= 0; d--) {
        const r = j % shape[d];
        j = (j - r) / shape[d];
        oa += r * sa[d];
        ob += r * sb[d];
      }
      const x = f32(a + oa * 4, 1)[0];
      const y = f32(b + ob * 4, 1)[0];
      o[i] = op === 0 ? x + y : op === 1 ? x - y : op === 2 ? x * y : x / y;
    }
  },
};
