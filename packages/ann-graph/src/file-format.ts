// The index file (spec 2.8): a 4,096-byte little-endian header with a section table, then eight
// 4,096-aligned sections, each CRC32C-checked. Written to a temp file, fsynced and renamed.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { crc32c, mapFile } from "@x/tensor";
import { AnnIndex } from "./ann-index.js";
import { CorruptIndexError, UnsupportedPlatformError, UnsupportedVersionError } from "./errors.js";
import type { IndexKind, IndexOptions, Metric, StorageDtype } from "./options.js";
import { type IndexState, storeDim } from "./state.js";

const MAGIC = "XANNGRF1";
const HEADER = 4096;
const SECTIONS = [
  "vectors",
  "labels",
  "adjacency",
  "levels",
  "upper offsets",
  "upper lists",
  "deleted",
  "entries",
] as const;
const KINDS: IndexKind[] = ["flat", "hnsw", "hnsw", "nndescent"]; // code 2 (vamana) reserved
const KIND_CODE: Record<IndexKind, number> = { flat: 0, hnsw: 1, nndescent: 3 };
const METRICS: Metric[] = ["l2", "ip", "cosine"];
const DTYPES: StorageDtype[] = ["f32", "f16", "i8"];

function checkPlatform(): void {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1)
    throw new UnsupportedPlatformError("index files need a little-endian host");
}

function sectionBytes(s: IndexState): Uint8Array[] {
  const n = s.rows.n;
  const u8 = (a: ArrayBufferView, bytes: number) => new Uint8Array(a.buffer, a.byteOffset, bytes);
  return [
    u8(s.rows.bytes, n * s.rows.stride),
    u8(s.labels, n * 4),
    u8(s.adj, s.kind === "flat" ? 0 : n * (1 + s.maxDeg) * 4),
    u8(s.levels, s.kind === "hnsw" ? n : 0),
    u8(s.upperOff, s.kind === "hnsw" ? n * 4 : 0),
    u8(s.upperAdj, s.kind === "hnsw" ? s.upperUsed * (1 + s.M) * 4 : 0),
    u8(s.deleted, s.deletedCount > 0 ? Math.ceil(n / 8) : 0),
    u8(s.entries, s.entries.length * 4),
  ];
}

/** Writes the index to `path` atomically (temp file, fsync, rename, fsync of the directory). */
export function saveIndex(s: IndexState, path: string, sourceHash?: Uint8Array): void {
  checkPlatform();
  const parts = sectionBytes(s);
  const header = new Uint8Array(HEADER);
  const v = new DataView(header.buffer);
  header.set(new TextEncoder().encode(MAGIC), 0);
  v.setUint32(8, 1, true);
  v.setUint32(12, KIND_CODE[s.kind], true);
  v.setUint32(16, METRICS.indexOf(s.metric), true);
  v.setUint32(20, DTYPES.indexOf(s.dtype), true);
  v.setUint32(24, s.dim, true);
  v.setUint32(28, s.rows.dimPad, true);
  v.setBigUint64(32, BigInt(s.rows.n), true);
  v.setBigUint64(40, BigInt(s.rows.n), true);
  for (const [i, x] of [s.M, s.M0, s.efConstruction, s.K, 0].entries())
    v.setUint32(48 + 4 * i, x, true);
  v.setFloat32(68, s.alpha, true);
  v.setUint32(72, Math.max(0, s.hnsw[1]!), true);
  v.setUint32(76, s.hnsw[0]! >>> 0, true);
  v.setBigUint64(80, BigInt(s.seed), true);
  v.setUint32(
    88,
    (s.normalized ? 1 : 0) | (s.mipsLift ? 2 : 0) | (s.deletedCount > 0 ? 4 : 0),
    true,
  );
  v.setFloat32(92, s.liftR2, true);
  if (sourceHash) header.set(sourceHash.subarray(0, 16), 96);
  let offset = HEADER;
  parts.forEach((p, i) => {
    v.setBigUint64(112 + 20 * i, BigInt(offset), true);
    v.setBigUint64(120 + 20 * i, BigInt(p.byteLength), true);
    v.setUint32(128 + 20 * i, crc32c(p), true);
    offset += Math.ceil(p.byteLength / 4096) * 4096;
  });
  v.setUint32(HEADER - 4, crc32c(header.subarray(0, HEADER - 4)), true);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, header);
    for (const p of parts) {
      writeSync(fd, p);
      const pad = Math.ceil(p.byteLength / 4096) * 4096 - p.byteLength;
      if (pad > 0) writeSync(fd, new Uint8Array(pad));
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  try {
    const dfd = openSync(dirname(path), "r");
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // some filesystems refuse directory fsync; the rename is still atomic
  }
}

