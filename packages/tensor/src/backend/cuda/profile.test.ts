import { describe, expect, it } from "vitest";
import { cudaProfile, formatCudaProfile, profileAddon } from "./profile.js";

describe("cuda profile", () => {
  it("counts each entry point, synchronizes around it and ranks by time", () => {
    const log: string[] = [];
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const addon = {
      version: "0",
      sync: () => log.push("sync"),
      fast: (x: number) => {
        log.push("fast");
        return x + 1;
      },
      slow: () => {
        log.push("slow");
        busy(5);
      },
    };
    const p = profileAddon(addon);
    expect(p.fast(1)).toBe(2);
    p.slow();
    p.fast(2);
    expect(log).toEqual(["sync", "fast", "sync", "sync", "slow", "sync", "sync", "fast", "sync"]);
    const rows = cudaProfile();
    expect(rows.map((r) => [r.name, r.calls])).toEqual([
      ["slow", 1],
      ["fast", 2],
    ]);
    expect(rows[0]!.totalMs).toBeGreaterThanOrEqual(5);
    expect(formatCudaProfile()).toMatch(/^# cuda profile: .* ms in addon calls[\s\S]*slow\s+1\s/);
  });
});
