"""Tiny Llama/Qwen-like decoder (RMSNorm, RoPE, SwiGLU, tied embeddings) plus batched
KV-cache generation. The same forward() is used for training, evaluation, fixtures and
the ONNX export, so what is measured in Python is what the Java side runs."""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F

import data
from data import EOS, PAD, MAX_CONTEXT

# Large negative instead of -inf: a fully masked row (a left-padding query position)
# must give a uniform softmax, not NaN.
MASK_VALUE = -1e9

# vocab: the installed tokenizer's (data.TOKENIZER) when the config does not say
DEFAULT_CONFIG = dict(hidden=128, layers=6, heads=4, intermediate=352,
                      max_pos=MAX_CONTEXT, rope_theta=10000.0, eps=1e-6)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c["heads"]
        self.hd = c["hidden"] // c["heads"]
        self.ln1 = RMSNorm(c["hidden"], c["eps"])
        self.ln2 = RMSNorm(c["hidden"], c["eps"])
        self.qkv = nn.Linear(c["hidden"], 3 * c["hidden"], bias=False)
        self.o = nn.Linear(c["hidden"], c["hidden"], bias=False)
        self.gate_up = nn.Linear(c["hidden"], 2 * c["intermediate"], bias=False)
        self.down = nn.Linear(c["intermediate"], c["hidden"], bias=False)

    def forward(self, x, cos, sin, bias, past_k, past_v):
        b, s, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(x.shape[-1], dim=-1)
        q = q.view(b, s, self.heads, self.hd).transpose(1, 2)
        k = k.view(b, s, self.heads, self.hd).transpose(1, 2)
        v = v.view(b, s, self.heads, self.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        q = q * (1.0 / math.sqrt(self.hd))
        y = torch.softmax(q @ k.transpose(-1, -2) + bias, dim=-1) @ v
        x = x + self.o(y.transpose(1, 2).reshape(b, s, -1))
        g, u = self.gate_up(self.ln2(x)).chunk(2, dim=-1)
        x = x + self.down(F.silu(g) * u)
        return x, k, v


class TinyLM(nn.Module):
    def __init__(self, config=None):
        super().__init__()
        c = dict(DEFAULT_CONFIG, vocab=data.TOKENIZER.vocab_size)
        c.update(config or {})
        self.config = c
        self.embed = nn.Embedding(c["vocab"], c["hidden"])
        self.blocks = nn.ModuleList(Block(c) for _ in range(c["layers"]))
        self.norm = RMSNorm(c["hidden"], c["eps"])
        hd = c["hidden"] // c["heads"]
        inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2).float() / hd))
        ang = torch.outer(torch.arange(c["max_pos"]).float(), inv)
        ang = torch.cat([ang, ang], dim=-1)
        # RoPE tables cover the whole promised context (max_pos): nothing fails below it.
        self.register_buffer("cos_t", ang.cos(), persistent=False)
        self.register_buffer("sin_t", ang.sin(), persistent=False)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        """input_ids [b,s]; attention_mask [b,past+s] (1 = real token); position_ids [b,s];
        past: list of (k, v) [b,heads,past,hd] or None. Returns logits, list of (k, v)."""
        b, s = input_ids.shape
        past_len = 0 if past is None else past[0][0].shape[2]
        if position_ids is None:
            position_ids = (torch.arange(s) + past_len).unsqueeze(0).expand(b, s)
        # causal mask built from the shapes, so a traced graph keeps every axis dynamic
        q_pos = torch.arange(s).unsqueeze(1) + past_len
        k_pos = torch.arange(past_len + s).unsqueeze(0)
        allowed = (k_pos <= q_pos).unsqueeze(0).unsqueeze(0)  # [1,1,s,past+s]
        if attention_mask is not None:
            allowed = allowed & (attention_mask[:, None, None, :] > 0)
        bias = (1.0 - allowed.to(torch.float32)) * MASK_VALUE  # 0 where allowed
        cos = self.cos_t[position_ids].unsqueeze(1)  # [b,1,s,hd]
        sin = self.sin_t[position_ids].unsqueeze(1)
        x = self.embed(input_ids)
        presents = []
        for i, blk in enumerate(self.blocks):
            pk, pv = (None, None) if past is None else past[i]
            x, k, v = blk(x, cos, sin, bias, pk, pv)
            presents.append((k, v))
        logits = self.norm(x) @ self.embed.weight.t()  # tied embeddings
        return logits, presents


