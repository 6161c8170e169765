"""Is the fact lookup learned? Two probes behind the model card's "Still below the bar".

  /usr/bin/python3 probe_lookup.py --ckpt out/stage6.pt     # lookup probe of a checkpoint
  /usr/bin/python3 probe_lookup.py --induction 1500         # can the architecture copy by content?

Lookup probe: the fact from the question alone (data.fact_prompt) on 80 validation lookup
questions, greedy, exact match; and the recall drill (data.recall_text) on 40 fresh rows,
counting restated facts that are exactly one of the prompt's facts. Chance: about 1/3 and 1/9.

Induction check: a fresh model (the 1.x shape, hidden 128, vocab 300) learns to continue a
random 20-token sequence repeated once; the loss on the repeat falls to ~0 once an induction
head forms.
"""
import argparse
import random
import time

import torch
import torch.nn.functional as F

import data
from model import TinyLM, load, generate


def lookup_probe(ckpt):
    m = load(ckpt)
    pairs = [p for p in data.validation_set(200) if p["subset"] == "lookup"][:80]
    outs = generate(m, [[data.BOS] + data.encode(data.fact_prompt(p)) for p in pairs], max_new_tokens=12)
    ok = sum(o.strip() == p["fact"] for p, o in zip(pairs, outs))
    rng = random.Random(3)
    rows = [data.recall_text(rng) for _ in range(40)]
    routs = generate(m, [[data.BOS] + data.encode(p) for p, _ in rows], max_new_tokens=30)
    right = total = 0
    for (_, target), o in zip(rows, routs):
        facts = set(target.strip().rstrip(".").split(". "))
        for sentence in o.strip().rstrip(".").split(". "):
            total += 1
            right += sentence in facts
    print(f"{ckpt}: fact from the question alone {ok}/{len(pairs)}; recalled facts right {right}/{total}")


def induction_check(steps):
    torch.manual_seed(0)
    m = TinyLM({"vocab": 300, "max_pos": 128, "hidden": 128, "intermediate": 352})
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
    t0 = time.time()
    for step in range(steps):
        x = torch.randint(10, 250, (32, 20))
        ids = torch.cat([x, x], 1)
        logits, _ = m(ids)
        loss = F.cross_entropy(logits[:, 20:-1].reshape(-1, 300), ids[:, 21:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"step {step} loss on the repeat {loss.item():.3f} ({time.time() - t0:.0f} s)", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ckpt", help="checkpoint for the lookup probe")
    ap.add_argument("--induction", type=int, default=0, help="steps of the induction check (0 = skip)")
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.ckpt:
        lookup_probe(a.ckpt)
    if a.induction:
        induction_check(a.induction)


if __name__ == "__main__":
    main()
