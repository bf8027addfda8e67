import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FormatError, IndexError, ValueError } from "../errors.js";
import { Tensor } from "../tensor.js";
import {
  CHECKPOINT_INDEX,
  CHECKPOINT_SINGLE,
  openCheckpoint,
  saveCheckpoint,
} from "./checkpoint.js";
import { loadSafetensors } from "./safetensors-file.js";
import { writeSafetensors } from "./safetensors-write.js";

const root = mkdtempSync(join(tmpdir(), "x-ckpt-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tensors = () => ({
  "model.embed.weight": Tensor.from(
    Array.from({ length: 12 }, (_, i) => i),
    [3, 4],
  ), // 48 B
  "model.norm.weight": Tensor.from([1, 2, 3, 4], [4], "bf16"), // 8 B
  "model.layers.0.w": Tensor.from(
    Array.from({ length: 10 }, (_, i) => -i),
    [10],
  ), // 40 B
  "lm_head.weight": Tensor.from([5, 6, 7, 8], [4], "f16"), // 8 B
});

describe("checkpoints", () => {
  it("shards by size, writes the index and reads everything back", () => {
    const dir = join(root, "sharded");
    saveCheckpoint(dir, tensors(), { maxShardBytes: 50, metadata: { format: "pt" } });
    const index = JSON.parse(readFileSync(join(dir, CHECKPOINT_INDEX), "utf8"));
    // sorted names: lm_head (8) + model.embed (48) > 50 -> split; model.layers (40) + model.norm (8)
    expect(index.metadata.total_size).toBe(104);
    expect(index.weight_map).toEqual({
      "lm_head.weight": "model-00001-of-00003.safetensors",
      "model.embed.weight": "model-00002-of-00003.safetensors",
      "model.layers.0.w": "model-00003-of-00003.safetensors",
      "model.norm.weight": "model-00003-of-00003.safetensors",
    });
    const ckpt = openCheckpoint(dir);
    expect(ckpt.files).toHaveLength(3);
    expect(ckpt.metadata).toEqual({ total_size: 104 });
    for (const [name, t] of Object.entries(tensors())) {
      expect(ckpt.get(name).dtype).toBe(t.dtype);
      expect(ckpt.get(name).toArray()).toEqual(t.toArray());
    }
    expect(ckpt.get("model.norm.weight", { dtype: "f32" }).dtype).toBe("f32");
    expect(ckpt.info("model.layers.0.w").shape).toEqual([10]);
    expect(() => ckpt.get("missing")).toThrow(IndexError);
    ckpt.close();
    expect(loadSafetensors(join(dir, "model-00001-of-00003.safetensors")).metadata).toEqual({
      format: "pt",
    });
  });

  it("writes one model.safetensors when everything fits, removing the stale sharded layout", () => {
    const dir = join(root, "resave");
    saveCheckpoint(dir, tensors(), { maxShardBytes: 50 });
    saveCheckpoint(dir, tensors());
    expect(readdirSync(dir).sort()).toEqual([CHECKPOINT_SINGLE]);
    const ckpt = openCheckpoint(dir);
    expect(ckpt.keys().sort()).toEqual(Object.keys(tensors()).sort());
    ckpt.close();
    saveCheckpoint(dir, tensors(), { maxShardBytes: 60 });
    expect(existsSync(join(dir, CHECKPOINT_SINGLE))).toBe(false);
  });

  it("puts a tensor larger than maxShardBytes in a shard of its own", () => {
    const dir = join(root, "oversize");
    saveCheckpoint(
      dir,
      { a: Tensor.empty([100]), b: Tensor.empty([1]), c: Tensor.empty([1]) },
      { maxShardBytes: 16 },
    );
    const map = JSON.parse(readFileSync(join(dir, CHECKPOINT_INDEX), "utf8")).weight_map;
    expect(map).toEqual({
      a: "model-00001-of-00002.safetensors",
      b: "model-00002-of-00002.safetensors",
      c: "model-00002-of-00002.safetensors",
    });
  });

  it("rejects an index whose shard is missing or lacks a tensor, at the entry's offset", () => {
    const dir = join(root, "broken");
    saveCheckpoint(dir, tensors(), { maxShardBytes: 50 });
    const indexPath = join(dir, CHECKPOINT_INDEX);
    const text = readFileSync(indexPath, "utf8");
    const missingShard = text.replace(
      '"model-00001-of-00003.safetensors"',
      '"model-00009-of-00009.safetensors"',
    );
    writeFileSync(indexPath, missingShard);
    expect(() => openCheckpoint(dir)).toThrow(/does not exist/);
    expect(offsetOf(() => openCheckpoint(dir))).toBe(missingShard.indexOf('"lm_head.weight"'));
    const wrongShard = text.replace(
      '"lm_head.weight": "model-00001-of-00003.safetensors"',
      '"lm_head.weight": "model-00002-of-00003.safetensors"',
    );
    writeFileSync(indexPath, wrongShard);
    expect(() => openCheckpoint(dir)).toThrow(/missing from its shard/);
    writeFileSync(
      indexPath,
      text.replace('"model-00001-of-00003.safetensors"', '"../escape.safetensors"'),
    );
    expect(() => openCheckpoint(dir)).toThrow(/must be a file name/);
    writeFileSync(indexPath, '{"weight_map": 3}');
    expect(offsetOf(() => openCheckpoint(dir))).toBe(1);
    writeFileSync(indexPath, '{"weight_map": {"a": "x.safetensors",}}');
    expect(offsetOf(() => openCheckpoint(dir))).toBe(37);
    expect(() => openCheckpoint(join(root, "nothing-here"))).toThrow(ValueError);
  });

  it("a failed write leaves the previous file intact and no temporary file behind", () => {
    const dir = join(root, "atomic");
    saveCheckpoint(dir, tensors());
    const path = join(dir, CHECKPOINT_SINGLE);
    const before = readFileSync(path);
    const poisoned = Tensor.from([1, 2, 3]);
    poisoned.data = () => {
      throw new Error("disk full");
    };
    expect(() => writeSafetensors(path, { a: Tensor.from([9]), z: poisoned })).toThrow("disk full");
    expect(readFileSync(path)).toEqual(before);
    expect(readdirSync(dir)).toEqual([CHECKPOINT_SINGLE]);
  });
});

function offsetOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof FormatError) return err.offset;
    throw err;
  }
  throw new Error("expected a FormatError");
}
