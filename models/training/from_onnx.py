"""Rebuild a training checkpoint from an exported judge (model.onnx + tokenizer.json + judge.json),
so a shipped model can be trained further without its original checkpoint (out/ is git-ignored
and does not survive a fresh clone).

  /usr/bin/python3 from_onnx.py --judge-dir ../judge-tiny --lookup-fact name --out out/shipped.pt

The export (export.py) keeps the norm and embedding weights under their torch names and stores
each linear layer's weight transposed as an anonymous MatMul initializer, block by block in
forward order (qkv, o, gate_up, down), then the tied lm head. The rebuilt model is checked against
the committed PyTorch fixtures: it must generate the same greedy ids for each fixture prompt
(fixtures/greedy.json), so a wrong mapping fails loudly here.
"""
import argparse
import json
import os

import onnx
import torch
from onnx import numpy_helper

import data
from model import TinyLM, generate


def rebuild(judge_dir):
    spec = json.load(open(os.path.join(judge_dir, "judge.json")))
    m = spec["model"]
    tok = json.load(open(os.path.join(judge_dir, m["tokenizer"])))
    merges = [tuple(x.split(" ")) if isinstance(x, str) else tuple(x) for x in tok["model"]["merges"]]
    data.use_merges(merges)
    graph = onnx.load(os.path.join(judge_dir, m["file"])).graph
    named = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    matmuls = [named[i.name] for i in graph.initializer if i.name.startswith("onnx::MatMul")]
    layers = m["num_layers"]
    inter = matmuls[2].shape[1] // 2
    config = {"hidden": m["hidden_size"], "layers": layers, "heads": m["num_attention_heads"],
              "intermediate": inter, "vocab": m["vocab_size"], "max_pos": spec["max_context"]}
    model = TinyLM(config)
    state = {k[len("model."):]: v for k, v in named.items() if k.startswith("model.")}
    if len(matmuls) != 4 * layers + 1:
        raise SystemExit(f"expected {4 * layers + 1} MatMul weights, found {len(matmuls)}")
    for i in range(layers):
        for j, name in enumerate(("qkv", "o", "gate_up", "down")):
            state[f"blocks.{i}.{name}.weight"] = matmuls[4 * i + j].t().contiguous()
    if not torch.equal(matmuls[-1].t(), state["embed.weight"]):
        raise SystemExit("the lm head is not the tied embedding: not an export.py model")
    model.load_state_dict(state)
    return model, merges, spec


def check(model, judge_dir):
    """How many of the committed PyTorch greedy fixtures the rebuilt model reproduces id for id,
    decoded as export.py decoded them (no stop string, the fixtures' token budget)."""
    fixtures = json.load(open(os.path.join(judge_dir, "fixtures", "greedy.json")))
    cases = fixtures["cases"]
    model.eval()
    _, got = generate(model, [c["input_ids"] for c in cases],
                      max_new_tokens=fixtures["max_new_tokens"], stop=None, return_ids=True)
    return sum(g == c["greedy_ids"] for g, c in zip(got, cases)), len(cases)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--judge-dir", default="../judge-tiny")
    ap.add_argument("--lookup-fact", choices=["sentence", "name", "object"], default="name",
                    help="how the model states lookup facts (3.x: name)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    model, merges, spec = rebuild(a.judge_dir)
    same, n = check(model, a.judge_dir)
    print(f"rebuilt {spec.get('version')} from {a.judge_dir}: greedy fixtures reproduced {same}/{n}")
    if same != n:
        raise SystemExit("the rebuilt model does not reproduce the fixtures")
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    torch.save({"config": model.config, "model": model.state_dict(), "merges": list(merges),
                "lookup_fact": a.lookup_fact, "step": 0, "stage": 1, "tokens": 0,
                "train_seconds": 0.0, "history": [], "from": spec.get("version")}, a.out)
    print(f"saved {a.out}")


if __name__ == "__main__":
    main()
