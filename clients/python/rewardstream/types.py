"""Typed inputs and results: the Avro records as dataclasses (timestamps as aware datetimes)."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import uuid
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def to_millis(value: _dt.datetime | int | None) -> int:
    """Epoch milliseconds of an aware datetime (naive = UTC) or an int; None = now."""
    if value is None:
        value = _dt.datetime.now(_dt.timezone.utc)
    if isinstance(value, bool):
        raise TypeError("a timestamp must be a datetime or epoch milliseconds, not a bool")
    if isinstance(value, int):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return (value - _EPOCH) // _dt.timedelta(milliseconds=1)


def from_millis(ms: int) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(milliseconds=ms)


def new_rollout_id() -> str:
    """A fresh, unique rollout id (what the client uses when the caller gives none)."""
    return "py-" + uuid.uuid4().hex


@dataclass(frozen=True)
class ChatMessage:
    role: str
    content: str


@dataclass(frozen=True)
class Pair:
    """One rollout pair to score: a prompt and two responses (Avro ``RolloutPair``).

    ``rollout_id`` is the correlation and dedup key; leave it None to have the client generate
    one (it is filled in on the result). ``produced_at`` None means the time of sending.
    """

    prompt: str
    response_a: str
    response_b: str
    policy_version: str = "unknown"
    rollout_id: Optional[str] = None
    group_id: Optional[str] = None
    reference_answer: Optional[str] = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    messages: Optional[tuple[ChatMessage, ...]] = None
    produced_at: Optional[_dt.datetime] = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Pair":
        """A pair from a dict with the JSONL field names (see :mod:`rewardstream.jsonl`)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown pair field(s) {unknown} (known: {sorted(known)})")
        values = dict(d)
        if values.get("messages") is not None:
            values["messages"] = tuple(
                m if isinstance(m, ChatMessage) else ChatMessage(m["role"], m["content"])
                for m in values["messages"]
            )
        produced_at = values.get("produced_at")
        if isinstance(produced_at, int) and not isinstance(produced_at, bool):
            values["produced_at"] = from_millis(produced_at)
        elif isinstance(produced_at, str):  # an ISO-8601 instant, as in JSONL
            values["produced_at"] = _dt.datetime.fromisoformat(produced_at.replace("Z", "+00:00"))
        return cls(**values)

    def to_avro(self, rollout_id: str, now_ms: int) -> dict:
        """The Avro ``RolloutPair`` dict with this id (timestamps in epoch ms)."""
        return {
            "rollout_id": rollout_id,
            "prompt": self.prompt,
            "response_a": self.response_a,
            "response_b": self.response_b,
            "policy_version": self.policy_version,
            "produced_at": now_ms if self.produced_at is None else to_millis(self.produced_at),
            "messages": None
            if self.messages is None
            else [{"role": m.role, "content": m.content} for m in self.messages],
            "group_id": self.group_id,
            "reference_answer": self.reference_answer,
            "metadata": {str(k): str(v) for k, v in dict(self.metadata).items()},
        }


@dataclass(frozen=True)
class Candidate:
    """One sampled judgment of the pair (Avro ``JudgmentCandidate``)."""

    index: int
    order: str  # "AB" (response_a shown first) or "BA"
    verdict: str  # "A", "B" or "ABSTAIN"
    confidence: float
    anchor: bool = False
    won_reflection: Optional[bool] = None
    tokens: int = 0
    text: Optional[str] = None


@dataclass(frozen=True)
class PairReward:
    """The judge's reward for one pair (Avro ``RewardResult``), status OK.

    ``reward_a`` is ``p_a_better - 0.5`` and ``reward_b`` is ``-reward_a``; ``preferred`` is
    ``"A"``, ``"B"`` or ``"TIE"``.
    """

    rollout_id: str
    status: str
    preferred: str
    p_a_better: float
    reward_a: float
    reward_b: float
    chosen_analysis: str
    chosen_index: int
    candidates: tuple[Candidate, ...]
    position_consistency: Optional[float]
    mode: str
    judge_id: str
    judge_version: str
    model_hash: str
    seed: int
    generations: int
    tokens_used: int
    latency_ms: int
    scored_at: _dt.datetime
    policy_version: str
    produced_at: _dt.datetime
    group_id: Optional[str]
    source_topic: str
    source_partition: int
    source_offset: int
    failure_reason: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.status == "OK"

    @classmethod
    def from_avro(cls, r: Mapping[str, Any]) -> "PairReward":
        values = {f.name: r.get(f.name) for f in dataclasses.fields(cls)}
        values["candidates"] = tuple(Candidate(**c) for c in r.get("candidates") or ())
        values["scored_at"] = from_millis(r["scored_at"])
        values["produced_at"] = from_millis(r.get("produced_at") or 0)
        return cls(**values)


