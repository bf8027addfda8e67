// Normalization, row selection (embedding) and cross-entropy on cuda (rotary embedding: ops-rope.ts).
import { noGrad, record } from "../../autograd/tape.js";
import { DTypeError, IndexError, ShapeError } from "../../errors.js";
import type { CrossEntropyOptions } from "../../ops/loss.js";
import { fmtShape, normAxis, numel, sameShape } from "../../shape.js";
import { Tensor } from "../../tensor.js";
import { cuda } from "./addon.js";
import { sumAxes } from "./ops-reduce.js";
import { addr, devContiguous, devEmpty, expectCuda, release, toDevice, toHost } from "./tensors.js";

function f32(what: string, t: Tensor): void {
  if (t.dtype !== "f32")
    throw new DTypeError(`${what} on cuda supports f32 tensors, got ${t.dtype}`);
}

export function rmsNorm(x: Tensor, weight?: Tensor, eps = 1e-6): Tensor {
  expectCuda("rmsNorm", x, weight);
  f32("rmsNorm", x);
  const cols = x.shape[x.ndim - 1] ?? 1;
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== cols))
    throw new ShapeError(
      `rmsNorm: weight ${fmtShape(weight.shape)} does not match x ${fmtShape(x.shape)}`,
    );
  const rows = cols === 0 ? 0 : x.size / cols;
  const xc = devContiguous(x);
  const wc = weight ? devContiguous(weight) : undefined;
  const out = devEmpty(x.shape, "f32");
  cuda().rmsnorm(addr(xc), wc ? addr(wc) : 0, addr(out), rows, cols, eps);
  return record(
    out,
    weight ? [x, weight] : [x],
    (g) => {
      const gc = devContiguous(g);
      const dx = devEmpty(x.shape, "f32");
      const dwRows = wc ? devEmpty([rows, cols], "f32") : undefined;
      cuda().rmsnormBackward(
        addr(xc),
        wc ? addr(wc) : 0,
        addr(gc),
        addr(dx),
        dwRows ? addr(dwRows) : 0,
        rows,
        cols,
        eps,
      );
      if (!dwRows) return [dx];
      const dw = sumAxes(dwRows, [0], false);
      release(dwRows);
      return [dx, dw];
    },
    weight ? [x, weight] : [x],
  );
}

/** Host copy of integer indices, checked against [0, size). */
function hostIndices(what: string, index: Tensor, size: number): Int32Array {
  if (index.dtype !== "i32")
    throw new DTypeError(`${what} on cuda needs i32 indices, got ${index.dtype}`);
  const v = toHost(index).data() as Int32Array;
  for (let i = 0; i < v.length; i++) {
    if (v[i]! < 0 || v[i]! >= size)
      throw new IndexError(
        `${what}: index ${v[i]} is out of range for a dimension of size ${size}`,
      );
  }
  return v;
}

export function indexSelect(t: Tensor, axis: number, index: Tensor): Tensor {
  if (t.dtype !== "f32" && t.dtype !== "i32")
    throw new DTypeError(`indexSelect on cuda supports f32 and i32, got ${t.dtype}`);
  const ax = normAxis(axis, t.ndim);
  const n = t.shape[ax]!;
  const host = hostIndices("indexSelect", index, n);
  const idx =
    index.device === "cuda" && index.isContiguous()
      ? index
      : toDevice(Tensor.wrap(host, index.shape, "i32"));
  const outer = numel(t.shape.slice(0, ax));
  const inner = numel(t.shape.slice(ax + 1));
  const shape = [...t.shape.slice(0, ax), ...index.shape, ...t.shape.slice(ax + 1)];
  const src = devContiguous(t);
  const out = devEmpty(shape, t.dtype);
  if (out.size) cuda().indexSelect(addr(src), addr(idx), addr(out), outer, n, inner, host.length);
  if (t.dtype !== "f32") return out;
  return record(out, [t], (g) => {
    const gc = devContiguous(g);
    const dt = devEmpty(t.shape, "f32");
    cuda().fill(addr(dt), 0, dt.size);
    if (gc.size) cuda().indexAdd(addr(dt), addr(idx), addr(gc), outer, n, inner, host.length);
    return [dt];
  });
}

export function embedding(weight: Tensor, ids: Tensor): Tensor {
  if (weight.ndim !== 2)
    throw new ShapeError(`embedding: weight must be [vocab, dim], got ${fmtShape(weight.shape)}`);
  return indexSelect(weight, 0, ids);
}

export function crossEntropy(
  logits: Tensor,
  targets: Tensor,
  opts: CrossEntropyOptions = {},
): Tensor {
  const { ignoreIndex = -100, reduction = "mean" } = opts;
  f32("crossEntropy", logits);
  if (targets.dtype !== "i32")
    throw new DTypeError(`crossEntropy: targets must be i32, got ${targets.dtype}`);
  if (logits.ndim === 0 || !sameShape(logits.shape.slice(0, -1), targets.shape))
    throw new ShapeError(
      `crossEntropy: logits ${fmtShape(logits.shape)} do not match targets ${fmtShape(targets.shape)} (want [..., V] and [...])`,
    );
  const vocab = logits.shape[logits.ndim - 1]!;
  const t = toHost(targets).data() as Int32Array;
  let count = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === ignoreIndex) continue;
    if (t[i]! < 0 || t[i]! >= vocab)
      throw new IndexError(
        `crossEntropy: target ${t[i]} at position ${i} is out of range for ${vocab} classes`,
      );
    count++;
  }
  const rows = t.length;
  const tDev =
    targets.device === "cuda" && targets.isContiguous()
      ? targets
      : toDevice(Tensor.wrap(t, targets.shape, "i32"));
  const lc = devContiguous(logits);
  const perRow = devEmpty([rows], "f32");
  cuda().crossEntropy(addr(lc), addr(tDev), addr(perRow), rows, vocab, ignoreIndex);
  const loss = noGrad(() => {
    if (reduction === "none") return perRow.reshape(targets.shape);
    const total = sumAxes(perRow, [0], false);
    if (reduction === "sum") return total;
    const out = devEmpty([], "f32");
    cuda().binary(
      3,
      addr(total),
      addr(countScalar(count)),
      addr(out),
      new Int32Array(0),
      new Int32Array(0),
      new Int32Array(0),
    );
    return out;
  });
  return record(loss, [logits], (g) => {
    const perRowScale =
      reduction === "none"
        ? devContiguous(g.reshape([rows]))
        : devContiguous(
            noGrad(() => scaleOf(g, reduction === "mean" ? count : 1))
              .reshape([1])
              .expand([rows]),
          );
    const grad = devEmpty(logits.shape, "f32");
    cuda().crossEntropyGrad(
      addr(lc),
      addr(tDev),
      addr(perRowScale),
      addr(grad),
      rows,
      vocab,
      ignoreIndex,
    );
    return [grad];
  });
}

function countScalar(count: number): Tensor {
  const s = devEmpty([], "f32");
  cuda().fill(addr(s), count, 1); // 0 gives a NaN mean, as on the CPU
  return s;
}

function scaleOf(g: Tensor, count: number): Tensor {
  const out = devEmpty([], "f32");
  cuda().binary(
    3,
    addr(g),
    addr(countScalar(count)),
    addr(out),
    new Int32Array(0),
    new Int32Array(0),
    new Int32Array(0),
  );
  return out;
}
