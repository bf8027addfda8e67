// deviceCache(): a full f32 KV cache whose keys and values stay in device memory (cuda). Each layer
// owns two preallocated [batch, nKvHeads, capacity, headDim] buffers; append writes the new tokens
// at the current length (a strided device copy), attend runs the device attention over the filled
// prefix. Capacity doubles when exceeded. Rows advance together (generate uses one row per cache).
import {
  type AttentionResult,
  isRecording,
  keep,
  scaledDotProductAttention,
  Tensor,
  writeInto,
  zeros,
} from "@x/tensor";
import { KVCacheError } from "../errors.js";
import type {
  KVAppendOptions,
  KVAttendOptions,
  KVAttendResult,
  KVBytes,
  KVCacheFactory,
  KVCacheLayer,
  KVShape,
  KVSnapshot,
} from "../protocols.js";
import { KV_PROTOCOL_VERSION } from "../protocols.js";
import { checkKVShape } from "./full-cache.js";
import { LayeredCache } from "./model-cache.js";

/** Options of {@link deviceCache}. */
export interface DeviceCacheConfig {
  /** Tokens preallocated per row (default: the shape's maxSeqLen, else 256); grows by doubling. */
  capacity?: number;
  /** Device of the buffers (default "cuda"). */
  device?: "cuda" | "cpu";
}

function buffer(shape: KVShape, cap: number, device: "cuda" | "cpu"): Tensor {
  return keep(zeros([shape.batch, shape.nKvHeads, cap, shape.headDim]).to(device));
}

/** One layer of a {@link deviceCache}. */
export class DeviceStore implements KVCacheLayer {
  readonly caps = { quantized: false, evicts: false, emitsProbs: true, keyRope: "post" } as const;
  private k: Tensor;
  private v: Tensor;
  private len = 0;
  private pending = 0;

  constructor(
    private readonly shape: KVShape,
    private readonly device: "cuda" | "cpu",
    capacity: number,
  ) {
    this.k = buffer(shape, capacity, device);
    this.v = buffer(shape, capacity, device);
  }

  private get capacity(): number {
    return this.k.shape[2]!;
  }

  private grow(need: number): void {
    let cap = this.capacity;
    while (cap < need) cap *= 2;
    const filled = this.len + this.pending;
    for (const key of ["k", "v"] as const) {
      const next = buffer(this.shape, cap, this.device);
      if (filled) writeInto(next.slice(2, 0, filled), this[key].slice(2, 0, filled));
      this[key].dispose();
      this[key] = next;
    }
  }

  append(k: Tensor, v: Tensor, opts: KVAppendOptions = {}): void {
    const { batch, nKvHeads, headDim } = this.shape;
    const t = k.shape[2]!;
    const ok = (x: Tensor) =>
      x.ndim === 4 && x.shape[0] === batch && x.shape[1] === nKvHeads && x.shape[3] === headDim;
    if (!ok(k) || !ok(v) || v.shape[2] !== t)
      throw new KVCacheError(
        "KV_SHAPE",
        `append: k [${k.shape.join(", ")}] / v [${v.shape.join(", ")}] do not fit [${batch}, ${nKvHeads}, T, ${headDim}]`,
      );
    if (k.dtype !== "f32" || v.dtype !== "f32")
      throw new KVCacheError(
        "KV_DTYPE",
        `the device cache stores f32 k/v, got ${k.dtype}/${v.dtype}`,
      );
    if (opts.counts?.some((c) => c !== t))
      throw new KVCacheError("KV_UNSUPPORTED", "the device cache appends whole blocks (no counts)");
    const at = this.len + this.pending;
    if (at + t > this.capacity) this.grow(at + t);
    writeInto(this.k.slice(2, at, at + t), k);
    writeInto(this.v.slice(2, at, at + t), v);
    this.pending += t;
  }

  attend(q: Tensor, opts: KVAttendOptions = {}): KVAttendResult {
    if (isRecording())
      throw new KVCacheError(
        "KV_UNSUPPORTED",
        "attend cannot run inside grad() (no cache in training)",
      );
    const total = this.len + this.pending;
    const tq = q.shape[2]!;
    const w = opts.window;
    const start = w !== undefined ? Math.max(0, this.len - w + 1) : 0;
    const s = total - start;
    let mask: Tensor | undefined;
    if (w !== undefined && this.pending > 1 && total - start > w) {
      // Later queries of the block see fewer early keys: key j (position start + j) needs p - w < start + j.
      const m = new Uint8Array(tq * s);
      for (let i = 0; i < tq; i++) {
        const p = this.len + i;
        for (let j = 0; j < s; j++) m[i * s + j] = start + j <= p && start + j > p - w ? 1 : 0;
      }
      mask = Tensor.wrap(m, [1, 1, tq, s], "bool");
    }
    const res = scaledDotProductAttention(
      q,
      this.k.slice(2, start, total),
      this.v.slice(2, start, total),
      {
        causal: this.pending > 0 && !mask,
        ...(opts.scale !== undefined ? { scale: opts.scale } : {}),
        ...(mask ? { mask } : {}),
        ...(opts.returnProbs ? { returnProbs: true } : {}),
      },
    ) as Tensor | AttentionResult;
    this.len = total;
    this.pending = 0;
    if (res instanceof Tensor) return { out: res };
    return { out: res.out, ...(res.probs ? { probs: res.probs } : {}) };
  }

