"""``RewardClient``: send rollout pairs to RewardStream, get their rewards back.

The client talks to Kafka only, never to a scorer: it produces each input to ``rollouts``
(key = rollout id, value = Avro single-object encoding) and reads ``rewards`` and ``rollouts-dlq``
under ``read_committed`` until every input of the call is answered, dead-lettered or the call's
timeout passes. It owns one idempotent producer and one group-less consumer (assigned to every
partition of the result topics at explicit offsets, never subscribed, never committing), and no
global state: two clients in one process are independent.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

from ._avro import SERDE_FORMATS, Codec, RegistryCodec, UnknownSchemaError
from .errors import (
    BatchError,
    DeadLetteredError,
    DeliveryError,
    GroupScoringUnavailable,
    PairError,
    RewardStreamError,
    ScoringFailedError,
    ScoringTimeout,
)
from .types import (
    DeadLetter,
    Group,
    GroupReward,
    Pair,
    PairReward,
    new_group_id,
    new_rollout_id,
    to_millis,
)

log = logging.getLogger(__name__)

PairLike = Union[Pair, Mapping[str, Any]]
GroupLike = Union[Group, Mapping[str, Any]]

#: Producer settings the client starts from; ``config`` / ``producer_config`` override them.
PRODUCER_DEFAULTS = {
    # A retried send is written once (the server would otherwise see a DUPLICATE, or score twice).
    "enable.idempotence": True,
    "acks": "all",
    "linger.ms": 5,
}
#: Consumer settings the client starts from; ``config`` / ``consumer_config`` override them.
CONSUMER_DEFAULTS = {
    # Results of an aborted scoring transaction (a crashed batch) must never be taken as rewards.
    "isolation.level": "read_committed",
    # The consumer is assigned partitions at explicit offsets and commits nothing.
    "enable.auto.commit": False,
    "auto.offset.reset": "earliest",
    "enable.partition.eof": False,
}


@dataclass
class _Sent:
    """An input this client sent and has not yet handed back to a caller."""

    rollout_id: str
    value: bytes
    acked: Optional[bool] = None  # None until the delivery report; False = not written
    outcome: Any = None  # PairReward or PairError once known
    duplicates: int = 0  # DUPLICATE dead letters seen (a copy is already buffered: keep waiting)
    active: int = 0  # calls waiting for it now


def _codec(
    backend: Optional[str],
    serde_format: str,
    url: Optional[str],
    config: Optional[Mapping[str, Any]],
    registry: Any,
) -> Any:
    """The codec for the wire format: single-object, or both formats through a schema registry."""
    if serde_format not in SERDE_FORMATS:
        raise ValueError(f"serde_format={serde_format!r}: expected one of {list(SERDE_FORMATS)}")
    if url is None and registry is None:
        if serde_format == "registry":
            raise ValueError(
                "serde_format='registry' needs schema_registry_url: the base URL of the registry's"
                " Confluent-compatible API, e.g. http://registry:8081"
            )
        return Codec(backend)
    settings = dict(config or {})
    auto_register = str(settings.pop("auto.register", True)).lower() not in ("false", "0")
    if registry is None:
        from confluent_kafka.schema_registry import SchemaRegistryClient

        registry = SchemaRegistryClient({"url": url, **settings})
    return RegistryCodec(Codec(backend), registry, serde_format == "registry", auto_register)


class RewardClient:
    """Scores rollout pairs through a RewardStream deployment.

    :param bootstrap_servers: Kafka bootstrap servers, e.g. ``"localhost:9092"``.
    :param config: confluent-kafka (librdkafka) settings for both producer and consumer, e.g.
        ``{"security.protocol": "SASL_SSL", "sasl.mechanisms": "PLAIN", ...}``.
    :param producer_config: settings for the producer only (override ``config``).
    :param consumer_config: settings for the consumer only (override ``config``).
    :param rollouts_topic: input topic of the server (``topic.input``).
    :param rewards_topic: result topic of the server (``topic.output``).
    :param dlq_topic: dead-letter topic of the server (``topic.dlq``).
    :param groups_topic: group input topic of the server (``topic.groups.input``).
    :param group_rewards_topic: group result topic of the server (``topic.groups.output``);
        read only when it exists (a server without group scoring has none).
    :param avro_backend: ``"fastavro"`` or ``"avro"``; default fastavro when importable.
    :param remember: how many unanswered ids (timed out, not yet re-asked) the client keeps
        reading for; the oldest are forgotten first.
    :param serde_format: ``"single-object"`` (default) or ``"registry"``: the wire format the
        inputs are written in, as the server's ``serde.format`` (docs/wire-format.md).
    :param schema_registry_url: the registry's Confluent-compatible API; required by
        ``"registry"``. When set, results are read in both formats.
    :param schema_registry_config: more settings of confluent-kafka's ``SchemaRegistryClient``
        (``basic.auth.user.info``, ``ssl.ca.location``, ...), plus ``auto.register`` (default True).
    """

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        config: Optional[Mapping[str, Any]] = None,
        producer_config: Optional[Mapping[str, Any]] = None,
        consumer_config: Optional[Mapping[str, Any]] = None,
        rollouts_topic: str = "rollouts",
        rewards_topic: str = "rewards",
        dlq_topic: str = "rollouts-dlq",
        groups_topic: str = "rollout-groups",
        group_rewards_topic: str = "group-rewards",
        avro_backend: Optional[str] = None,
        poll_interval: float = 0.2,
        remember: int = 65536,
        serde_format: str = "single-object",
        schema_registry_url: Optional[str] = None,
        schema_registry_config: Optional[Mapping[str, Any]] = None,
        _kafka: Any = None,
        _registry: Any = None,
    ) -> None:
        if _kafka is None:
            import confluent_kafka as _kafka
        self._kafka = _kafka
        self.codec = _codec(
            avro_backend, serde_format, schema_registry_url, schema_registry_config, _registry
        )
        self.rollouts_topic = rollouts_topic
        self.rewards_topic = rewards_topic
        self.dlq_topic = dlq_topic
        self.groups_topic = groups_topic
        self.group_rewards_topic = group_rewards_topic
        self._poll_interval = poll_interval
        self._remember = remember
        common = {"bootstrap.servers": bootstrap_servers, **dict(config or {})}
        self._producer = _kafka.Producer(
            {**PRODUCER_DEFAULTS, **common, **dict(producer_config or {})}
        )
        self._consumer = _kafka.Consumer(
            {
                **CONSUMER_DEFAULTS,
                # Required by librdkafka; never joined (assign, not subscribe) and never committed.
                "group.id": "rewardstream-py-" + uuid.uuid4().hex[:12],
                **common,
                **dict(consumer_config or {}),
            }
        )
        self._lock = threading.RLock()  # guards the fields below
        self._changed = threading.Condition(self._lock)
        self._consumer_lock = threading.Lock()  # one thread polls the consumer at a time
        # Positioning and sending happen under one gate, so that a call re-positioning the consumer
        # at the topics' ends can never overtake another call's send (and miss its results).
        self._send_gate = threading.Lock()
        self._sent: "collections.OrderedDict[str, _Sent]" = collections.OrderedDict()
        self._by_value: dict[bytes, str] = {}
        self._partitions: Optional[list[tuple[str, int]]] = None
        self._closed = False

    # ------------------------------------------------------------------ public API

    def score_pairs(
        self,
        pairs: Iterable[PairLike],
        timeout: float = 120.0,
        *,
        return_exceptions: bool = False,
    ) -> list[Any]:
        """Scores pairs; returns one :class:`PairReward` per input, in input order.

        :param pairs: :class:`Pair` objects or dicts with the JSONL field names; a pair without
            ``rollout_id`` gets a generated one (it is on the result).
        :param timeout: seconds for the whole call.
        :param return_exceptions: put a :class:`PairError` (dead-lettered, FAILED,
            undeliverable) in place of a failed input's result instead of raising.
        :raises BatchError: some inputs failed (``return_exceptions=False``); ``.results`` has all.
        :raises ScoringTimeout: some inputs were not answered in time; ``.missing`` names them.
            Asking again for the same ids re-reads instead of re-sending (see the README).
        """
        items = [p if isinstance(p, Pair) else Pair.from_dict(p) for p in pairs]
        ids = [p.rollout_id or new_rollout_id() for p in items]
        encoded = self._encode("RolloutPair", items, ids, "rollout ids", self.rollouts_topic)
        return self._score(self.rollouts_topic, ids, encoded, timeout, return_exceptions)

    async def score_pairs_async(
        self,
        pairs: Iterable[PairLike],
        timeout: float = 120.0,
        *,
        return_exceptions: bool = False,
    ) -> list[Any]:
        """:meth:`score_pairs` for asyncio: runs in a worker thread, so the event loop stays free;
        several calls may be in flight at once and share the client's one consumer."""
        pairs = list(pairs)
        return await asyncio.to_thread(
            self.score_pairs, pairs, timeout, return_exceptions=return_exceptions
        )

    def score_groups(
        self,
        groups: Iterable[GroupLike],
        timeout: float = 120.0,
        *,
        return_exceptions: bool = False,
    ) -> list[Any]:
        """Scores rollout groups; returns one :class:`GroupReward` per input, in input order,
        each with one reward per response (``.rewards``), relative to its group.

        Needs a server with group scoring on (``groups.enabled=true``, topics
        ``rollout-groups`` and ``group-rewards``). Errors, timeouts and re-sending work as in
        :meth:`score_pairs`, keyed by ``group_id`` (generated when a group has none).

        :raises GroupScoringUnavailable: the group result topic does not exist on the cluster.
        """
        missing = [r for r in ("RolloutGroup", "GroupRewardResult") if not self.codec.has(r)]
        if missing:
            raise GroupScoringUnavailable(
                f"this client has no {' or '.join(missing)} schema"
                f" (it knows {self.codec.records()}); upgrade the rewardstream package"
            )
        items = [g if isinstance(g, Group) else Group.from_dict(g) for g in groups]
        ids = [g.group_id or new_group_id() for g in items]
        encoded = self._encode("RolloutGroup", items, ids, "group ids", self.groups_topic)
        self._require_group_topic(time.monotonic() + min(timeout, 10.0))
        return self._score(self.groups_topic, ids, encoded, timeout, return_exceptions)

    async def score_groups_async(
        self,
        groups: Iterable[GroupLike],
        timeout: float = 120.0,
        *,
        return_exceptions: bool = False,
    ) -> list[Any]:
        """:meth:`score_groups` for asyncio (a worker thread; the event loop stays free)."""
        groups = list(groups)
        return await asyncio.to_thread(
            self.score_groups, groups, timeout, return_exceptions=return_exceptions
        )

    def close(self, timeout: float = 10.0) -> None:
        """Waits (at most ``timeout`` s) for sends in flight, then closes both Kafka clients."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        remaining = self._producer.flush(timeout)
        if remaining:
            log.warning("closing with %d record(s) not confirmed by the broker", remaining)
        with self._consumer_lock:
            self._consumer.close()

    def __enter__(self) -> "RewardClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ------------------------------------------------------------------ the call

    def _encode(
        self, record: str, items: Sequence[Any], ids: Sequence[str], what: str, topic: str
    ) -> list:
        """Each input as its Avro record under its id; the ids must be unique within the call."""
        doubled = sorted(i for i, n in collections.Counter(ids).items() if n > 1)
        if doubled:
            raise ValueError(f"{what} must be unique within a call; repeated: {doubled}")
        now_ms = to_millis(None)
        return [
            self.codec.encode(record, item.to_avro(i, now_ms), topic) for item, i in zip(items, ids)
        ]

    def _score(
        self,
        topic: str,
        ids: Sequence[str],
        values: Sequence[bytes],
        timeout: float,
        return_exceptions: bool,
    ) -> list[Any]:
        """Sends encoded inputs (key = id) to ``topic`` and awaits one outcome per id: the kind-
        independent part of scoring, meant to serve groups as it serves pairs (a group's result,
        keyed and identified by group_id, needs only its own handler in ``_HANDLERS``)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            if self._closed:
                raise RewardStreamError("the client is closed")
        waiting: list[str] = []  # the ids this call counts itself as waiting for
        try:
            with self._send_gate:
                with self._lock:
                    # Nothing sent earlier is still awaited (by any call, or after a timeout):
                    # start reading at the topics' ends instead of wading through what others
                    # produced meanwhile.
                    fresh = all(e.outcome is not None for e in self._sent.values())
                self._position(deadline, to_end=fresh)
                self._send(topic, ids, values, deadline, waiting)
            self._await(ids, deadline)
            return self._collect(ids, timeout, return_exceptions)
        finally:
            with self._lock:
                for rid in waiting:
                    entry = self._sent.get(rid)
                    if entry is not None:
                        entry.active -= 1
                self._forget_oldest()

    def _send(
        self,
        topic: str,
        ids: Sequence[str],
        values: Sequence[bytes],
        deadline: float,
        waiting: list[str],
    ) -> None:
        """Produces the inputs that need sending. Read before resend: an id this client sent
        before and that reached Kafka is not sent again; its result is read instead, from the
        offsets the consumer held before the first send."""
        for rid, value in zip(ids, values):
            with self._lock:
                entry = self._sent.get(rid)
                if entry is not None and isinstance(entry.outcome, DeliveryError):
                    entry = None  # never written: sending again costs nothing twice
                if entry is not None:
                    entry.active += 1
                    waiting.append(rid)
                    log.debug("rollout %s was sent before; reading for its result", rid)
                    continue
                self._drop(rid)
                entry = _Sent(rid, value, active=1)
                self._sent[rid] = entry
                self._by_value[value] = rid
                waiting.append(rid)
            self._produce(topic, entry, deadline)
        self._producer.poll(0)

    def _produce(self, topic: str, entry: _Sent, deadline: float) -> None:
        def delivered(err: Any, msg: Any) -> None:
            with self._lock:
                entry.acked = err is None
                if err is not None and entry.outcome is None:
                    entry.outcome = DeliveryError(
                        entry.rollout_id,
                        f"sending {entry.rollout_id!r} to {topic} failed: {err}",
                    )
                self._changed.notify_all()

        while True:
            try:
                self._producer.produce(
                    topic,
                    value=entry.value,
                    key=entry.rollout_id.encode("utf-8"),
                    on_delivery=delivered,
                )
                return
            except BufferError:  # the local queue is full: let it drain, within the deadline
                if time.monotonic() >= deadline:
                    delivered("the local producer queue stayed full until the deadline", None)
                    return
                self._producer.poll(0.05)

    def _await(self, ids: Sequence[str], deadline: float) -> None:
        """Polls until every id has an outcome or the deadline passes; never blocks past it."""
        while True:
            with self._lock:
                if all(self._sent[rid].outcome is not None for rid in ids if rid in self._sent):
                    return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._producer.poll(0)  # serves delivery reports
            wait = min(self._poll_interval, remaining)
            if self._consumer_lock.acquire(blocking=False):
                try:
                    messages = self._consumer.consume(num_messages=500, timeout=wait)
                finally:
                    self._consumer_lock.release()
                self._dispatch(messages)
            else:  # another call is polling; it hands our results over too
                with self._lock:
                    self._changed.wait(wait)

    def _collect(self, ids: Sequence[str], timeout: float, return_exceptions: bool) -> list[Any]:
        results: list[Any] = []
        missing: list[str] = []
        with self._lock:
            for rid in ids:
                entry = self._sent.get(rid)
                outcome = None if entry is None else entry.outcome
                if outcome is None:
                    missing.append(rid)
                    if entry is not None and entry.duplicates:
                        log.info("rollout %s: a copy is still buffered on the server", rid)
                elif entry.active <= 1:  # no other call waits for this id: done with it
                    self._drop(rid)
                results.append(outcome)
        if missing:
            raise ScoringTimeout(missing, results, timeout, list(ids))
        if not return_exceptions and any(isinstance(r, PairError) for r in results):
            raise BatchError(results)
        return results

    # ------------------------------------------------------------------ reading results

    def _position(self, deadline: float, to_end: bool) -> None:
        """Assigns the result topics' partitions at their end offsets, taken now, before anything
        of this call is sent (so no result of it can be earlier); later calls keep the position
        unless nothing is awaited any more."""
        with self._consumer_lock:
            if self._partitions is not None and not to_end:
                return
            if self._partitions is None:
                self._partitions = self._discover(deadline)
            assignment = []
            for topic, partition in self._partitions:
                tp = self._kafka.TopicPartition(topic, partition)
                try:
                    _, high = self._consumer.get_watermark_offsets(
                        tp, timeout=max(0.1, min(10.0, deadline - time.monotonic()))
                    )
                except self._kafka.KafkaException as e:
                    raise RewardStreamError(
                        f"cannot read the end offset of {topic}-{partition}: {e}"
                    ) from e
                assignment.append(self._kafka.TopicPartition(topic, partition, high))
            self._consumer.assign(assignment)

    def _require_group_topic(self, deadline: float) -> None:
        """Raises GroupScoringUnavailable unless the group result topic exists; makes the
        consumer read it from the next call on if it appeared after the first lookup."""
        if self._topic_partitions(self.group_rewards_topic, deadline) is None:
            raise GroupScoringUnavailable(
                f"topic {self.group_rewards_topic!r} does not exist: the server does not score"
                " groups. Start it with groups.enabled=true and create the group topics"
                " (docs/groups.md), or pass group_rewards_topic= if yours is named otherwise"
            )
        with self._consumer_lock:
            if self._partitions is not None and not any(
                t == self.group_rewards_topic for t, _ in self._partitions
            ):
                self._partitions = None  # rediscover, now with the group topic

    def _topic_partitions(self, topic: str, deadline: float) -> Optional[list[int]]:
        try:
            metadata = self._consumer.list_topics(
                topic, timeout=max(0.1, min(10.0, deadline - time.monotonic()))
            )
        except self._kafka.KafkaException as e:
            raise RewardStreamError(f"cannot reach the cluster to look up {topic}: {e}") from e
        info = metadata.topics.get(topic)
        if info is None or info.error is not None or not info.partitions:
            return None
        return sorted(info.partitions)

    def _discover(self, deadline: float) -> list[tuple[str, int]]:
        found = []
        groups = self._topic_partitions(self.group_rewards_topic, deadline)
        if groups is not None:  # optional: only a server that scores groups has it
            found.extend((self.group_rewards_topic, p) for p in groups)
        for topic in (self.rewards_topic, self.dlq_topic):
            try:
                metadata = self._consumer.list_topics(
                    topic, timeout=max(0.1, min(10.0, deadline - time.monotonic()))
                )
            except self._kafka.KafkaException as e:
                raise RewardStreamError(f"cannot reach the cluster to look up {topic}: {e}") from e
            info = metadata.topics.get(topic)
            if info is None or info.error is not None or not info.partitions:
                raise RewardStreamError(
                    f"topic {topic!r} does not exist on the cluster"
                    f" ({getattr(info, 'error', None)}); check the topic names and the cluster"
                )
            found.extend((topic, p) for p in sorted(info.partitions))
        return found

    def _dispatch(self, messages: Iterable[Any]) -> None:
        changed = False
        for msg in messages:
            err = msg.error()
            if err is not None:
                if getattr(err, "fatal", lambda: False)():
                    raise RewardStreamError(f"consumer failed: {err}")
                log.warning("consumer: %s", err)
                continue
            try:
                # Routed by record type (the fingerprint says which), not by topic name.
                record, value = self.codec.decode(msg.value())
                handler = self._HANDLERS.get(record)
                if handler is not None:
                    changed |= handler(self, msg, value)
            except UnknownSchemaError as e:
                log.warning("skipping %s-%d@%d: %s", msg.topic(), msg.partition(), msg.offset(), e)
        if changed:
            with self._lock:
                self._changed.notify_all()

    def _on_result(self, msg: Any, value: dict) -> bool:
        result = PairReward.from_avro(value)
        with self._lock:
            entry = self._sent.get(result.rollout_id)
            if entry is None or entry.outcome is not None:
                return False
            entry.outcome = result if result.ok else ScoringFailedError(result.rollout_id, result)
            return True

    def _on_dead_letter(self, msg: Any, value: dict) -> bool:
        letter = DeadLetter.from_avro(value)
        with self._lock:
            # The app fills rollout_id when the pair decoded; otherwise the original key and bytes
            # are in the letter (DeadLetters.of): match by id, then key, then the exact bytes.
            rid = letter.key_text()
            if rid not in self._sent and msg.key() is not None:
                rid = msg.key().decode("utf-8", errors="replace")
            if rid not in self._sent and letter.original_value is not None:
                rid = self._by_value.get(bytes(letter.original_value))
            entry = self._sent.get(rid) if rid is not None else None
            if entry is None or entry.outcome is not None:
                return False
            if letter.reason_code == "DUPLICATE" and "already buffered" in letter.reason:
                # Another copy of this id is buffered on the server; its result will come.
                entry.duplicates += 1
                return False
            # Anything else, including a DUPLICATE of an id the server scored earlier (its result
            # was committed before this call started reading): an error carrying the reason.
            entry.outcome = DeadLetteredError(entry.rollout_id, letter)
            return True

    def _on_group_result(self, msg: Any, value: dict) -> bool:
        result = GroupReward.from_avro(value)
        with self._lock:
            entry = self._sent.get(result.group_id)
            if entry is None or entry.outcome is not None:
                return False
            entry.outcome = result if result.ok else ScoringFailedError(result.group_id, result)
            return True

    #: record name -> handler(self, message, decoded value) -> whether an outcome was set
    _HANDLERS: dict[str, Callable[["RewardClient", Any, dict], bool]] = {
        "RewardResult": _on_result,
        "DeadLetter": _on_dead_letter,
        "GroupRewardResult": _on_group_result,
    }

    # ------------------------------------------------------------------ bookkeeping

    def _drop(self, rid: str) -> None:
        entry = self._sent.pop(rid, None)
        if entry is not None:
            self._by_value.pop(entry.value, None)

    def _forget_oldest(self) -> None:
        """Keeps at most ``remember`` ids, dropping the oldest that no call is waiting for."""
        excess = len(self._sent) - self._remember
        for rid in [rid for rid, e in self._sent.items() if e.active <= 0][: max(0, excess)]:
            log.info("forgetting rollout %s (remember=%d)", rid, self._remember)
            self._drop(rid)

    def pending(self) -> list[str]:
        """Ids sent by this client whose answer has not come yet (e.g. after a timeout)."""
        with self._lock:
            return [rid for rid, e in self._sent.items() if e.outcome is None]

    def forget(self, rollout_ids: Optional[Iterable[str]] = None) -> None:
        """Stops reading for these timed-out ids (default: all that no call is waiting for).

        While a timed-out id is remembered, every call reads the result topics from where the
        client stood before that id was sent; forgetting lets the next call start at the topics'
        ends. Asking for a forgotten id again sends it again.
        """
        with self._lock:
            chosen = list(self._sent) if rollout_ids is None else list(rollout_ids)
            for rid in chosen:
                entry = self._sent.get(rid)
                if entry is not None and entry.active <= 0:
                    self._drop(rid)
