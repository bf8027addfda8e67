# PyTorch baseline for bench/gemm.mjs: torch.matmul on the same shapes and precisions.
import json, torch

SHAPES = [[4096, 4096, 4096], [2048, 2048, 2048], [2048, 576, 1536], [2048, 1536, 576], [1, 576, 49152], [8192, 8192, 8192]]
for m, k, n in SHAPES:
    for prec in ["f32", "tf32", "bf16"]:
        dt = torch.bfloat16 if prec == "bf16" else torch.float32
        torch.backends.cuda.matmul.allow_tf32 = prec == "tf32"
        a = torch.randn(m, k, device="cuda").to(dt)
        b = torch.randn(k, n, device="cuda").to(dt)
        flops = 2 * m * n * k
        iters = max(5, min(200, round(2e13 / flops)))
        for _ in range(3):
            torch.matmul(a, b)
        torch.cuda.synchronize()
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        for _ in range(iters):
            torch.matmul(a, b)
        e.record()
        torch.cuda.synchronize()
        ms = s.elapsed_time(e) / iters
        print(json.dumps({"impl": "torch", "m": m, "k": k, "n": n, "prec": prec, "ms": ms, "tflops": flops / ms / 1e9}))
