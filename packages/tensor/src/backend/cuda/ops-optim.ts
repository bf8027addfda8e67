// The fused AdamW update on cuda (see ops/optim.ts for the arithmetic both backends share).
import type { AdamWCoefficients } from "../../ops/optim.js";
import type { Tensor } from "../../tensor.js";
import { cuda } from "./addon.js";
import { addr, expectCuda } from "./tensors.js";

export function adamw(
  param: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  c: AdamWCoefficients,
): void {
  expectCuda("adamwUpdate", param, grad, expAvg, expAvgSq);
  cuda().adamw(
    addr(param),
    addr(grad),
    addr(expAvg),
    addr(expAvgSq),
    param.size,
    c.beta1,
    c.beta2,
    c.eps,
    c.shrink,
    c.stepSize,
    c.sqrtBias2,
  );
}
