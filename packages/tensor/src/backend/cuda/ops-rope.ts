// Rotary position embedding on cuda. The cos/sin tables of recent (positions, frequencies) pairs
// stay on the device: an upload from pageable memory waits for the stream, so sending the tables
// at every call (each layer, forward and backward) would keep the host from running ahead of the
// GPU. The backward pass rotates by -θ with the same tables (the kernel's `inverse` flag).
import { record } from "../../autograd/tape.js";
import { DTypeError } from "../../errors.js";
import { type RopeOptions, ropeAngles, ropeGeometry } from "../../ops/rope.js";
import { Tensor } from "../../tensor.js";
import { cuda } from "./addon.js";
import { keep } from "./storage.js";
import { addr, devContiguous, devEmpty, toDevice } from "./tensors.js";

interface Tables {
  cos: Tensor;
  sin: Tensor;
}

/** Tables kept per frequency vector (never mutated in place by callers: it is the cache key),
 * most recently used last; a few entries each. */
const cache = new WeakMap<ArrayLike<number>, Map<string, Tables>>();
const ENTRIES = 8;

function tablesFor(pos: Tensor, freqs: ArrayLike<number>): Tables {
  const values = pos.toFloat64();
  const key = `${pos.shape.join("x")}:${values.join(",")}`;
  let byPos = cache.get(freqs);
  if (!byPos) cache.set(freqs, (byPos = new Map()));
  const hit = byPos.get(key);
  if (hit) {
    byPos.delete(key);
    byPos.set(key, hit);
    return hit;
  }
  const angles = ropeAngles(values, freqs);
  const upload = (v: ArrayLike<number>) =>
    keep(toDevice(Tensor.from(Float32Array.from(v), [v.length])));
  const made = { cos: upload(angles.cos), sin: upload(angles.sin) };
  byPos.set(key, made);
  if (byPos.size > ENTRIES) {
    // Not disposed: a recorded backward may still rotate with them; the FinalizationRegistry
    // frees them once nothing holds them.
    byPos.delete(byPos.keys().next().value as string);
  }
  return made;
}

export function rope(
  x: Tensor,
  positions: Tensor | ArrayLike<number>,
  freqs: ArrayLike<number>,
  opts: RopeOptions = {},
): Tensor {
  if (x.dtype !== "f32") throw new DTypeError(`rope on cuda supports f32 tensors, got ${x.dtype}`);
  const { pos, seq, dim, lead, perRow } = ropeGeometry(x, positions, freqs);
  const { cos, sin } = lead ? tablesFor(pos, freqs) : { cos: x, sin: x };
  const rotateHalf = (opts.layout ?? "rotate-half") === "rotate-half";
  const apply = (src: Tensor, inverse: boolean) => {
    const c = devContiguous(src);
    const out = devEmpty(x.shape, "f32");
    if (lead)
      cuda().rope(
        addr(c),
        addr(cos),
        addr(sin),
        addr(out),
        lead,
        Math.max(1, perRow),
        seq,
        dim,
        rotateHalf,
        inverse,
      );
    return out;
  };
  // The inverse rotation (by -θ) is the transpose of the rotation.
  return record(apply(x, false), [x], (g) => [apply(g, true)]);
}