/** Parses and verifies a file image; arrays are views into `bytes` (copy them for a mutable index). */
export function parseIndex(
  bytes: Uint8Array,
  verifyVectors: boolean,
): { state: IndexState; opts: IndexOptions } {
  checkPlatform();
  if (bytes.byteLength < HEADER)
    throw new CorruptIndexError(
      "header",
      `file has ${bytes.byteLength} bytes, less than the 4096-byte header`,
    );
  const v = new DataView(bytes.buffer, bytes.byteOffset, HEADER);
  if (new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC)
    throw new CorruptIndexError("header", "wrong magic (not an @x/ann-graph index)");
  const version = v.getUint32(8, true);
  if (version > 1) throw new UnsupportedVersionError(version);
  if (crc32c(bytes.subarray(0, HEADER - 4)) !== v.getUint32(HEADER - 4, true))
    throw new CorruptIndexError("header", "CRC32C mismatch");
  const u32 = (o: number) => v.getUint32(o, true);
  const kindCode = u32(12),
    metricCode = u32(16),
    dtypeCode = u32(20);
  if (kindCode > 3 || kindCode === 2 || metricCode > 2 || dtypeCode > 2)
    throw new CorruptIndexError("header", "unknown algorithm, metric or dtype code");
  const n = Number(v.getBigUint64(32, true));
  const kind = KINDS[kindCode]!;
  const flags = u32(88);
  const [M, M0, efConstruction, K] = [u32(48), u32(52), u32(56), u32(60)];
  const sections = SECTIONS.map((name, i) => {
    const off = Number(v.getBigUint64(112 + 20 * i, true)),
      len = Number(v.getBigUint64(120 + 20 * i, true));
    if (off % 4096 !== 0 || off + len > bytes.byteLength)
      throw new CorruptIndexError(
        name,
        `section [${off}, ${off + len}) lies outside the ${bytes.byteLength}-byte file (truncated?)`,
      );
    const data = bytes.subarray(off, off + len);
    if ((name !== "vectors" || verifyVectors) && crc32c(data) !== u32(128 + 20 * i))
      throw new CorruptIndexError(name, "CRC32C mismatch");
    return data;
  });
  const view32 = (b: Uint8Array) => new Uint32Array(b.buffer, b.byteOffset, b.byteLength >> 2);
  const dtype = DTYPES[dtypeCode]!;
  const dim = u32(24),
    dimPad = u32(28);
  const elem = dtype === "f32" ? 4 : dtype === "f16" ? 2 : 1;
  const mipsLift = (flags & 2) !== 0;
  const maxDeg = kind === "hnsw" ? M0 : kind === "nndescent" ? Math.ceil(1.5 * K) : 0;
  const state: IndexState = {
    kind,
    metric: METRICS[metricCode]!,
    dtype,
    dim,
    capacity: Math.max(1, n),
    M,
    M0,
    efConstruction,
    K,
    alpha: v.getFloat32(68, true),
    seed: Number(v.getBigUint64(80, true)),
    normalized: (flags & 1) !== 0,
    mipsLift,
    liftR2: v.getFloat32(92, true),
    rows: {
      bytes: sections[0]!,
      stride: dimPad * elem,
      dimPad,
      dim: dim + (mipsLift ? 1 : 0),
      type: dtype,
      metric: METRICS[metricCode] === "l2" || mipsLift ? "l2" : "dot",
      n,
    },
    labels: view32(sections[1]!),
    adj: view32(sections[2]!),
    maxDeg,
    levels: sections[3]!,
    upperOff: view32(sections[4]!),
    upperAdj: view32(sections[5]!),
    upperUsed: sections[5]!.byteLength / 4 / (1 + M),
    deleted: sections[6]!.byteLength ? sections[6]! : new Uint8Array(Math.ceil(n / 8)),
    deletedCount: 0,
    hnsw: Int32Array.of(n > 0 && kind === "hnsw" ? u32(76) : -1, u32(72)),
    entries: view32(sections[7]!),
  };
  validate(state, n);
  for (let i = 0; i < n; i++) if ((state.deleted[i >> 3]! >> (i & 7)) & 1) state.deletedCount++;
  return {
    state,
    opts: {
      dim,
      metric: state.metric,
      dtype,
      M,
      K,
      efConstruction,
      alpha: state.alpha,
      seed: state.seed,
      mipsLift,
    },
  };
}

