"""Export a checkpoint to the bundled judge layout:

  judge-tiny/model.onnx        optimum "text-generation-with-past" layout, opset 14
  judge-tiny/tokenizer.json    HF tokenizers file: byte-level BPE (bpe.py), the checkpoint's merges
                               (none: ids 0..255 = bytes, judge-tiny 1.x)
  judge-tiny/judge.json        templates, stop strings, generation defaults, ids
  judge-tiny/fixtures/greedy.json  PyTorch greedy decodes for the Java parity test

  /usr/bin/python3 export.py --ckpt out/stage2.pt --outdir ../judge-tiny --version 1.0.0
"""
import argparse
import hashlib
import json
import os

import onnx
import torch

import data
from data import (BOS, EOS, PAD, MAX_CONTEXT, RESPONSE_TEMPLATE, ANALYSIS_TEMPLATE, STOP,
                  encode, response_prompt, analysis_prompt, judgment, load_jsonl)
from model import load, generate

# Token bounds written to judge.json. Byte tokens (1.x): a judgment is ~125-137 bytes + EOS.
# BPE (2.0.0, bpe.py): a judgment is ~40 tokens and a critic's reflection ~47; export with
# --max-new-tokens 64 --reflection-max-new-tokens 80.
MAX_NEW_TOKENS = 160
# "<Result>Critique 1 is better than Critique 2</Result>" is 53 bytes (+ EOS), so the
# 48 first suggested for reflection would cut the verdict off; 64 leaves some slack. A critic
# trained on data.critic_target writes its analysis (up to ~112 bytes) first: export it with
# --reflection-max-new-tokens 192.
REFLECT_MAX_NEW = 64


