"""Train the tiny judge.

Stage 1: response preference only (fresh synthetic pairs every step, both orders).
Stage 2: continue from stage 1 on a mix of reflection pairs (analysis preference, built
         by sample_reflect.py from the stage-1 model's own samples) and response-preference
         examples, so capability 1 is not forgotten. From judge-tiny 1.2.0 the reflection
         batches are --critic-share critic examples (data.critic_text: the critic writes
         its own analysis before the verdict) instead of --reflect rows.

Training is budgeted in wall-clock minutes (the machine is shared with Java builds);
the learning rate follows warmup + cosine over that budget. Loss is only on the judge's
output (target + EOS). Held-out verdict accuracy in both orders is logged every
--eval-every minutes on 100 held-out pairs, since loss is a poor guide for this task.

(the exact commands of the shipped run are in README.md)
"""
import argparse
import json
import math
import os
import random
import shutil
import time

import torch
import torch.nn.functional as F

import data
from data import BOS, PAD, EOS, encode, as_ids, fact_text, fact_prompt, other_wrong, \
    response_text, critic_text, recall_text, keyed_text, parse_critique_verdict, load_jsonl, heldout_set, \
    validation_set
from model import TinyLM, generate, num_params
from evaluate import eval_greedy


def collate(examples):
    """Right-padded batch; labels -100 on prompt and padding (causal, so right padding
    never leaks into real positions)."""
    L = max(len(p) + len(t) for p, t in examples)
    ids = torch.full((len(examples), L), PAD, dtype=torch.long)
    labels = torch.full((len(examples), L), -100, dtype=torch.long)
    for r, (p, t) in enumerate(examples):
        seq = p + t
        ids[r, :len(seq)] = torch.tensor(seq)
        labels[r, len(p) - 1:len(seq) - 1] = torch.tensor(t)  # predict t from previous token
    return ids, labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stage", type=int, choices=[1, 2], required=True)
    ap.add_argument("--init", default=None)
    ap.add_argument("--reflect", default=None, help="reflection rows for stage 2 (jsonl)")
    ap.add_argument("--reflect-share", type=float, default=0.5)
    ap.add_argument("--fact-share", type=float, default=0.0,
                    help="share of batches of the auxiliary retrieval task (data.fact_text)")
    ap.add_argument("--fact-with-responses", type=float, default=0.0,
                    help="share of fact rows with two (often both wrong) responses in the prompt")
    ap.add_argument("--critic-share", type=float, default=0.0,
                    help="share of batches of critic examples (data.critic_text)")
    ap.add_argument("--recall-share", type=float, default=0.0,
                    help="share of batches of the recall drill (data.recall_text)")
    ap.add_argument("--keyed-share", type=float, default=0.0,
                    help="share of batches of the keyed drill (data.keyed_text, answers in --keyed-style)")
    ap.add_argument("--keyed-style", choices=["name", "sentence", "object"], default="name")
    ap.add_argument("--keyed-facts", type=data.span, default="3-6",
                    help="facts per keyed-drill row, MIN-MAX (6-6 gets past the elimination shortcut: model card)")
    ap.add_argument("--lookup-fact", choices=["sentence", "name", "object"], default=None,
                    help="how analyses state a lookup fact (data.LOOKUP_FACT); default: the checkpoint's, else sentence")
    ap.add_argument("--varied", type=float, default=0.0,
                    help="share of every task's examples in varied surface forms (data.VARIED; 3.1.0: 0.7)")
    ap.add_argument("--critic-from", type=float, default=0.0,
                    help="minutes of training before critic batches start (judging learned first)")
    ap.add_argument("--max-context", type=int, default=None,
                    help="widen the model's RoPE table / context (e.g. 768 for critic examples)")
    ap.add_argument("--merges", default=None,
                    help="BPE merges (bpe.py --out) for a fresh model; default: bytes (1.x models). "
                         "A checkpoint given with --init brings its own")
    ap.add_argument("--hidden", type=int, default=None, help="fresh model: hidden size")
    ap.add_argument("--layers", type=int, default=None, help="fresh model: layers")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--minutes", type=float, required=True)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=150)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--eval-every", type=float, default=10.0, help="minutes")
    ap.add_argument("--ckpt-every", type=float, default=5.0, help="minutes")
    ap.add_argument("--keep-checkpoints", action="store_true",
                    help="also keep each periodic checkpoint as OUT_<training minutes>m.pt (e.g. out/k4b_15m.pt)")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)  # default 1: the other core belongs to the Java builds
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed * 7919 + a.stage)

    if a.init:
        ck = torch.load(a.init, map_location="cpu")
        merges = ck.get("merges", [])
        if a.max_context:
            ck["config"]["max_pos"] = a.max_context
        data.use_merges(merges)
        model = TinyLM(ck["config"])
        model.load_state_dict(ck["model"])
        history = ck.get("history", [])
    else:
        merges = json.load(open(a.merges)) if a.merges else []
        data.use_merges(merges)
        # intermediate: 2.75 x hidden rounded up to a multiple of 8 (the default shape's 352 for 128)
        fresh = {"max_pos": a.max_context, "hidden": a.hidden, "layers": a.layers,
                 "intermediate": a.hidden and (a.hidden * 11 // 4 + 7) // 8 * 8}
        model, history = TinyLM({k: v for k, v in fresh.items() if v}), []
    lookup_fact = a.lookup_fact or (ck.get("lookup_fact", "sentence") if a.init else "sentence")
    data.LOOKUP_FACT = lookup_fact
    data.VARIED = a.varied
    print(f"vocab {data.TOKENIZER.vocab_size} ({len(merges)} merges), lookup facts: {lookup_fact}", flush=True)
    print(f"params {num_params(model)}", flush=True)

    reflect = load_jsonl(a.reflect) if a.reflect else []
    if a.stage == 2 and a.reflect_share > 0 and not reflect:
        raise SystemExit("stage 2 with --reflect-share > 0 needs --reflect")
    reflect = [([BOS] + encode(r["prompt_text"]), encode(r["target"]) + [EOS]) for r in reflect]

    evalpairs = heldout_set()[:100]
    # varied pairs in the training vocabulary and phrasings (never the held-out pools): logged
    # beside the held-out accuracy so a varied run shows both what it gains and what it keeps
    variedpairs = validation_set(100, seed=17, varied=True) if a.varied else []
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (no_decay if p.dim() < 2 else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.98))
    budget = a.minutes * 60
    t0 = time.time()
    train_time = 0.0  # excludes evaluation time, so the LR schedule tracks training only
    last_eval = last_ck = time.time()
    step, tokens, ema = 0, 0, None

    def save(tag=""):
        torch.save({"config": model.config, "model": model.state_dict(), "merges": merges, "lookup_fact": lookup_fact, "step": step,
                    "stage": a.stage, "tokens": tokens, "train_seconds": train_time,
                    "history": history}, a.out)
        print(f"saved {a.out} {tag}", flush=True)

    def run_eval():
        model.eval()
        res, _ = eval_greedy(model, evalpairs)
        if variedpairs:
            vres, _ = eval_greedy(model, variedpairs)
            res["varied_strict"] = vres["strict_both_orders"]
            res["varied_malformed"] = vres["malformed_rate"]
        # the fact from the question alone, and beside two wrong responses
        fact_rng = random.Random(5)
        fact_prompts = [fact_prompt(p) for p in evalpairs] + [
            fact_prompt(p, p["rejected"], other_wrong(p, fact_rng)) for p in evalpairs]
        facts = generate(model, [[BOS] + encode(f) for f in fact_prompts], max_new_tokens=40)
        ok = [t.strip() == p["fact"] for t, p in zip(facts, evalpairs + evalpairs)]
        n = len(evalpairs)
        fact_acc, fact_acc_distracted = sum(ok[:n]) / n, sum(ok[n:]) / n
        critic_acc = None
        if a.critic_share > 0:
            crng = random.Random(9)
            rows = [as_ids(*critic_text(crng)) for _ in range(100)]
            outs = generate(model, [p for p, _ in rows], max_new_tokens=200)
            want = [parse_critique_verdict(data.decode(t)) for _, t in rows]
            critic_acc = sum(parse_critique_verdict(o) == w for o, w in zip(outs, want)) / len(rows)
        model.train()
        rec = {"stage": a.stage, "step": step, "train_min": round(train_time / 60, 1),
               "loss": round(ema, 4), "fact_acc": fact_acc,
               "fact_acc_distracted": fact_acc_distracted, "critic_acc": critic_acc,
               **{k: v for k, v in res.items() if k != "pairs"}}
        history.append(rec)
        print("EVAL " + json.dumps(rec), flush=True)

    model.train()
    while train_time < budget:
        ts = time.time()
        u = rng.random()
        critic_share = a.critic_share if train_time >= a.critic_from * 60 else 0.0
        if u < a.keyed_share:
            # short rows, like the fact task: twice the rows
            batch = [as_ids(*keyed_text(rng, style=a.keyed_style, min_facts=a.keyed_facts[0], max_facts=a.keyed_facts[1]))
                     for _ in range(a.batch * 2)]
        elif (u := u - a.keyed_share) < a.recall_share:
            batch = [as_ids(*recall_text(rng)) for _ in range(a.batch * 2)]
        elif u < a.recall_share + a.fact_share:
            # short rows (question + fact only): twice the rows for about the same tokens
            batch = [as_ids(*fact_text(rng, a.fact_with_responses)) for _ in range(a.batch * 2)]
        elif u < a.recall_share + a.fact_share + critic_share:
            batch = [as_ids(*critic_text(rng)) for _ in range(a.batch // 2)]
        elif a.stage == 2 and u < a.recall_share + a.fact_share + critic_share + a.reflect_share:
            # one batch of a single kind keeps padding low (reflection rows are ~2x longer)
            batch = [rng.choice(reflect) for _ in range(a.batch // 2)]
        else:
            batch = [as_ids(*response_text(rng)) for _ in range(a.batch)]
        ids, labels = collate(batch)
        frac = train_time / budget
        lr = a.lr * min(1.0, (step + 1) / a.warmup) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g["lr"] = lr
        logits, _ = model(ids)
        loss = F.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        tokens += ids.numel()
        train_time += time.time() - ts
        ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
        if step % 50 == 0:
            print(f"step {step} loss {ema:.4f} lr {lr:.2e} tok/s {tokens / train_time:.0f} "
                  f"train_min {train_time / 60:.1f}", flush=True)
        if time.time() - last_ck > a.ckpt_every * 60:
            save()
            if a.keep_checkpoints:
                kept = f"{os.path.splitext(a.out)[0]}_{round(train_time / 60)}m.pt"
                shutil.copyfile(a.out, kept)
                print(f"kept {kept}", flush=True)
            last_ck = time.time()
        if time.time() - last_eval > a.eval_every * 60:
            run_eval()
            last_eval = time.time()
    run_eval()
    save("final")
    print(f"done in {(time.time() - t0) / 60:.1f} min wall", flush=True)


if __name__ == "__main__":
    main()
