// The deterministic fixture weights of fixtures/README.md: every value is a function of the
// parameter's Hugging Face name and its row-major index (uint32 arithmetic throughout).
import { Tensor } from "@x/tensor";

/** FNV-1a 32-bit hash of the UTF-8 bytes of `name`. */
export function fnv1a(name: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(name)) {
    h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** lowbias32 integer mixer. */
export function mix(x: number): number {
  let v = x >>> 0;
  v ^= v >>> 16;
  v = Math.imul(v, 0x7feb352d) >>> 0;
  v ^= v >>> 15;
  v = Math.imul(v, 0x846ca68b) >>> 0;
  v ^= v >>> 16;
  return v >>> 0;
}

/** Scale and offset of a parameter by its name (norm weights around 1, biases small). */
function affine(name: string): [number, number] {
  if (name.endsWith("norm.weight")) return [0.1, 1];
  if (name.endsWith(".bias")) return [0.02, 0];
  return [0.05, 0];
}

/** The fixture tensor of parameter `name` with `shape` (computed in f64, rounded once to f32). */
export function fixtureWeight(name: string, shape: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const h = fnv1a(name);
  const [scale, offset] = affine(name);
  for (let i = 0; i < n; i++) {
    const r = ((mix((h + i) >>> 0) >>> 8) / 16777216) * 2 - 1;
    out[i] = offset + scale * r;
  }
  return Tensor.wrap(out, shape, "f32");
}
