"""Shared by the bench scripts: the training code's decoder (models/training/model.py,
imported, not copied), a grouped-query variant of its block for realistic shapes, and
loading a bundled-layout model directory's ONNX weights back into PyTorch.

The bundled judge has as many KV heads as attention heads (TinyLM as is); a Qwen2.5-0.5B
shape has 14 attention heads over 2 KV heads, which TinyLM's Block does not do, so
GqaBlock subclasses it: same RMSNorm, RoPE, SwiGLU, mask and present layout, only the
K/V projections are narrower and each KV head serves heads // kv_heads query heads.
"""
import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINING = os.path.join(HERE, "..", "models", "training")
sys.path.insert(0, TRAINING)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import model as training_model  # noqa: E402  (models/training/model.py)
from model import Block, RMSNorm, TinyLM, rotate_half  # noqa: E402,F401


class GqaBlock(Block):
    """TinyLM's block with kv_heads <= heads (grouped-query attention)."""

    def __init__(self, c):
        super().__init__(c)
        self.kv_heads = c.get("kv_heads", c["heads"])
        kv = self.kv_heads * self.hd
        self.qkv = nn.Linear(c["hidden"], c["hidden"] + 2 * kv, bias=False)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        b, s, hidden = x.shape
        kv = self.kv_heads * self.hd
        q, k, v = self.qkv(self.ln1(x)).split([hidden, kv, kv], dim=-1)
        q = q.view(b, s, self.heads, self.hd).transpose(1, 2)
        k = k.view(b, s, self.kv_heads, self.hd).transpose(1, 2)
        v = v.view(b, s, self.kv_heads, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        group = self.heads // self.kv_heads
        # [b, kv, t, hd] -> [b, kv, group, t, hd]: each KV head serves `group` query heads
        qg = (q * (1.0 / math.sqrt(self.hd))).view(b, self.kv_heads, group, s, self.hd)
        att = torch.softmax(qg @ k.unsqueeze(2).transpose(-1, -2) + bias.unsqueeze(1), dim=-1)
        y = (att @ v.unsqueeze(2)).view(b, self.heads, s, self.hd)
        x = x + self.o(y.transpose(1, 2).reshape(b, s, -1))
        g, u = self.gate_up(self.ln2(x)).chunk(2, dim=-1)
        x = x + self.down(F.silu(g) * u)
        return x, k, v


class GqaLM(TinyLM):
    """TinyLM with GqaBlocks (built without first building full-width blocks)."""

    def __init__(self, config):
        layers = config["layers"]
        super().__init__(dict(config, layers=0))
        self.config["layers"] = layers
        self.blocks = nn.ModuleList(GqaBlock(self.config) for _ in range(layers))
        self.blocks.apply(self._init)


def build(config):
    """TinyLM when every head has its own KV head, GqaLM otherwise."""
    if config.get("kv_heads", config["heads"]) == config["heads"]:
        return TinyLM({k: v for k, v in config.items() if k != "kv_heads"})
    return GqaLM(config)


def config_of(model_dir):
    """Model dimensions from judge.json's "model" section plus the ONNX weight shapes."""
    with open(os.path.join(model_dir, "judge.json")) as f:
        meta = json.load(f)
    m = meta["model"]
    return {
        "vocab": m["vocab_size"], "hidden": m["hidden_size"], "layers": m["num_layers"],
        "heads": m["num_attention_heads"], "kv_heads": m["num_key_value_heads"],
        "intermediate": m.get("intermediate_size"), "max_pos": meta["max_context"],
        "rope_theta": m.get("rope_theta", 10000.0), "eps": 1e-6,
    }, meta


def load_onnx_weights(model_dir):
    """The PyTorch model with the exact weights of MODEL_DIR/model.onnx.

    Named initializers (embedding, norms) map by name; the exporter folds each Linear's
    transposed weight into an anonymous MatMul initializer, so those map by graph order:
    per block qkv, o, gate_up, down, then the (tied) LM head, with every shape checked.
    """
    import onnx
    from onnx import numpy_helper

    config, meta = config_of(model_dir)
    proto = onnx.load(os.path.join(model_dir, "model.onnx"))  # also reads external data
    inits = {t.name: t for t in proto.graph.initializer}
    matmuls = [n.input[1] for n in proto.graph.node
               if n.op_type == "MatMul" and n.input[1] in inits]
    L = config["layers"]
    if len(matmuls) != 4 * L + 1:
        raise SystemExit(f"expected {4 * L + 1} weight MatMuls, found {len(matmuls)}")
    if not config.get("intermediate"):
        config["intermediate"] = int(inits[matmuls[3]].dims[0])
    model = build(config)
    state = model.state_dict()

    def arr(name):
        return torch.from_numpy(numpy_helper.to_array(inits[name]).copy())

    for name in list(state):
        if name in inits:
            state[name] = arr(name)
    parts = ["qkv", "o", "gate_up", "down"]
    for i in range(L):
        for j, part in enumerate(parts):
            key = f"blocks.{i}.{part}.weight"
            w = arr(matmuls[4 * i + j]).t().contiguous()
            if tuple(w.shape) != tuple(state[key].shape):
                raise SystemExit(f"{key}: ONNX {tuple(w.shape)} vs torch {tuple(state[key].shape)}")
            state[key] = w
    for name in ("embed.weight", "norm.weight"):
        if "model." + name in inits:
            state[name] = arr("model." + name)
    for i in range(L):
        for ln in ("ln1", "ln2"):
            key = f"model.blocks.{i}.{ln}.weight"
            if key in inits:
                state[f"blocks.{i}.{ln}.weight"] = arr(key)
    head = arr(matmuls[-1])
    if not torch.equal(head.t(), state["embed.weight"]):
        raise SystemExit("the LM head is not the tied embedding: unexpected graph")
    model.load_state_dict(state)
    model.eval()
    return model, config, meta


def num_params(model):
    return training_model.num_params(model)
