// AdamW (Loshchilov & Hutter) exactly as PyTorch's torch.optim.AdamW documents it: decoupled
// weight decay applied to the parameter before the Adam step, bias-corrected moments. The update
// runs in f64 per element over f32 storage, so it is deterministic and independent of threads.
import { add, div, mul, sqrt, sub, Tensor, tidy, writeInto, zeros } from "@x/tensor";
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
  private readonly m = new Map<string, Float32Array>();
  private readonly v = new Map<string, Float32Array>();
  private readonly shapes = new Map<string, readonly number[]>();
  /** Moments of device parameters, kept on their device (made at the first step). */
  private readonly dm = new Map<string, Tensor>();
  private readonly dv = new Map<string, Tensor>();

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
      this.m.set(name, new Float32Array(p.size));
      this.v.set(name, new Float32Array(p.size));
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
    }
    const t = ++this.t;
    const [b1, b2] = this.betas;
    const bc1 = 1 - b1 ** t;
    const sqrtBc2 = Math.sqrt(1 - b2 ** t);
    for (const name of this.names) {
      if (params[name]!.device !== "cpu") {
        this.deviceStep(name, params[name]!, grads[name]!, lr, bc1, sqrtBc2);
        continue;
      }
      const theta = params[name]!.data() as Float32Array;
      const grad = grads[name]!.data();
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const shrink = this.decayed.has(name) ? 1 - lr * this.weightDecay : 1;
      for (let i = 0; i < theta.length; i++) {
        const gi = grad[i]!;
        m[i] = b1 * m[i]! + (1 - b1) * gi;
        v[i] = b2 * v[i]! + (1 - b2) * gi * gi;
        const denom = Math.sqrt(v[i]!) / sqrtBc2 + this.eps;
        theta[i] = theta[i]! * shrink - (lr / bc1) * (m[i]! / denom);
      }
    }
  }

  /** The update of one device parameter as device ops; the parameter is written in place. */
  private deviceStep(
    name: string,
    p: Tensor,
    g: Tensor,
    lr: number,
    bc1: number,
    sqrtBc2: number,
  ): void {
    const [b1, b2] = this.betas;
    const shrink = this.decayed.has(name) ? 1 - lr * this.weightDecay : 1;
    const m0 = this.dm.get(name) ?? zeros(p.shape).to(p.device);
    const v0 = this.dv.get(name) ?? zeros(p.shape).to(p.device);
    const [m, v] = tidy(() => {
      const gf = g.reshape(p.shape);
      const m1 = add(mul(m0, b1), mul(gf, 1 - b1));
      const v1 = add(mul(v0, b2), mul(mul(gf, gf), 1 - b2));
      const denom = add(mul(sqrt(v1), 1 / sqrtBc2), this.eps);
      writeInto(p, sub(mul(p, shrink), mul(div(m1, denom), lr / bc1)));
      return [m1, v1];
    });
    m0.dispose();
    v0.dispose();
    this.dm.set(name, m);
    this.dv.set(name, v);
  }

  /** A copy of the step count and moments (for checkpoints). */
  state(): AdamWState {
    const moments: Record<string, Tensor> = {};
    for (const name of this.names) {
      const shape = this.shapes.get(name)!;
      const dm = this.dm.get(name);
      const dv = this.dv.get(name);
      moments[`exp_avg.${name}`] = dm ? dm.toHost() : Tensor.from(this.m.get(name)!, shape);
      moments[`exp_avg_sq.${name}`] = dv ? dv.toHost() : Tensor.from(this.v.get(name)!, shape);
    }
    return { step: this.t, moments };
  }

  /** Restores a {@link AdamW.state} (every moment must be present with the parameter's size). */
  loadState(state: AdamWState): void {
    requireConfig(
      Number.isInteger(state.step) && state.step >= 0,
      `AdamW: invalid step ${state.step} in optimizer state`,
    );
    for (const name of this.names) {
      for (const [key, dst] of [
        [`exp_avg.${name}`, this.m.get(name)!],
        [`exp_avg_sq.${name}`, this.v.get(name)!],
      ] as const) {
        const src = state.moments[key];
        if (!src) throw new TrainingError("TRAIN_CHECKPOINT", `optimizer state has no ${key}`);
        if (src.size !== dst.length || src.dtype !== "f32") {
          throw new TrainingError(
            "TRAIN_CHECKPOINT",
            `optimizer state ${key} is ${src.dtype} with ${src.size} elements, expected f32 with ${dst.length}`,
          );
        }
        dst.set(src.data() as Float32Array);
      }
    }
    this.t = state.step;
  }
}
