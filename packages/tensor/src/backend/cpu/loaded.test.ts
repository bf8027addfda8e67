import { describe, expect, it } from "vitest";
import { backendInfo } from "../../index.js";

// The native-vs-js property tests elsewhere only run when the addon is loaded. This test makes
// a missing or broken build fail the suite instead of silently shrinking it; set
// X_TENSOR_BACKEND=js to run the suite on the js backend on purpose.
describe("native backend", () => {
  it("is loaded unless the js backend was requested", () => {
    const info = backendInfo();
    if (process.env.X_TENSOR_BACKEND === "js") {
      expect(info.backend).toBe("js");
    } else {
      expect(info, JSON.stringify(info)).toMatchObject({ backend: "cpu" });
      expect(["scalar", "avx2", "avx512", "neon"]).toContain(info.isa);
    }
  });
});
