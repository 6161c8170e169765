"""Against a real broker and a real ``rewardstream run`` with the bundled judge.

PythonClientIT (integration-tests/) starts both and runs ``pytest -m integration`` with the
cluster and topic names in REWARDSTREAM_IT_* variables; without them these tests are skipped.
"""

import json
import os
import subprocess
import sys
import uuid

import pytest

from rewardstream import (
    DeadLetteredError,
    Pair,
    PairReward,
    RewardClient,
    ScoringTimeout,
)
from rewardstream.adapters import TrlPairwiseJudge

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def client(it_env):
    with RewardClient(
        it_env["bootstrap"],
        rollouts_topic=it_env["rollouts"],
        rewards_topic=it_env["rewards"],
        dlq_topic=it_env["dlq"],
    ) as c:
        yield c


@pytest.fixture(scope="module")
def heldout(it_env):
    with open(it_env["heldout"], encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def run_id() -> str:
    return uuid.uuid4().hex[:8]


def test_100_heldout_pairs_come_back_in_order_and_mostly_right(client, heldout):
    prefix = run_id()
    pairs, truth = [], []
    for i, row in enumerate(heldout[:100]):
        chosen_first = i % 2 == 0
        a, b = (
            (row["chosen"], row["rejected"]) if chosen_first else (row["rejected"], row["chosen"])
        )
        pairs.append(Pair(row["prompt"], a, b, policy_version="it", rollout_id=f"{prefix}-{i:03d}"))
        truth.append("A" if chosen_first else "B")
    results = client.score_pairs(pairs, timeout=300)
    assert [r.rollout_id for r in results] == [p.rollout_id for p in pairs]
    assert all(isinstance(r, PairReward) and r.ok for r in results)
    correct = sum(r.preferred == t for r, t in zip(results, truth))
    print(f"held-out accuracy through score_pairs: {correct}/100")
    assert correct >= 90, f"only {correct}/100 right (the bundled judge is ~100 % on held-out)"


def test_a_malformed_pair_comes_back_as_a_dead_letter_with_its_reason(client, heldout):
    row = heldout[0]
    good = Pair(row["prompt"], row["chosen"], row["rejected"], rollout_id=f"{run_id()}-good")
    empty = Pair(row["prompt"], "", row["rejected"], rollout_id=f"{run_id()}-empty")
    huge = Pair(row["prompt"] + " filler" * 2000, row["chosen"], row["rejected"])
    results = client.score_pairs([good, empty, huge], timeout=120, return_exceptions=True)
    assert isinstance(results[0], PairReward) and results[0].preferred == "A"
    assert isinstance(results[1], DeadLetteredError) and results[1].reason_code == "EMPTY_FIELD"
    assert "response_a" in results[1].reason and results[1].rollout_id == empty.rollout_id
    assert (
        isinstance(results[2], DeadLetteredError) and results[2].reason_code == "OVER_TOKEN_BUDGET"
    )
    assert "judge.max.prompt.tokens" in results[2].reason


def test_a_timeout_names_the_missing_id_and_asking_again_does_not_resend(client, heldout, it_env):
    row = heldout[1]
    pair = Pair(row["prompt"], row["rejected"], row["chosen"], rollout_id=f"{run_id()}-slow")
    with pytest.raises(ScoringTimeout) as caught:
        client.score_pairs([pair], timeout=0.01)
    assert caught.value.missing == [pair.rollout_id] and pair.rollout_id in str(caught.value)
    [result] = client.score_pairs([pair], timeout=120)  # read before resend
    assert result.rollout_id == pair.rollout_id and result.preferred == "B"
    assert count_keys(it_env, it_env["rollouts"], pair.rollout_id) == 1, "the pair was sent twice"
    assert count_keys(it_env, it_env["rewards"], pair.rollout_id) == 1, "the pair was scored twice"


def test_the_trl_judge_ranks_a_small_batch_right(client, heldout):
    rows = heldout[100:108]
    prompts = [r["prompt"] for r in rows]
    completions = [
        [r["chosen"], r["rejected"]] if i % 2 == 0 else [r["rejected"], r["chosen"]]
        for i, r in enumerate(rows)
    ]
    judge = TrlPairwiseJudge(client, timeout=120, seed=7)
    assert judge.judge(prompts, completions) == [0, 1] * 4


def test_the_cli_scores_produces_and_tails(it_env, heldout, tmp_path):
    prefix = run_id()
    lines = [
        {
            "rollout_id": f"{prefix}-cli-{i}",
            "prompt": r["prompt"],
            "response_a": r["chosen"],
            "response_b": r["rejected"],
            "policy_version": "cli",
            "metadata": {"n": i},
        }
        for i, r in enumerate(heldout[200:204])
    ]
    lines.append({**lines[0], "rollout_id": f"{prefix}-cli-empty", "response_b": ""})
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")

    score = cli(
        it_env,
        "score",
        str(pairs),
        "--timeout",
        "120",
        "--rollouts-topic",
        it_env["rollouts"],
        "--rewards-topic",
        it_env["rewards"],
        "--dlq-topic",
        it_env["dlq"],
    )
    assert score.returncode == 1, score.stderr  # 1: one pair was dead-lettered
    out = [json.loads(line) for line in score.stdout.splitlines()]
    assert [o["rollout_id"] for o in out] == [line["rollout_id"] for line in lines]
    assert [o.get("preferred") for o in out[:4]] == ["A"] * 4
    assert out[4]["status"] == "ERROR" and out[4]["reason_code"] == "EMPTY_FIELD"

    one = tmp_path / "one.jsonl"
    one.write_text(
        json.dumps({**lines[1], "rollout_id": f"{prefix}-cli-produced"}) + "\n", encoding="utf-8"
    )
    produce = cli(it_env, "produce", str(one), "--topic", it_env["rollouts"])
    assert produce.returncode == 0 and "produced 1 rollout pairs" in produce.stdout, produce.stderr
    tail = cli(
        it_env, "tail", "--topic", it_env["rewards"], "--from-beginning", "--idle-timeout", "15"
    )
    assert tail.returncode == 0, tail.stderr
    assert f"reward  {prefix}-cli-produced OK preferred=A" in tail.stdout
    assert f"reward  {prefix}-cli-0 OK preferred=A" in tail.stdout


def test_the_readme_examples_run(it_env, monkeypatch, capsys):
    import re

    import rewardstream

    here = os.path.dirname(os.path.abspath(__file__))
    blocks = []
    for readme in (
        os.path.join(here, "..", "README.md"),
        os.path.join(here, "..", "..", "..", "README.md"),
    ):
        with open(readme, encoding="utf-8") as f:
            found = re.findall(r"```python\n(.*?)```", f.read(), re.S)
        blocks += [b for b in found if "localhost:9092" in b]
    assert len(blocks) >= 9, "the READMEs' examples were not found"
    real = rewardstream.RewardClient

    def on_the_test_cluster(bootstrap, **kw):  # the examples say localhost:9092 and default topics
        return real(
            it_env["bootstrap"],
            rollouts_topic=it_env["rollouts"],
            rewards_topic=it_env["rewards"],
            dlq_topic=it_env["dlq"],
            **kw,
        )

    monkeypatch.setattr(rewardstream, "RewardClient", on_the_test_cluster)
    for number, block in enumerate(blocks, start=1):
        exec(compile(block, f"README.md python block {number}", "exec"), {"__name__": "readme"})
    printed = capsys.readouterr().out
    print(printed)
    assert "EMPTY_FIELD" in printed and "[0, 1]" in printed and "'rewards':" in printed


def cli(it_env, *args):
    """``python -m rewardstream ARGS`` against the test cluster."""
    env = {**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__)))}
    return subprocess.run(
        [sys.executable, "-m", "rewardstream", *args, "--bootstrap-servers", it_env["bootstrap"]],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )


def count_keys(it_env, topic, key):
    """Committed records of ``topic`` whose key is ``key``."""
    import confluent_kafka

    consumer = confluent_kafka.Consumer(
        {
            "bootstrap.servers": it_env["bootstrap"],
            "group.id": "it-count-" + run_id(),
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
        }
    )
    try:
        info = consumer.list_topics(topic, timeout=10).topics[topic]
        ends, assignment = {}, []
        for p in info.partitions:
            low, high = consumer.get_watermark_offsets(
                confluent_kafka.TopicPartition(topic, p), timeout=10
            )
            if high > low:
                ends[p] = high
                assignment.append(confluent_kafka.TopicPartition(topic, p, low))
        consumer.assign(assignment)
        count = 0
        for _ in range(300):  # at most a minute; a partition's end may be a transaction marker
            for msg in consumer.consume(num_messages=500, timeout=0.2):
                if msg.error() is None:
                    count += msg.key() == key.encode()
            positions = consumer.position([confluent_kafka.TopicPartition(topic, p) for p in ends])
            if all(tp.offset >= ends[tp.partition] for tp in positions):
                break
        return count
    finally:
        consumer.close()
