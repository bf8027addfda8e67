# numpy baseline for bench/sgemm.ts: reads [[m, n, k], ...] as JSON on stdin, prints the median
# seconds of a @ b per shape as JSON, plus the BLAS numpy links. Single-threaded via env vars set
# by the caller (OPENBLAS_NUM_THREADS etc. are read when numpy loads).
import json
import sys
import time

import numpy as np

shapes = json.load(sys.stdin)
out = []
for m, n, k in shapes:
    a = np.random.rand(m, k).astype(np.float32)
    b = np.random.rand(k, n).astype(np.float32)
    for _ in range(2):
        a @ b
    samples = []
    start = time.perf_counter()
    while len(samples) < 5 or (time.perf_counter() - start < 0.3 and len(samples) < 200):
        t0 = time.perf_counter()
        a @ b
        samples.append(time.perf_counter() - t0)
    samples.sort()
    out.append(samples[len(samples) // 2])
try:
    cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    blas = f"{cfg.get('name')} {cfg.get('version')}"
except Exception:  # older numpy without mode="dicts"
    blas = "unknown"
print(json.dumps({"numpy": np.__version__, "blas": blas, "seconds": out}))
