"""The CLI's JSONL reading matches the Java produce command; lines print readably."""

import datetime as dt
import io
import json

import pytest
from test_results import dead_letter_record, reward_record

from rewardstream import _avro, cli, jsonl
from rewardstream.errors import DeadLetteredError
from rewardstream.types import ChatMessage, DeadLetter, PairReward

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
LINE = {
    "rollout_id": "r-1",
    "prompt": "p",
    "response_a": "a",
    "response_b": "b",
    "policy_version": "v",
}


def parse(**fields):
    return jsonl.parse(json.dumps({**LINE, **fields}), "f.jsonl line 1", NOW)


def test_a_full_line_parses_like_the_java_produce():
    pair = parse(
        group_id="g",
        reference_answer="4",
        metadata={"step": 12, "ok": True, "t": 1.5},
        produced_at=1767225600000,
        messages=[{"role": "user", "content": "p"}],
    )
    assert pair.rollout_id == "r-1" and pair.group_id == "g" and pair.reference_answer == "4"
    assert pair.metadata == {"step": "12", "ok": "true", "t": "1.5"}
    assert pair.produced_at == NOW and pair.messages == (ChatMessage("user", "p"),)
    assert parse(produced_at="2026-01-01T00:00:00Z").produced_at == NOW
    assert parse().produced_at == NOW  # default: now


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"extra": 1}, 'unknown field "extra"'),
        ({"prompt": None}, 'has no "prompt"'),
        ({"prompt": 3}, 'field "prompt" must be a string, got number 3'),
        ({"metadata": {"a": [1]}}, 'metadata "a" must be a string, number or boolean'),
        ({"produced_at": "yesterday"}, "ISO-8601"),
        ({"messages": [{"role": "user"}]}, 'messages\\[0\\] has no "content"'),
    ],
)
def test_bad_lines_name_the_line_and_the_field(fields, message):
    with pytest.raises(ValueError, match=message) as caught:
        parse(**fields)
    assert str(caught.value).startswith("f.jsonl line 1")


def test_empty_strings_are_accepted_for_the_server_to_dead_letter():
    assert parse(response_a="").response_a == ""


def test_blank_lines_are_skipped_and_line_numbers_counted():
    lines = [json.dumps(LINE), "", json.dumps({**LINE, "rollout_id": "r-2"}), "{"]
    with pytest.raises(ValueError, match="f line 4 is not valid JSON"):
        jsonl.read(lines, "f")
    assert [p.rollout_id for p in jsonl.read(lines[:3], "f")] == ["r-1", "r-2"]


def test_tail_lines_recognise_the_record_type():
    codec = _avro.Codec()
    line = cli.format_record(codec, codec.encode("RewardResult", reward_record("r-1")))
    assert line.startswith("reward  r-1 OK preferred=A p_a_better=0.900 reward_a=+0.400")
    line = cli.format_record(codec, codec.encode("DeadLetter", dead_letter_record("r-2")))
    assert line == "dead-letter  r-2 EMPTY_FIELD: field 'response_a' is empty"
    assert cli.format_record(codec, None) == "(tombstone: null value)"
    assert cli.format_record(codec, b"junk").startswith("undecodable 4 bytes")


def test_score_prints_one_json_line_per_input():
    ok = cli.result_line("r-1", PairReward.from_avro(reward_record("r-1")))
    assert ok["status"] == "OK" and ok["preferred"] == "A"
    dead = DeadLetteredError("r-2", DeadLetter.from_avro(dead_letter_record("r-2")))
    assert cli.result_line("r-2", dead) == {
        "rollout_id": "r-2",
        "status": "ERROR",
        "reason_code": "EMPTY_FIELD",
        "reason": "field 'response_a' is empty",
    }
    assert cli.result_line("r-3", None)["status"] == "MISSING"


def test_bad_arguments_exit_non_zero(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"rollout_id": 1}\n')
    assert cli.main(["produce", str(bad)], out=io.StringIO()) == 2
    assert "bad.jsonl line 1" in capsys.readouterr().err


def test_a_dict_pair_takes_an_iso_timestamp_like_jsonl():
    from rewardstream.types import Pair

    pair = Pair.from_dict({**LINE, "produced_at": "2026-01-01T00:00:00Z"})
    assert pair.to_avro("r", 0)["produced_at"] == 1767225600000
