// AdamW (Loshchilov & Hutter) exactly as PyTorch's torch.optim.AdamW documents it: decoupled
// weight decay applied to the parameter before the Adam step, bias-corrected moments. Each
// parameter is one fused @x/tensor `adamwUpdate` (f64 per element over f32 storage), so the
// update is deterministic, independent of threads, and bit-identical on the CPU and on cuda.
import { adamwUpdate, keep, type Tensor, zeros } from "@x/tensor";
import { requireConfig, TrainingError } from "./errors.js";

/** Which parameters get weight decay: by default every matrix except norms (biases and norms are 1-D). */
export type DecayFilter = (name: string, shape: readonly number[]) => boolean;

/** Default {@link DecayFilter}: no decay on 1-D tensors (biases, RMSNorm weights) or anything named `*norm*`. */
export const decayMatricesOnly: DecayFilter = (name, shape) =>
  shape.length >= 2 && !/norm/i.test(name);

/** Hyper-parameters of {@link AdamW} (PyTorch's defaults). */
export interface AdamWOptions {
  /** [β1, β2], each in [0, 1). Default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Added to √v̂. Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay λ (θ ← θ − lr·λ·θ). Default 0.01. */
  weightDecay?: number;
  /** Which parameters decay. Default {@link decayMatricesOnly}. */
  decay?: DecayFilter;
}

/** What a checkpoint needs to continue an {@link AdamW} run bit for bit. */
export interface AdamWState {
  /** Optimizer steps taken so far (the t of the bias correction is `step + 1` on the next update). */
  step: number;
  /** `exp_avg.<name>` and `exp_avg_sq.<name>` moments, f32, shaped like the parameters. */
  moments: Record<string, Tensor>;
}

/**
 * AdamW over a record of f32 parameters, updated in place. For each element, at step t ≥ 1:
 * θ ← θ(1 − lr·λ) when it decays; m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
 * θ ← θ − lr·(m / (1 − β1ᵗ)) / (√v / √(1 − β2ᵗ) + ε).
 *
 * ```ts
 * const opt = new AdamW(model.params, { weightDecay: 0.1 });
 * opt.step(model.params, grads, 3e-4);
 * ```
 */
export class AdamW {
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  /** Names of the parameters this optimizer updates, in the order given. */
  readonly names: readonly string[];
  /** Names that get weight decay. */
  readonly decayed: ReadonlySet<string>;
  private t = 0;
  /** First and second moments per parameter, on the parameter's device (made at the first step). */
  private readonly moments = new Map<string, { m: Tensor; v: Tensor }>();
  private readonly shapes = new Map<string, readonly number[]>();

  constructor(params: Readonly<Record<string, Tensor>>, opts: AdamWOptions = {}) {
    const [b1, b2] = opts.betas ?? [0.9, 0.999];
    requireConfig(
      b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1,
      `AdamW: betas must lie in [0, 1), got [${b1}, ${b2}]`,
    );
    this.betas = [b1, b2];
    this.eps = opts.eps ?? 1e-8;
    requireConfig(this.eps >= 0, `AdamW: eps must be >= 0, got ${this.eps}`);
    this.weightDecay = opts.weightDecay ?? 0.01;
    requireConfig(
      this.weightDecay >= 0,
      `AdamW: weightDecay must be >= 0, got ${this.weightDecay}`,
    );
    const decay = opts.decay ?? decayMatricesOnly;
    const decayed = new Set<string>();
    for (const [name, p] of Object.entries(params)) {
      requireConfig(
        p.dtype === "f32",
        `AdamW: parameter ${name} is ${p.dtype}; only f32 parameters are trained`,
      );
      this.shapes.set(name, p.shape);
      if (decay(name, p.shape)) decayed.add(name);
    }
    this.names = Object.keys(params);
    this.decayed = decayed;
  }

  /** Optimizer steps taken so far. */
  get stepCount(): number {
    return this.t;
  }

