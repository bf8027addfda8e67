import * as fs from "node:fs";
import { basename, join } from "node:path";
import { FormatError, IndexError, ValueError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { writeAll, writeFileAtomic } from "./atomic-write.js";
import { parseJsonBytes } from "./json-bytes.js";
import { openSafetensors, type SafetensorsFile } from "./safetensors-file.js";
import type { SafetensorsReadOptions, SafetensorsTensorInfo } from "./safetensors-header.js";
import type { TensorReadOptions } from "./safetensors-read.js";
import { writeSafetensors } from "./safetensors-write.js";

/** File name of the shard index written by Hugging Face transformers. */
export const CHECKPOINT_INDEX = "model.safetensors.index.json";
/** File name of an unsharded checkpoint. */
export const CHECKPOINT_SINGLE = "model.safetensors";
const SHARD_NAME = /^model-\d{5}-of-\d{5}\.safetensors$/;

/**
 * A checkpoint folder opened lazily: one {@link SafetensorsFile} per shard, tensors read on
 * demand. Tensors present in a shard but absent from the index are not exposed (as in
 * transformers).
 *
 * ```ts
 * const ckpt = openCheckpoint("./llama-3.2-1b");
 * const emb = ckpt.get("model.embed_tokens.weight", { dtype: "f32" });
 * ckpt.close();
 * ```
 */
export class Checkpoint {
  readonly dir: string;
  /** Shard file names (relative to `dir`) in the order first referenced. */
  readonly files: readonly string[];
  /** The index's `metadata` object, or the single file's `__metadata__`. */
  readonly metadata: Readonly<Record<string, unknown>>;
  private readonly where: Map<string, SafetensorsFile>;

  /** Use {@link openCheckpoint}. */
  constructor(dir: string, where: Map<string, SafetensorsFile>, metadata: Record<string, unknown>) {
    this.dir = dir;
    this.where = where;
    this.metadata = metadata;
    this.files = [...new Set([...where.values()].map((f) => basename(f.path)))];
  }

  /** Tensor names in index order. */
  keys(): string[] {
    return [...this.where.keys()];
  }

  /** True when the checkpoint has a tensor called `name`. */
  has(name: string): boolean {
    return this.where.has(name);
  }

  /** Dtype, shape and byte range (within its shard) of tensor `name`. */
  info(name: string): SafetensorsTensorInfo {
    return this.shard(name).info(name);
  }

  /** Reads tensor `name` from its shard. */
  get(name: string, opts: TensorReadOptions = {}): Tensor {
    return this.shard(name).get(name, opts);
  }

  /** Closes every shard. */
  close(): void {
    for (const f of new Set(this.where.values())) f.close();
  }

  private shard(name: string): SafetensorsFile {
    const f = this.where.get(name);
    if (!f) throw new IndexError(`no tensor "${name}" in checkpoint ${this.dir}`);
    return f;
  }
}

/**
 * Opens `dir/model.safetensors.index.json` (validating that every shard exists and holds every
 * tensor the index assigns to it), or else `dir/model.safetensors`.
 *
 * ```ts
 * const ckpt = openCheckpoint("./out");
 * ckpt.keys().length;
 * ```
 */
export function openCheckpoint(dir: string, opts: SafetensorsReadOptions = {}): Checkpoint {
  const indexPath = join(dir, CHECKPOINT_INDEX);
  if (fs.existsSync(indexPath)) return openIndexed(dir, indexPath, opts);
  const single = join(dir, CHECKPOINT_SINGLE);
  if (!fs.existsSync(single))
    throw new ValueError(`${dir} has neither ${CHECKPOINT_INDEX} nor ${CHECKPOINT_SINGLE}`);
  const file = openSafetensors(single, opts);
  return new Checkpoint(dir, new Map(file.keys().map((k) => [k, file])), file.metadata);
}

function openIndexed(dir: string, indexPath: string, opts: SafetensorsReadOptions): Checkpoint {
  const bytes = fs.readFileSync(indexPath);
  const { value: index, keys: offsets } = parseIndex(indexPath, bytes);
  const map = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== "object" || map === null || Array.isArray(map)) {
    throw new FormatError(
      `${indexPath} has no "weight_map" object`,
      offsets.get("weight_map")?.at ?? 0,
    );
  }
  const entryAt = (name: string) => offsets.get("weight_map")?.fields.get(name) ?? 0;
  const opened = new Map<string, SafetensorsFile>();
  const where = new Map<string, SafetensorsFile>();
  try {
    for (const [name, file] of Object.entries(map)) {
      if (typeof file !== "string" || file !== basename(file) || file === "." || file === "..") {
        throw new FormatError(
          `${indexPath}: shard of "${name}" must be a file name in ${dir}`,
          entryAt(name),
        );
      }
      let shard = opened.get(file);
      if (!shard) {
        if (!fs.existsSync(join(dir, file))) {
          throw new FormatError(
            `${indexPath}: shard "${file}" of tensor "${name}" does not exist`,
            entryAt(name),
          );
        }
        shard = openShard(join(dir, file), opts);
        opened.set(file, shard);
      }
      if (!shard.has(name)) {
        throw new FormatError(
          `${indexPath}: tensor "${name}" is missing from its shard "${file}"`,
          entryAt(name),
        );
      }
      where.set(name, shard);
    }
  } catch (err) {
    for (const f of opened.values()) f.close();
    throw err;
  }
  const meta = (index as { metadata?: unknown }).metadata;
  return new Checkpoint(
    dir,
    where,
    typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>) : {},
  );
}

