#!/usr/bin/env bash
# Trains (or resumes) the default model on a GPU machine that has no pnpm and no node_modules,
# then evaluates it, with the bundled commands. Arguments are train flags (see sotu-train.mjs
# --help); the run folder is $SOTU_RUN (default .carry/sotu-run); logs and results go to $OUT.
#
# Here, before: pnpm --filter @x/example-default-model prepare-data   (writes .carry/sotu-tokens)
#               pnpm --filter @x/tensor build && node packages/tensor-cuda/scripts/bundle-llm.mjs
#               mkdir -p .carry && xz -c "$(command -v node)" > .carry/node.xz
# Carry: .carry/node.xz, .carry/sotu-tokens, packages/tensor/dist, packages/tensor-cuda/build.
# SOTU_SKIP_EVAL=1 skips the evaluation. With SOTU_FETCH_MODEL=1 the final weights come back in $OUT as pieces of at most 15 MiB
# (cat model.safetensors.part-* > model.safetensors).
set -uo pipefail
OUT=${OUT:-/tmp/sotu-gpu-out}
RUN=${SOTU_RUN:-.carry/sotu-run}
DATA=${SOTU_DATA:-.carry/sotu-tokens}
BUILD=packages/tensor-cuda/build
mkdir -p "$OUT"
if ! command -v node >/dev/null; then
  [ -x /tmp/node ] || { xz -dc .carry/node.xz > /tmp/node.part && chmod +x /tmp/node.part && mv /tmp/node.part /tmp/node; }
  export PATH=/tmp:$PATH
fi
if [ -z "${X_TENSOR_CUBLAS:-}" ]; then
  cub=$(ls /usr/local/cuda*/lib64/libcublas.so.1* /usr/local/cuda*/targets/*/lib/libcublas.so.1* 2>/dev/null | head -1)
  [ -z "$cub" ] && cub=$(python3 -c "import glob,os,torch; d=os.path.dirname(torch.__file__); print((glob.glob(d+'/../nvidia/cu*/lib/libcublas.so.*')+glob.glob(d+'/../nvidia/cublas/lib/libcublas.so.*'))[0])" 2>/dev/null)
  export X_TENSOR_CUBLAS=$cub
fi
export X_TENSOR_CUDA_ADDON=${X_TENSOR_CUDA_ADDON:-$PWD/$BUILD/x_tensor_cuda.node}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
node "$BUILD/sotu-train.mjs" --data "$DATA" --out "$RUN" --device cuda "$@" 2>&1 | tee -a "$OUT/train.log"
status=${PIPESTATUS[0]}
cp "$RUN/train-log.json" "$OUT/" 2>/dev/null
if [ "$status" -eq 0 ] && [ -f "$RUN/final/model.safetensors" ] && [ -z "${SOTU_SKIP_EVAL:-}" ]; then
  node "$BUILD/sotu-eval.mjs" --model "$RUN/final" --data "$DATA" --device cuda 2>&1 | tee "$OUT/eval.log"
  cp "$RUN/eval.json" "$OUT/" 2>/dev/null
  if [ -n "${SOTU_FETCH_MODEL:-}" ]; then
    cp "$RUN/final/config.json" "$RUN/final/generation_config.json" "$RUN/metrics.csv" "$OUT/"
    split -b 15m -d "$RUN/final/model.safetensors" "$OUT/model.safetensors.part-"
  fi
fi
exit "$status"
