import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import {
  applyRepetitionPenalty,
  argmax,
  checkSampling,
  chooseToken,
  samplingDistribution,
} from "./sampling.js";

const logits = Float64Array.of(2, 1, 0, -1); // softmax: e^2, e^1, e^0, e^-1 over their sum
const Z = Math.exp(2) + Math.exp(1) + 1 + Math.exp(-1);
const p = [Math.exp(2) / Z, Math.exp(1) / Z, 1 / Z, Math.exp(-1) / Z]; // .644 .237 .087 .032

function close(a: ArrayLike<number>, b: number[]): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 10);
}

describe("sampling filters", () => {
  it("temperature rescales logits", () => {
    const z = Math.exp(1) + Math.exp(0.5) + 1 + Math.exp(-0.5);
    close(samplingDistribution(logits, { temperature: 2 }), [
      Math.exp(1) / z,
      Math.exp(0.5) / z,
      1 / z,
      Math.exp(-0.5) / z,
    ]);
  });

  it("top-k keeps the k best (and ties with the k-th)", () => {
    const z = Math.exp(2) + Math.exp(1);
    close(samplingDistribution(logits, { temperature: 1, topK: 2 }), [
      Math.exp(2) / z,
      Math.exp(1) / z,
      0,
      0,
    ]);
    const tied = samplingDistribution(Float64Array.of(1, 1, 0), { temperature: 1, topK: 1 });
    close(tied, [0.5, 0.5, 0]);
  });

  it("top-p keeps the smallest head whose mass reaches p", () => {
    // p0 = .644 < .7, p0 + p1 = .881 >= .7 -> keep two.
    const z = Math.exp(2) + Math.exp(1);
    close(samplingDistribution(logits, { temperature: 1, topP: 0.7 }), [
      Math.exp(2) / z,
      Math.exp(1) / z,
      0,
      0,
    ]);
    close(samplingDistribution(logits, { temperature: 1, topP: 0.5 }), [1, 0, 0, 0]);
    const z3 = Math.exp(2) + Math.exp(1) + 1;
    close(samplingDistribution(logits, { temperature: 1, topP: 0.9 }), [
      Math.exp(2) / z3,
      Math.exp(1) / z3,
      1 / z3,
      0,
    ]);
  });

  it("min-p drops tokens below minP times the top probability", () => {
    // threshold .2 * .644 = .129: keeps p0, p1.
    const z = Math.exp(2) + Math.exp(1);
    close(samplingDistribution(logits, { temperature: 1, minP: 0.2 }), [
      Math.exp(2) / z,
      Math.exp(1) / z,
      0,
      0,
    ]);
    close(samplingDistribution(logits, { temperature: 1, minP: 0 }), p);
  });

  it("repetition penalty divides positive and multiplies negative logits once per token", () => {
    const row = Float32Array.of(2, 1, -1, 0.5);
    applyRepetitionPenalty(row, [0, 2, 2], 2);
    expect([...row]).toEqual([1, 1, -2, 0.5]);
    expect(chooseToken(Float32Array.of(2, 1.5), { repetitionPenalty: 2 }, [0], 0)).toBe(1);
  });

  it("greedy is argmax and sampling inverts the CDF", () => {
    expect(argmax(Float32Array.of(1, 3, 3, 2))).toBe(1);
    const row = Float32Array.from(logits);
    expect(chooseToken(row, {}, [], 0.99)).toBe(0);
    expect(chooseToken(row, { temperature: 1 }, [], 0)).toBe(0);
    expect(chooseToken(row, { temperature: 1 }, [], p[0]! + 0.01)).toBe(1);
    expect(chooseToken(row, { temperature: 1 }, [], 0.9999)).toBe(3);
    expect(chooseToken(row, { temperature: 1, topK: 2 }, [], 0.9999)).toBe(1);
  });

  it("rejects out-of-range options", () => {
    expect(() => checkSampling({ topP: 0 })).toThrow(UsageError);
    expect(() => checkSampling({ topK: 0.5 })).toThrow(/topK/);
    expect(() => checkSampling({ temperature: -1 })).toThrow(/temperature/);
    expect(() => checkSampling({ minP: 2 })).toThrow(/minP/);
    expect(() => checkSampling({ repetitionPenalty: 0 })).toThrow(/repetitionPenalty/);
  });
});
