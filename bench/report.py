"""Markdown tables for BENCHMARKS.md from bench/results/*.json (written by run_all.sh).

Pools the repeats of the alternating Java/PyTorch rounds, takes medians, computes the
ratios, and the per-step floor of each model from its ONNX weights and the measured
matmul rates.   python3 bench/report.py > bench/results/tables.md
"""
import glob
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
R = os.path.join(HERE, "results")


def load(name):
    with open(os.path.join(R, name)) as f:
        return json.load(f)


def pooled(pattern):
    """Per batch: pooled full/prefill ms over every file matching, plus the commands."""
    rows, commands, loads = {}, [], []
    for path in sorted(glob.glob(os.path.join(R, pattern))):
        with open(path) as f:
            d = json.load(f)
        commands.append(d["command"])
        loads.append(d["machine"]["load_average_1m"])
        batches = d["results"]["batches"] if "results" in d else d["batches"]
        new = d["results"]["new_tokens"] if "results" in d else d["new_tokens"]
        for b in batches:
            r = rows.setdefault(b["batch"], {"full": [], "one": [], "new": new,
                                             "generated": b.get("generated_tokens")})
            r["full"] += b["full_ms"]
            r["one"] += b["prefill_ms"]
    out = {}
    for batch, r in rows.items():
        f, o = statistics.median(r["full"]), statistics.median(r["one"])
        gen = r["generated"] or batch * r["new"]
        out[batch] = {"tok_s": (gen - batch) / ((f - o) / 1000), "ms_step": (f - o) / ((gen - batch) / batch),
                      "prefill_ms": o, "n": len(r["full"])}
    return out, commands, loads


def weights(model_dir):
    """(matmul weight params, total stored params, layers, heads, kv_heads, head_dim)."""
    import onnx
    from onnx import numpy_helper  # noqa: F401
    m = onnx.load(os.path.join(model_dir, "model.onnx"), load_external_data=False)
    inits = {t.name: t for t in m.graph.initializer}
    size = lambda t: int(__import__("math").prod(t.dims))  # noqa: E731
    mm = sum(size(inits[n.input[1]]) for n in m.graph.node
             if n.op_type == "MatMul" and n.input[1] in inits)
    total = sum(size(t) for t in inits.values())
    with open(os.path.join(model_dir, "judge.json")) as f:
        c = json.load(f)["model"]
    return mm, total, c["num_layers"], c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]


def floor_ms(model_dir, batch, ctx, gflops, gbps):
    mm, _, L, H, KV, hd = weights(model_dir)
    flops = 2 * mm * batch + 4 * L * H * hd * ctx * batch
    nbytes = 4 * mm + 2 * L * KV * hd * ctx * 4 * batch
    return flops, nbytes, max(flops / (gflops * 1e9), nbytes / (gbps * 1e9)) * 1000


def decode_table(label, model_dir, threads, prompt, new, mat):
    java, jc, jl = pooled(f"decode-{label}-java-t{threads}-r*.json")
    torch, tc, tl = pooled(f"decode-{label}-torch-t{threads}-r*.json")
    if not java:
        return
    gemm = next(s for s in mat["results"]["shapes"] if s["m"] == 1024)["gflops"]
    gemv = next(s for s in mat["results"]["shapes"] if s["m"] == 1)["weight_gb_per_s"]
    ctx = prompt + new / 2
    print(f"\n**{label} model, {threads} thread(s)** (load at start of runs: Java "
          f"{', '.join(f'{x:.2f}' for x in jl)}; PyTorch {', '.join(f'{x:.2f}' for x in tl)})\n")
    print("| batch | ORT Java tok/s | ms/step | PyTorch tok/s | ms/step | Java ÷ PyTorch |"
          " floor ms/step | Java ÷ floor time | repeats |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for b in sorted(java):
        j, t = java[b], torch.get(b)
        flops, nbytes, fl = floor_ms(model_dir, b, ctx, gemm, gemv)
        print(f"| {b} | {j['tok_s']:.1f} | {j['ms_step']:.2f} | "
              f"{t['tok_s'] if t else float('nan'):.1f} | {t['ms_step'] if t else float('nan'):.2f} | "
              f"{j['tok_s'] / t['tok_s'] if t else float('nan'):.2f} | {fl:.3f} | "
              f"{j['ms_step'] / fl:.1f}× | {j['n']}+{t['n'] if t else 0} |")
    if 1 in java and 8 in java:
        print(f"\nbatch 8 ÷ batch 1 tokens/s: ORT Java {java[8]['tok_s'] / java[1]['tok_s']:.2f}"
              + (f", PyTorch {torch[8]['tok_s'] / torch[1]['tok_s']:.2f}" if 1 in torch and 8 in torch else ""))
    print("\nCommands:\n")
    for c in sorted(set(jc + tc)):
        print(f"    {c}")


def floor_table(models, mat, threads, prompt, new):
    gemm = next(s for s in mat["results"]["shapes"] if s["m"] == 1024)["gflops"]
    gemv = next(s for s in mat["results"]["shapes"] if s["m"] == 1)["weight_gb_per_s"]
    print(f"\nFloor at {threads} thread(s): GEMM {gemm:.1f} GFLOP/s, weight streaming "
          f"{gemv:.2f} GB/s (bench matmul); context = prompt + half the new tokens.\n")
    print("| model | matmul weights | batch | context | MFLOP/step | MB/step | floor ms/step | bound |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for label, d, batches, p, n in models:
        if not os.path.exists(os.path.join(d, "model.onnx")):
            continue
        mm = weights(d)[0]
        for b in batches:
            ctx = p + n / 2
            flops, nbytes, fl = floor_ms(d, b, ctx, gemm, gemv)
            bound = "compute" if flops / (gemm * 1e9) > nbytes / (gemv * 1e9) else "memory"
            print(f"| {label} | {mm / 1e6:.2f} M | {b} | {ctx:.0f} | {flops / 1e6:.1f} | "
                  f"{nbytes / 1e6:.1f} | {fl:.3f} | {bound} |")


def main():
    tiny = os.path.join(HERE, "..", "models", "judge-tiny")
    big = os.path.join(HERE, "out", "qwen2.5-0.5b-shape")
    for t in (2, 1):
        if os.path.exists(os.path.join(R, f"matmul-t{t}.json")):
            mat = load(f"matmul-t{t}.json")
            print(f"\n### Matmul t={t}: `{mat['command']}` (load {mat['machine']['load_average_1m']})\n")
            for s in mat["results"]["shapes"]:
                print(f"- [{s['m']},{s['k']}]×[{s['k']},{s['n']}]: {s['median_ms_per_call']:.3f} ms, "
                      f"{s['gflops']:.1f} GFLOP/s, weight {s['weight_gb_per_s']:.2f} GB/s")
            floor_table([("judge-tiny", tiny, (1, 8, 32), 64, 64),
                         ("qwen2.5-0.5b-shape", big, (1, 8), 32, 32)], mat, t, 64, 64)
            decode_table("tiny", tiny, t, 64, 64, mat)
            if t == 2:
                decode_table("big", big, t, 32, 32, mat)


if __name__ == "__main__":
    sys.exit(main())
