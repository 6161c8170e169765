"""An in-memory stand-in for the parts of confluent_kafka the client uses, with a scripted
"server" that answers rollouts: enough to test correlation, dead letters, timeouts and re-sends
without a broker. The real broker and app are exercised by the integration tests."""

from __future__ import annotations

import threading
from typing import Callable, Optional

OFFSET_END = -1


class KafkaException(Exception):
    pass


class TopicPartition:
    def __init__(self, topic: str, partition: int = 0, offset: int = -1001) -> None:
        self.topic, self.partition, self.offset = topic, partition, offset


class Message:
    def __init__(self, topic, partition, offset, key, value):
        self._t, self._p, self._o, self._k, self._v = topic, partition, offset, key, value

    def error(self):
        return None

    def topic(self):
        return self._t

    def partition(self):
        return self._p

    def offset(self):
        return self._o

    def key(self):
        return self._k

    def value(self):
        return self._v


class _TopicMeta:
    def __init__(self, partitions):
        self.partitions = {p: object() for p in range(partitions)}
        self.error = None


class _Metadata:
    def __init__(self, topics):
        self.topics = topics


class Broker:
    """Topics of partitions of (key, value) records. ``server(key, value)`` is called for every
    record produced to the rollouts topic and returns records to append: (topic, key, value)."""

    def __init__(self, partitions: int = 3) -> None:
        self.partitions = partitions
        self.logs: dict[str, list[list[tuple]]] = {}
        self.produced: list[tuple[str, bytes, bytes]] = []
        self.server: Optional[Callable[[bytes, bytes], list]] = None
        self.held: list = []  # server outputs withheld until release()
        self.hold = False
        self.fail_delivery: set[bytes] = set()
        self.lock = threading.Lock()

    def create(self, *topics: str) -> None:
        for t in topics:
            self.logs[t] = [[] for _ in range(self.partitions)]

    def append(self, topic: str, key: Optional[bytes], value: bytes) -> None:
        partition = (sum(key) if key else 0) % self.partitions
        self.logs[topic][partition].append((key, value))

    def release(self) -> None:
        with self.lock:
            for record in self.held:
                self.append(*record)
            self.held.clear()

    # the confluent_kafka module surface
    def module(self):
        broker = self

        class Producer:
            def __init__(self, conf):
                self.conf = conf
                self.callbacks = []

            def produce(self, topic, value=None, key=None, on_delivery=None):
                with broker.lock:
                    if key in broker.fail_delivery:
                        self.callbacks.append((on_delivery, "Broker: fake delivery failure"))
                        return
                    broker.produced.append((topic, key, value))
                    broker.append(topic, key, value)
                    outputs = broker.server(key, value) if broker.server else []
                    if broker.hold:
                        broker.held.extend(outputs)
                    else:
                        for record in outputs:
                            broker.append(*record)
                self.callbacks.append((on_delivery, None))

            def poll(self, timeout=0):
                callbacks, self.callbacks = self.callbacks, []
                for cb, err in callbacks:
                    cb(err, None)
                return len(callbacks)

            def flush(self, timeout=None):
                self.poll()
                return 0

        class Consumer:
            def __init__(self, conf):
                self.conf = conf
                self.positions: dict[tuple[str, int], int] = {}
                self.closed = False

            def list_topics(self, topic=None, timeout=None):
                meta = {}
                if topic in broker.logs:
                    meta[topic] = _TopicMeta(broker.partitions)
                return _Metadata(meta)

            def get_watermark_offsets(self, tp, timeout=None, cached=False):
                return 0, len(broker.logs[tp.topic][tp.partition])

            def assign(self, partitions):
                self.positions = {(tp.topic, tp.partition): tp.offset for tp in partitions}

            def consume(self, num_messages=1, timeout=-1):
                out = []
                with broker.lock:
                    for (topic, p), pos in self.positions.items():
                        log = broker.logs[topic][p]
                        while pos < len(log) and len(out) < num_messages:
                            out.append(Message(topic, p, pos, *log[pos]))
                            pos += 1
                        self.positions[(topic, p)] = pos
                if not out and timeout and timeout > 0:
                    threading.Event().wait(min(timeout, 0.01))
                return out

            def close(self):
                self.closed = True

        class Module:
            pass

        module = Module()
        module.Producer = Producer
        module.Consumer = Consumer
        module.TopicPartition = TopicPartition
        module.KafkaException = KafkaException
        return module
