// `pnpm demo`: trains a tiny character-level transformer on the Gettysburg Address with
// @x/tensor's autograd and native kernels, then samples from it, printing loss and speed.
// `--short` trains briefly (CI); `--steps N` and `--threads N` override the defaults.
import { backendInfo, noGrad, setNumThreads, softmax, Tensor, valueAndGrad } from "@x/tensor";
import { AdamW } from "./adam.js";
import { forward, initParams, loss, type ModelConfig } from "./model.js";
import { CharVocab, TEXT } from "./text.js";

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const TEMPERATURE = 0.4;
const short = process.argv.includes("--short");
const steps = flag("steps", short ? 40 : 300);
setNumThreads(flag("threads", 1));
const vocab = new CharVocab(TEXT);
const data = vocab.encode(TEXT);
const cfg: ModelConfig = { vocab: vocab.size, dim: 64, heads: 4, kvHeads: 2, hidden: 176 };
const seq = 48;
const batch = 16;

/** Deterministic batch of random windows (xorshift over the step number). */
function sampleWindows(step: number): Tensor {
  let s = (step * 2654435761 + 1) >>> 0;
  const rows: number[] = [];
  for (let b = 0; b < batch; b++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const start = s % (data.length - seq - 1);
    rows.push(...data.slice(start, start + seq + 1));
  }
  return Tensor.from(rows, [batch, seq + 1], "i32");
}

/** Samples `n` characters after `prompt` (seeded). */
function generate(params: Record<string, Tensor>, prompt: string, n: number, seed: number): string {
  const ids = vocab.encode(prompt);
  let state = seed >>> 0;
  for (let i = 0; i < n; i++) {
    const window = ids.slice(-seq);
    const logits = noGrad(() =>
      forward(cfg, params, Tensor.from(window, [1, window.length], "i32")),
    );
    const last = logits.select(1, window.length - 1).reshape([cfg.vocab]);
    const probs = softmax(Tensor.from(last.toArray().map((x) => x / TEMPERATURE))).toArray();
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    let u = state / 2 ** 32;
    let next = probs.length - 1;
    for (let j = 0; j < probs.length; j++) {
      u -= probs[j]!;
      if (u <= 0) {
        next = j;
        break;
      }
    }
    ids.push(next);
  }
  return vocab.decode(ids);
}

const info = backendInfo();
console.log(`@x/tensor backend=${info.backend} isa=${info.isa} threads=${info.threads}`);
console.log(
  `text: ${data.length} chars, vocab ${vocab.size}; model dim ${cfg.dim}, ${steps} steps`,
);

let params = initParams(cfg, 7);
const opt = new AdamW({ lr: 3e-3, beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01 });
const step = valueAndGrad((p: Record<string, Tensor>, w: Tensor) => loss(cfg, p, w));
const t0 = performance.now();
let first = Number.NaN;
let last = Number.NaN;
for (let i = 0; i < steps; i++) {
  const { value, grads } = step(params, sampleWindows(i));
  last = value.item();
  if (i === 0) first = last;
  const lr = 3e-3 * Math.min(1, (i + 1) / 20) * (0.5 + 0.5 * Math.cos((Math.PI * i) / steps));
  params = opt.update(params, grads, lr);
  if (i % 20 === 0 || i === steps - 1) {
    const rate = ((i + 1) * batch * seq) / ((performance.now() - t0) / 1000);
    console.log(
      `step ${String(i).padStart(4)}  loss ${last.toFixed(3)}  ${rate.toFixed(0)} tokens/s`,
    );
  }
}
console.log(
  `loss ${first.toFixed(3)} -> ${last.toFixed(3)} (uniform guess: ${Math.log(vocab.size).toFixed(3)})`,
);

const g0 = performance.now();
const sample = generate(params, "Four score ", short ? 40 : 160, 1);
const genRate = (short ? 40 : 160) / ((performance.now() - g0) / 1000);
console.log(`\nsample: ${sample}\n\ngeneration: ${genRate.toFixed(1)} chars/s`);
if (!(last < first)) {
  console.error("training did not reduce the loss");
  process.exit(1);
}