def num_params(model):
    return sum(p.numel() for p in model.parameters())


def load(path):
    """A checkpoint's model, with its tokenizer installed (data.use_merges; none = bytes)."""
    ck = torch.load(path, map_location="cpu")
    data.use_merges(ck.get("merges", []))
    data.LOOKUP_FACT = ck.get("lookup_fact", "sentence")
    m = TinyLM(ck["config"])
    m.load_state_dict(ck["model"])
    m.eval()
    return m


@torch.no_grad()
def generate(model, prompts, max_new_tokens=160, temperature=0.0, seed=0,
             stop=data.STOP, batch_size=128, return_ids=False):
    """Batched left-padded KV-cache decoding. prompts: lists of ids (with BOS).
    temperature 0 = greedy. Stops a row at EOS or when its text ends with `stop`.
    Returns decoded strings (without EOS); with return_ids also the raw id lists."""
    gen = torch.Generator().manual_seed(seed)
    texts, ids_out = [None] * len(prompts), [None] * len(prompts)
    # each id's text, once per call, to watch for the stop string without decoding per step
    # (the Java engine does the same: TextTokenizer.pieces)
    pieces = [data.decode([i]) for i in range(model.config["vocab"])]
    keep = len(stop) + 32 if stop else 1  # enough of each row's text to see the stop string
    # sort by length so each batch pads little
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        batch = [prompts[i] for i in idx]
        n = len(batch)
        L = max(len(p) for p in batch)
        # never run past the RoPE table / promised context: a row stops when its own
        # prompt + generated tokens reach max_pos; finished rows keep being fed with
        # their position clamped, so no position id ever reaches max_pos.
        max_pos = model.config["max_pos"]
        lens = [len(p) for p in batch]
        steps = min(max_new_tokens, max_pos - min(lens))
        ids = torch.full((n, L), PAD, dtype=torch.long)
        mask = torch.zeros((n, L), dtype=torch.long)
        for r, p in enumerate(batch):
            ids[r, L - len(p):] = torch.tensor(p)
            mask[r, L - len(p):] = 1
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        logits, past = model(ids, mask, pos, None)
        last = logits[:, -1, :]
        next_pos = pos[:, -1:] + 1
        outs = [[] for _ in range(n)]
        tails = [""] * n
        done = torch.zeros(n, dtype=torch.bool)
        for step in range(steps):
            if temperature > 0:
                probs = torch.softmax(last / temperature, dim=-1)
                tok = torch.multinomial(probs, 1, generator=gen).squeeze(1)
            else:
                tok = last.argmax(-1)
            for r in range(n):
                if not done[r]:
                    t = int(tok[r])
                    outs[r].append(t)
                    tails[r] = (tails[r] + pieces[t])[-keep:]
                    if t == EOS or lens[r] + len(outs[r]) >= max_pos or (stop and tails[r].endswith(stop)):
                        done[r] = True
            if bool(done.all()) or step == steps - 1:
                break
            mask = torch.cat([mask, torch.ones((n, 1), dtype=torch.long)], dim=1)
            logits, past = model(tok.unsqueeze(1), mask, next_pos, past)
            last = logits[:, -1, :]
            next_pos = (next_pos + 1).clamp(max=max_pos - 1)
        for r, i in enumerate(idx):
            ids_out[i] = outs[r]
            texts[i] = data.decode(outs[r])
    return (texts, ids_out) if return_ids else texts
