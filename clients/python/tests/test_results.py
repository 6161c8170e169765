"""Result and dead-letter records decode into typed dataclasses."""

import datetime as dt

from rewardstream import _avro
from rewardstream.types import DeadLetter, PairReward


def reward_record(rollout_id, status="OK", p_a_better=0.9, failure_reason=None):
    """A RewardResult as the app writes it (RewardResults.of)."""
    return {
        "rollout_id": rollout_id,
        "status": status,
        "failure_reason": failure_reason,
        "preferred": "A" if p_a_better > 0.5 else "B" if p_a_better < 0.5 else "TIE",
        "p_a_better": p_a_better,
        "reward_a": p_a_better - 0.5,
        "reward_b": 0.5 - p_a_better,
        "chosen_analysis": "A is right.",
        "chosen_index": 0,
        "candidates": [
            {
                "index": 0,
                "order": "AB",
                "verdict": "A",
                "confidence": -0.1,
                "anchor": True,
                "won_reflection": None,
                "tokens": 12,
                "text": None,
            },
            {
                "index": 1,
                "order": "BA",
                "verdict": "A",
                "confidence": -0.2,
                "anchor": False,
                "won_reflection": True,
                "tokens": 11,
                "text": "...",
            },
        ],
        "position_consistency": 1.0,
        "mode": "greedy",
        "judge_id": "judge-tiny",
        "judge_version": "3.0.0",
        "model_hash": "ab" * 32,
        "seed": 42,
        "generations": 2,
        "tokens_used": 23,
        "latency_ms": 120,
        "scored_at": 1767225600123,
        "policy_version": "p1",
        "produced_at": 1767225600000,
        "group_id": None,
        "source_topic": "rollouts",
        "source_partition": 1,
        "source_offset": 7,
    }


def dead_letter_record(
    rollout_id, code="EMPTY_FIELD", reason="field 'response_a' is empty", key=None, value=None
):
    return {
        "reason_code": code,
        "reason": reason,
        "rollout_id": rollout_id,
        "policy_version": None,
        "source_topic": "rollouts",
        "source_partition": 0,
        "source_offset": 3,
        "original_key": key,
        "original_value": value,
        "failed_at": 1767225600500,
        "produced_at": None,
    }


def test_a_reward_result_decodes_into_a_typed_result(backend):
    codec = _avro.Codec(backend)
    _, value = codec.decode(codec.encode("RewardResult", reward_record("r-1")))
    result = PairReward.from_avro(value)
    assert result.ok and result.rollout_id == "r-1" and result.preferred == "A"
    assert abs(result.reward_a - 0.4) < 1e-12 and abs(result.reward_b + 0.4) < 1e-12
    assert result.candidates[1].won_reflection is True and result.candidates[0].order == "AB"
    assert result.scored_at == dt.datetime(2026, 1, 1, 0, 0, 0, 123000, tzinfo=dt.timezone.utc)
    assert result.source_partition == 1 and result.source_offset == 7


def test_a_dead_letter_decodes_and_names_its_rollout(backend):
    codec = _avro.Codec(backend)
    record = dead_letter_record(
        None, "UNDECODABLE", "not a RolloutPair", key=b"r-9", value=b"\x00junk"
    )
    _, value = codec.decode(codec.encode("DeadLetter", record))
    letter = DeadLetter.from_avro(value)
    assert letter.reason_code == "UNDECODABLE" and letter.rollout_id is None
    assert letter.key_text() == "r-9" and letter.original_value == b"\x00junk"
    assert letter.produced_at is None
