"""RewardClient's correlation, dead letters, timeouts and read-before-resend, on a fake Kafka."""

import asyncio
import threading

import pytest
from fakekafka import Broker
from test_results import dead_letter_record, reward_record

from rewardstream import (
    BatchError,
    DeadLetteredError,
    DeliveryError,
    Group,
    GroupReward,
    GroupScoringUnavailable,
    Pair,
    PairReward,
    RewardClient,
    ScoringFailedError,
    ScoringTimeout,
    _avro,
)

CODEC = _avro.Codec()


def judge_server(key, value):
    """A stand-in for the app: prefers the response containing 'right'; dead-letters like it."""
    try:
        _, pair = CODEC.decode(value, expect="RolloutPair")
    except _avro.UnknownSchemaError as e:
        letter = dead_letter_record(None, "UNDECODABLE", str(e), key=key, value=value)
        return [("rollouts-dlq", None, CODEC.encode("DeadLetter", letter))]
    rid = pair["rollout_id"]
    if not pair["response_a"].strip():
        letter = dead_letter_record(rid, "EMPTY_FIELD", "field 'response_a' is empty", key, value)
        return [("rollouts-dlq", key, CODEC.encode("DeadLetter", letter))]
    if "boom" in pair["prompt"]:
        failed = reward_record(rid, "FAILED", 0.5, "judge error: boom")
        letter = dead_letter_record(rid, "SCORING_FAILED", "judge error: boom", key, value)
        return [
            ("rewards", key, CODEC.encode("RewardResult", failed)),
            ("rollouts-dlq", key, CODEC.encode("DeadLetter", letter)),
        ]
    p = 0.9 if "right" in pair["response_a"] else 0.1
    return [("rewards", key, CODEC.encode("RewardResult", reward_record(rid, p_a_better=p)))]


@pytest.fixture
def broker():
    b = Broker()
    b.create("rollouts", "rewards", "rollouts-dlq")
    b.server = judge_server
    return b


@pytest.fixture
def client(broker):
    with RewardClient("fake:9092", _kafka=broker.module(), poll_interval=0.01) as c:
        yield c


def test_results_come_back_in_input_order_with_generated_ids(client, broker):
    pairs = [
        Pair(f"q{i}", "right" if i % 2 == 0 else "wrong", "wrong" if i % 2 == 0 else "right")
        for i in range(20)
    ]
    results = client.score_pairs(pairs, timeout=5)
    assert [r.preferred for r in results] == ["A" if i % 2 == 0 else "B" for i in range(20)]
    ids = [key.decode() for _, key, _ in broker.produced]
    assert [r.rollout_id for r in results] == ids and len(set(ids)) == 20
    assert all(i.startswith("py-") for i in ids)


def test_given_ids_and_dicts_are_kept(client):
    [r] = client.score_pairs(
        [
            {
                "rollout_id": "mine-1",
                "prompt": "q",
                "response_a": "right",
                "response_b": "no",
                "policy_version": "p",
            }
        ],
        timeout=5,
    )
    assert r.rollout_id == "mine-1"


def test_the_client_config_passes_through_to_both_kafka_clients(broker):
    sasl = {"security.protocol": "SASL_SSL", "sasl.mechanisms": "PLAIN"}
    with RewardClient(
        "b:9",
        config=sasl,
        producer_config={"linger.ms": 50},
        consumer_config={"fetch.min.bytes": 1},
        _kafka=broker.module(),
    ) as c:
        assert c._producer.conf["security.protocol"] == "SASL_SSL"
        assert c._producer.conf["linger.ms"] == 50 and c._producer.conf["enable.idempotence"]
        assert c._consumer.conf["sasl.mechanisms"] == "PLAIN"
        assert c._consumer.conf["isolation.level"] == "read_committed"
        assert (
            c._consumer.conf["bootstrap.servers"] == "b:9" and "linger.ms" not in c._consumer.conf
        )


