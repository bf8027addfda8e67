// The default LinearOp: dense `linear`, or a ggml-quantized matmul whose input gradient flows
// through the dequantized weight (quantized weights themselves are frozen).
import {
  add,
  customOp,
  dequantize,
  isRecording,
  linear,
  matmul,
  QTensor,
  qmatmul,
  type Tensor,
} from "@x/tensor";
import type { LinearOp, LinearWeight } from "../protocols.js";

/**
 * `x Wᵀ + b` for a dense weight (differentiable in x, W and b) or a q8_0/q4_0 QTensor
 * (differentiable in x and b; x is quantized to q8_0 inside the kernel, as llama.cpp does).
 *
 * ```ts
 * const y = quantLinear(x, quantize(w, "q4_0"));
 * ```
 */
export function quantLinear(x: Tensor, weight: QTensor, bias?: Tensor): Tensor {
  // Off the tape (inference), the custom op and its closures are skipped: one per projection.
  const y = isRecording()
    ? customOp({
        name: "quantLinear",
        forward: (input: Tensor) => qmatmul(input, weight),
        save: () => [],
        backward: (g) => [matmul(g, dequantize(weight))],
      })(x)
    : qmatmul(x, weight);
  return bias ? add(y, bias) : y;
}

/**
 * The model's default linear op (see {@link LinearOp}); replace it with `model.setLinearOp`.
 *
 * ```ts
 * model.setLinearOp((x, w, b, name) => defaultLinear(x, w, b, name));
 * ```
 */
export const defaultLinear: LinearOp = (
  x: Tensor,
  weight: LinearWeight,
  bias: Tensor | undefined,
): Tensor => (weight instanceof QTensor ? quantLinear(x, weight, bias) : linear(x, weight, bias));