class OnnxWrapper(torch.nn.Module):
    """(input_ids, attention_mask, position_ids, *past_flat) -> (logits, *present_flat)."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.layers = model.config["layers"]

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(self.layers)]
        logits, presents = self.model(input_ids, attention_mask, position_ids, past)
        flat = []
        for k, v in presents:
            flat += [k, v]
        return (logits, *flat)


def export_onnx(model, path, opset=14):
    c = model.config
    L, H, hd = c["layers"], c["heads"], c["hidden"] // c["heads"]
    w = OnnxWrapper(model).eval()
    b, s, p = 2, 3, 5  # non-zero past so no axis is specialised to 0
    ids = torch.randint(0, 256, (b, s))
    mask = torch.ones((b, p + s), dtype=torch.long)
    mask[1, :2] = 0  # a left-padded row
    pos = (mask.cumsum(-1) - 1).clamp(min=0)[:, p:]
    past = [torch.randn(b, H, p, hd) for _ in range(2 * L)]
    in_names = ["input_ids", "attention_mask", "position_ids"]
    out_names = ["logits"]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"},
           "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(L):
        for kv in ("key", "value"):
            n_in, n_out = f"past_key_values.{i}.{kv}", f"present.{i}.{kv}"
            in_names.append(n_in)
            out_names.append(n_out)
            dyn[n_in] = {0: "batch_size", 2: "past_sequence_length"}
            dyn[n_out] = {0: "batch_size", 2: "total_sequence_length"}
    with torch.no_grad():
        torch.onnx.export(w, (ids, mask, pos, *past), path, input_names=in_names,
                          output_names=out_names, dynamic_axes=dyn, opset_version=opset,
                          do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    return m


@torch.no_grad()
def check_wrapper(model):
    """The torch wrapper with a zero-length past, and a left-padded batch, against plain
    full-sequence forwards (what the ONNX graph was traced from)."""
    c = model.config
    H, hd = c["heads"], c["hidden"] // c["heads"]
    w = OnnxWrapper(model).eval()
    a = [BOS] + encode("Question: Ana has 3 cups.")
    bseq = [BOS] + encode("Question: Ben has 4 pens and gets 2 more.")
    L = max(len(a), len(bseq))
    ids = torch.full((2, L), PAD)
    mask = torch.zeros((2, L), dtype=torch.long)
    for r, sq in enumerate((a, bseq)):
        ids[r, L - len(sq):] = torch.tensor(sq)
        mask[r, L - len(sq):] = 1
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    empty = [torch.zeros(2, H, 0, hd) for _ in range(2 * c["layers"])]
    out = w(ids, mask, pos, *empty)
    err = 0.0
    for r, sq in enumerate((a, bseq)):
        ref, _ = model(torch.tensor([sq]))
        err = max(err, (out[0][r, L - len(sq):] - ref[0]).abs().max().item())
    assert not torch.isnan(out[0]).any(), "NaN in left-padded rows"
    assert err < 1e-4, err
    return err


@torch.no_grad()
def fixtures(model, heldout, reflect_rows, max_new_tokens=MAX_NEW_TOKENS):
    """~6 fixed prompts of different lengths: held-out response-preference prompts in both
    orders, and reflection prompts. Greedy decoding with the KV cache, batch 1, no stop
    string: until EOS or max_new_tokens."""
    texts = []
    picks = [heldout[0], heldout[1], heldout[len(heldout) // 2], heldout[-1]]
    for i, p in enumerate(picks):
        r1, r2 = (p["chosen"], p["rejected"]) if i % 2 == 0 else (p["rejected"], p["chosen"])
        texts.append(response_prompt(p["prompt"], r1, r2))
    for row in reflect_rows[:2]:
        texts.append(row["prompt_text"])
    out = []
    for t in texts:
        ids = [BOS] + encode(t)
        logits, _ = model(torch.tensor([ids]))
        top = torch.topk(logits[0, -1], 5)
        _, gen = generate(model, [ids], max_new_tokens=max_new_tokens, stop=None, return_ids=True)
        out.append({"prompt_text": t, "input_ids": ids, "greedy_ids": gen[0],
                    "greedy_text": data.decode(gen[0]),
                    "first_step_logits_top5": [[int(i), float(v)] for v, i in zip(top.values, top.indices)]})
    return {"description": "PyTorch float32 greedy decoding with the KV cache, batch 1, "
                           "no stop strings: generated ids up to and including EOS, or "
                           f"max_new_tokens ids, or until prompt+generated reaches max_context ({model.config['max_pos']}).", "max_new_tokens": max_new_tokens,
            "cases": out}


def synthetic_reflect_rows(heldout, n=2):
    """Reflection prompts from reference judgments (one right, one with a flipped verdict),
    used for fixtures when no sampled held-out reflection rows are given."""
    rows = []
    for k, p in enumerate(heldout[2:2 + n]):
        right = judgment(p, p["chosen"], p["rejected"])
        wrong = right.replace("Response 1 is better than Response 2", "Response 2 is better than Response 1")
        c1, c2, better = (right, wrong, 1) if k % 2 == 0 else (wrong, right, 2)
        rows.append({"prompt_text": analysis_prompt(p["prompt"], p["chosen"], p["rejected"], c1, c2),
                     "better": better})
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--outdir", default="../judge-tiny")
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--heldout", default=None, help="defaults to OUTDIR/heldout.jsonl")
    ap.add_argument("--reflect", default=None, help="held-out reflection rows for fixtures")
    ap.add_argument("--temperature", type=float, default=1.0,
                    help="judge.json sampling temperature (choose it with sweep_temperature.py)")
    ap.add_argument("--max-new-tokens", type=int, default=MAX_NEW_TOKENS,
                    help="judge.json bound on a judgment's tokens (64 for the BPE models)")
    ap.add_argument("--reflection-max-new-tokens", type=int, default=REFLECT_MAX_NEW,
                    help="judge.json bound on a reflection's tokens (192 for a critic that writes "
                         "its analysis first, data.critic_target)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    model = load(a.ckpt)
    c = model.config
    os.makedirs(os.path.join(a.outdir, "fixtures"), exist_ok=True)

    err = check_wrapper(model)
    print(f"torch wrapper, zero-length past + left padding: max |diff| {err:.2e}")

    onnx_path = os.path.join(a.outdir, "model.onnx")
    export_onnx(model, onnx_path)
    with open(onnx_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    print(f"model.onnx {os.path.getsize(onnx_path)} bytes, check_model(full_check) ok, sha256 {sha}")

    with open(os.path.join(a.outdir, "tokenizer.json"), "w") as f:
        json.dump(data.TOKENIZER.tokenizer_json([(BOS, "<s>"), (EOS, "</s>"), (PAD, "<pad>")]), f,
                  ensure_ascii=False, indent=1)

    judge = {
        "id": "rewardstream-judge-tiny", "version": a.version,
        "bos_token_id": BOS, "eos_token_id": EOS, "pad_token_id": PAD, "add_bos": True,
        "max_context": c["max_pos"],  # the RoPE table the checkpoint was trained with
        "templates": {"response_preference": RESPONSE_TEMPLATE, "analysis_preference": ANALYSIS_TEMPLATE},
        "stop_strings": [STOP],
        "generation": {"max_new_tokens": a.max_new_tokens, "reflection_max_new_tokens": a.reflection_max_new_tokens,
                       "temperature": a.temperature, "top_p": 1.0, "samples": 8},
        "verdict_patterns": {"response": "<Result>Response ([12]) is better than Response ([12])</Result>",
                             "critique": "<Result>Critique ([12]) is better than Critique ([12])</Result>"},
        # a judgment that ends without a verdict gets the verdict line forced, the label chosen by
        # the model (docs/judge.md, "Outside its template")
        "forced_verdict": {"response": "<Result>Response {label} is better than Response {other}</Result>",
                           "critique": "<Result>Critique {label} is better than Critique {other}</Result>"},
        "model": {"file": "model.onnx", "sha256": sha, "tokenizer": "tokenizer.json",
                  "architecture": "llama-like decoder (RMSNorm, RoPE, SwiGLU, tied embeddings)",
                  "num_layers": c["layers"], "num_attention_heads": c["heads"],
                  "num_key_value_heads": c["heads"], "head_dim": c["hidden"] // c["heads"],
                  "hidden_size": c["hidden"], "vocab_size": data.TOKENIZER.vocab_size, "onnx_opset": 14,
                  "past_layout": "past_key_values.{i}.key|value [batch, kv_heads, past, head_dim] float32",
                  "dtype": "float32"},
    }
    with open(os.path.join(a.outdir, "judge.json"), "w") as f:
        json.dump(judge, f, indent=2)

    heldout = load_jsonl(a.heldout or os.path.join(a.outdir, "heldout.jsonl"))
    rrows = load_jsonl(a.reflect) if a.reflect else synthetic_reflect_rows(heldout)
    # long enough for a reflection that writes its analysis first, so the parity check covers it
    fx = fixtures(model, heldout, rrows, max(a.max_new_tokens, a.reflection_max_new_tokens))
    with open(os.path.join(a.outdir, "fixtures", "greedy.json"), "w") as f:
        json.dump(fx, f, indent=1)
    for cse in fx["cases"]:
        print(len(cse["input_ids"]), len(cse["greedy_ids"]), repr(cse["greedy_text"][:140]))


if __name__ == "__main__":
    main()
