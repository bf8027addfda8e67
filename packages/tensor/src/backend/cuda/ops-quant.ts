// ggml qmatmul on cuda: the weight's blocks are uploaded once per QTensor (cached), x is
// quantized to q8_0 on the device, then one warp computes each output's integer block dots.
import { DTypeError, ShapeError } from "../../errors.js";
import type { QTensor } from "../../quant/qtensor.js";
import { fmtShape } from "../../shape.js";
import { Tensor } from "../../tensor.js";
import { cuda } from "./addon.js";
import { keep } from "./storage.js";
import { addr, devContiguous, devEmpty, release, toDevice } from "./tensors.js";

const qweights = new WeakMap<QTensor, Tensor>();

/** x·Wᵀ for a ggml weight (uploaded once per QTensor and cached); x is quantized to q8_0 first. */
export function qmatmul(x: Tensor, w: QTensor): Tensor {
  if (w.format !== "q8_0" && w.format !== "q4_0")
    throw new DTypeError(`qmatmul needs a q8_0 or q4_0 weight, got ${w.format}`);
  if (x.dtype !== "f32") throw new DTypeError(`qmatmul on cuda needs f32 x, got ${x.dtype}`);
  const [n, k] = w.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== k)
    throw new ShapeError(
      `qmatmul: x ${fmtShape(x.shape)} does not end in k = ${k} of weight ${fmtShape(w.shape)}`,
    );
  let wd = qweights.get(w);
  if (!wd) {
    const bytes = w.data as Uint8Array;
    // Kept out of any tidy scope: the cached upload lives as long as the QTensor.
    wd = keep(toDevice(Tensor.wrap(bytes, [bytes.length], "u8")));
    qweights.set(w, wd);
  }
  const xc = devContiguous(x);
  const m = x.size / k;
  const xq = devEmpty([((m * k) / 32) * 34], "u8");
  const out = devEmpty([...x.shape.slice(0, -1), n], "f32");
  cuda().quantizeQ8(addr(xc), addr(xq), m * k);
  cuda().qmatmul(w.format === "q8_0" ? 0 : 1, addr(wd), addr(xq), addr(out), m, n, k);
  release(xq);
  return out;
}
