import { describe, expect, it } from "vitest";
import { ValueError } from "../../errors.js";
import { rand, randint, randn } from "../../ops/random.js";
import { logUniform, sinCosTurn } from "../../ops/random-math.js";
import type { RandomKernel } from "../kernels.js";
import { withBackend } from "../registry.js";
import { cpuKernel, forEachConfig, int, pick, rng, skipNative, TAILS } from "./testkit.js";

const bits = (a: ArrayLike<number>) =>
  Buffer.from(new Float32Array(a as ArrayLike<number>).buffer).toString("hex");

describe("random polynomials (shared by both backends)", () => {
  it("agree with Math.log / Math.cos / Math.sin to about an ulp", () => {
    const r = rng(1);
    const words = [
      0, 1, 2, 0x7fffffff, 0x80000000, 0xb504f333, 0xfffffffe, 0xffffffff, 0x20000000, 0x40000000,
      0x60000000,
    ];
    for (let i = 0; i < 20000; i++) words.push(Math.floor(r() * 2 ** 32));
    for (const w of words) {
      const ref = Math.log((w + 1) / 2 ** 32);
      expect(Math.abs(logUniform(w) - ref), `log ${w}`).toBeLessThanOrEqual(
        2 * Number.EPSILON * Math.abs(ref) + 1e-300,
      );
      const theta = (2 * Math.PI * w) / 2 ** 32;
      const [c, s] = sinCosTurn(w);
      // the reference angle itself carries up to half an ulp of theta
      const tol = 2.3e-16 + theta * 2 ** -53;
      expect(Math.abs(c - Math.cos(theta)), `cos ${w}`).toBeLessThan(tol);
      expect(Math.abs(s - Math.sin(theta)), `sin ${w}`).toBeLessThan(tol);
    }
  });
});

describe.skipIf(skipNative)("cpu random", () => {
  it("draws bit-identical streams to the js backend on every ISA and thread count", () => {
    const r = rng(2);
    const cases: [number, number, number][] = [
      [0, 0, 1],
      [7, 3, 5],
      [2 ** 40 + 7, 2 ** 33 + 1, 4099],
    ];
    for (let t = 0; t < 5; t++)
      cases.push([int(r, 0, 2 ** 31), int(r, 0, 99), pick(r, TAILS) + 4 * int(r, 0, 600)]);
    const ranges: [number, number][] = [
      [0, 10],
      [-5, 3],
      [-(2 ** 31), 2 ** 31],
      [0, 2 ** 32],
      [2 ** 31 - 3, 2 ** 31 + 5],
    ];
    for (const [seed, offset, n] of cases) {
      const js = withBackend("js", () => ({
        u: rand([n], { seed, offset }).toArray(),
        g: randn([n], { seed, offset }).toArray(),
        i: ranges.map(([lo, hi]) => randint(lo, hi, [n], { seed, offset }).toArray()),
      }));
      forEachConfig((cfg) => {
        const label = `${cfg} seed ${seed} offset ${offset} n ${n}`;
        withBackend("cpu", () => {
          expect(bits(rand([n], { seed, offset }).toArray()), `rand ${label}`).toBe(bits(js.u));
          expect(bits(randn([n], { seed, offset }).toArray()), `randn ${label}`).toBe(bits(js.g));
          ranges.forEach(([lo, hi], k) => {
            expect(
              randint(lo, hi, [n], { seed, offset }).toArray(),
              `randint [${lo}, ${hi}) ${label}`,
            ).toEqual(js.i[k]);
          });
        });
      });
    }
  });

  it("writes only its view and rejects bad arguments", () => {
    const random = cpuKernel<RandomKernel>("random");
    const buf = new Float32Array(20).fill(Number.NaN);
    random(1, 9, 2, buf.subarray(3, 16), 0, 1);
    expect(buf.slice(3, 16).every(Number.isFinite)).toBe(true);
    expect([...buf.slice(0, 3), ...buf.slice(16)].every(Number.isNaN)).toBe(true);
    const direct = new Float32Array(13);
    random(1, 9, 2, direct, 0, 1);
    expect([...buf.slice(3, 16)]).toEqual([...direct]);
    expect(() => random(3, 0, 0, new Float32Array(4), 0, 1)).toThrow(/kind/);
    expect(() => random(0, -1, 0, new Float32Array(4), 0, 1)).toThrow(RangeError);
    expect(() => random(0, 0, 2 ** 53, new Float32Array(4), 0, 1)).toThrow(/offset/);
    expect(() => random(2, 0, 0, new Float32Array(4), 0, 1)).toThrow(TypeError);
    expect(() => random(0, 0, 0, new Float64Array(4) as never, 0, 1)).toThrow(TypeError);
    expect(() => random(2, 0, 0, new Int32Array(4), 0, 2 ** 32 + 1)).toThrow(/span/);
    withBackend("cpu", () => {
      expect(() => randint(3, 3, [2], { seed: 0 })).toThrow(ValueError);
      expect(() => rand([2], { seed: -1 })).toThrow(ValueError);
      expect(() => randn([2], { seed: 0, offset: 0.5 })).toThrow(ValueError);
    });
  });
});
