// AdamW over a record of parameters, expressed with @x/tensor elementwise ops.
import { add, div, mul, sqrt, sub, type Tensor, zerosLike } from "@x/tensor";
import type { Params } from "./model.js";

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export class AdamW {
  private step = 0;
  private readonly m = new Map<string, Tensor>();
  private readonly v = new Map<string, Tensor>();

  constructor(private readonly opts: AdamOptions) {}

  /** Returns the updated parameters; `lr` may be overridden per step (schedules). */
  update(params: Params, grads: Record<string, Tensor | undefined>, lr = this.opts.lr): Params {
    const { beta1, beta2, eps, weightDecay } = this.opts;
    this.step++;
    const c1 = 1 - beta1 ** this.step;
    const c2 = 1 - beta2 ** this.step;
    const next: Params = {};
    for (const [name, p] of Object.entries(params)) {
      const g = grads[name];
      if (!g) {
        next[name] = p;
        continue;
      }
      const m = add(mul(this.m.get(name) ?? zerosLike(p), beta1), mul(g, 1 - beta1));
      const v = add(mul(this.v.get(name) ?? zerosLike(p), beta2), mul(mul(g, g), 1 - beta2));
      this.m.set(name, m);
      this.v.set(name, v);
      const stepDir = div(div(m, c1), add(sqrt(div(v, c2)), eps));
      next[name] = sub(mul(p, 1 - lr * weightDecay), mul(stepDir, lr));
    }
    return next;
  }
}