  length(_row = 0): number {
    return this.len + this.pending;
  }

  stored(_row: number, _kvHead: number): number {
    return this.len;
  }

  bytes(): KVBytes {
    const per = this.shape.batch * this.shape.nKvHeads * this.shape.headDim * 4 * 2;
    return { used: per * this.len, reserved: per * this.capacity, parts: { kv: per * this.len } };
  }

  stats(): Record<string, unknown> {
    return { length: this.len, capacity: this.capacity, device: this.device };
  }

  truncate(n: number, row?: number): void {
    if (this.pending) throw new KVCacheError("KV_STATE", "truncate with tokens pending");
    if (row !== undefined && this.shape.batch > 1)
      throw new KVCacheError("KV_UNSUPPORTED", "the device cache truncates all rows together");
    this.len = Math.min(this.len, Math.max(0, n));
  }

  reset(rows?: readonly number[]): void {
    if (rows && rows.length < this.shape.batch)
      throw new KVCacheError("KV_UNSUPPORTED", "the device cache resets all rows together");
    this.len = 0;
    this.pending = 0;
  }

  fork(): DeviceStore {
    const f = new DeviceStore(this.shape, this.device, this.capacity);
    const n = this.len + this.pending;
    if (n) {
      writeInto(f.k.slice(2, 0, n), this.k.slice(2, 0, n));
      writeInto(f.v.slice(2, 0, n), this.v.slice(2, 0, n));
    }
    f.len = this.len;
    f.pending = this.pending;
    return f;
  }

  snapshot(): KVSnapshot {
    if (this.pending) throw new KVCacheError("KV_STATE", "snapshot with tokens pending");
    const host = (t: Tensor) =>
      t.slice(2, 0, this.len).toHost().contiguous().data() as Float32Array;
    return {
      protocol: KV_PROTOCOL_VERSION,
      kind: "device",
      config: {},
      shape: this.shape,
      arrays: { k: host(this.k), v: host(this.v), length: [this.len] },
    };
  }

  restore(s: KVSnapshot): void {
    const n = (s.arrays.length as number[])[0]!;
    const { batch, nKvHeads, headDim } = this.shape;
    if (n > this.capacity) this.grow(n);
    for (const key of ["k", "v"] as const) {
      const src = Tensor.wrap(s.arrays[key] as Float32Array, [batch, nKvHeads, n, headDim], "f32");
      if (n) writeInto(this[key].slice(2, 0, n), src.to(this.device));
    }
    this.len = n;
    this.pending = 0;
  }

  dispose(): void {
    this.k.dispose();
    this.v.dispose();
  }
}

/**
 * A full f32 KV cache kept on the device (what `generate` uses for a model on cuda). Needs the
 * cuda device unless `{device: "cpu"}` (which exercises the same code on host tensors).
 *
 * ```ts
 * const gpu = moveModel(model, "cuda");
 * const [out] = await complete(gpu, [prompt], { maxNewTokens: 16, cache: deviceCache() });
 * ```
 */
export function deviceCache(config: DeviceCacheConfig = {}): KVCacheFactory<DeviceCacheConfig> {
  const device = config.device ?? "cuda";
  if (config.capacity !== undefined && !(Number.isInteger(config.capacity) && config.capacity > 0))
    throw new KVCacheError(
      "KV_CONFIG",
      `deviceCache capacity must be a positive integer, got ${config.capacity}`,
    );
  return {
    kind: "device",
    config: { device, ...(config.capacity ? { capacity: config.capacity } : {}) },
    protocol: KV_PROTOCOL_VERSION,
    create(shape: KVShape) {
      checkKVShape({ ...shape, device: "cpu" });
      const cap = config.capacity ?? shape.maxSeqLen ?? 256;
      const layers = Array.from(
        { length: shape.nLayers },
        () => new DeviceStore(shape, device, cap),
      );
      return new LayeredCache("device", shape, layers);
    },
  };
}
