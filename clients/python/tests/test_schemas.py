"""The packaged schemas cannot drift from the repository's, and the encoding is the Java serde's."""

import json
import re
import struct

import pytest
from conftest import has_module

from rewardstream import _avro

HISTORY = "schemas/src/main/resources/io/rewardstream/avro/history"
CURRENT = "schemas/src/main/avro/io/rewardstream/avro"
FIXTURES = "schemas/src/test/resources/fixtures"

# SchemaNormalization.parsingFingerprint64 of each file, printed by Java (Avro 1.12.1).
JAVA_FINGERPRINTS = {
    "DeadLetter-v1.avsc": 0x449B835C2FCCE069,
    "DeadLetter-v2.avsc": 0x7667DA34B3ED83A8,
    "DriftAlert-v1.avsc": 0x0194B311852144DA,
    "DriftAlert-v2.avsc": 0x3DFEA137A0415DFD,
    "GroupRewardResult-v1.avsc": 0x0E9FF408B1FC2AE2,
    "GroupWindowStats-v1.avsc": 0xC0D96EFDD2863290,
    "RewardResult-v1.avsc": 0x67BFCF533905CDC6,
    "RewardWindowStats-v1.avsc": 0xA2126D6773E46706,
    "RolloutGroup-v1.avsc": 0x04C9807FA1F8991D,
    "RolloutPair-v1.avsc": 0x122B0555D42DBEF5,
    "RolloutPair-v2.avsc": 0x1C609E65CB729714,
}


def test_packaged_schemas_are_byte_identical_to_the_repository_history(repo):
    repo_files = {p.name: p.read_bytes() for p in (repo / HISTORY).glob("*.avsc")}
    packaged = _avro.packaged_schema_files()
    assert sorted(packaged) == sorted(repo_files), (
        "clients/python/rewardstream/schemas/ must hold a copy of every file in "
        + HISTORY
        + "; run: cp "
        + HISTORY
        + "/*.avsc clients/python/rewardstream/schemas/"
    )
    for name, data in repo_files.items():
        assert packaged[name] == data, f"{name} differs from {HISTORY}/{name}; copy it again"


def test_the_newest_version_of_each_record_is_the_current_schema(repo, backend):
    codec = _avro.Codec(backend)
    for avsc in (repo / CURRENT).glob("*.avsc"):
        record = avsc.stem
        latest = codec.latest(record)
        packaged = _avro.packaged_schema_files()[f"{record}-v{latest.version}.avsc"]
        assert packaged == avsc.read_bytes(), f"{record}: newest history version != {avsc}"


@pytest.mark.parametrize("name", sorted(JAVA_FINGERPRINTS))
def test_fingerprints_equal_javas(name):
    schema = json.loads(_avro.packaged_schema_files()[name])
    assert _avro.fingerprint(schema) == JAVA_FINGERPRINTS[name]


def test_canonical_form_of_a_logical_type_is_the_bare_primitive():
    schema = {
        "type": "record",
        "name": "T",
        "namespace": "a.b",
        "doc": "x",
        "fields": [
            {"name": "t", "type": {"type": "long", "logicalType": "timestamp-millis"}, "doc": "d"},
            {
                "name": "e",
                "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"], "default": "X"},
            },
            {"name": "r", "type": ["null", "E"], "default": None},
        ],
    }
    assert _avro.parsing_canonical_form(schema) == (
        '{"name":"a.b.T","type":"record","fields":[{"name":"t","type":"long"},'
        '{"name":"e","type":{"name":"a.b.E","type":"enum","symbols":["X","Y"]}},'
        '{"name":"r","type":["null","a.b.E"]}]}'
    )


def test_crc64_of_empty_input_is_the_spec_constant():
    assert _avro.crc64_avro(b"") == 0xC15D213AA4D7A795


@pytest.mark.skipif(not has_module("avro"), reason="python3-avro is not installed")
def test_canonical_form_matches_python3_avro_once_its_logical_type_quirk_is_undone():
    import avro.schema

    for name, data in _avro.packaged_schema_files().items():
        theirs = avro.schema.parse(data.decode()).canonical_form
        # python3-avro 1.11 keeps {"type":"long"} for logical types (README, "Wire format").
        theirs = re.sub(
            r'\{"type":"(null|boolean|int|long|float|double|bytes|string)"\}', r'"\1"', theirs
        )
        assert _avro.parsing_canonical_form(json.loads(data)) == theirs, name


