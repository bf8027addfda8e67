import type { CrossEntropyGradKernel, CrossEntropyKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// Fused cross-entropy from native/src/loss (per ISA: vector max and exp, f64 row sums): the
// forward per-row loss and the softmax - onehot gradient. The addon rejects targets outside
// [0, vocab) other than ignoreIndex with a RangeError naming the position.
defineCpuFamily("loss", (addon) => {
  const forward = entry<CrossEntropyKernel>(addon, "crossEntropy");
  const backward = entry<CrossEntropyGradKernel>(addon, "crossEntropyBackward");
  const fwd: CrossEntropyKernel = (logits, targets, rows, vocab, ignore, out) =>
    forward(logits, targets, rows, vocab, ignore, out);
  const bwd: CrossEntropyGradKernel = (logits, targets, rows, vocab, ignore, weights, grad) =>
    backward(logits, targets, rows, vocab, ignore, weights, grad);
  registerKernel("crossEntropy", "cpu", fwd);
  registerKernel("crossEntropyBackward", "cpu", bwd);
});
