"""``python -m rewardstream produce|tail|score``: the Java CLI's scripting commands, in Python.

* ``produce FILE``: rollout pairs from a JSONL file (the Java ``produce`` shape) onto ``rollouts``;
  the whole file is checked before anything is sent.
* ``tail``: one readable line per record of a RewardStream topic, as committed (read_committed).
* ``score FILE``: scores the file's pairs and prints one JSON line per pair, in file order; exit
  status 0 when all were scored, 1 when some were dead-lettered or failed, 2 on a timeout.

``FILE`` may be ``-`` for standard input.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from typing import Any, Optional, Sequence, TextIO

from . import jsonl
from ._avro import Codec, UnknownSchemaError
from .errors import PairError, ScoringTimeout
from .types import PairReward


def main(argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args, out)
    except (ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m rewardstream", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--bootstrap-servers", default="localhost:9092", help="(default: %(default)s)"
        )
        p.add_argument(
            "--config",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a confluent-kafka setting, e.g. security.protocol=SASL_SSL (repeatable)",
        )

    produce = commands.add_parser("produce", help="produce rollout pairs from a JSONL file")
    produce.add_argument("file")
    produce.add_argument("--topic", default="rollouts", help="(default: %(default)s)")
    common(produce)
    produce.set_defaults(run=_produce)

    tail = commands.add_parser("tail", help="print the committed records of a topic")
    tail.add_argument("--topic", default="rewards", help="(default: %(default)s)")
    tail.add_argument("--from-beginning", action="store_true")
    tail.add_argument("--max", type=int, default=0, help="stop after N records (0 = never)")
    tail.add_argument(
        "--idle-timeout",
        type=float,
        default=0,
        help="stop after this many idle seconds (0 = never)",
    )
    common(tail)
    tail.set_defaults(run=_tail)

    score = commands.add_parser("score", help="score the pairs of a JSONL file, print the rewards")
    score.add_argument("file")
    score.add_argument(
        "--timeout", type=float, default=300.0, help="seconds (default: %(default)s)"
    )
    score.add_argument("--rollouts-topic", default="rollouts")
    score.add_argument("--rewards-topic", default="rewards")
    score.add_argument("--dlq-topic", default="rollouts-dlq")
    common(score)
    score.set_defaults(run=_score)
    return parser


def _config(args: argparse.Namespace) -> dict:
    config = {}
    for item in args.config:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--config {item!r}: expected KEY=VALUE")
        config[key.strip()] = value
    return config


def _read(file: str) -> list:
    if file == "-":
        return jsonl.read(sys.stdin, "<stdin>")
    with open(file, encoding="utf-8") as f:
        return jsonl.read(f, file)


def _produce(args: argparse.Namespace, out: TextIO) -> int:
    pairs = _read(args.file)  # the whole file is checked before anything is sent
    import confluent_kafka

    codec = Codec()
    start = time.monotonic()
    producer = confluent_kafka.Producer(
        {"bootstrap.servers": args.bootstrap_servers, "enable.idempotence": True, **_config(args)}
    )
    failures: list[str] = []
    now_ms = int(time.time() * 1000)
    for pair in pairs:
        value = codec.encode("RolloutPair", pair.to_avro(pair.rollout_id, now_ms))

        def report(err: Any, msg: Any, rid: str = pair.rollout_id) -> None:
            if err is not None:
                failures.append(f"sending rollout {rid!r} to {args.topic} failed: {err}")

        while True:
            try:
                producer.produce(
                    args.topic, value=value, key=pair.rollout_id.encode(), on_delivery=report
                )
                break
            except BufferError:
                producer.poll(0.1)
    if producer.flush(60.0):
        failures.append("some records were not confirmed by the broker within 60 s")
    if failures:
        print("error: " + "; ".join(failures[:5]), file=sys.stderr)
        return 1
    elapsed = int((time.monotonic() - start) * 1000)
    print(
        f"produced {len(pairs)} rollout pairs from {args.file} to {args.topic} in {elapsed} ms",
        file=out,
    )
    return 0


def format_record(codec: Codec, value: Optional[bytes]) -> str:
    """One readable line for a record value, its type recognised from the fingerprint."""
    if value is None:
        return "(tombstone: null value)"
    try:
        record, r = codec.decode(value)
    except UnknownSchemaError as e:
        return f"undecodable {len(value)} bytes: {e}"
    if record == "RewardResult":
        return (
            f"reward  {r['rollout_id']} {r['status']} preferred={r['preferred']}"
            f" p_a_better={r['p_a_better']:.3f} reward_a={r['reward_a']:+.3f}"
            f" reward_b={r['reward_b']:+.3f} latency={r['latency_ms']}ms"
            f" {r['judge_id']}/{r['judge_version']} {r['mode']}"
            + (f" reason={r['failure_reason']}" if r.get("failure_reason") else "")
        )
    if record == "DeadLetter":
        return f"dead-letter  {r.get('rollout_id') or '-'} {r['reason_code']}: {r['reason']}"
    shown = {k: (v.hex() if isinstance(v, bytes) else v) for k, v in r.items()}
    return f"{record}  " + json.dumps(shown, ensure_ascii=False, default=str)


def _tail(args: argparse.Namespace, out: TextIO) -> int:
    import confluent_kafka

    codec = Codec()
    consumer = confluent_kafka.Consumer(
        {
            "bootstrap.servers": args.bootstrap_servers,
            "group.id": "rewardstream-py-tail-" + uuid.uuid4().hex[:12],
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
            **_config(args),
        }
    )
    try:
        metadata = consumer.list_topics(args.topic, timeout=10)
        info = metadata.topics.get(args.topic)
        if info is None or info.error is not None or not info.partitions:
            raise ValueError(f"topic {args.topic!r} does not exist on the cluster")
        start = (
            confluent_kafka.OFFSET_BEGINNING if args.from_beginning else confluent_kafka.OFFSET_END
        )
        assignment = []
        for p in sorted(info.partitions):
            low, high = consumer.get_watermark_offsets(
                confluent_kafka.TopicPartition(args.topic, p), timeout=10
            )
            offset = low if start == confluent_kafka.OFFSET_BEGINNING else high
            assignment.append(confluent_kafka.TopicPartition(args.topic, p, offset))
        consumer.assign(assignment)
        printed, last = 0, time.monotonic()
        while args.max == 0 or printed < args.max:
            for msg in consumer.consume(num_messages=100, timeout=0.5):
                if msg.error() is not None:
                    continue
                print(
                    f"{msg.topic()}-{msg.partition()}@{msg.offset()}  {format_record(codec, msg.value())}",
                    file=out,
                )
                last = time.monotonic()
                printed += 1
                if printed == args.max:
                    break
            out.flush()
            if args.idle_timeout and time.monotonic() - last > args.idle_timeout:
                break
    finally:
        consumer.close()
    return 0


def _score(args: argparse.Namespace, out: TextIO) -> int:
    from .client import RewardClient

    pairs = _read(args.file)
    with RewardClient(
        args.bootstrap_servers,
        config=_config(args),
        rollouts_topic=args.rollouts_topic,
        rewards_topic=args.rewards_topic,
        dlq_topic=args.dlq_topic,
    ) as client:
        status = 0
        try:
            results = client.score_pairs(pairs, timeout=args.timeout, return_exceptions=True)
        except ScoringTimeout as e:
            results, status = e.results, 2
            print(f"error: {e}", file=sys.stderr)
        for pair, result in zip(pairs, results):
            print(json.dumps(result_line(pair.rollout_id, result), ensure_ascii=False), file=out)
            if isinstance(result, PairError) and status == 0:
                status = 1
    return status


def result_line(rollout_id: str, result: Any) -> dict:
    """The JSON line ``score`` prints for one input."""
    if isinstance(result, PairReward):
        return {
            "rollout_id": result.rollout_id,
            "status": result.status,
            "preferred": result.preferred,
            "p_a_better": result.p_a_better,
            "reward_a": result.reward_a,
            "reward_b": result.reward_b,
        }
    if isinstance(result, PairError):
        return {
            "rollout_id": rollout_id,
            "status": "ERROR",
            "reason_code": getattr(result, "reason_code", type(result).__name__),
            "reason": getattr(result, "reason", str(result)),
        }
    return {"rollout_id": rollout_id, "status": "MISSING"}