@pytest.mark.skipif(not has_module("fastavro"), reason="fastavro is not installed")
def test_canonical_form_and_fingerprint_match_fastavro():
    import fastavro.schema

    for name, data in _avro.packaged_schema_files().items():
        schema = json.loads(data)
        theirs = fastavro.schema.to_parsing_canonical_form(schema)
        assert _avro.parsing_canonical_form(schema) == theirs, name
        # fastavro prints the fingerprint's bytes as they go on the wire: little-endian.
        wire = struct.pack("<Q", _avro.fingerprint(schema)).hex()
        assert fastavro.schema.fingerprint(theirs, "CRC-64-AVRO") == wire


def _fixture(repo):
    expected = json.loads((repo / FIXTURES / "rollout-pair.json").read_text(encoding="utf-8"))
    record = {k: v for k, v in expected.items() if not k.startswith("_")}
    return record, expected, (repo / FIXTURES / "rollout-pair.bin").read_bytes()


def test_encoding_is_byte_identical_to_the_java_serde_fixture(repo, backend):
    record, expected, data = _fixture(repo)
    codec = _avro.Codec(backend)
    assert codec.header("RolloutPair").hex() == expected["_header_hex"]
    assert codec.encode("RolloutPair", record) == data


def test_the_fixture_decodes_to_its_fields(repo, backend):
    record, _, data = _fixture(repo)
    assert _avro.Codec(backend).decode(data) == ("RolloutPair", record)


def test_a_pair_from_the_dataclass_encodes_to_the_fixture(repo, backend):
    from rewardstream.types import Pair

    record, _, data = _fixture(repo)
    pair = Pair.from_dict(record)
    assert _avro.Codec(backend).encode("RolloutPair", pair.to_avro(pair.rollout_id, 0)) == data


def test_an_older_version_decodes_into_the_current_record_with_defaults(backend):
    files = _avro.packaged_schema_files()
    old = _avro.Codec(backend, files={"RolloutPair-v1.avsc": files["RolloutPair-v1.avsc"]})
    v1 = {
        "rollout_id": "r",
        "prompt": "p",
        "response_a": "a",
        "response_b": "b",
        "policy_version": "v",
        "produced_at": 5,
    }
    data = old.encode("RolloutPair", v1)
    record, value = _avro.Codec(backend).decode(data)
    assert record == "RolloutPair"
    assert value == {
        **v1,
        "messages": None,
        "group_id": None,
        "reference_answer": None,
        "metadata": {},
    }


def test_both_backends_write_the_same_bytes_for_every_record():
    if not (has_module("fastavro") and has_module("avro")):
        pytest.skip("needs both fastavro and python3-avro")
    from test_results import dead_letter_record, reward_record

    fast, slow = _avro.Codec("fastavro"), _avro.Codec("avro")
    for name, value in (
        ("RewardResult", reward_record("r-1")),
        ("DeadLetter", dead_letter_record("r-2")),
    ):
        assert fast.encode(name, value) == slow.encode(name, value)
        assert slow.decode(fast.encode(name, value)) == (name, value)


@pytest.mark.parametrize(
    "data, message",
    [
        (b'{"json": 1}', "not Avro single-object encoding"),
        (b"\xc3\x01\x00", "not Avro single-object encoding"),
        (b"\xc3\x01" + struct.pack("<Q", 0x0123456789ABCDEF) + b"x", "0x0123456789ABCDEF"),
    ],
)
def test_bad_bytes_are_refused_with_a_reason(data, message, backend):
    with pytest.raises(_avro.UnknownSchemaError, match=message):
        _avro.Codec(backend).decode(data)


def test_a_record_of_another_type_is_refused(repo, backend):
    _, _, data = _fixture(repo)
    with pytest.raises(
        _avro.UnknownSchemaError, match="expected a RewardResult record, got a RolloutPair"
    ):
        _avro.Codec(backend).decode(data, expect="RewardResult")
