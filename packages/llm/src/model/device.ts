// Moving a model between devices: dense parameters become device tensors; quantized projections
// stay host QTensors (the cuda qmatmul uploads their bytes once and keeps them on the device).
import { type Device, resolveDevice, type Tensor } from "@x/tensor";
import { UsageError } from "../errors.js";
import { LlamaModel } from "./llama.js";

/** Devices a model can run on; "auto" is cuda when usable, else cpu. */
export type ModelDevice = "cpu" | "cuda" | "auto";

/** The device a model's dense parameters live on. */
export function modelDevice(model: { params: Readonly<Record<string, Tensor>> }): Device {
  const first = Object.values(model.params)[0];
  return first ? first.device : "cpu";
}

/**
 * The device to run on for `wanted`: "cuda" when usable; for "cuda" or "auto" without a usable
 * GPU, "cpu" (`--device cuda` also prints one warning saying why).
 */
export function pickDevice(wanted: ModelDevice | undefined): Device {
  if (wanted === undefined || wanted === "cpu") return "cpu";
  if (wanted !== "cuda" && wanted !== "auto")
    throw new UsageError(`device must be cpu, cuda or auto, got ${String(wanted)}`);
  return resolveDevice(wanted);
}

/**
 * The model with its dense parameters on `device` (the model itself when already there). The
 * copy shares quantized weights and the generation config.
 *
 * ```ts
 * const gpu = moveModel(model, "cuda"); // gpu.forward(...) runs on the device
 * ```
 */
export function moveModel(model: LlamaModel, device: Device): LlamaModel {
  if (modelDevice(model) === device) return model;
  const weights: Record<string, unknown> = {};
  for (const [name, t] of Object.entries(model.params)) weights[name] = t.to(device);
  for (const [name, q] of Object.entries(model.quantized)) weights[name] = q;
  const moved = new LlamaModel(
    model.config,
    weights as ConstructorParameters<typeof LlamaModel>[1],
  );
  moved.generationConfig = model.generationConfig;
  return moved;
}
