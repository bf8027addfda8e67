import type { Tensor } from "../tensor.js";

/** Computes input gradients from the output gradient; undefined means "no gradient flows". */
export type BackwardFn = (gradOutput: Tensor) => readonly (Tensor | undefined)[];

interface Node {
  readonly id: number;
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly backward: BackwardFn;
  readonly savedBytes: number;
}

interface Tape {
  readonly nodes: Node[];
  readonly tracked: WeakSet<Tensor>;
  savedBytes: number;
}

let current: Tape | undefined;
let paused = 0;
let nextId = 1;

/** True when ops should record: inside `grad` and outside `noGrad`. */
export function isRecording(): boolean {
  return current !== undefined && paused === 0;
}

/** True when `t` participates in the current tape (a leaf being differentiated, or derived from one). */
export function isTracked(t: Tensor): boolean {
  return current?.tracked.has(t) ?? false;
}

/**
 * Records that `output` was computed from `inputs`. Ops call this after computing their result;
 * it is a no-op unless a tape records and some input is tracked. `saved` lists tensors the
 * backward closure keeps alive, for {@link savedBytes} accounting.
 */
export function record(
  output: Tensor,
  inputs: readonly Tensor[],
  backward: BackwardFn,
  saved: readonly Tensor[] = [],
): Tensor {
  const tape = current;
  if (!tape || paused > 0 || !inputs.some((t) => tape.tracked.has(t))) return output;
  const bytes = saved.reduce((s, t) => s + t.nbytes, 0);
  tape.nodes.push({ id: nextId++, inputs, output, backward, savedBytes: bytes });
  tape.savedBytes += bytes;
  tape.tracked.add(output);
  return output;
}

/** Bytes held by the active tape for backward (0 outside `grad`). */
export function savedBytes(): number {
  return current?.savedBytes ?? 0;
}

/** Runs `fn` without recording, even inside `grad`. */
export function noGrad<T>(fn: () => T): T {
  paused++;
  try {
    return fn();
  } finally {
    paused--;
  }
}

/** Starts a tape tracking `leaves`, runs `fn`, and hands back the tape for a backward pass. */
export function withTape<T>(leaves: readonly Tensor[], fn: () => T): { value: T; tape: Tape } {
  const outer = current;
  const outerPaused = paused;
  const tape: Tape = { nodes: [], tracked: new WeakSet(leaves), savedBytes: 0 };
  current = tape;
  paused = 0;
  try {
    return { value: fn(), tape };
  } finally {
    current = outer;
    paused = outerPaused;
  }
}

/**
 * Propagates `seed` (the gradient of `output`) back through `tape` and returns the gradient of
 * each leaf (undefined when the output does not depend on it). `accumulate` adds gradients.
 */
export function backpropagate(
  tape: { nodes: readonly Node[] },
  output: Tensor,
  seed: Tensor,
  leaves: readonly Tensor[],
  accumulate: (a: Tensor, b: Tensor) => Tensor,
): (Tensor | undefined)[] {
  const grads = new Map<Tensor, Tensor>([[output, seed]]);
  const add = (t: Tensor, g: Tensor) => {
    const prev = grads.get(t);
    grads.set(t, prev ? accumulate(prev, g) : g);
  };
  noGrad(() => {
    for (let i = tape.nodes.length - 1; i >= 0; i--) {
      const node = tape.nodes[i]!;
      const g = grads.get(node.output);
      if (!g) continue;
      grads.delete(node.output);
      const inputGrads = node.backward(g);
      node.inputs.forEach((input, k) => {
        const gi = inputGrads[k];
        if (gi) add(input, gi);
      });
    }
  });
  return leaves.map((leaf) => grads.get(leaf));
}