@dataclass(frozen=True)
class DeadLetter:
    """A record RewardStream could not score (Avro ``DeadLetter``)."""

    reason_code: str  # UNDECODABLE, EMPTY_FIELD, OVER_TOKEN_BUDGET, DUPLICATE, KEY_MISMATCH, ...
    reason: str
    rollout_id: Optional[str]
    policy_version: Optional[str]
    source_topic: str
    source_partition: int
    source_offset: int
    original_key: Optional[bytes]
    original_value: Optional[bytes]
    failed_at: _dt.datetime
    produced_at: Optional[_dt.datetime] = None
    group_id: Optional[str] = None  # set for a rollout group's dead letter (no rollout_id then)
    original_value_size: Optional[int] = None  # set when original_value holds only a prefix

    @classmethod
    def from_avro(cls, r: Mapping[str, Any]) -> "DeadLetter":
        values = {f.name: r.get(f.name) for f in dataclasses.fields(cls)}
        values["failed_at"] = from_millis(r["failed_at"])
        if r.get("produced_at") is not None:
            values["produced_at"] = from_millis(r["produced_at"])
        return cls(**values)

    def key_text(self) -> Optional[str]:
        """The rollout (or group) id this letter is about: the decoded one, else the original
        Kafka key."""
        if self.rollout_id:
            return self.rollout_id
        if self.group_id:
            return self.group_id
        if self.original_key is not None:
            return bytes(self.original_key).decode("utf-8", errors="replace")
        return None


def new_group_id() -> str:
    """A fresh, unique group id (what the client uses when the caller gives none)."""
    return "pyg-" + uuid.uuid4().hex


@dataclass(frozen=True)
class Group:
    """A group of responses to one prompt (Avro ``RolloutGroup``), scored relative to each other.

    ``responses`` are the texts; ``response_ids`` default to ``r0``, ``r1``, ... ``group_id`` is
    the correlation and dedup key (generated when None).
    """

    prompt: str
    responses: tuple[str, ...]
    policy_version: str = "unknown"
    group_id: Optional[str] = None
    response_ids: Optional[tuple[str, ...]] = None
    reference_answer: Optional[str] = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    messages: Optional[tuple[ChatMessage, ...]] = None
    produced_at: Optional[_dt.datetime] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "responses", tuple(self.responses))
        if self.response_ids is not None:
            object.__setattr__(self, "response_ids", tuple(self.response_ids))
            if len(self.response_ids) != len(self.responses):
                raise ValueError(
                    f"{len(self.response_ids)} response_ids for {len(self.responses)} responses"
                )

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Group":
        """A group from a dict: ``responses`` as texts or as ``{"response_id", "text"}``."""
        values = dict(d)
        responses = values.pop("responses", None)
        if not responses:
            raise ValueError("a group needs 'responses'")
        if all(isinstance(r, Mapping) for r in responses):
            values["response_ids"] = tuple(
                r.get("response_id") or f"r{k}" for k, r in enumerate(responses)
            )
            responses = [r["text"] for r in responses]
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown group field(s) {unknown} (known: {sorted(known)})")
        if values.get("messages") is not None:
            values["messages"] = tuple(
                m if isinstance(m, ChatMessage) else ChatMessage(m["role"], m["content"])
                for m in values["messages"]
            )
        return cls(responses=tuple(responses), **values)

    def ids(self) -> tuple[str, ...]:
        return self.response_ids or tuple(f"r{k}" for k in range(len(self.responses)))

    def to_avro(self, group_id: str, now_ms: int) -> dict:
        """The Avro ``RolloutGroup`` dict with this id (timestamps in epoch ms)."""
        return {
            "group_id": group_id,
            "prompt": self.prompt,
            "responses": [
                {"response_id": rid, "text": text} for rid, text in zip(self.ids(), self.responses)
            ],
            "policy_version": self.policy_version,
            "produced_at": now_ms if self.produced_at is None else to_millis(self.produced_at),
            "messages": None
            if self.messages is None
            else [{"role": m.role, "content": m.content} for m in self.messages],
            "reference_answer": self.reference_answer,
            "metadata": {str(k): str(v) for k, v in dict(self.metadata).items()},
        }


@dataclass(frozen=True)
class ResponseReward:
    """One response's standing in its group (Avro ``ResponseReward``)."""

    response_id: str
    reward: float  # Bradley-Terry log-strength, centred to mean 0 in the group
    score: float  # expected win rate against the rest of the group, 0..1
    rank: int  # 1 = best
    wins: int
    losses: int
    ties: int
    failed: int = 0


@dataclass(frozen=True)
class GroupReward:
    """Group-relative rewards for one group (Avro ``GroupRewardResult``), responses in input
    order. ``rewards`` is the list a GRPO loop wants."""

    group_id: str
    status: str
    strategy: str
    responses: tuple[ResponseReward, ...]
    comparison_count: int
    generations: int
    tokens_used: int
    mode: str
    judge_id: str
    judge_version: str
    model_hash: str
    seed: int
    latency_ms: int
    scored_at: _dt.datetime
    policy_version: str
    produced_at: _dt.datetime
    source_topic: str
    source_partition: int
    source_offset: int
    comparisons: tuple[Mapping[str, Any], ...] = ()
    failure_reason: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.status == "OK"

    @property
    def rewards(self) -> list[float]:
        return [r.reward for r in self.responses]

    @classmethod
    def from_avro(cls, r: Mapping[str, Any]) -> "GroupReward":
        values = {f.name: r.get(f.name) for f in dataclasses.fields(cls)}
        values["responses"] = tuple(ResponseReward(**x) for x in r.get("responses") or ())
        values["comparisons"] = tuple(dict(c) for c in r.get("comparisons") or ())
        values["scored_at"] = from_millis(r["scored_at"])
        values["produced_at"] = from_millis(r.get("produced_at") or 0)
        return cls(**values)
