import { describe, expect, it } from "vitest";
import { ValueError } from "../../errors.js";
import { getBackend, hasKernel } from "../registry.js";
import { backendInfo, setIsa, setNumThreads, supportedIsas } from "./index.js";
import { skipNative } from "./testkit.js";

const KERNELS = [
  "sgemm",
  "binary",
  "unary",
  "reduce",
  "softmax",
  "rmsnorm",
  "layernorm",
  "rope",
  "cast",
];

describe.skipIf(skipNative)("cpu backend", () => {
  it("registers every core kernel and reports its configuration", async () => {
    for (const k of KERNELS) expect(hasKernel(k, "cpu"), k).toBe(true);
    const info = backendInfo();
    const pkg = (await import("../../../package.json", { with: { type: "json" } })).default as {
      version: string;
    };
    expect(info).toMatchObject({ backend: getBackend(), threads: 1, version: pkg.version });
    expect(supportedIsas()).toContain(info.isa);
    expect(supportedIsas()[0]).toBe("scalar");
  });

  it("switches ISA down and back, and threads, refusing bad values", () => {
    const isas = supportedIsas();
    const top = isas[isas.length - 1]!;
    try {
      expect(setIsa("scalar")).toBe("scalar");
      expect(backendInfo().isa).toBe("scalar");
      expect(setIsa(top)).toBe(top);
      expect(() => setIsa("sse9")).toThrow(ValueError);
      expect(() => setIsa("sse9")).toThrow(/unknown ISA/);
      if (!isas.includes("avx512")) expect(() => setIsa("avx512")).toThrow(/not supported/);
      expect(setNumThreads(2)).toBe(2);
      expect(backendInfo().threads).toBe(2);
      expect(() => setNumThreads(0)).toThrow(ValueError);
      expect(() => setNumThreads(1.5)).toThrow(ValueError);
    } finally {
      setIsa(top);
      setNumThreads(1);
    }
  });
});
