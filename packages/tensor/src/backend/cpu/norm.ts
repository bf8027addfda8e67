import type { LayerNormKernel, RmsNormKernel, RopeKernel, SoftmaxKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// Row-wise kernels: (log-)softmax, RMSNorm, LayerNorm (native/src/norm) and RoPE (native/src/rope).
defineCpuFamily("norm", (addon) => {
  const softmax = entry<SoftmaxKernel>(addon, "softmax");
  const rmsnorm = entry<RmsNormKernel>(addon, "rmsnorm");
  const layernorm = entry<LayerNormKernel>(addon, "layernorm");
  const rope = entry<RopeKernel>(addon, "rope");
  const softmaxKernel: SoftmaxKernel = (x, out, rows, cols, log) =>
    softmax(x, out, rows, cols, log);
  const rmsnormKernel: RmsNormKernel = (x, weight, out, rows, cols, eps) =>
    rmsnorm(x, weight, out, rows, cols, eps);
  const layernormKernel: LayerNormKernel = (x, weight, bias, out, rows, cols, eps) =>
    layernorm(x, weight, bias, out, rows, cols, eps);
  const ropeKernel: RopeKernel = (x, cos, sin, out, rows, heads, dim, rotateHalf) =>
    rope(x, cos, sin, out, rows, heads, dim, rotateHalf);
  registerKernel("softmax", "cpu", softmaxKernel);
  registerKernel("rmsnorm", "cpu", rmsnormKernel);
  registerKernel("layernorm", "cpu", layernormKernel);
  registerKernel("rope", "cpu", ropeKernel);
});
