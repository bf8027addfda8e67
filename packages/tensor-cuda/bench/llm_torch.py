# PyTorch / transformers baselines for packages/llm/bench/cuda.ts on the same card: greedy generate
# of the same saved weights (eager attention; f32 and bf16) and a training step of the default
# model's shapes. Prints JSON lines. Usage: python3 llm_torch.py /tmp/x-llm-smol
import json, sys, time
import torch
from transformers import AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/x-llm-smol"
PROMPT, NEW = 64, 128
vocab = 49152
prompt = torch.tensor([[(i * 7919 + 13) % vocab for i in range(PROMPT)]], device="cuda")

def timed(fn):
    torch.cuda.synchronize(); t = time.perf_counter(); r = fn(); torch.cuda.synchronize()
    return time.perf_counter() - t, r

for name, dtype in [("f32", torch.float32), ("bf16", torch.bfloat16)]:
    m = AutoModelForCausalLM.from_pretrained(path, torch_dtype=dtype, attn_implementation="eager").cuda().eval()
    gen = lambda n: m.generate(prompt, max_new_tokens=n, min_new_tokens=n, do_sample=False, pad_token_id=0)
    with torch.no_grad():
        gen(8)
        pre = sorted(timed(lambda: gen(1))[0] for _ in range(3))[1]
        full = sorted((timed(lambda: gen(NEW)) for _ in range(3)), key=lambda x: x[0])[1]
    print(json.dumps({"bench": "decode", "engine": "transformers-eager", "precision": name, "prompt": PROMPT,
        "newTokens": NEW, "prefillTokS": PROMPT / pre, "decodeTokS": (NEW - 1) / (full[0] - pre),
        "tokens": full[1][0, PROMPT:PROMPT + 16].tolist(), "torch": torch.__version__}), flush=True)
    del m

cfg = LlamaConfig(vocab_size=8192, hidden_size=384, intermediate_size=1024, num_hidden_layers=6,
    num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=2048, tie_word_embeddings=True,
    attn_implementation="eager")
for prec in ["f32", "tf32"]:
    torch.backends.cuda.matmul.allow_tf32 = prec == "tf32"
    model = LlamaForCausalLM(cfg).cuda().train()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.01)
    ids = torch.tensor([[(i * 31 + 7) % 8192 for i in range(b * 256, (b + 1) * 256)] for b in range(8)], device="cuda")
    times = []
    for s in range(8):
        def step():
            loss = model(input_ids=ids, labels=ids).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); opt.zero_grad(set_to_none=True)
            return loss
        t, loss = timed(step)
        times.append(t * 1000)
    st = sorted(times[3:])
    print(json.dumps({"bench": "train-step", "engine": "pytorch-eager", "precision": prec, "batch": 8, "seq": 256,
        "stepMs": st[len(st) // 2], "loss": loss.item()}), flush=True)