  /**
   * One update of every parameter from its gradient (same names and shapes) at learning rate
   * `lr`. Parameters must be contiguous f32 tensors: their storage is written in place.
   */
  step(
    params: Readonly<Record<string, Tensor>>,
    grads: Readonly<Record<string, Tensor>>,
    lr: number,
  ): void {
    requireConfig(
      Number.isFinite(lr) && lr >= 0,
      `AdamW: lr must be a finite number >= 0, got ${lr}`,
    );
    for (const name of this.names) {
      const p = params[name];
      const g = grads[name];
      if (!p || !g)
        throw new TrainingError(
          "TRAIN_CONFIG",
          `AdamW: no ${p ? "gradient" : "parameter"} for ${name}`,
        );
      if (!p.isContiguous() || p.dtype !== "f32")
        throw new TrainingError(
          "TRAIN_CONFIG",
          `AdamW: parameter ${name} must be a contiguous f32 tensor`,
        );
      if (g.size !== p.size)
        throw new TrainingError(
          "TRAIN_CONFIG",
          `AdamW: gradient of ${name} has ${g.size} elements, the parameter ${p.size}`,
        );
      // Checked for every parameter before any is updated: a failure leaves all of them as they were.
      if (g.dtype !== "f32" || g.device !== p.device)
        throw new TrainingError(
          "TRAIN_CONFIG",
          `AdamW: gradient of ${name} is ${g.dtype} on ${g.device}; the parameter needs f32 on ${p.device}`,
        );
    }
    const t = ++this.t;
    const [beta1, beta2] = this.betas;
    const stepSize = lr / (1 - beta1 ** t);
    const sqrtBias2 = Math.sqrt(1 - beta2 ** t);
    for (const name of this.names) {
      const p = params[name]!;
      const { m, v } = this.momentsOf(name, p);
      const shrink = this.decayed.has(name) ? 1 - lr * this.weightDecay : 1;
      const g = grads[name]!;
      const gc = g.contiguous();
      adamwUpdate(p, gc, m, v, { beta1, beta2, eps: this.eps, shrink, stepSize, sqrtBias2 });
      if (gc !== g) gc.dispose();
    }
  }

  /** The moments of `name`, created as zeros on `p`'s device on first use. */
  private momentsOf(name: string, p: Tensor): { m: Tensor; v: Tensor } {
    let mv = this.moments.get(name);
    if (mv && mv.m.device !== p.device) {
      const moved = { m: keep(mv.m.to(p.device)), v: keep(mv.v.to(p.device)) };
      mv.m.dispose();
      mv.v.dispose();
      mv = moved;
      this.moments.set(name, mv);
    }
    if (!mv) {
      // keep(): moments outlive any tidy() scope the step runs in.
      mv = { m: keep(zeros(p.shape).to(p.device)), v: keep(zeros(p.shape).to(p.device)) };
      this.moments.set(name, mv);
    }
    return mv;
  }

  /** A copy of the step count and moments (for checkpoints), on the CPU. */
  state(): AdamWState {
    const moments: Record<string, Tensor> = {};
    for (const name of this.names) {
      const shape = this.shapes.get(name)!;
      const mv = this.moments.get(name);
      const host = (t: Tensor | undefined) =>
        !t ? zeros(shape) : t.device === "cpu" ? t.clone() : t.toHost();
      moments[`exp_avg.${name}`] = host(mv?.m);
      moments[`exp_avg_sq.${name}`] = host(mv?.v);
    }
    return { step: this.t, moments };
  }

  /** Restores a {@link AdamW.state} (every moment must be present with the parameter's size). */
  loadState(state: AdamWState): void {
    requireConfig(
      Number.isInteger(state.step) && state.step >= 0,
      `AdamW: invalid step ${state.step} in optimizer state`,
    );
    const restored = new Map<string, { m: Tensor; v: Tensor }>();
    for (const name of this.names) {
      const shape = this.shapes.get(name)!;
      const read = (key: string): Tensor => {
        const src = state.moments[key];
        if (!src) throw new TrainingError("TRAIN_CHECKPOINT", `optimizer state has no ${key}`);
        const size = shape.reduce((a, b) => a * b, 1);
        if (src.size !== size || src.dtype !== "f32") {
          throw new TrainingError(
            "TRAIN_CHECKPOINT",
            `optimizer state ${key} is ${src.dtype} with ${src.size} elements, expected f32 with ${size}`,
          );
        }
        // A private contiguous copy: the update writes it in place. It moves to the
        // parameter's device at the next step.
        return src.toHost().clone().reshape(shape);
      };
      restored.set(name, { m: read(`exp_avg.${name}`), v: read(`exp_avg_sq.${name}`) });
    }
    for (const mv of this.moments.values()) {
      mv.m.dispose();
      mv.v.dispose();
    }
    this.moments.clear();
    for (const [name, mv] of restored) this.moments.set(name, mv);
    this.t = state.step;
  }
}
