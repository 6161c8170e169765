"""Which sampling temperature gives the judge's sampled judgments the most to vote with?

On validation pairs (training distribution, data.validation_set: the held-out set is not
looked at), for each temperature: the accuracy of single sampled judgments, and of an
order-balanced majority of --samples judgments (half with the better response first, half
second, the way the Java judge's vote mode samples), against greedy. Verdicts are read from
both orders, so a position-biased model cannot score by always naming one slot.

Usage: /usr/bin/python3 sweep_temperature.py --ckpt out/stage3.pt [--pairs 200] [--samples 8]
           [--temperatures 0.5,0.7,1.0]
"""
import argparse
import json

import torch

from data import validation_set, parse_response_verdict
from evaluate import order_prompts, eval_greedy
from model import load, generate


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--pairs", type=int, default=200)
    ap.add_argument("--samples", type=int, default=8, help="per pair, half per order")
    ap.add_argument("--temperatures", default="0.5,0.7,1.0")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model = load(a.ckpt)
    pairs = validation_set(a.pairs)
    greedy, _ = eval_greedy(model, pairs)
    print(json.dumps({"greedy": {k: greedy[k] for k in ("acc_mean", "strict_both_orders",
                                                         "position_consistency")}}), flush=True)
    prompts = order_prompts(pairs)  # [chosen first (expect 1), chosen second (expect 2)] per pair
    half = a.samples // 2
    for temp in (float(t) for t in a.temperatures.split(",")):
        # votes[i] counts judgments naming the chosen response, over both orders
        right = total = 0
        votes = [[0, 0] for _ in pairs]  # [for chosen, for rejected]
        for s in range(half):
            texts = generate(model, prompts, temperature=temp, seed=1000 + s)
            for j, t in enumerate(texts):
                v = parse_response_verdict(t)
                i, expected = j // 2, 1 + j % 2
                total += 1
                right += v == expected
                if v is not None:
                    votes[i][0 if v == expected else 1] += 1
        vote_acc = sum(c > r for c, r in votes) / len(pairs)
        ties = sum(c == r for c, r in votes) / len(pairs)
        print(json.dumps({"temperature": temp, "sampled_acc": round(right / total, 4),
                          f"vote{a.samples}_acc": round(vote_acc, 4),
                          "vote_tie_rate": round(ties, 4)}), flush=True)


if __name__ == "__main__":
    main()
