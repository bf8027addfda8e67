import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it, vi } from "vitest";
import { FormatError } from "../errors.js";
import { openSafetensors } from "./safetensors-file.js";

// Count every byte the reader asks the OS for, without timing.
const reads = vi.hoisted(() => ({ bytes: 0, calls: 0 }));
vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  const readSync = (...args: Parameters<typeof actual.readSync>) => {
    const got = (actual.readSync as (...a: unknown[]) => number)(...args);
    reads.bytes += got;
    reads.calls++;
    return got;
  };
  return { ...actual, readSync };
});

const dir = fs.mkdtempSync(join(tmpdir(), "x-st-lazy-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it("reads one tensor of a 200 MB file without touching the rest", () => {
  const big = 200_000_000;
  const json = JSON.stringify({
    big: { dtype: "BOOL", shape: [big], data_offsets: [0, big] },
    small: { dtype: "F32", shape: [4], data_offsets: [big, big + 16] },
  });
  const header = new Uint8Array(8 + json.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(json.length), true);
  header.set(new TextEncoder().encode(json), 8);
  const start = header.length;
  const path = join(dir, "big.safetensors");
  const fd = fs.openSync(path, "w");
  fs.writeSync(fd, header);
  // Sparse file: only the header, one poisoned byte of "big" and "small" are real data.
  fs.writeSync(fd, Uint8Array.of(7), 0, 1, start + big - 1);
  fs.writeSync(fd, new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer), 0, 16, start + big);
  fs.closeSync(fd);

  reads.bytes = 0;
  const file = openSafetensors(path);
  expect(file.size).toBe(start + big + 16);
  expect(reads.bytes).toBe(8 + json.length);
  expect(file.get("small").toArray()).toEqual([1, 2, 3, 4]);
  expect(reads.bytes).toBe(8 + json.length + 16);
  expect(file.info("big").byteRange).toEqual([start, start + big]);
  // Had "big" been read, its poisoned last byte would have been rejected.
  expect(() => file.get("big")).toThrow(FormatError);
  file.close();
});