// Structural checks, so a file that passes its CRCs but was built wrong can never make a kernel read out of bounds.
function validate(s: IndexState, n: number): void {
  const d = storeDim(s);
  if (
    s.rows.dimPad % 16 !== 0 ||
    s.rows.dimPad < d ||
    s.rows.bytes.byteLength !== n * s.rows.stride
  )
    throw new CorruptIndexError("vectors", "size does not match n x dimPad");
  if (s.labels.length !== n) throw new CorruptIndexError("labels", `expected ${n} labels`);
  if (s.kind === "flat") return;
  if (s.adj.length !== n * (1 + s.maxDeg))
    throw new CorruptIndexError("adjacency", "size does not match n x (1 + maxDeg)");
  for (let i = 0; i < n; i++) {
    const base = i * (1 + s.maxDeg),
      c = s.adj[base]!;
    if (c > s.maxDeg)
      throw new CorruptIndexError("adjacency", `node ${i} has ${c} neighbours (max ${s.maxDeg})`);
    for (let j = 1; j <= c; j++)
      if (s.adj[base + j]! >= n)
        throw new CorruptIndexError("adjacency", `node ${i} links to ${s.adj[base + j]} >= n`);
  }
  if (s.kind === "hnsw") {
    if (s.levels.length !== n || s.upperOff.length !== n)
      throw new CorruptIndexError("levels", "size does not match n");
    if (n > 0 && (s.hnsw[0]! >= n || s.levels[s.hnsw[0]!] !== s.hnsw[1]))
      throw new CorruptIndexError("header", "entry point or max level is inconsistent");
    for (let i = 0; i < n; i++) {
      const l = s.levels[i]!;
      if (l > 0 && s.upperOff[i]! + l > s.upperUsed)
        throw new CorruptIndexError("upper offsets", `node ${i} lists exceed the upper blob`);
      for (let lv = 1; lv <= l; lv++) {
        const base = (s.upperOff[i]! + lv - 1) * (1 + s.M),
          c = s.upperAdj[base]!;
        if (c > s.M)
          throw new CorruptIndexError("upper lists", `node ${i} level ${lv} has ${c} neighbours`);
        for (let j = 1; j <= c; j++) {
          const u = s.upperAdj[base + j]!;
          if (u >= n || s.levels[u]! < lv)
            throw new CorruptIndexError("upper lists", `node ${i} level ${lv} links to ${u}`);
        }
      }
    }
  } else {
    if (n > 0 && s.entries.length === 0) throw new CorruptIndexError("entries", "empty entry set");
    for (const e of s.entries)
      if (e >= n) throw new CorruptIndexError("entries", `entry ${e} >= n`);
  }
}

function copyState(s: IndexState): IndexState {
  const c = <T extends Uint8Array | Uint32Array>(a: T): T => a.slice() as T;
  return {
    ...s,
    rows: { ...s.rows, bytes: c(s.rows.bytes) },
    labels: c(s.labels),
    adj: c(s.adj),
    levels: c(s.levels),
    upperOff: c(s.upperOff),
    upperAdj: c(s.upperAdj),
    deleted: c(s.deleted),
    entries: c(s.entries),
    hnsw: s.hnsw.slice(),
  };
}

/**
 * Loads an index file into a mutable index. `verify: 'full'` also checks the vector CRC.
 *
 * @example
 * const index = loadIndex("vectors.xann");
 */
export function loadIndex(path: string, opts: { verify?: "full" | "header" } = {}): AnnIndex {
  const bytes = new Uint8Array(readFileSync(path));
  const { state, opts: o } = parseIndex(bytes, opts.verify !== "header");
  return new AnnIndex(copyState(state), o);
}

/**
 * Opens an index file read-only through mmap: search is zero-copy; add/markDeleted raise
 * ReadOnlyIndexError. Modifying the file while mapped is undefined (the OS decides).
 *
 * @example
 * const index = viewIndex("vectors.xann");
 */
export function viewIndex(path: string, opts: { verifyVectors?: boolean } = {}): AnnIndex {
  const { state, opts: o } = parseIndex(new Uint8Array(mapFile(path)), opts.verifyVectors ?? false);
  return new AnnIndex(state, o, true);
}
