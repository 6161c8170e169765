"""Held-out evaluation of the tiny judge.

* greedy verdict accuracy with the better response first and second, their mean,
  both-order strict accuracy and position consistency;
* sampling-vs-greedy disagreement at the default temperature (share of (pair, order)
  judgments where a T=1.0 sample's verdict differs from the greedy one; malformed counts
  as different): the room reflection has to work in;
* reflection accuracy on held-out reflection pairs (built with sample_reflect.py on
  held-out questions), both critique orders.

Usage: /usr/bin/python3 evaluate.py --ckpt out/stage2.pt --heldout ../judge-tiny/heldout.jsonl \
           [--samples 2] [--reflect-out out/reflect_heldout.jsonl] [--json out/eval.json]
"""
import argparse
import json
import time

import torch

from data import BOS, encode, response_prompt, parse_response_verdict, parse_critique_verdict, \
    load_jsonl, validation_set
from model import load, generate


def order_prompts(pairs):
    """Two prompts per pair: (chosen first, expected verdict 1), (chosen second, expected 2)."""
    prompts = []
    for p in pairs:
        prompts.append([BOS] + encode(response_prompt(p["prompt"], p["chosen"], p["rejected"])))
        prompts.append([BOS] + encode(response_prompt(p["prompt"], p["rejected"], p["chosen"])))
    return prompts


def verdict_stats(pairs, texts):
    """texts: 2 per pair in order_prompts() order."""
    n = len(pairs)
    first = second = strict = consistent = malformed = 0
    per_subset = {}
    for i, p in enumerate(pairs):
        v1, v2 = parse_response_verdict(texts[2 * i]), parse_response_verdict(texts[2 * i + 1])
        ok1, ok2 = v1 == 1, v2 == 2
        first += ok1
        second += ok2
        strict += ok1 and ok2
        # consistent = names the same underlying response in both orders (right or wrong)
        consistent += (v1 is not None and v2 is not None and v1 != v2)
        malformed += (v1 is None) + (v2 is None)
        s = per_subset.setdefault(p["subset"], [0, 0])
        s[0] += ok1 + ok2
        s[1] += 2
    return {"pairs": n, "acc_better_first": first / n, "acc_better_second": second / n,
            "acc_mean": (first + second) / (2 * n), "strict_both_orders": strict / n,
            "position_consistency": consistent / n, "malformed_rate": malformed / (2 * n),
            "acc_by_subset": {k: v[0] / v[1] for k, v in per_subset.items()}}


def eval_greedy(model, pairs, max_new_tokens=160):
    texts = generate(model, order_prompts(pairs), max_new_tokens=max_new_tokens)
    return verdict_stats(pairs, texts), texts


def eval_disagreement(model, pairs, greedy_texts, samples=4, temperature=1.0, seed=1):
    """Share of sampled judgments whose verdict differs from the greedy verdict for the same
    prompt; also the sampled verdict accuracy and the share of prompts with >=1 disagreement.
    Returns (stats, sampled texts per prompt)."""
    prompts = order_prompts(pairs)
    expected = [1, 2] * len(pairs)
    greedy_v = [parse_response_verdict(t) for t in greedy_texts]
    dis = correct = total = 0
    any_dis = [False] * len(prompts)
    per_prompt = [[] for _ in prompts]
    for s in range(samples):
        texts = generate(model, prompts, temperature=temperature, seed=seed + s)
        for j, t in enumerate(texts):
            per_prompt[j].append(t)
            v = parse_response_verdict(t)
            total += 1
            correct += v == expected[j]
            if v != greedy_v[j]:
                dis += 1
                any_dis[j] = True
    return {"temperature": temperature, "samples_per_prompt": samples,
            "disagreement_rate": dis / total, "sampled_acc": correct / total,
            "prompts_with_any_disagreement": sum(any_dis) / len(prompts)}, per_prompt


