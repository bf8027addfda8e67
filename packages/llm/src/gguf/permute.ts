// The Q/K row permutation between Hugging Face's rotate-half RoPE layout and ggml's
// interleaved-pair layout (what llama.cpp's convert_hf_to_gguf.py applies for llama models).
import { ValueError } from "@x/tensor";

/**
 * For each output row, the input row it comes from. Within every head of `headDim` rows, HF
 * pairs row j with row j + headDim/2 (rotate-half); ggml pairs rows 2j and 2j + 1. So output
 * row `h·d + 2j + s` is input row `h·d + s·d/2 + j` (s = 0, 1). Pass the KV head count for k.
 *
 * ```ts
 * qkRowOrder(4, 1); // Int32Array [0, 2, 1, 3]
 * ```
 */
export function qkRowOrder(rows: number, nHeads: number): Int32Array {
  if (
    !Number.isInteger(rows) ||
    !Number.isInteger(nHeads) ||
    nHeads < 1 ||
    rows % (2 * nHeads) !== 0
  ) {
    throw new ValueError(`qkRowOrder: ${rows} rows do not split into ${nHeads} heads of even size`);
  }
  const d = rows / nHeads;
  const half = d / 2;
  const order = new Int32Array(rows);
  for (let h = 0; h < nHeads; h++) {
    for (let j = 0; j < half; j++) {
      order[h * d + 2 * j] = h * d + j;
      order[h * d + 2 * j + 1] = h * d + half + j;
    }
  }
  return order;
}

/**
 * The inverse of a row order (ggml layout back to Hugging Face's).
 *
 * ```ts
 * invertOrder(qkRowOrder(8, 2)); // restores the original rows when applied after it
 * ```
 */
export function invertOrder(order: Int32Array): Int32Array {
  const inv = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) inv[order[i]!] = i;
  return inv;
}

/**
 * Reorders equal-sized rows of a typed array: row i of the result is row `order[i]` of `src`.
 *
 * ```ts
 * permuteRows(new Float32Array([0, 0, 1, 1, 2, 2, 3, 3]), qkRowOrder(4, 1)); // rows 0, 2, 1, 3
 * ```
 */
export function permuteRows<T extends Float32Array | Uint8Array>(src: T, order: Int32Array): T {
  if (src.length % order.length !== 0) {
    throw new ValueError(`permuteRows: ${src.length} elements are not ${order.length} equal rows`);
  }
  const width = src.length / order.length;
  const out = new (src.constructor as new (n: number) => T)(src.length);
  for (let i = 0; i < order.length; i++) {
    const from = order[i]! * width;
    out.set(src.subarray(from, from + width), i * width);
  }
  return out;
}
