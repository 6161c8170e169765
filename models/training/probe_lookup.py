"""Is the fact lookup learned? Two probes behind the model card's "Still below the bar".

  /usr/bin/python3 probe_lookup.py --ckpt out/stage6.pt     # lookup probe of a checkpoint
  /usr/bin/python3 probe_lookup.py --induction 800 --layers 2  # can the architecture copy by content?
  /usr/bin/python3 probe_lookup.py --drill name --layers 2 --minutes 7   # can it learn the lookup alone?

Lookup probe: the fact from the question alone (data.fact_prompt) on 80 validation lookup
questions, greedy, exact match; and the recall drill (data.recall_text) on 40 fresh rows,
counting restated facts that are exactly one of the prompt's facts; and the keyed drill
(data.keyed_text, name style) on 40 fresh rows, counting answers (" Ben 5") right in place.
Chance: about 1/3, 1/9 (a third once the name and object are right) and 1/4.

Induction check: a fresh model (hidden 128, vocab 300, --layers deep) learns to continue a
random 20-token sequence repeated once, after a filler of random length (0-29 random tokens,
the same for a whole batch), so that the repeat is not at a fixed distance: the loss on the
repeat falls to ~0 only once a content-matching induction head forms. (Before 2026-11-22 the
check had no filler, and a head attending 19 positions back solved it without matching
content: the model card's "learns plain induction in 200 steps" was that positional copy.)

Drill check: a fresh model (hidden 128, BPE merges from out/merges.json, --layers deep)
trained only on the keyed drill (data.keyed_text, --facts facts a row, 4 asked, --drill answer style)
for --minutes; prints every 50 steps the share of asked numbers the model predicts right
(argmax, teacher-forced, on the training batches: every batch is fresh). Chance is about a
quarter to a third; ~1 once the lookup is learned.
"""
import argparse
import json
import random
import re
import time

import torch
import torch.nn.functional as F

import data
from model import TinyLM, load, generate
from train import collate


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
    # the keyed drill, name style (only meaningful for a model trained on it: train.py --keyed-share):
    # the model chooses which names to ask about; an answer is right when its number is that name's
    krows = [data.keyed_text(rng) for _ in range(40)]
    kouts = generate(m, [[data.BOS] + data.encode(p) for p, _ in krows], max_new_tokens=14)
    kright = ktotal = 0
    for (p, _), o in zip(krows, kouts):
        facts = dict(re.findall(r"(\w+) has (\d+) \w+\.", p))
        for name, n in re.findall(r"(\w+) (\d+)\.", o):
            ktotal += 1
            kright += facts.get(name) == n
    print(f"{ckpt}: fact from the question alone {ok}/{len(pairs)}; recalled facts right {right}/{total}; "
          f"keyed drill answers right {kright}/{ktotal}")


def induction_check(steps, layers):
    torch.manual_seed(0)
    m = TinyLM({"vocab": 300, "max_pos": 128, "hidden": 128, "intermediate": 352, "layers": layers})
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3)
    t0 = time.time()
    for step in range(steps):
        x = torch.randint(10, 250, (32, 20))
        gap = int(torch.randint(0, 30, ()))
        ids = torch.cat([x, torch.randint(10, 250, (32, gap)), x], 1)
        logits, _ = m(ids)
        s = 20 + gap  # the repeat starts here
        loss = F.cross_entropy(logits[:, s:-1].reshape(-1, 300), ids[:, s + 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0 or step == steps - 1:
            print(f"step {step} loss on the repeat {loss.item():.3f} ({time.time() - t0:.0f} s)", flush=True)


def drill_check(style, layers, minutes, facts=(3, 6), merges="out/merges.json"):
    torch.manual_seed(0)
    data.use_merges(json.load(open(merges)))
    rng = random.Random(0)
    m = TinyLM({"hidden": 128, "intermediate": 352, "layers": layers})
    opt = torch.optim.AdamW(m.parameters(), lr=1e-3, betas=(0.9, 0.98))
    # the position of each asked number in the target: " Ben 5." / " Ben has 5 pears." / " pears 5."
    per, at = {"name": (3, 1), "sentence": (5, 2), "object": (3, 1)}[style]
    t0, step, right = time.time(), 0, []
    while time.time() - t0 < minutes * 60:
        rows = [data.as_ids(*data.keyed_text(rng, style=style, min_facts=facts[0], max_facts=facts[1])) for _ in range(64)]
        ids, labels = collate(rows)
        # (row, position whose next-token prediction is an asked number)
        where = [(r, len(p) - 1 + per * j + at) for r, (p, t) in enumerate(rows) for j in range(len(t) // per)]
        lr = 1e-3 * min(1.0, (step + 1) / 100)
        for g in opt.param_groups:
            g["lr"] = lr
        logits, _ = m(ids)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1), ignore_index=-100)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        rr, cc = torch.tensor(where).t()
        right.append((logits[rr, cc].argmax(-1) == labels[rr, cc]).float().mean().item())
        step += 1
        if step % 50 == 0:
            print(f"step {step} loss {loss.item():.3f} asked numbers right (last 50 steps) "
                  f"{sum(right[-50:]) / 50:.2f} ({time.time() - t0:.0f} s)", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ckpt", help="checkpoint for the lookup probe")
    ap.add_argument("--induction", type=int, default=0, help="steps of the induction check (0 = skip)")
    ap.add_argument("--layers", type=int, default=6, help="depth of the induction / drill check's model")
    ap.add_argument("--drill", choices=["name", "sentence", "object"], help="run the drill check with this answer style")
    ap.add_argument("--minutes", type=float, default=7.0, help="length of the drill check")
    ap.add_argument("--facts", type=data.span, default="3-6", help="the drill check's facts per row, MIN-MAX")
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.ckpt:
        lookup_probe(a.ckpt)
    if a.induction:
        induction_check(a.induction, a.layers)
    if a.drill:
        drill_check(a.drill, a.layers, a.minutes, a.facts)


if __name__ == "__main__":
    main()
