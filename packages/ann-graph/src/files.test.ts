import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  CorruptIndexError,
  createIndex,
  generateDataset,
  loadIndex,
  ReadOnlyIndexError,
  UnsupportedVersionError,
  viewIndex,
} from "./index.js";

const dir = mkdtempSync(join(tmpdir(), "ann-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ds = generateDataset({ kind: "clusters", dim: 32, n: 3000, queries: 50, clusters: 20 }, 11);

describe.each(["hnsw", "nndescent", "flat"] as const)("%s files", (kind) => {
  const path = join(dir, `${kind}.xann`);
  const index = createIndex(kind, { dim: 32, metric: "cosine" });
  index.build(
    ds.base,
    Uint32Array.from({ length: 3000 }, (_, i) => 10 * i + 1),
  );
  if (kind === "hnsw") index.markDeleted(11);
  index.save(path);
  const expected = index.searchBatch(ds.queries, 10, { ef: 40 });

  it("save -> load and save -> view give bitwise-identical results", () => {
    for (const other of [loadIndex(path), viewIndex(path)]) {
      const r = other.searchBatch(ds.queries, 10, { ef: 40 });
      expect(Buffer.from(r.labels.buffer).equals(Buffer.from(expected.labels.buffer))).toBe(true);
      expect(Buffer.from(r.distances.buffer).equals(Buffer.from(expected.distances.buffer))).toBe(
        true,
      );
      expect(other.size).toBe(index.size);
    }
  });

  it("a loaded index accepts adds; a view is read-only", () => {
    const view = viewIndex(path);
    expect(view.readonly).toBe(true);
    expect(() => view.markDeleted(1)).toThrow(ReadOnlyIndexError);
    if (kind !== "nndescent") {
      expect(() => view.add(ds.queries.subarray(0, 32), [5])).toThrow(ReadOnlyIndexError);
      const loaded = loadIndex(path);
      loaded.add(ds.queries.subarray(0, 32), [5]);
      expect(loaded.search(ds.queries.subarray(0, 32), 1).labels[0]).toBe(5);
    }
  });

  it("a flipped byte in any section raises CorruptIndexError naming it", () => {
    const bytes = readFileSync(path);
    const v = new DataView(bytes.buffer, bytes.byteOffset);
    const names = [
      "vectors",
      "labels",
      "adjacency",
      "levels",
      "upper offsets",
      "upper lists",
      "deleted",
      "entries",
    ];
    for (let s = 0; s < 8; s++) {
      const off = Number(v.getBigUint64(112 + 20 * s, true)),
        len = Number(v.getBigUint64(120 + 20 * s, true));
      if (len === 0) continue;
      const bad = Buffer.from(bytes);
      bad[off + Math.floor(len / 2)]! ^= 0x40;
      const p = join(dir, `bad-${kind}-${s}.xann`);
      writeFileSync(p, bad);
      expect(() => loadIndex(p), names[s]).toThrow(new RegExp(names[s]!));
      expect(() => loadIndex(p)).toThrow(CorruptIndexError);
    }
  });

  it("truncated files, wrong magic and newer versions raise typed errors", () => {
    const bytes = readFileSync(path);
    const p = join(dir, `t-${kind}.xann`);
    writeFileSync(p, bytes.subarray(0, bytes.length - 5000));
    expect(() => loadIndex(p)).toThrow(CorruptIndexError);
    writeFileSync(p, bytes.subarray(0, 100));
    expect(() => viewIndex(p)).toThrow(CorruptIndexError);
    const magic = Buffer.from(bytes);
    magic[0] = 0x41;
    writeFileSync(p, magic);
    expect(() => loadIndex(p)).toThrow(/magic/);
    const newer = Buffer.from(bytes);
    newer.writeUInt32LE(2, 8);
    writeFileSync(p, newer);
    expect(() => loadIndex(p)).toThrow(UnsupportedVersionError);
  });
});
