"""PyTorch eager decode throughput with a KV cache, on the exact weights of a model
directory's model.onnx: the reference our ONNX Runtime Java engine is compared with.

Same work as `./rewardstream bench decode`: a batch of identical fixed-length prompts
(the same ids: BOS + the tail of io.rewardstream.bench.BenchPrompts.JUDGE_PROMPT, bytes as
ids), left-pad-free, greedy, no stop, the log-prob of each chosen token computed (our engine
returns it too). Each repeat times the full decode (prefill + N tokens) and a 1-token call
(prefill + first token); decode tokens/s = batch * (N - 1) / (t_full - t_1), medians.

  /usr/bin/python3 bench/torch_decode.py --model-dir models/judge-tiny --batch 1,8,32 \
      --prompt-tokens 64 --new-tokens 64 --repeats 5 --threads 2 --json bench/results/x.json
"""
import argparse
import os
import sys


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", default="models/judge-tiny")
    ap.add_argument("--batch", default="1,8,32")
    ap.add_argument("--prompt-tokens", type=int, default=64)
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count(),
                    help="torch threads (and OpenBLAS threads); match ONNX Runtime's")
    ap.add_argument("--json", default=None)
    return ap.parse_args()


ARGS = parse()
# OpenBLAS reads this when it loads (with torch): set it before the import.
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(ARGS.threads))

import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_model  # noqa: E402

JUDGE_PROMPT = ("Question: Tom has 3 boxes with 4 pens in each. Ana has 9 cups. How many pens "
                "does Tom have?\nResponse 1: Tom has 12 pens.\nResponse 2: The answer is 7.\n"
                "Judge:")


def fixed_prompt(tokens, bos):
    """BenchPrompts.fixedLength for a byte-level tokenizer."""
    text = list(JUDGE_PROMPT.encode("utf-8"))
    body = tokens - 1 if bos >= 0 else tokens
    ids = [text[(len(text) - (body - i)) % len(text)] for i in range(body)]
    return ([bos] if bos >= 0 else []) + ids


@torch.inference_mode()
def decode(model, prompt, batch, new_tokens):
    ids = torch.tensor([prompt] * batch)
    n = ids.shape[1]
    mask = torch.ones((batch, n), dtype=torch.long)
    pos = torch.arange(n).unsqueeze(0).expand(batch, n)
    logits, past = model(ids, mask, pos, None)
    last = logits[:, -1, :]
    generated = 0
    for step in range(new_tokens):
        tok = last.argmax(-1)
        torch.log_softmax(last, dim=-1).gather(1, tok.unsqueeze(1))  # the engine's log-prob
        generated += batch
        if step == new_tokens - 1:
            break
        mask = torch.cat([mask, torch.ones((batch, 1), dtype=torch.long)], dim=1)
        logits, past = model(tok.unsqueeze(1), mask, torch.full((batch, 1), n + step), past)
        last = logits[:, -1, :]
    return generated


def timed(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    torch.set_num_threads(ARGS.threads)
    model, config, meta = bench_model.load_onnx_weights(ARGS.model_dir)
    prompt = fixed_prompt(ARGS.prompt_tokens, meta.get("bos_token_id", -1) if meta.get("add_bos") else -1)
    rows = []
    for batch in [int(b) for b in ARGS.batch.split(",")]:
        decode(model, prompt, batch, ARGS.new_tokens)  # warm-up
        decode(model, prompt, batch, 1)
        full, one = [], []
        for _ in range(ARGS.repeats):
            full.append(timed(lambda: decode(model, prompt, batch, ARGS.new_tokens)))
            one.append(timed(lambda: decode(model, prompt, batch, 1)))
        f, o = statistics.median(full), statistics.median(one)
        row = {"batch": batch,
               "decode_tokens_per_s": round(batch * (ARGS.new_tokens - 1) / ((f - o) / 1000), 2),
               "ms_per_step": round((f - o) / (ARGS.new_tokens - 1), 4),
               "median_prefill_ms": round(o, 3), "median_full_ms": round(f, 3),
               "end_to_end_tokens_per_s": round(batch * ARGS.new_tokens / (f / 1000), 2),
               "full_ms": full, "prefill_ms": one}
        rows.append(row)
        print(f"batch {batch:3d}: decode {row['decode_tokens_per_s']:10.1f} tok/s, "
              f"{row['ms_per_step']:8.3f} ms/step, prefill {o:8.2f} ms, "
              f"e2e {row['end_to_end_tokens_per_s']:10.1f} tok/s", flush=True)
    out = {"benchmark": "torch_decode", "command": "/usr/bin/python3 " + " ".join(sys.argv),
           "torch": torch.__version__, "threads": ARGS.threads,
           "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
           "machine": {"cores": os.cpu_count(), "cpu": cpu_model(),
                       "load_average_1m": os.getloadavg()[0]},
           "model_dir": ARGS.model_dir, "params": bench_model.num_params(model),
           "prompt_tokens": ARGS.prompt_tokens, "new_tokens": ARGS.new_tokens,
           "repeats": ARGS.repeats, "batches": rows,
           "load_average_1m_at_end": os.getloadavg()[0]}
    if ARGS.json:
        with open(ARGS.json, "w") as f:
            json.dump(out, f, indent=2)
        print("wrote", ARGS.json)


if __name__ == "__main__":
    main()
