#!/usr/bin/env python3
"""Produces the Hugging Face parity fixtures of @x/llm (see test/fixtures/README.md).

Run on a machine with PyTorch and transformers (no network needed):
    python3 packages/llm/scripts/make_hf_fixtures.py packages/llm/test/fixtures/hf-parity
Weights are rebuilt from parameter names by a formula both sides implement, so only configs,
inputs and expected outputs are written.
"""
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import (LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM,
                          Qwen2Config, Qwen2ForCausalLM)


def fnv1a32(name: str) -> int:
    h = 0x811C9DC5
    for b in name.encode("utf-8"):
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def deterministic(name: str, shape) -> torch.Tensor:
    n = int(np.prod(shape)) if len(shape) else 1
    x = ((np.arange(n, dtype=np.uint64) + fnv1a32(name)) & 0xFFFFFFFF).astype(np.uint32)
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    r = (x >> np.uint32(8)).astype(np.float64) / float(1 << 24) * 2.0 - 1.0
    if name.endswith("norm.weight"):
        v = 1.0 + 0.1 * r
    elif name.endswith(".bias"):
        v = 0.02 * r
    else:
        v = 0.05 * r
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def token_ids(seed: int, n: int, vocab: int) -> list:
    rng = np.random.default_rng(seed)
    return [int(t) for t in rng.integers(3, vocab, size=n)]


MODELS = {
    "llama2-mha": (LlamaForCausalLM, LlamaConfig(
        vocab_size=256, hidden_size=64, intermediate_size=160, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=4, rms_norm_eps=1e-6, rope_theta=10000.0,
        max_position_embeddings=128, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)),
    "llama3-gqa": (LlamaForCausalLM, LlamaConfig(
        vocab_size=320, hidden_size=64, intermediate_size=192, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, rope_theta=500000.0,
        rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                      "high_freq_factor": 4.0, "original_max_position_embeddings": 32},
        max_position_embeddings=256, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)),
    "mistral-gqa": (MistralForCausalLM, MistralConfig(
        vocab_size=256, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=1, head_dim=16, rms_norm_eps=1e-5,
        rope_theta=10000.0, max_position_embeddings=128, sliding_window=None,
        tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)),
    "qwen2-bias": (Qwen2ForCausalLM, Qwen2Config(
        vocab_size=288, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6, rope_theta=1000000.0,
        max_position_embeddings=128, use_sliding_window=False, tie_word_embeddings=False,
        bos_token_id=1, eos_token_id=2)),
    "smollm2-135m": (LlamaForCausalLM, LlamaConfig(
        vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
        num_attention_heads=9, num_key_value_heads=3, rms_norm_eps=1e-5, rope_theta=100000.0,
        max_position_embeddings=8192, tie_word_embeddings=True, bos_token_id=1, eos_token_id=2)),
}

# Parameters whose gradients are recorded (small ones for the 135M-shaped model).
GRAD_PARAMS = [
    "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.k_proj.weight",
    "model.layers.0.self_attn.v_proj.weight", "model.layers.0.input_layernorm.weight",
    "model.layers.0.post_attention_layernorm.weight", "model.norm.weight",
    "model.layers.0.self_attn.q_proj.bias", "model.layers.0.self_attn.k_proj.bias",
    "model.layers.0.self_attn.v_proj.bias",
]
SMALL_ONLY = ["model.embed_tokens.weight", "lm_head.weight", "model.layers.1.mlp.down_proj.weight",
              "model.layers.1.mlp.gate_proj.weight", "model.layers.1.self_attn.o_proj.weight"]


def build(name: str, out_root: str, device: str) -> None:
    cls, config = MODELS[name]
    config._attn_implementation = "eager"
    model = cls(config).to(torch.float32)
    with torch.no_grad():
        for pname, p in model.named_parameters():
            p.copy_(deterministic(pname, tuple(p.shape)))
    model.to(device).eval()
    out = {}
    small = config.vocab_size < 1000
    lengths = [7, 5] if small else [4, 3]
    for p, n in enumerate(lengths):
        ids = token_ids(100 + p, n, config.vocab_size)
        with torch.no_grad():
            logits = model(torch.tensor([ids], device=device)).logits[0]
        out[f"prompt.{p}"] = torch.tensor(ids, dtype=torch.int32)
        out[f"logits.{p}"] = logits.float().cpu()
        seq = list(ids)
        for _ in range(8):
            with torch.no_grad():
                nxt = int(model(torch.tensor([seq], device=device)).logits[0, -1].argmax())
            seq.append(nxt)
        out[f"greedy.{p}"] = torch.tensor(seq[n:], dtype=torch.int32)
    b, s = 2, 6
    input_ids = torch.tensor([token_ids(200 + i, s, config.vocab_size) for i in range(b)])
    labels = input_ids.clone()
    labels[0, 2] = -100
    labels[1, 4:] = -100
    model.train()
    model.zero_grad()
    loss = model(input_ids.to(device), labels=labels.to(device)).loss
    loss.backward()
    out["batch.input_ids"] = input_ids.to(torch.int32)
    out["batch.labels"] = labels.to(torch.int32)
    out["loss"] = loss.detach().float().cpu().reshape(1)
    wanted = GRAD_PARAMS + (SMALL_ONLY if small else [])
    for pname, p in model.named_parameters():
        if pname in wanted and p.grad is not None:
            out[f"grad.{pname}"] = p.grad.detach().float().cpu().contiguous()
    folder = os.path.join(out_root, name)
    os.makedirs(folder, exist_ok=True)
    config.save_pretrained(folder)
    save_file({k: v.contiguous() for k, v in out.items()}, os.path.join(folder, "expected.safetensors"))
    print(f"{name}: loss {loss.item():.6f}, greedy {out['greedy.0'].tolist()}")


def main() -> None:
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = "cuda" if torch.cuda.is_available() else "cpu"
    out_root = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures/hf-parity"
    import transformers
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, device {device}")
    for name in MODELS:
        build(name, out_root, device)


if __name__ == "__main__":
    main()
