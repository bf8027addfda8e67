// Typed, validated reads of GGUF metadata values (integers, floats, strings, token ids, bool
// arrays); every problem is a ConfigError naming the key.
import { ConfigError } from "../errors.js";
import type { GgufFile } from "./read.js";
import type { GgufValue } from "./types.js";

/** The source ConfigErrors about a GGUF file name. */
export const GGUF = "GGUF";

/** The shortest decimal that rounds to the same f32 (1e-5 stored as f32 reads back as 1e-5). */
export function snapF32(v: number): number {
  for (let p = 1; p <= 9; p++) {
    const c = Number(v.toPrecision(p));
    if (Math.fround(c) === v) return c;
  }
  return v;
}

const INT_TYPES = new Set(["u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64"]);

/** Typed access to GGUF metadata; every problem is a ConfigError naming the key. */
export class GgufMeta {
  constructor(private readonly g: GgufFile) {}
  has(key: string): boolean {
    return this.g.metadata.has(key);
  }
  private req(key: string): GgufValue {
    const v = this.g.metadata.get(key);
    if (!v) throw new ConfigError(key, "is missing", GGUF);
    return v;
  }
  int(key: string, opts: { optional?: boolean; min?: number } = {}): number | undefined {
    if (opts.optional && !this.has(key)) return undefined;
    const v = this.req(key);
    let n: number;
    if (v.type === "array" && v.itemType !== "array" && INT_TYPES.has(v.itemType)) {
      // Per-layer arrays (head_count_kv, feed_forward_length) are fine when every layer agrees.
      const vals = (v.value as (number | bigint)[]).map(Number);
      if (vals.length === 0 || vals.some((x) => x !== vals[0]))
        throw new ConfigError(
          key,
          `per-layer values [${vals.join(", ")}] differ; only uniform layers are supported`,
          GGUF,
        );
      n = vals[0]!;
    } else if (v.type !== "array" && INT_TYPES.has(v.type)) n = Number(v.value);
    else throw new ConfigError(key, `must be an integer, got ${v.type}`, GGUF);
    const min = opts.min ?? 1;
    if (!Number.isSafeInteger(n) || n < min)
      throw new ConfigError(key, `must be an integer >= ${min}, got ${n}`, GGUF);
    return n;
  }
  float(key: string, fallback?: number): number {
    if (!this.has(key) && fallback !== undefined) return fallback;
    const v = this.req(key);
    let n: number;
    if (v.type === "f32") n = snapF32(Number(v.value));
    else if (v.type === "f64" || (v.type !== "array" && INT_TYPES.has(v.type))) n = Number(v.value);
    else throw new ConfigError(key, `must be a number, got ${v.type}`, GGUF);
    if (!(n > 0) || !Number.isFinite(n))
      throw new ConfigError(key, `must be a positive number, got ${n}`, GGUF);
    return n;
  }
  str(key: string, optional = false): string | undefined {
    if (optional && !this.has(key)) return undefined;
    const v = this.req(key);
    if (v.type !== "string") throw new ConfigError(key, `must be a string, got ${v.type}`, GGUF);
    return v.value as string;
  }
  ids(key: string): number[] {
    const v = this.g.metadata.get(key);
    if (!v) return [];
    const list = v.type === "array" ? (v.value as unknown[]) : [v.value];
    const out = list.map((x) => (typeof x === "bigint" ? Number(x) : x));
    if (!out.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0))
      throw new ConfigError(key, "must be token ids", GGUF);
    return out as number[];
  }
  bools(key: string): boolean[] | undefined {
    const v = this.g.metadata.get(key);
    if (!v) return undefined;
    if (v.type !== "array" || v.itemType !== "bool")
      throw new ConfigError(key, `must be an array of bools, got ${v.type}`, GGUF);
    return v.value as boolean[];
  }
}
