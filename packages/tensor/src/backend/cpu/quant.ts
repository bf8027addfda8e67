import type {
  DequantizeKernel,
  MoveTilesKernel,
  QMatmulKernel,
  QMatmulTilesKernel,
  QuantizeKernel,
} from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// ggml q8_0 / q4_0 blocks: quantize, dequantize and the quantized matmul (x quantized to q8_0 on
// the fly, integer block dots, threaded over output columns; qmatmulTiles for weights in the tile
// layout of src/quant/cpu-tiles.ts) from native/src/quant. The addon
// validates formats and lengths and throws TypeError/RangeError naming the argument.
defineCpuFamily("quant", (addon) => {
  // Every entry is resolved before any is registered: a stale addon skips the whole family.
  const quantize = entry<QuantizeKernel>(addon, "quantize");
  const dequantize = entry<DequantizeKernel>(addon, "dequantize");
  const qmatmul = entry<QMatmulKernel>(addon, "qmatmul");
  const qmatmulTiles = entry<QMatmulTilesKernel>(addon, "qmatmulTiles");
  const packTiles = entry<MoveTilesKernel>(addon, "packTiles");
  const unpackTiles = entry<MoveTilesKernel>(addon, "unpackTiles");
  const quantizeKernel: QuantizeKernel = (format, src, dst) => quantize(format, src, dst);
  const dequantizeKernel: DequantizeKernel = (format, src, dst) => dequantize(format, src, dst);
  const qmatmulKernel: QMatmulKernel = (format, w, x, out, m, n, k) =>
    qmatmul(format, w, x, out, m, n, k);
  const qmatmulTilesKernel: QMatmulTilesKernel = (format, tiles, x, out, m, n, k) =>
    qmatmulTiles(format, tiles, x, out, m, n, k);
  registerKernel("quantize", "cpu", quantizeKernel);
  registerKernel("dequantize", "cpu", dequantizeKernel);
  registerKernel("qmatmul", "cpu", qmatmulKernel);
  registerKernel("qmatmulTiles", "cpu", qmatmulTilesKernel);
  registerKernel("packTiles", "cpu", packTiles);
  registerKernel("unpackTiles", "cpu", unpackTiles);
});
