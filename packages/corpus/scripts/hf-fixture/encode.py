# Runs on a machine with Hugging Face `tokenizers` (and optionally `transformers`): encodes the
# samples prepared by prepare.ts with our trained tokenizer.json and writes the ids as a fixture.
# Usage: python3 encode.py OUT_DIR   (run from the folder prepare.ts wrote)
import hashlib, json, sys

import tokenizers
from tokenizers import Tokenizer

out_dir = sys.argv[1]
tok_path = "tokenizer/tokenizer.json"
tok = Tokenizer.from_file(tok_path)
samples = json.load(open("samples.json", encoding="utf-8"))


def sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


passages = []
for p in samples["passages"]:
    ids = tok.encode(p["text"], add_special_tokens=False).ids
    round_trip = tok.decode(ids, skip_special_tokens=False) == p["text"]
    passages.append({"id": p["id"], "sha256": sha(p["text"]), "roundTrip": round_trip, "ids": ids})
edge = []
for text in samples["edgeCases"]:
    edge.append({
        "text": text,
        "ids": tok.encode(text, add_special_tokens=False).ids,
        "idsWithSpecial": tok.encode(text).ids,
        "decoded": tok.decode(tok.encode(text, add_special_tokens=False).ids, skip_special_tokens=False),
    })
result = {
    "tokenizers": tokenizers.__version__,
    "tokenizerSha256": hashlib.sha256(open(tok_path, "rb").read()).hexdigest(),
    "passages": passages,
    "edgeCases": edge,
}
try:
    import transformers
    from transformers import AutoTokenizer

    t = AutoTokenizer.from_pretrained("tokenizer")
    result["transformers"] = {
        "version": transformers.__version__,
        "class": type(t).__name__,
        "bosTokenId": t.bos_token_id,
        "eosTokenId": t.eos_token_id,
        "callMeIshmael": t("Call me Ishmael.").input_ids,
    }
except Exception as e:  # transformers is optional
    result["transformers"] = {"error": repr(e)}
with open(f"{out_dir}/hf-tokenizers-ids.json", "w", encoding="utf-8") as f:
    json.dump(result, f, ensure_ascii=False, separators=(",", ":"))
print("passages", len(passages), "edge cases", len(edge), "tokenizers", tokenizers.__version__)
print(json.dumps(result["transformers"]))
