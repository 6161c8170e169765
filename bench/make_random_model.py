"""A random-weight decoder of a realistic shape, exported in the bundled judge's layout
(optimum text-generation-with-past ONNX + tokenizer.json + judge.json) for the decode
benchmarks. Not a judge: its weights are random. Written to bench/out/ (git-ignored).

Default shape: Qwen2.5-0.5B's dimensions (hidden 896, 24 layers, 14 heads over 2 KV heads,
SwiGLU intermediate 4864, vocabulary 151936, tied embeddings; ~494 M parameters, ~2.5 GB
ONNX in float32 since the exporter stores the tied embedding twice). The architecture is
the training code's (models/training/model.py: RMSNorm, RoPE, SwiGLU) with grouped-query
attention added (bench_model.GqaBlock); Qwen's q/k/v biases are left out.

  /usr/bin/python3 bench/make_random_model.py --outdir bench/out/qwen2.5-0.5b-shape
"""
import argparse
import hashlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_model  # noqa: E402  (puts models/training on sys.path)
from export import OnnxWrapper, tokenizer_json  # noqa: E402  models/training/export.py


def export_onnx(model, path, opset=14):
    """export.export_onnx with the past tensors sized by KV heads, not attention heads."""
    c = model.config
    L, kv, hd = c["layers"], c["kv_heads"], c["hidden"] // c["heads"]
    w = OnnxWrapper(model).eval()
    b, s, p = 2, 3, 5  # non-zero past so no axis is specialised to 0
    ids = torch.randint(0, 256, (b, s))
    mask = torch.ones((b, p + s), dtype=torch.long)
    mask[1, :2] = 0
    pos = (mask.cumsum(-1) - 1).clamp(min=0)[:, p:]
    past = [torch.randn(b, kv, p, hd) for _ in range(2 * L)]
    in_names = ["input_ids", "attention_mask", "position_ids"]
    out_names = ["logits"]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"},
           "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(L):
        for part in ("key", "value"):
            n_in, n_out = f"past_key_values.{i}.{part}", f"present.{i}.{part}"
            in_names.append(n_in)
            out_names.append(n_out)
            dyn[n_in] = {0: "batch_size", 2: "past_sequence_length"}
            dyn[n_out] = {0: "batch_size", 2: "total_sequence_length"}
    with torch.no_grad():
        # over 2 GB, torch 1.13 writes the weights as external data files next to `path`
        torch.onnx.export(w, (ids, mask, pos, *past), path, input_names=in_names,
                          output_names=out_names, dynamic_axes=dyn, opset_version=opset,
                          do_constant_folding=True)


def judge_json(c, sha, bundled):
    """The bundled judge.json's shape (templates etc. kept) with this model's ids and dims.
    EOS is the last vocabulary id, which a byte prompt never contains, so greedy decoding of
    random weights runs its full length."""
    meta = dict(bundled)
    meta.update({
        "id": "random-weights-benchmark-only", "version": "0.0.0",
        "bos_token_id": 256, "eos_token_id": c["vocab"] - 1, "pad_token_id": 258,
        "add_bos": True, "max_context": c["max_pos"],
    })
    meta["model"] = {
        "file": "model.onnx", "sha256": sha, "tokenizer": "tokenizer.json",
        "architecture": "llama-like decoder with GQA, RANDOM WEIGHTS (benchmark only)",
        "num_layers": c["layers"], "num_attention_heads": c["heads"],
        "num_key_value_heads": c["kv_heads"], "head_dim": c["hidden"] // c["heads"],
        "hidden_size": c["hidden"], "intermediate_size": c["intermediate"],
        "vocab_size": c["vocab"], "onnx_opset": 14, "dtype": "float32",
        "past_layout": "past_key_values.{i}.key|value [batch, kv_heads, past, head_dim] float32",
    }
    return meta


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--outdir", default="bench/out/qwen2.5-0.5b-shape")
    ap.add_argument("--layers", type=int, default=24)
    ap.add_argument("--hidden", type=int, default=896)
    ap.add_argument("--heads", type=int, default=14)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--intermediate", type=int, default=4864)
    ap.add_argument("--vocab", type=int, default=151936)
    ap.add_argument("--max-context", type=int, default=512)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(1)
    c = {"vocab": a.vocab, "hidden": a.hidden, "layers": a.layers, "heads": a.heads,
         "kv_heads": a.kv_heads, "intermediate": a.intermediate, "max_pos": a.max_context,
         "rope_theta": 10000.0, "eps": 1e-6}
    model = bench_model.build(c).eval()
    print(f"{bench_model.num_params(model) / 1e6:.1f} M parameters", flush=True)
    os.makedirs(a.outdir, exist_ok=True)
    path = os.path.join(a.outdir, "model.onnx")
    export_onnx(model, path)
    sha = sha256(path)
    size = sum(os.path.getsize(os.path.join(a.outdir, f)) for f in os.listdir(a.outdir))
    print(f"exported {path} ({size / 1e9:.2f} GB with external data), sha256 {sha}", flush=True)
    with open(os.path.join(a.outdir, "tokenizer.json"), "w") as f:
        json.dump(tokenizer_json(), f, ensure_ascii=False, indent=1)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "models", "judge-tiny", "judge.json")) as f:
        bundled = json.load(f)
    with open(os.path.join(a.outdir, "judge.json"), "w") as f:
        json.dump(judge_json(c, sha, bundled), f, indent=2)
    # the same forward on a few ids, for a quick ONNX-vs-torch check by the bench scripts
    ids = [256] + list(b"Question: how many?")
    with torch.no_grad():
        logits, _ = model(torch.tensor([ids]))
    with open(os.path.join(a.outdir, "reference.json"), "w") as f:
        json.dump({"input_ids": ids, "last_logits_top5": torch.topk(logits[0, -1], 5).indices.tolist()}, f)
    print("wrote tokenizer.json, judge.json, reference.json")


if __name__ == "__main__":
    main()
