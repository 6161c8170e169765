"""Where the main thread's time goes in a JFR recording of `rewardstream bench decode`.

Both jdk.ExecutionSample (thread in Java code) and jdk.NativeMethodSample (thread in a
native method, e.g. inside ONNX Runtime's session.run) are taken every 10 ms by
bench/profile/decode.jfc, so sample counts of the two are comparable shares of wall time.
Only samples inside --within count (the timed loop, not start-up). Each sample is
attributed to (a) its top frame and (b) the innermost io.rewardstream.inference frame.

  jfr print --json --events jdk.ExecutionSample,jdk.NativeMethodSample rec.jfr > rec.json
  python3 bench/jfr_summary.py rec.json [--thread main]
"""
import argparse
import collections
import json


def frame_name(frame):
    m = frame["method"]
    return f'{m["type"]["name"]}.{m["name"]}'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json_file")
    ap.add_argument("--thread", default="main")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--within", default="io/rewardstream/bench/DecodeBench.run",
                    help="only samples with this frame on the stack (the timed loop)")
    a = ap.parse_args()
    with open(a.json_file) as f:
        events = json.load(f)["recording"]["events"]
    kinds = collections.Counter()
    top = collections.Counter()
    ours = collections.Counter()
    pairs = collections.Counter()
    for e in events:
        v = e["values"]
        thread = v.get("sampledThread") or {}
        if thread.get("javaName") != a.thread:
            continue
        frames = (v.get("stackTrace") or {}).get("frames") or []
        if not frames or not any(frame_name(fr) == a.within for fr in frames):
            continue
        kind = "native" if e["type"] == "jdk.NativeMethodSample" else "java"
        kinds[kind] += 1
        t = frame_name(frames[0])
        top[(kind, t)] += 1
        mine = next((frame_name(fr) for fr in frames if frame_name(fr).startswith("io/rewardstream/inference")), "-")
        ours[mine] += 1
        pairs[(kind, mine, t)] += 1
    total = sum(kinds.values())
    print(f"{total} samples of thread '{a.thread}' (10 ms each):",
          ", ".join(f"{k} {n} ({100 * n / total:.1f}%)" for k, n in kinds.items()))
    print("\nby top frame:")
    for (kind, name), n in top.most_common(a.top):
        print(f"  {100 * n / total:5.1f}%  {kind:6s} {name}")
    print("\nby innermost io.rewardstream.inference frame:")
    for name, n in ours.most_common(a.top):
        print(f"  {100 * n / total:5.1f}%  {name}")
    print("\nby (innermost io.rewardstream.inference frame, top frame):")
    for (kind, mine, t), n in pairs.most_common(a.top):
        print(f"  {100 * n / total:5.1f}%  {kind:6s} {mine}  <-  {t}")


if __name__ == "__main__":
    main()
