#!/usr/bin/env python3
"""Loads folders written by @x/llm's saveModel with transformers and records what it computes.

    python3 packages/llm/scripts/check_roundtrip.py <saved-root> <parity-root> <out-root>

For each <saved-root>/<name>-<dtype>/ it writes <out-root>/<name>-<dtype>/expected.safetensors
(logits of the parity fixture's prompt 0, model in float32) and files.json (sha256 of each file
transformers read), so the test can prove it writes those same bytes and computes those logits.
"""
import hashlib
import json
import os
import sys

import torch
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM


def sha256(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main() -> None:
    saved, parity, out = sys.argv[1:4]
    torch.backends.cuda.matmul.allow_tf32 = False
    device = "cuda" if torch.cuda.is_available() else "cpu"
    for folder in sorted(os.listdir(saved)):
        src = os.path.join(saved, folder)
        name = folder.rsplit("-", 1)[0]
        model = AutoModelForCausalLM.from_pretrained(src, dtype=torch.float32,
                                                     attn_implementation="eager").to(device).eval()
        prompt = load_file(os.path.join(parity, name, "expected.safetensors"))["prompt.0"]
        with torch.no_grad():
            logits = model(prompt.long().unsqueeze(0).to(device)).logits[0].float().cpu()
        dst = os.path.join(out, folder)
        os.makedirs(dst, exist_ok=True)
        save_file({"logits.0": logits.contiguous()}, os.path.join(dst, "expected.safetensors"))
        files = {f: sha256(os.path.join(src, f)) for f in sorted(os.listdir(src))}
        with open(os.path.join(dst, "files.json"), "w") as f:
            json.dump({"architectures": model.config.architectures, "files": files}, f, indent=2)
        print(folder, model.config.architectures, logits.shape, float(logits.abs().max()))


if __name__ == "__main__":
    main()
