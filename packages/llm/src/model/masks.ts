// Attention masks the model builds itself (the cache builds its own from slot positions).
import { Tensor } from "@x/tensor";

/**
 * Bool mask [1, 1, T, T] letting query i see keys j with j <= i and i - j < window (Mistral and
 * Qwen2 sliding-window attention over a whole sequence).
 *
 * ```ts
 * windowMask(4, 2).toArray(); // row 3: [0, 0, 1, 1]
 * ```
 */
export function windowMask(t: number, window: number): Tensor {
  const m = new Uint8Array(t * t);
  for (let i = 0; i < t; i++)
    for (let j = Math.max(0, i - window + 1); j <= i; j++) m[i * t + j] = 1;
  return Tensor.wrap(m, [1, 1, t, t], "bool");
}
