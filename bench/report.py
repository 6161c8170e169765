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
R = os.environ.get("R") or os.path.join(HERE, "results")


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


def l3_bytes():
    try:
        with open("/sys/devices/system/cpu/cpu0/cache/index3/size") as f:
            return int(f.read().strip().rstrip("K")) * 1024
    except (OSError, ValueError):
        return 0


def floor_ms(model_dir, batch, ctx, gflops, gbps):
    """FLOPs and bytes of one decode step and its floor time. Weights + KV cache that fit in
    the L3 cache are not streamed from memory each step, so such a model's floor is its
    compute time alone."""
    mm, _, L, H, KV, hd = weights(model_dir)
    flops = 2 * mm * batch + 4 * L * H * hd * ctx * batch
    nbytes = 4 * mm + 2 * L * KV * hd * ctx * 4 * batch
    memory = 0 if nbytes < l3_bytes() else nbytes / (gbps * 1e9)
    return flops, nbytes, max(flops / (gflops * 1e9), memory) * 1000


def decode_table(label, model_dir, threads, prompt, new, mat, peer=("torch", "PyTorch")):
    """Our engine against a peer (PyTorch, or transformers.js: peer=("tjs", "transformers.js"))
    on the same model, pooled over every round's files."""
    java, jc, jl = pooled(f"decode-{label}-java-t{threads}-r*.json")
    torch, tc, tl = pooled(f"decode-{label}-{peer[0]}-t{threads}-r*.json")
    if not java:
        return
    if not os.path.exists(os.path.join(model_dir, "model.onnx")):
        print(f"\n**{label} model, {threads} thread(s)**: {os.path.relpath(model_dir, os.path.join(HERE, '..'))} is absent (its floor needs the"
              " model; `bench/run_all.sh big` makes it), so no table from this run.")
        return
    gemm = next(s for s in mat["results"]["shapes"] if s["m"] == 1024)["gflops"]
    gemv = next(s for s in mat["results"]["shapes"] if s["m"] == 1)["weight_gb_per_s"]
    ctx = prompt + new / 2
    print(f"\n**{label} model, {threads} thread(s)** (load at start of runs: Java "
          f"{', '.join(f'{x:.2f}' for x in jl)}; {peer[1]} {', '.join(f'{x:.2f}' for x in tl)})\n")
    print(f"| batch | ORT Java tok/s | ms/step | {peer[1]} tok/s | ms/step | Java ÷ {peer[1]} |"
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
              + (f", {peer[1]} {torch[8]['tok_s'] / torch[1]['tok_s']:.2f}" if 1 in torch and 8 in torch else ""))
    print(f"\nprefill ms (prompt {prompt} tokens): " + "; ".join(
        f"batch {b}: ORT Java {java[b]['prefill_ms']:.1f}"
        + (f", {peer[1]} {torch[b]['prefill_ms']:.1f}" if b in torch else "") for b in sorted(java)))
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
            bound = ("compute (fits in L3)" if nbytes < l3_bytes() else
                     "compute" if flops / (gemm * 1e9) > nbytes / (gemv * 1e9) else "memory")
            print(f"| {label} | {mm / 1e6:.2f} M | {b} | {ctx:.0f} | {flops / 1e6:.1f} | "
                  f"{nbytes / 1e6:.1f} | {fl:.3f} | {bound} |")


def maybe(name):
    path = os.path.join(R, name)
    return load(name) if os.path.exists(path) else None


def head(d):
    end = d.get("load_average_1m_at_end")
    return (f"`{d['command']}` (load {d['machine']['load_average_1m']:.2f} at start"
            + (f", {end:.2f} at end)" if end is not None else ")"))