def test_a_dead_lettered_pair_resolves_with_the_servers_reason(client):
    pairs = [Pair("q", "right", "x"), Pair("q", " ", "x"), Pair("q", "right", "y")]
    with pytest.raises(BatchError) as caught:
        client.score_pairs(pairs, timeout=5)
    ok1, dead, ok2 = caught.value.results
    assert isinstance(ok1, PairReward) and isinstance(ok2, PairReward)
    assert isinstance(dead, DeadLetteredError) and dead.reason_code == "EMPTY_FIELD"
    assert "response_a" in dead.reason and dead.rollout_id in str(dead)
    assert caught.value.errors == [dead]


def test_return_exceptions_puts_errors_in_place(client):
    results = client.score_pairs(
        [Pair("boom", "a", "b"), Pair("q", "right", "b")], timeout=5, return_exceptions=True
    )
    assert isinstance(results[0], ScoringFailedError) and results[0].reason == "judge error: boom"
    assert results[1].preferred == "A"


def test_an_undecodable_record_is_matched_by_its_key_and_bytes(client, broker):
    broker.server = lambda key, value: judge_server(key, b"garbage")
    [err] = client.score_pairs([Pair("q", "a", "b")], timeout=5, return_exceptions=True)
    assert isinstance(err, DeadLetteredError) and err.reason_code == "UNDECODABLE"


def test_a_timeout_names_the_missing_ids_and_keeps_what_came(client, broker):
    broker.server = lambda key, value: [] if b"slow" in value else judge_server(key, value)
    pairs = [
        Pair("q", "right", "b", rollout_id="fast"),
        Pair("slow", "a", "b", rollout_id="slow-1"),
    ]
    with pytest.raises(ScoringTimeout) as caught:
        client.score_pairs(pairs, timeout=0.3)
    assert caught.value.missing == ["slow-1"] and "slow-1" in str(caught.value)
    assert caught.value.results[0].rollout_id == "fast" and caught.value.results[1] is None
    assert client.pending() == ["slow-1"]


def test_asking_again_after_a_timeout_reads_instead_of_resending(client, broker):
    broker.hold = True  # the server answers late
    pair = Pair("q", "right", "b", rollout_id="late-1")
    with pytest.raises(ScoringTimeout):
        client.score_pairs([pair], timeout=0.2)
    broker.release()
    [result] = client.score_pairs([pair], timeout=5)
    assert result.rollout_id == "late-1" and result.preferred == "A"
    assert [k for _, k, _ in broker.produced] == [b"late-1"]  # sent once, scored once


def test_a_result_that_lands_during_another_call_is_kept_for_the_retry(client, broker):
    broker.hold = True
    with pytest.raises(ScoringTimeout):
        client.score_pairs([Pair("q", "right", "b", rollout_id="late-2")], timeout=0.2)
    broker.hold = False
    broker.release()
    client.score_pairs([Pair("q", "right", "c")], timeout=5)  # reads late-2's result on the way
    assert client.pending() == []
    [result] = client.score_pairs([Pair("q", "right", "b", rollout_id="late-2")], timeout=5)
    assert result.rollout_id == "late-2"
    assert [k for _, k, _ in broker.produced].count(b"late-2") == 1


def test_a_pair_that_never_reached_kafka_is_sent_again(client, broker):
    broker.fail_delivery.add(b"lost-1")
    [err] = client.score_pairs(
        [Pair("q", "right", "b", rollout_id="lost-1")], timeout=5, return_exceptions=True
    )
    assert isinstance(err, DeliveryError) and "fake delivery failure" in str(err)
    broker.fail_delivery.clear()
    [result] = client.score_pairs([Pair("q", "right", "b", rollout_id="lost-1")], timeout=5)
    assert result.ok


def test_a_duplicate_dead_letter_keeps_waiting_for_the_buffered_copy(client, broker):
    def duplicate_then_result(key, value):
        _, pair = CODEC.decode(value)
        dup = dead_letter_record(pair["rollout_id"], "DUPLICATE", "already buffered", key, value)
        return [("rollouts-dlq", key, CODEC.encode("DeadLetter", dup))] + judge_server(key, value)

    broker.server = duplicate_then_result
    [result] = client.score_pairs([Pair("q", "right", "b")], timeout=5)
    assert result.ok


