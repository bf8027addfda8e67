import type { Crc32cKernel, MapFileKernel } from "../kernels.js";
import { registerKernel } from "../registry.js";
import { defineCpuFamily, entry } from "./families.js";

// File mapping and CRC32C (native/src/io), used by index and cache file formats.
defineCpuFamily("io", (addon) => {
  registerKernel("mapFile", "cpu", entry<MapFileKernel>(addon, "mmapFile"));
  registerKernel("crc32c", "cpu", entry<Crc32cKernel>(addon, "crc32c"));
});