def heldout_reflection_rows(pairs, greedy_texts, sampled, seed=3):
    """Held-out reflection pairs the way training ones are built: for each held-out prompt
    (pair x order) with at least one right and one wrong judgment among the greedy and
    T=1.0 samples of the model under test, one (right, wrong) pair in both critique orders.
    Also a 'synthetic' set: a right judgment against a synthetic wrong one (for prompts with
    no sampled error), reported separately."""
    import random
    from sample_reflect import reflection_rows, synthetic_wrong
    from data import judgment
    rng = random.Random(seed)
    sampled_rows, synth_rows = [], []
    for i, p in enumerate(pairs):
        for o in range(2):
            j = 2 * i + o
            r1, r2 = (p["chosen"], p["rejected"]) if o == 0 else (p["rejected"], p["chosen"])
            item = {"prompt": p["prompt"], "r1": r1, "r2": r2, "expected": o + 1,
                    "subset": p["subset"], "qid": f"{p['id']}-o{o + 1}", "ex": p}
            cands = [greedy_texts[j]] + sampled[j]
            right = [t for t in cands if parse_response_verdict(t) == o + 1]
            wrong = [t for t in cands if parse_response_verdict(t) != o + 1]
            if right and wrong:
                sampled_rows += reflection_rows(item, rng.choice(right), rng.choice(wrong), "sampled")
            elif i % 2 == 0:
                good = rng.choice(right) if right else judgment(p, r1, r2)
                synth_rows += reflection_rows(item, good, synthetic_wrong(item, rng), "synthetic_wrong")
    return sampled_rows, synth_rows


def eval_reflection(model, rows, max_new_tokens=200):
    """rows: {"prompt_ids"/"prompt_text", "better"} from sample_reflect.py (both orders present)."""
    prompts = [[BOS] + encode(r["prompt_text"]) for r in rows]
    texts = generate(model, prompts, max_new_tokens=max_new_tokens)
    ok = sum(parse_critique_verdict(t) == r["better"] for r, t in zip(rows, texts))
    by_pos = {1: [0, 0], 2: [0, 0]}
    for r, t in zip(rows, texts):
        by_pos[r["better"]][0] += parse_critique_verdict(t) == r["better"]
        by_pos[r["better"]][1] += 1
    return {"rows": len(rows), "acc": ok / max(1, len(rows)),
            "acc_right_critique_first": by_pos[1][0] / max(1, by_pos[1][1]),
            "acc_right_critique_second": by_pos[2][0] / max(1, by_pos[2][1])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--heldout", default="../judge-tiny/heldout.jsonl")
    ap.add_argument("--samples", type=int, default=2, help="T=1.0 samples per prompt and order")
    ap.add_argument("--reflect-out", default=None, help="write the held-out reflection rows here")
    ap.add_argument("--json", default=None)
    ap.add_argument("--validation", type=int, default=0,
                    help="use N validation pairs (data.validation_set, seed 11) instead of --heldout:"
                         " for choosing checkpoints without looking at the held-out set")
    a = ap.parse_args()
    torch.set_num_threads(1)
    model = load(a.ckpt)
    pairs = validation_set(a.validation, seed=11) if a.validation else load_jsonl(a.heldout)
    t0 = time.time()
    res, texts = eval_greedy(model, pairs)
    print(json.dumps(res), flush=True)
    res["disagreement"], sampled = eval_disagreement(model, pairs, texts, samples=a.samples)
    print(json.dumps(res["disagreement"]), flush=True)
    srows, synrows = heldout_reflection_rows(pairs, texts, sampled)
    res["reflection_sampled"] = eval_reflection(model, srows)
    res["reflection_synthetic_wrong"] = eval_reflection(model, synrows)
    if a.reflect_out:
        with open(a.reflect_out, "w") as f:
            for r in srows + synrows:
                f.write(json.dumps(r) + "\n")
    res["eval_seconds"] = round(time.time() - t0, 1)
    print(json.dumps(res, indent=2))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