/** Parses the index JSON, naming the index file in any format error. */
function parseIndex(path: string, bytes: Uint8Array): ReturnType<typeof parseJsonBytes> {
  try {
    return parseJsonBytes(bytes, 0);
  } catch (err) {
    throw renamed(err, path);
  }
}

/** Opens a shard, naming the shard in any format error (offsets stay relative to that shard). */
function openShard(path: string, opts: SafetensorsReadOptions): SafetensorsFile {
  try {
    return openSafetensors(path, opts);
  } catch (err) {
    throw renamed(err, path);
  }
}

/** Prefixes a FormatError's message with the file it is about; offsets stay relative to it. */
function renamed(err: unknown, path: string): unknown {
  if (!(err instanceof FormatError)) return err;
  return new FormatError(`${path}: ${err.message.replace(/ \(at byte \d+\)$/, "")}`, err.offset);
}

/** Options of {@link saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /** Largest shard in bytes of tensor data (default 5 GB); one larger tensor gets a shard of its own. */
  maxShardBytes?: number;
  /** `__metadata__` written into every shard (transformers expects `{format: "pt"}`). */
  metadata?: Record<string, string>;
}

/**
 * Saves tensors as a Hugging Face checkpoint folder: `model.safetensors` when everything fits in
 * one shard, else `model-0000i-of-0000n.safetensors` shards plus the index. Every file is written
 * atomically; stale shards or index of an earlier save in the other layout are removed after.
 *
 * ```ts
 * saveCheckpoint("./out", model.stateDict(), { maxShardBytes: 2e9, metadata: { format: "pt" } });
 * ```
 */
export function saveCheckpoint(
  dir: string,
  tensors: Record<string, Tensor>,
  opts: SaveCheckpointOptions = {},
): void {
  const max = opts.maxShardBytes ?? 5e9;
  if (!(max > 0)) throw new ValueError(`maxShardBytes must be positive, got ${max}`);
  fs.mkdirSync(dir, { recursive: true });
  const shards: string[][] = [];
  let size = 0;
  for (const name of Object.keys(tensors).sort()) {
    const bytes = tensors[name]!.nbytes;
    if (shards.length === 0 || (size > 0 && size + bytes > max)) {
      shards.push([]);
      size = 0;
    }
    shards[shards.length - 1]!.push(name);
    size += bytes;
  }
  const pick = (names: string[]) => Object.fromEntries(names.map((n) => [n, tensors[n]!]));
  if (shards.length <= 1) {
    writeSafetensors(join(dir, CHECKPOINT_SINGLE), pick(shards[0] ?? []), opts.metadata);
    removeStale(dir, new Set([CHECKPOINT_SINGLE]));
    return;
  }
  const pad = (i: number) => String(i).padStart(5, "0");
  const weightMap: Record<string, string> = {};
  let total = 0;
  shards.forEach((names, i) => {
    const file = `model-${pad(i + 1)}-of-${pad(shards.length)}.safetensors`;
    writeSafetensors(join(dir, file), pick(names), opts.metadata);
    for (const n of names) {
      weightMap[n] = file;
      total += tensors[n]!.nbytes;
    }
  });
  const index = `${JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2)}\n`;
  writeFileAtomic(join(dir, CHECKPOINT_INDEX), (fd) =>
    writeAll(fd, new TextEncoder().encode(index)),
  );
  removeStale(dir, new Set([CHECKPOINT_INDEX, ...Object.values(weightMap)]));
}

/** Deletes checkpoint files of an earlier save that the new layout does not use. */
function removeStale(dir: string, keep: Set<string>): void {
  for (const f of fs.readdirSync(dir)) {
    const ours = f === CHECKPOINT_INDEX || f === CHECKPOINT_SINGLE || SHARD_NAME.test(f);
    if (ours && !keep.has(f)) fs.rmSync(join(dir, f), { force: true });
  }
}
