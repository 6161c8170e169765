"""The registry wire format of the client (``serde_format="registry"``), byte by byte.

The registry here is a fake (``FakeRegistry``, a dict behind confluent-kafka's client methods):
these tests are about the framing and the routing. The real registry (Apicurio Registry, its
Confluent-compatible API) and the real app are exercised by ``SchemaRegistryIT``, which also runs
this client against them.
"""

import json
import struct

import pytest

from rewardstream import RewardClient, _avro
from rewardstream.client import _codec


class _Registered:
    def __init__(self, schema_id, schema_str):
        self.schema_id = schema_id
        self.schema_str = schema_str


class _NotFound(Exception):
    http_status_code = 404


class FakeRegistry:
    """register_schema / lookup_schema / get_schema of confluent-kafka's SchemaRegistryClient."""

    def __init__(self):
        self.by_id = {}
        self.subjects = {}

    def register_schema(self, subject, schema):
        for schema_id, text in self.by_id.items():
            if text == schema.schema_str:
                self.subjects.setdefault(subject, schema_id)
                return schema_id
        schema_id = 100 + len(self.by_id)
        self.by_id[schema_id] = schema.schema_str
        self.subjects[subject] = schema_id
        return schema_id

    def lookup_schema(self, subject, schema):
        if subject not in self.subjects:
            raise _NotFound(subject)
        return _Registered(self.subjects[subject], self.by_id[self.subjects[subject]])

    def get_schema(self, schema_id):
        if schema_id not in self.by_id:
            raise _NotFound(schema_id)
        return _Registered(schema_id, self.by_id[schema_id])


PAIR = {
    "rollout_id": "r-1",
    "prompt": "Ana has 3 cups. How many cups does Ana have?",
    "response_a": "3 cups.",
    "response_b": "4 cups.",
    "policy_version": "p",
    "reference_answer": None,
    "metadata": {},
    "produced_at": 0,
    "messages": None,
}


def pair(codec):
    latest = codec.latest("RolloutPair").json
    return {f["name"]: PAIR.get(f["name"], f.get("default")) for f in latest["fields"]}


def test_registry_format_frames_with_the_subjects_id_and_reads_both_formats():
    registry = FakeRegistry()
    codec = _codec(None, "registry", None, None, registry)
    value = pair(codec.codec)

    framed = codec.encode("RolloutPair", value, "rollouts")

    magic, schema_id = struct.unpack(">bI", framed[:5])
    assert magic == 0
    assert registry.subjects == {"rollouts-value": schema_id}
    assert json.loads(registry.by_id[schema_id])["name"] == "RolloutPair"
    assert codec.decode(framed, expect="RolloutPair") == ("RolloutPair", value)
    single = codec.codec.encode("RolloutPair", value)
    assert single[:2] == b"\xc3\x01"
    assert codec.decode(single) == ("RolloutPair", value)


def test_single_object_format_with_a_registry_still_writes_single_object():
    codec = _codec(None, "single-object", None, None, FakeRegistry())
    assert codec.encode("RolloutPair", pair(codec.codec), "rollouts")[:2] == b"\xc3\x01"


def test_an_unknown_id_another_record_and_a_missing_url_are_clear_errors():
    registry = FakeRegistry()
    codec = _codec(None, "registry", None, None, registry)
    with pytest.raises(_avro.UnknownSchemaError, match="schema id 999 is not in the registry"):
        codec.decode(struct.pack(">bI", 0, 999) + b"\x00")
    framed = codec.encode("RolloutPair", pair(codec.codec), "rollouts")
    with pytest.raises(_avro.UnknownSchemaError, match="expected a RewardResult record"):
        codec.decode(framed, expect="RewardResult")
    with pytest.raises(ValueError, match="needs schema_registry_url"):
        RewardClient("fake:9092", serde_format="registry", _kafka=object())
    with pytest.raises(ValueError, match="expected one of"):
        RewardClient("fake:9092", serde_format="confluent", _kafka=object())


def test_lookup_only_refuses_a_schema_nobody_registered():
    codec = _codec(None, "registry", None, {"auto.register": "false"}, FakeRegistry())
    with pytest.raises(_NotFound):
        codec.encode("RolloutPair", pair(codec.codec), "rollouts")
