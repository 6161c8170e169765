#!/usr/bin/env bash
# Every figure in BENCHMARKS.md, in one run, into bench/results/ (JSON with the command,
# the machine, the load and every repeat). Java and PyTorch decode runs alternate
# (Java, PyTorch, Java, PyTorch) so their ratio is measured side by side.
#   bench/run_all.sh [tiny|big|qwen3|profile|extra|all]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
R=${R:-bench/results}
mkdir -p "$R"
P=/usr/bin/python3
TINY=models/judge-tiny
BIG=bench/out/qwen2.5-0.5b-shape
QWEN3=bench/out/qwen3-0.6b-shape
what="${1:-all}"
note() { echo "== $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg): $*"; }

tiny() {
  note matmul
  bench/rs bench matmul --threads 2 --repeats ${REPEATS:-5} --json $R/matmul-t2.json
  bench/rs bench matmul --threads 1 --repeats ${REPEATS:-5} --json $R/matmul-t1.json
  for round in 1 2; do
    for t in 2 1; do
      note "decode tiny round $round threads $t"
      bench/rs bench decode --model-dir $TINY --batch 1,8,32 --prompt-tokens 64 --new-tokens 64 \
        --repeats ${REPEATS:-5} --threads $t --json $R/decode-tiny-java-t$t-r$round.json
      $P bench/torch_decode.py --model-dir $TINY --batch 1,8,32 --prompt-tokens 64 --new-tokens 64 \
        --repeats ${REPEATS:-5} --threads $t --json $R/decode-tiny-torch-t$t-r$round.json
    done
  done
  note prefix
  bench/rs bench prefix --model-dir $TINY --samples 8 --new-tokens 64 --repeats ${REPEATS:-5} --json $R/prefix-tiny.json
  note schedule
  bench/rs bench schedule --rows 8,32 --sequences 64 --repeats ${REPEATS3:-3} --threads 1 --json $R/schedule-tiny.json
  note judge
  bench/rs bench judge --judge-dir $TINY --modes greedy,vote,reflect --pairs 16 --batch-size 8 \
    --repeats ${REPEATS3:-3} --json $R/judge-tiny.json
  note pipeline
  bench/rs bench pipeline --judge-dir $TINY --mode greedy --pairs 64 --batch-size 8 --repeats ${REPEATS3:-3} \
    --trivial-pairs 4000 --latency-seconds 30 --json $R/pipeline-tiny.json
  note gateway
  bench/rs bench gateway --judge-dir $TINY --mode greedy --sizes 64,256 --repeats ${REPEATS:-5} \
    --trivial-sizes 64,256,512 --trivial-repeats 10 --json $R/gateway-tiny.json
}

big() {
  note "decode big (Java, then PyTorch)"
  bench/rs bench decode --model-dir $BIG --batch 1,8 --prompt-tokens 32 --new-tokens 32 \
    --repeats ${REPEATSBIG:-2} --threads 2 --json $R/decode-big-java-t2-r1.json
  $P bench/torch_decode.py --model-dir $BIG --batch 1,8 --prompt-tokens 32 --new-tokens 32 \
    --repeats ${REPEATSBIG:-2} --threads 2 --json $R/decode-big-torch-t2-r1.json
  note "ORT profiler, big model"
  bench/rs bench ort-profile --model-dir $BIG --batch 1,8 --past 32 --steps 8 --threads 2 \
    --json $R/ort-profile-big-t2.json > $R/ort-profile-big-t2.txt
}

qwen3() {
  # Our engine against transformers.js (onnxruntime-node) on the same Qwen3-0.6B-shape model.onnx,
  # alternating, one ORT thread each (issue 25's benchmark).
  [[ -f $QWEN3/model.onnx ]] || OPENBLAS_NUM_THREADS=1 TORCH_THREADS=2 \
    $P models/qwen3/make_qwen3.py --preset 0.6b --outdir $QWEN3
  [[ -d tools/peer-js/node_modules ]] || (cd tools/peer-js && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund)
  for round in 1 2; do
    note "decode qwen3-0.6b shape round $round: Java, then transformers.js"
    bench/rs bench decode --model-dir $QWEN3 --batch 1,8 --prompt-tokens 32 --new-tokens 32 \
      --repeats ${REPEATSBIG:-2} --threads 1 --json $R/decode-qwen3-java-t1-r$round.json
    node tools/peer-js/bench_decode.mjs --model-dir $QWEN3 --batch 1,8 --prompt-tokens 32 --new-tokens 32 \
      --repeats ${REPEATSBIG:-2} --threads 1 --json $R/decode-qwen3-tjs-t1-r$round.json
  done
}

profile() {
  note "ORT session.run per step: threads x spinning (engine default = spinning on)"
  for t in 2 1; do
    bench/rs bench ort-profile --model-dir $TINY --batch 1,8,32 --steps 64 --threads $t --no-profile \
      --json $R/ort-run-tiny-t$t-spin.json
    bench/rs bench ort-profile --model-dir $TINY --batch 1,8,32 --steps 64 --threads $t --no-profile \
      --ort-config session.intra_op.allow_spinning=0 --json $R/ort-run-tiny-t$t-nospin.json
  done
  note "ORT profiler: kernel time by operator"
  bench/rs bench ort-profile --model-dir $TINY --batch 1,8,32 --steps 64 --threads 2 \
    --json $R/ort-profile-tiny-t2.json > $R/ort-profile-tiny-t2.txt
  for b in 8 32; do
    note "profile tiny batch $b"
    JAVA_OPTS="-XX:StartFlightRecording=filename=bench/out/decode-b$b.jfr,settings=bench/profile/decode.jfc" \
      bench/rs bench decode --model-dir $TINY --batch $b --repeats ${REPEATS10:-10} >/dev/null
    jfr print --json --stack-depth 64 --events jdk.ExecutionSample,jdk.NativeMethodSample \
      bench/out/decode-b$b.jfr > bench/out/decode-b$b.json
    python3 bench/jfr_summary.py bench/out/decode-b$b.json --top 15 > $R/profile-tiny-b$b.txt
  done
}

extra() {
  note "pipeline with one ORT thread (no second intra-op thread competing with Kafka's threads)"
  bench/rs bench pipeline --judge-dir $TINY --mode greedy --pairs 64 --batch-size 8 --repeats ${REPEATS3:-3} \
    --trivial-pairs 4000 --latency-seconds 30 --threads 1 --json $R/pipeline-tiny-t1.json
}

case "$what" in
  tiny) tiny ;;
  big) big ;;
  profile) profile ;;
  extra) extra ;;
  qwen3) qwen3 ;;
  all) tiny; big; qwen3; profile ;;
  *) echo "usage: $0 [tiny|big|qwen3|profile|extra|all]" >&2; exit 2 ;;
esac
note done
