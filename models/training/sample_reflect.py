"""Build analysis-preference (self-reflection) pairs the way ReflectRM does: sample the
stage-1 model's own judgments at temperature 1.0 and pair one that reaches the right
verdict with one that reaches a wrong verdict (or is malformed), in both orders.

Where the model rarely errs, prompts are also sampled at a higher temperature; if there
are still too few wrong samples, synthetic wrong judgments (a wrong computed value with
a consistent wrong verdict, or a right analysis with a flipped verdict) are added and
counted separately. Rows whose reflection prompt would not fit the context (data.MAX_CONTEXT)
(BOS + prompt + 53-byte verdict + EOS) are dropped.

  /usr/bin/python3 sample_reflect.py --ckpt out/stage1.pt --questions 1500 \
      --out out/reflect_train.jsonl
"""
import argparse
import json
import random
import time
from collections import Counter

import torch

from data import (BOS, MAX_CONTEXT, encode, make_pair, response_prompt, analysis_prompt,
                  critique_target, parse_response_verdict, judgment, judgment_text, analysis_text,
                  _with_fact_value)
from model import load, generate

def fits(text):
    """BOS + prompt + verdict + EOS within the context (in the installed tokenizer's tokens)."""
    return 1 + len(encode(text)) + len(encode(critique_target(1))) + 1 <= MAX_CONTEXT


def reflection_rows(item, right, wrong, source):
    """Both orders of one (right, wrong) critique pair for the same ordered responses."""
    rows = []
    for better in (1, 2):
        c1, c2 = (right, wrong) if better == 1 else (wrong, right)
        text = analysis_prompt(item["prompt"], item["r1"], item["r2"], c1, c2)
        if fits(text):
            rows.append({"prompt_text": text, "target": critique_target(better), "better": better,
                         "subset": item["subset"], "source": source, "qid": item["qid"]})
    return rows


def synthetic_wrong(item, rng):
    """A plausible wrong judgment: wrong 'fact' value with a verdict consistent with it, or
    the right analysis with a flipped verdict (the pilot's mismatch failure)."""
    ex = item["ex"]
    right = judgment(ex, item["r1"], item["r2"])
    exp = item["expected"]
    if rng.random() < 0.5:
        return right.replace(f"Response {exp} is better than Response {3 - exp}",
                             f"Response {3 - exp} is better than Response {exp}")
    # claim the wrong response's number is the truth
    a1 = ex["answer"] if item["r1"] == ex["chosen"] else ex["wrong"]
    a2 = ex["answer"] if item["r2"] == ex["chosen"] else ex["wrong"]
    win = 3 - exp
    return judgment_text(analysis_text(_with_fact_value(ex, ex["wrong"]), a1, a2, ex["wrong"], win), win)


def build(model, items, samples, temperature, seed, rng, hot_temperature=1.5, min_wrong_share=0.25):
    """items: dicts with prompt, r1, r2, expected, subset, qid, ex. Returns rows, stats."""
    prompts = [[BOS] + encode(response_prompt(it["prompt"], it["r1"], it["r2"])) for it in items]
    per = [[] for _ in items]
    for s in range(samples):
        for j, t in enumerate(generate(model, prompts, temperature=temperature, seed=seed + s)):
            per[j].append(t)
    stats = Counter()
    n_wrong = sum(any(parse_response_verdict(t) != it["expected"] for t in per[j])
                  for j, it in enumerate(items))
    if n_wrong < min_wrong_share * len(items):
        # too few errors at T=1.0: add hotter samples, as the brief and the paper allow
        stats["hot_samples"] = len(items) * 2
        for s in range(2):
            for j, t in enumerate(generate(model, prompts, temperature=hot_temperature, seed=seed + 100 + s)):
                per[j].append(t)
    rows = []
    for j, it in enumerate(items):
        right = [t for t in per[j] if parse_response_verdict(t) == it["expected"]]
        wrong = [t for t in per[j] if parse_response_verdict(t) != it["expected"]]
        stats["samples"] += len(per[j])
        stats["right_samples"] += len(right)
        if right and wrong:
            rows += reflection_rows(it, rng.choice(right), rng.choice(wrong), "sampled")
            stats["sampled_pairs"] += 1
        elif right and rng.random() < 0.5:
            # model got this one right every time: pair its own right sample with a
            # synthetic wrong judgment so reflection also sees confident-wrong critiques
            rows += reflection_rows(it, rng.choice(right), synthetic_wrong(it, rng), "synthetic_wrong")
            stats["synthetic_pairs"] += 1
        elif wrong and not right:
            rows += reflection_rows(it, judgment(it["ex"], it["r1"], it["r2"]), rng.choice(wrong),
                                    "reference_right")
            stats["reference_right_pairs"] += 1
    stats["rows"] = len(rows)
    return rows, dict(stats)


def train_items(n, seed):
    rng = random.Random(seed)
    items = []
    for q in range(n):
        ex = make_pair(rng, heldout=False)
        first = rng.random() < 0.5
        r1, r2 = (ex["chosen"], ex["rejected"]) if first else (ex["rejected"], ex["chosen"])
        items.append({"prompt": ex["prompt"], "r1": r1, "r2": r2, "expected": 1 if first else 2,
                      "subset": ex["subset"], "qid": f"train-{seed}-{q}", "ex": ex})
    return items


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--questions", type=int, default=1500)
    ap.add_argument("--samples", type=int, default=4)
    ap.add_argument("--seed", type=int, default=77)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.set_num_threads(1)
    model = load(a.ckpt)
    t0 = time.time()
    rows, stats = build(model, train_items(a.questions, a.seed), a.samples, 1.0, a.seed,
                        random.Random(a.seed))
    with open(a.out, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    stats["seconds"] = round(time.time() - t0)
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
