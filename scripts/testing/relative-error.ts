// The error measure of the parity fixtures (transformers, GGUF round trips, the default model):
// max |actual - expected| over max |expected|, so one tolerance serves logits of any scale.

/** What is compared: an @x/tensor Tensor (on any device) or anything with its values. */
interface Values {
  toFloat64(): Float64Array;
}

/** max |a - b| / max |b| over all elements; throws when the sizes differ. */
export function relativeError(actual: Values, expected: Values): number {
  const a = actual.toFloat64();
  const b = expected.toFloat64();
  if (a.length !== b.length)
    throw new Error(`relativeError: ${a.length} elements against ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}
