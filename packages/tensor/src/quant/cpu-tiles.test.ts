import { describe, expect, it } from "vitest";
import { withBackend } from "../backend/registry.js";
import { ValueError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { packTiles, TILE_ROWS, tileBytes, unpackTiles } from "./cpu-tiles.js";
import { qmatmul } from "./qmatmul.js";
import { QTensor } from "./qtensor.js";
import { dequantize, quantize } from "./quantize.js";

// Bytes of random blocks (any byte is a valid code; scales kept finite).
function randomBlocks(bytes: number, blockBytes: number, seed: number): Uint8Array {
  let s = seed;
  const out = Uint8Array.from({ length: bytes }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 24;
  });
  for (let o = 1; o < bytes; o += blockBytes) out[o]! &= 0x3b;
  return out;
}

describe.each([
  ["q4_0", 18],
  ["q8_0", 34],
] as const)("CPU tile layout, %s", (format, bb) => {
  const n = 37; // two full tiles and 5 rows of a third
  const k = 96;
  const nb = k / 32;
  const rows = randomBlocks(n * nb * bb, bb, 3);
  const tiles = packTiles(format, rows, n, k);

  it("puts dword c of row r at 64c + 4r and the scales after the codes, padding with zeros", () => {
    expect(tiles.length).toBe(tileBytes(format, n, k));
    expect(tiles.length).toBe(3 * TILE_ROWS * nb * bb);
    const flip = format === "q8_0" ? 0x80 : 0;
    const codes = bb - 2;
    for (const [row, b, j] of [
      [0, 0, 0],
      [17, 2, 13],
      [36, 1, codes - 1],
    ] as const) {
      const tileBase = Math.floor(row / 16) * 16 * nb * bb + b * 16 * bb;
      const r = row % 16;
      const src = (row * nb + b) * bb;
      expect(tiles[tileBase + 64 * Math.floor(j / 4) + 4 * r + (j % 4)]).toBe(
        rows[src + 2 + j]! ^ flip,
      );
      expect(tiles[tileBase + 16 * codes + 2 * r]).toBe(rows[src]);
      expect(tiles[tileBase + 16 * codes + 2 * r + 1]).toBe(rows[src + 1]);
    }
    // rows 37..47 of the last tile are zero
    const last = 2 * 16 * nb * bb;
    for (let b = 0; b < nb; b++)
      for (let r = 5; r < 16; r++) expect(tiles[last + b * 16 * bb + 16 * codes + 2 * r]).toBe(0);
  });

  it("unpacks to the same bytes; native and js moves agree", () => {
    expect(Buffer.from(unpackTiles(format, tiles, n, k)).equals(Buffer.from(rows))).toBe(true);
    const js = withBackend("js", () => packTiles(format, rows, n, k));
    expect(Buffer.from(js).equals(Buffer.from(tiles))).toBe(true);
    const back = withBackend("js", () => unpackTiles(format, tiles, n, k));
    expect(Buffer.from(back).equals(Buffer.from(rows))).toBe(true);
  });

  it("QTensor.toTiles keeps data, values and products", () => {
    const q = new QTensor({ format, shape: [n, k], data: rows });
    const t = q.toTiles();
    expect(t.layout).toBe("tiles");
    expect(t.toTiles()).toBe(t);
    expect(q.layout).toBe("rows");
    expect(Buffer.from(t.data as Uint8Array).equals(Buffer.from(rows))).toBe(true);
    expect(t.nbytes).toBe(tiles.length);
    expect(Array.from(dequantize(t).data())).toEqual(Array.from(dequantize(q).data()));
    for (const m of [1, 6]) {
      const x = Tensor.wrap(
        Float32Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.7)),
        [m, k],
        "f32",
      );
      const want = qmatmul(x, q).data();
      const got = qmatmul(x, t).data();
      for (let i = 0; i < want.length; i++)
        expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[i]!)));
    }
  });
});

describe("QTensor tiles errors", () => {
  it("rejects both or neither of data and tiles, wrong lengths and group formats", () => {
    const q = quantize(Tensor.empty([16, 32]), "q4_0");
    expect(() => new QTensor({ format: "q4_0", shape: [16, 32] })).toThrow(ValueError);
    expect(
      () =>
        new QTensor({ format: "q4_0", shape: [16, 32], data: q.data, tiles: new Uint8Array(288) }),
    ).toThrow(ValueError);
    expect(
      () => new QTensor({ format: "q4_0", shape: [20, 32], tiles: new Uint8Array(360) }),
    ).toThrow(/576 bytes of tiles/);
    const u4 = quantize(Tensor.empty([2, 32]), "u4", { groupSize: 32 });
    expect(() => u4.toTiles()).toThrow(ValueError);
  });
});
