import { describe, expect, it } from "vitest";
import { TrainingError } from "./errors.js";
import { checkSchedule, type LrSchedule, learningRate } from "./schedule.js";

describe("learning-rate schedules", () => {
  it("warms up linearly then follows the cosine to the floor", () => {
    const s: LrSchedule = {
      kind: "cosine",
      peak: 1e-3,
      warmupSteps: 10,
      totalSteps: 100,
      minLr: 1e-4,
    };
    expect(learningRate(s, 0)).toBeCloseTo(1e-4, 15);
    expect(learningRate(s, 4)).toBeCloseTo(5e-4, 15);
    expect(learningRate(s, 9)).toBeCloseTo(1e-3, 15);
    expect(learningRate(s, 10)).toBeCloseTo(1e-3, 15);
    expect(learningRate(s, 55)).toBeCloseTo(5.5e-4, 15);
    // a quarter of the way down: min + (peak - min)(1 + cos(pi/4))/2
    expect(learningRate(s, 32.5)).toBeCloseTo(1e-4 + (9e-4 * (1 + Math.SQRT1_2)) / 2, 15);
    expect(learningRate(s, 100)).toBeCloseTo(1e-4, 15);
    expect(learningRate(s, 500)).toBeCloseTo(1e-4, 15);
  });

  it("decays monotonically after warmup", () => {
    const s: LrSchedule = { kind: "cosine", peak: 2, totalSteps: 50 };
    for (let k = 1; k <= 50; k++)
      expect(learningRate(s, k)).toBeLessThanOrEqual(learningRate(s, k - 1));
    expect(learningRate(s, 0)).toBe(2);
    expect(learningRate(s, 50)).toBe(0);
  });

  it("constant stays at the peak after warmup", () => {
    const s: LrSchedule = { kind: "constant", peak: 0.3, warmupSteps: 3 };
    const got = [0, 1, 2, 3, 1000].map((k) => learningRate(s, k));
    for (const [i, x] of [0.1, 0.2, 0.3, 0.3, 0.3].entries()) expect(got[i]).toBeCloseTo(x, 15);
  });

  it("rejects invalid schedules", () => {
    expect(() => checkSchedule({ kind: "cosine", peak: 1, totalSteps: 0 })).toThrow(TrainingError);
    expect(() => checkSchedule({ kind: "cosine", peak: 1, totalSteps: 10, minLr: 2 })).toThrow(
      /minLr/,
    );
    expect(() => checkSchedule({ kind: "constant", peak: -1 })).toThrow(/peak/);
    expect(() => checkSchedule({ kind: "constant", peak: 1, warmupSteps: 1.5 })).toThrow(
      /warmupSteps/,
    );
  });
});