def test_ids_must_be_unique_within_a_call(client):
    with pytest.raises(ValueError, match="unique"):
        client.score_pairs([Pair("q", "a", "b", rollout_id="x")] * 2)


def test_records_from_earlier_traffic_are_not_read(broker):
    for i in range(50):  # someone else's results, before this client's call
        broker.append("rewards", b"old", CODEC.encode("RewardResult", reward_record(f"old-{i}")))
    with RewardClient("fake:9092", _kafka=broker.module(), poll_interval=0.01) as c:
        c.score_pairs([Pair("q", "right", "b")], timeout=5)
        assert all(pos >= 0 for pos in c._consumer.positions.values())
        assert sum(c._consumer.positions[("rewards", p)] for p in range(3)) == 51


def test_concurrent_calls_share_the_consumer(client):
    results = {}

    def call(n):
        results[n] = client.score_pairs(
            [Pair(f"t{n}-{i}", "right", "x") for i in range(10)], timeout=5
        )

    threads = [threading.Thread(target=call, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1, 2, 3] and all(len(r) == 10 for r in results.values())


def test_the_asyncio_variant(client):
    async def main():
        return await asyncio.gather(
            client.score_pairs_async([Pair("a", "right", "x")], timeout=5),
            client.score_pairs_async([Pair("b", "x", "right")], timeout=5),
        )

    first, second = asyncio.run(main())
    assert first[0].preferred == "A" and second[0].preferred == "B"


def group_server(key, value):
    """A stand-in for the app's group scoring: longer responses rank higher; too small groups
    are dead-lettered like the app does (GROUP_SIZE, group_id set, no rollout_id)."""
    record, group = CODEC.decode(value)
    if record != "RolloutGroup":
        return judge_server(key, value)
    gid = group["group_id"]
    responses = group["responses"]
    if len(responses) < 2:
        letter = dead_letter_record(None, "GROUP_SIZE", "group has 1 responses", key, value)
        letter["group_id"] = gid
        return [("rollouts-dlq", key, CODEC.encode("DeadLetter", letter))]
    lengths = [len(r["text"]) for r in responses]
    mean = sum(lengths) / len(lengths)
    order = sorted(range(len(lengths)), key=lambda k: -lengths[k])
    result = {
        "group_id": gid,
        "status": "OK",
        "failure_reason": None,
        "strategy": "swiss",
        "responses": [
            {
                "response_id": r["response_id"],
                "reward": (lengths[k] - mean) / 10,
                "score": 0.5,
                "rank": order.index(k) + 1,
                "wins": 0,
                "losses": 0,
                "ties": 0,
                "failed": 0,
            }
            for k, r in enumerate(responses)
        ],
        "comparisons": [],
        "comparison_count": len(responses) - 1,
        "generations": 2,
        "tokens_used": 10,
        "mode": "greedy",
        "judge_id": "fake",
        "judge_version": "0",
        "model_hash": "00",
        "seed": 1,
        "latency_ms": 5,
        "scored_at": 1767225600123,
        "policy_version": group["policy_version"],
        "produced_at": group["produced_at"],
        "source_topic": "rollout-groups",
        "source_partition": 0,
        "source_offset": 1,
    }
    return [("group-rewards", key, CODEC.encode("GroupRewardResult", result))]


@pytest.fixture
def group_client():
    b = Broker()
    b.create("rollouts", "rewards", "rollouts-dlq", "rollout-groups", "group-rewards")
    b.server = group_server
    with RewardClient("fake:9092", _kafka=b.module(), poll_interval=0.01) as c:
        yield c, b


def test_groups_come_back_in_input_order_with_a_reward_per_response(group_client):
    client, broker = group_client
    groups = [
        {"prompt": "q1", "responses": ["short", "a much longer answer", "mid answer"]},
        Group("q2", ("xx", "x"), group_id="mine", response_ids=("long", "short")),
    ]
    results = client.score_groups(groups, timeout=5)

    assert [type(r) for r in results] == [GroupReward, GroupReward]
    assert results[0].group_id.startswith("pyg-") and results[1].group_id == "mine"
    assert [r.rank for r in results[0].responses] == [3, 1, 2]
    assert abs(sum(results[0].rewards)) < 1e-9
    assert [r.response_id for r in results[1].responses] == ["long", "short"]
    assert results[1].rewards[0] > results[1].rewards[1]
    assert {t for t, _, _ in broker.produced} == {"rollout-groups"}


def test_a_dead_lettered_group_resolves_with_the_servers_reason(group_client):
    client, _ = group_client
    [error] = client.score_groups(
        [{"prompt": "q", "responses": ["only one"], "group_id": "g-1"}],
        timeout=5,
        return_exceptions=True,
    )
    assert isinstance(error, DeadLetteredError)
    assert error.dead_letter.reason_code == "GROUP_SIZE" and error.dead_letter.group_id == "g-1"


def test_groups_and_pairs_share_one_client(group_client):
    client, _ = group_client
    [pair] = client.score_pairs([Pair("q", "right", "wrong")], timeout=5)
    [group] = client.score_groups([{"prompt": "q", "responses": ["a", "bb"]}], timeout=5)
    assert pair.preferred == "A" and group.responses[1].rank == 1


def test_a_server_without_group_scoring_is_named(client):
    with pytest.raises(GroupScoringUnavailable, match="'group-rewards' does not exist"):
        client.score_groups([{"prompt": "q", "responses": ["a", "b"]}])


def test_a_missing_topic_is_named(broker):
    with RewardClient("fake:9092", rewards_topic="nope", _kafka=broker.module()) as c:
        with pytest.raises(Exception, match="'nope' does not exist"):
            c.score_pairs([Pair("q", "a", "b")], timeout=1)


def test_a_closed_client_refuses_work(broker):
    c = RewardClient("fake:9092", _kafka=broker.module())
    c.close()
    with pytest.raises(Exception, match="closed"):
        c.score_pairs([Pair("q", "a", "b")])


def test_a_timeout_carries_the_generated_ids_so_the_same_pairs_can_be_asked_again(client, broker):
    import dataclasses

    broker.hold = True
    pairs = [Pair("q", "right", "b"), Pair("q", "b", "right")]
    with pytest.raises(ScoringTimeout) as caught:
        client.score_pairs(pairs, timeout=0.2)
    assert (
        caught.value.missing == caught.value.rollout_ids and len(set(caught.value.rollout_ids)) == 2
    )
    broker.release()
    again = [dataclasses.replace(p, rollout_id=i) for p, i in zip(pairs, caught.value.rollout_ids)]
    assert [r.preferred for r in client.score_pairs(again, timeout=5)] == ["A", "B"]
    assert len(broker.produced) == 2


def test_forget_stops_reading_for_timed_out_ids(client, broker):
    broker.server = lambda key, value: []
    with pytest.raises(ScoringTimeout):
        client.score_pairs([Pair("q", "a", "b", rollout_id="never")], timeout=0.1)
    assert client.pending() == ["never"]
    client.forget()
    assert client.pending() == []


def test_two_concurrent_calls_for_the_same_id_both_get_its_one_result(client, broker):
    broker.hold = True
    results = []

    def call():
        results.append(
            client.score_pairs([Pair("q", "right", "b", rollout_id="shared")], timeout=5)
        )

    threads = [threading.Thread(target=call) for _ in range(2)]
    for t in threads:
        t.start()
    threading.Event().wait(0.2)
    broker.release()
    for t in threads:
        t.join()
    assert [r[0].rollout_id for r in results] == ["shared", "shared"]
    assert [k for _, k, _ in broker.produced] == [b"shared"] and client.pending() == []


def test_the_grpo_adapter_can_use_the_servers_group_scoring(group_client):
    from rewardstream.adapters import grpo_reward_func

    client, broker = group_client
    reward = grpo_reward_func(client, strategy="server", timeout=5)
    out = reward(["q", "q", "q"], ["a", "a longer one", "mid one"])

    assert out.index(max(out)) == 1 and abs(sum(out)) < 1e-9
    assert {t for t, _, _ in broker.produced} == {"rollout-groups"}
