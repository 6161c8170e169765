"""Builds the demo's bundled sample: demo/src/main/resources/samples/demo-rollouts.jsonl.

24 held-out pairs of the bundled judge (12 arith, 12 lookup, from models/judge-tiny/heldout.jsonl;
never trained on), each turned into a RolloutPair line of `rewardstream produce`'s JSONL shape with
the chosen response placed at A or B by a seeded coin, and the truth kept in metadata["better"].
Two malformed lines follow (an empty response, a prompt over the token budget); the demo adds the
records JSONL cannot express (garbage bytes, a record of the wrong schema, a duplicate) itself.

Run from the repository root: python3 models/samples/make_demo_sample.py
"""
import json
import random

SRC = "models/judge-tiny/heldout.jsonl"
OUT = "demo/src/main/resources/samples/demo-rollouts.jsonl"
PRODUCED_AT = 1767225600000  # 2026-01-01T00:00:00Z

rows = [json.loads(line) for line in open(SRC, encoding="utf-8")]
rng = random.Random(20260101)
picked = [r for r in rows if r["subset"] == "arith"][:12] + [r for r in rows if r["subset"] == "lookup"][:12]
rng.shuffle(picked)

lines = []
for i, row in enumerate(picked, start=1):
    a_better = rng.random() < 0.5
    lines.append({
        "rollout_id": f"demo-{i:02d}",
        "prompt": row["prompt"],
        "response_a": row["chosen"] if a_better else row["rejected"],
        "response_b": row["rejected"] if a_better else row["chosen"],
        "policy_version": "demo-policy-1",
        "group_id": f"demo-group-{(i - 1) // 4 + 1}",
        "produced_at": PRODUCED_AT + i,
        "metadata": {"better": "A" if a_better else "B", "source": row["id"], "subset": row["subset"]},
    })
lines.append({
    "rollout_id": "demo-bad-empty",
    "prompt": picked[0]["prompt"],
    "response_a": picked[0]["chosen"],
    "response_b": "",
    "policy_version": "demo-policy-1",
    "produced_at": PRODUCED_AT + 100,
    "metadata": {"expect_dead_letter": "EMPTY_FIELD"},
})
long_prompt = " ".join(f"Box {k} holds {k % 9 + 1} marbles." for k in range(1, 40)) + " How many marbles are in box 7?"
lines.append({
    "rollout_id": "demo-bad-too-long",
    "prompt": long_prompt,
    "response_a": "Box 7 holds 8 marbles.",
    "response_b": "The answer is 3.",
    "policy_version": "demo-policy-1",
    "produced_at": PRODUCED_AT + 101,
    "metadata": {"expect_dead_letter": "OVER_TOKEN_BUDGET"},
})
with open(OUT, "w", encoding="utf-8") as out:
    for line in lines:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
print(f"wrote {len(lines)} lines to {OUT}")
