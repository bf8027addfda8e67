#!/usr/bin/env python3
"""Records what Hugging Face transformers computes with the default model (models/sotu).

    python3 examples/default-model/scripts/transformers_fixture.py <model-dir> <out.safetensors>

For each prompt: the ids transformers' tokenizer gives (BOS first), the float32 logits of every
position, and 24 greedy tokens from generate(). The json beside the output records the sha256
of the weights it read and the library versions, so the test knows which model it speaks for.
"""
import hashlib
import json
import sys

import torch
import transformers
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, AutoTokenizer

PROMPTS = [
    "Fellow-Citizens of the Senate and House of Representatives:",
    "The state of the Union is",
    "In the past year our Nation has",
]


def main() -> None:
    model_dir, out = sys.argv[1:3]
    torch.backends.cuda.matmul.allow_tf32 = False
    device = "cuda" if torch.cuda.is_available() else "cpu"
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32,
                                                 attn_implementation="eager").to(device).eval()
    tensors = {}
    for i, text in enumerate(PROMPTS):
        ids = tok(text, return_tensors="pt").input_ids.to(device)
        with torch.no_grad():
            logits = model(ids).logits[0].float().cpu()
            gen = model.generate(ids, max_new_tokens=24, do_sample=False, eos_token_id=None,
                                 pad_token_id=tok.eos_token_id)[0, ids.shape[1]:].cpu()
        tensors[f"prompt.{i}"] = ids[0].cpu().to(torch.int32).contiguous()
        tensors[f"logits.{i}"] = logits.contiguous()
        tensors[f"greedy.{i}"] = gen.to(torch.int32).contiguous()
        print(i, repr(text), ids.shape[1], "greedy:", repr(tok.decode(gen)))
    save_file(tensors, out)
    with open(f"{model_dir}/model.safetensors", "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    meta = {"prompts": PROMPTS, "model_sha256": digest, "transformers": transformers.__version__,
            "torch": torch.__version__, "device": torch.cuda.get_device_name() if device == "cuda" else "cpu"}
    with open(out.replace(".safetensors", ".json"), "w") as f:
        json.dump(meta, f, indent=2)


if __name__ == "__main__":
    main()
