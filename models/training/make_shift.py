"""The shift set (models/judge-tiny/shift.jsonl): held-out pairs with the small, natural changes
any real response has, one kind of change per subset, to measure how the bundled judge does
outside its template (issue 24). Deterministic (seeded); plain Python, no torch.

  python3 models/training/make_shift.py  [--heldout models/judge-tiny/heldout.jsonl]
                                         [--out models/judge-tiny/shift.jsonl] [--per-subset 100]

Subsets (each keeps the right answer right and the wrong one wrong):
  wording  the question asked in other words ("What is the number of socks Carl has?")
  numbers  lookup facts with two-digit counts (every count + 20..60, the same shift throughout)
  working  both responses start with a sentence of working ("Let me check the question.")
  vocab    names and objects the training generator never uses (one consistent mapping a pair)
  facts    lookup facts stated in held-out forms ("Sven holds 5 pears.")
  format   both responses written in held-out answer forms ("Final answer: 7.")

Every phrasing, name, object and working sentence used here is in data.py's HELDOUT_* pools,
which training (data.VARIED) never draws from. The first four subsets are those of the shift set
3.0.0 was measured on (same seed, same rows); facts and format were added with 3.1.0.
"""
import argparse
import json
import random
import re

from data import HELDOUT_ANSWER_FORMS, HELDOUT_FACT_FORMS, HELDOUT_LEAD_INS

# the 3.0.0 shift set's draws (kept so its first four subsets stay the same rows); all are in
# data.HELDOUT_NAMES / HELDOUT_OBJECTS but "Omar", which the fixed NAMES pool already had
NAMES = ["Priya", "Omar", "Sven", "Keiko", "Tomas", "Aisha", "Bruno", "Chen", "Dmitri", "Elena"]
OBJECTS = ["marbles", "stickers", "lemons", "buttons", "candles", "pebbles", "ribbons", "tickets"]
WORKING = HELDOUT_LEAD_INS


def rephrase(q):
    """The training questions end in 'How many X does N have( now)?': ask it another way."""
    m = re.search(r"How many (\w+) does (\w+) have( now)?\?$", q)
    if not m:
        return None
    obj, name, now = m.group(1), m.group(2), m.group(3) or ""
    options = [f"What is the number of {obj} {name} has{now}?",
               f"Count the {obj} {name} has{now}.",
               f"How many {obj} are with {name}{now}?"]
    return q[:m.start()] + random.choice(options)


def shift_numbers(row):
    """Every number of a lookup pair moved by one offset into two digits."""
    off = random.randint(20, 60)
    f = lambda t: re.sub(r"\d+", lambda m: str(int(m.group()) + off), t)  # noqa: E731
    return {**row, "prompt": f(row["prompt"]), "chosen": f(row["chosen"]),
            "rejected": f(row["rejected"]), "answer": row["answer"] + off,
            "wrong": row["wrong"] + off}


def with_working(row):
    a, b = random.sample(WORKING, 2)
    return {**row, "chosen": f"{a} {row['chosen']}", "rejected": f"{b} {row['rejected']}"}


def new_vocab(row):
    text = " ".join([row["prompt"], row["chosen"], row["rejected"]])
    names = sorted(set(re.findall(r"\b([A-Z][a-z]+) has\b", text)))
    objs = sorted(set(re.findall(r"\b\d+ (\w+)", text)) - {"more"})
    name_map = dict(zip(names, random.sample(NAMES, len(names))))
    obj_map = dict(zip(objs, random.sample(OBJECTS, min(len(objs), len(OBJECTS)))))

    def f(t):
        for k, v in name_map.items():
            t = re.sub(rf"\b{k}\b", v, t)
        for k, v in obj_map.items():
            t = re.sub(rf"\b{k}\b", v, t)
        return t
    return {**row, "prompt": f(row["prompt"]), "chosen": f(row["chosen"]),
            "rejected": f(row["rejected"])}


def restate_facts(row):
    """A lookup pair whose facts are stated in held-out forms (one form a pair)."""
    form = random.choice(HELDOUT_FACT_FORMS)
    fact = re.compile(r"([A-Z][a-z]+) has (\d+) (\w+)\.")
    if not fact.search(row["prompt"]):
        return None
    prompt = fact.sub(lambda m: form.format(n=m.group(1), k=m.group(2), o=m.group(3)), row["prompt"])
    return {**row, "prompt": prompt}


def reformat(row):
    """Both responses rewritten in held-out answer forms (different ones), same numbers."""
    m = re.search(r"How many (\w+) does (\w+) have", row["prompt"])
    if not m:
        return None
    obj, name = m.group(1), m.group(2)
    a, b = random.sample(HELDOUT_ANSWER_FORMS, 2)
    return {**row, "chosen": a.format(n=name, k=row["answer"], o=obj),
            "rejected": b.format(n=name, k=row["wrong"], o=obj)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--heldout", default="models/judge-tiny/heldout.jsonl")
    ap.add_argument("--out", default="models/judge-tiny/shift.jsonl")
    ap.add_argument("--per-subset", type=int, default=100)
    ap.add_argument("--seed", type=int, default=24)
    a = ap.parse_args()
    random.seed(a.seed)
    rows = [json.loads(line) for line in open(a.heldout)]
    out = []
    for kind in ("wording", "numbers", "working", "vocab", "facts", "format"):
        pool = [r for r in rows if kind not in ("numbers", "facts") or r["subset"] == "lookup"]
        random.shuffle(pool)
        made = 0
        for r in pool:
            if made == a.per_subset:
                break
            if kind == "wording":
                q = rephrase(r["prompt"])
                s = None if q is None else {**r, "prompt": q}
            elif kind == "numbers":
                s = shift_numbers(r)
            elif kind == "working":
                s = with_working(r)
            elif kind == "facts":
                s = restate_facts(r)
            elif kind == "format":
                s = reformat(r)
            else:
                s = new_vocab(r)
            if s is None:
                continue
            made += 1
            out.append({**s, "id": f"shift-{kind}-{made:04d}", "subset": kind,
                        "family": r["subset"], "source": r["id"]})
    with open(a.out, "w") as f:
        for s in out:
            f.write(json.dumps(s) + "\n")
    print(f"wrote {len(out)} pairs to {a.out}")


if __name__ == "__main__":
    main()