def others():
    d = maybe("prefix-tiny.json")
    if d:
        r = d["results"]
        print(f"\n### Prefix sharing\n\n{head(d)}\n")
        print(f"{r['samples']} samples of one {r['prompt_tokens']}-token prompt, temperature "
              f"{r['temperature']}, {r['repeats']} repeats; same tokens both ways: {r['identical_tokens']}\n")
        print("| | shared (prefill once, KV copied) ms | separate (prefill per sample) ms | separate ÷ shared |")
        print("|---|---:|---:|---:|")
        for key, label in (("prefill_1_token", "prefill + first token"),
                           ("full", f"whole generation ({r['new_tokens']} tokens)")):
            x = r[key]
            print(f"| {label} | {x['median_shared_ms']:.2f} | {x['median_separate_ms']:.2f} | "
                  f"{x['separate_over_shared']:.2f} |")
    d = maybe("judge-tiny.json")
    if d:
        r = d["results"]
        print(f"\n### Judge modes\n\n{head(d)}\n")
        print("| mode | pairs | pairs/s | ms/pair | generations/pair | tokens/pair | verdict = chosen |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for m in r["modes"]:
            print(f"| {m['mode']} | {m['pairs']} | {m['pairs_per_s']:.2f} | {1000 / m['pairs_per_s']:.0f} | "
                  f"{m['generations_per_pair']:.2f} | {m['tokens_per_pair']:.1f} | {m['accuracy_as_given']:.3f} |")
    for name in ("pipeline-tiny.json", "pipeline-tiny-t1.json"):
        pipeline(maybe(name))
    ort_runs()


def pipeline(d):
    if d:
        r = d["results"]
        o, c, lat = r["overhead"], r["trivial_judge_ceiling"], r["latency"]
        print(f"\n### Pipeline (ORT threads {d.get('intra_op_threads', 0)}, 0 = all cores)\n\n{head(d)}\n")
        print(f"- mode {r['mode']}, {r['pairs']} pairs, batches of {r['batch_size']}, "
              f"batch.max.wait.ms {r['batch_max_wait_ms']}, {r['partitions']} partition(s), {r['repeats']} repeats")
        print(f"- bare judge {o['bare_judge_pairs_per_s']:.2f} pairs/s; pipeline {o['pipeline_pairs_per_s']:.2f} pairs/s; "
              f"**pipeline ÷ bare = {o['pipeline_over_bare']:.3f}**; verdicts differing: {o['verdict_mismatches']}")
        print(f"- bare ms per repeat {o['bare_ms']}; pipeline ms {o['pipeline_ms']}")
        if "judge_in_pipeline_ms" in o:
            print(f"- of the pipeline's time, the judge was scoring {o['judge_in_pipeline_ms']} ms "
                  f"(share {o['judge_share_of_pipeline']:.3f}): pipeline − judge-in-pipeline is Kafka, "
                  f"transactions and waiting; judge-in-pipeline − bare is the judge running slower "
                  f"beside Kafka's threads")
        if r.get("app_settings"):
            print(f"- app settings: {r['app_settings']}")
        print(f"- ceiling with TrivialJudgeForBenchmarks: **{c['pairs_per_s']:.0f} pairs/s** ({c['pairs']} pairs; ms {c['ms']})")
        print(f"- latency at {lat['offered_pairs_per_s']:.2f} pairs/s offered ({lat['pairs']} pairs, achieved "
              f"{lat['achieved_pairs_per_s']:.2f}): p50 {lat['p50_ms']:.0f} ms, p95 {lat['p95_ms']:.0f} ms, "
              f"p99 {lat['p99_ms']:.0f} ms, max {lat['max_ms']:.0f} ms")


def ort_runs():
    rows = []
    for t in (2, 1):
        for spin in ("spin", "nospin"):
            d = maybe(f"ort-run-tiny-t{t}-{spin}.json")
            if d:
                rows.append((t, spin, d))
    if rows:
        print("\n### ORT session.run per decode step (tiny model, past 64→128), by threads and spinning\n")
        print("| threads | spinning | batch 1 ms | batch 8 ms | batch 32 ms | load at start |")
        print("|---:|---|---:|---:|---:|---:|")
        for t, spin, d in rows:
            ms = {x["batch"]: x["session_run_ms_per_step"] for x in d["results"]}
            print(f"| {t} | {'on (ORT default, the engine today)' if spin == 'spin' else 'off (allow_spinning=0)'} | "
                  f"{ms.get(1, float('nan')):.3f} | {ms.get(8, float('nan')):.3f} | {ms.get(32, float('nan')):.3f} | "
                  f"{d['machine']['load_average_1m']:.2f} |")
        print("\nCommands:\n")
        for _, _, d in rows:
            print(f"    {d['command']}")


def main():
    tiny = os.path.join(HERE, "..", "models", "judge-tiny")
    big = os.path.join(HERE, "out", "qwen2.5-0.5b-shape")
    qwen3 = os.path.join(HERE, "out", "qwen3-0.6b-shape")
    for t in (2, 1):
        name = f"matmul-t{t}-late.json" if os.path.exists(os.path.join(R, f"matmul-t{t}-late.json")) \
            else f"matmul-t{t}.json"
        if os.path.exists(os.path.join(R, name)):
            mat = load(name)
            print(f"\n### Matmul t={t}: `{mat['command']}` (load {mat['machine']['load_average_1m']})\n")
            for s in mat["results"]["shapes"]:
                print(f"- [{s['m']},{s['k']}]×[{s['k']},{s['n']}]: {s['median_ms_per_call']:.3f} ms, "
                      f"{s['gflops']:.1f} GFLOP/s, weight {s['weight_gb_per_s']:.2f} GB/s")
            floor_table([("judge-tiny", tiny, (1, 8, 32), 64, 64),
                         ("qwen2.5-0.5b-shape", big, (1, 8), 32, 32),
                         ("qwen3-0.6b-shape", qwen3, (1, 8), 32, 32)], mat, t, 64, 64)
            decode_table("tiny", tiny, t, 64, 64, mat)
            if t == 2:
                decode_table("big", big, t, 32, 32, mat)
            decode_table("qwen3", qwen3, t, 32, 32, mat, peer=("tjs", "transformers.js"))
    others()


if __name__ == "__main__":
    sys.exit(main())
