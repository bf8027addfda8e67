#!/usr/bin/env bash
# One run on a GPU machine (no Node there): unpack the carried node, point the addon at the
# machine's cuBLAS, then run the CUDA tests and the GEMM benchmark against PyTorch. Logs go to $OUT.
# Carry: .carry/node.xz, packages/tensor/dist, packages/tensor-cuda/build. X_SKIP_GEMM=1 / X_SKIP_LLM=1
# skip the GEMM or the @x/llm benchmarks.
set -uo pipefail
OUT=${OUT:-/tmp/x-cuda-out}
mkdir -p "$OUT"
xz -dc .carry/node.xz > /tmp/node && chmod +x /tmp/node
export PATH=/tmp:$PATH
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | tee "$OUT/gpu.txt"
if [ -z "${X_TENSOR_CUBLAS:-}" ]; then
  cub=$(ls /usr/local/cuda*/lib64/libcublas.so.1* /usr/local/cuda*/targets/*/lib/libcublas.so.1* 2>/dev/null | head -1)
  [ -z "$cub" ] && cub=$(python3 -c "import glob,os,torch; d=os.path.dirname(torch.__file__); print((glob.glob(d+'/../nvidia/cu*/lib/libcublas.so.*')+glob.glob(d+'/../nvidia/cublas/lib/libcublas.so.*'))[0])" 2>/dev/null)
  export X_TENSOR_CUBLAS=$cub
fi
echo "cublas: $X_TENSOR_CUBLAS" | tee -a "$OUT/gpu.txt"
echo "== test:cuda"
node packages/tensor-cuda/scripts/test-cuda.mjs 2>&1 | tee "$OUT/test-cuda.log"
if [ -z "${X_SKIP_GEMM:-}" ]; then
  echo "== gemm"
  node packages/tensor-cuda/bench/gemm.mjs 2>&1 | tee "$OUT/gemm-x.jsonl"
  python3 packages/tensor-cuda/bench/gemm_torch.py 2>&1 | tee "$OUT/gemm-torch.jsonl"
  node packages/tensor-cuda/bench/compare.mjs "$OUT/gemm-x.jsonl" "$OUT/gemm-torch.jsonl" | tee "$OUT/gemm.md"
fi
if [ -f packages/tensor-cuda/build/llm-bench.mjs ] && [ -z "${X_SKIP_LLM:-}" ]; then
  echo "== llm bench (x-llm on cuda, then transformers/PyTorch on the same weights and shapes)"
  X_TENSOR_CUDA_ADDON=$PWD/packages/tensor-cuda/build/x_tensor_cuda.node node packages/tensor-cuda/build/llm-bench.mjs /tmp/x-llm-smol 2>&1 | tee "$OUT/llm-x.jsonl"
  PYTHONUNBUFFERED=1 python3 packages/tensor-cuda/bench/llm_torch.py /tmp/x-llm-smol 2>&1 | tee "$OUT/llm-torch.jsonl"
  echo "== training step, profiled per addon call (serialized: shares, not speed)"
  X_TENSOR_CUDA_PROFILE=1 X_TENSOR_CUDA_ADDON=$PWD/packages/tensor-cuda/build/x_tensor_cuda.node node packages/tensor-cuda/build/llm-bench.mjs /tmp/x-llm-smol train 2>&1 | tee "$OUT/train-profile.txt"
fi
for f in packages/tensor-cuda/bench/extra*.sh; do [ -f "$f" ] && bash "$f" 2>&1 | tee "$OUT/extra.log"; done
true
