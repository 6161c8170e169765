"""Avro single-object encoding of RewardStream records, byte-identical to the Java serde.

Wire format (Java: ``BinaryMessageEncoder``; ``io.rewardstream.schemas.SingleObjectSerde``)::

    C3 01 | CRC-64-AVRO fingerprint of the writer schema's Parsing Canonical Form, 8 bytes,
            little-endian | Avro binary body

The Parsing Canonical Form is computed here from the schema JSON, by the rules of the Avro
specification, rather than taken from an Avro library: python3-avro 1.11 gets it wrong for
logical types (it keeps ``{"type":"long"}`` where the spec and Java write ``"long"``), and one
implementation for both back ends means one fingerprint to test. The body is written by
``fastavro`` when it is importable, else by Debian's ``python3-avro``.

The schemas are the package's copies of the repository's schema history
(``schemas/src/main/resources/io/rewardstream/avro/history``), one file per released version
(``<Record>-v<N>.avsc``): the highest version of a record is the one this client writes, and every
version decodes (Avro schema resolution fills the defaults), as in Java's ``SchemaHistory``.
A unit test keeps the copies byte-identical to the repository's files.
"""

from __future__ import annotations

import copy
import io
import json
import re
import struct
from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable

MAGIC = b"\xc3\x01"
HEADER_LENGTH = 10
CRC64_AVRO_EMPTY = 0xC15D213AA4D7A795  # the spec's "empty" fingerprint, also its polynomial

_PRIMITIVES = frozenset(["null", "boolean", "int", "long", "float", "double", "bytes", "string"])
_NAMED = frozenset(["record", "enum", "fixed"])
_FILE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)-v(?P<version>[0-9]+)\.avsc$")


def _crc64_table() -> tuple[int, ...]:
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (CRC64_AVRO_EMPTY & -(fp & 1))
        table.append(fp)
    return tuple(table)


_TABLE = _crc64_table()


def crc64_avro(data: bytes) -> int:
    """The 64-bit Rabin fingerprint of the Avro specification (``CRC-64-AVRO``)."""
    fp = CRC64_AVRO_EMPTY
    for byte in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ byte) & 0xFF]
    return fp


def parsing_canonical_form(schema: Any) -> str:
    """The Parsing Canonical Form of a schema (parsed JSON), as Java's SchemaNormalization writes it."""
    return _pcf(schema, "", set())


def _fullname(name: str, namespace: str) -> str:
    return name if "." in name or not namespace else namespace + "." + name


def _pcf(schema: Any, namespace: str, seen: set[str]) -> str:
    if isinstance(schema, str):
        return json.dumps(schema if schema in _PRIMITIVES else _fullname(schema, namespace))
    if isinstance(schema, list):
        return "[" + ",".join(_pcf(branch, namespace, seen) for branch in schema) + "]"
    kind = schema["type"]
    if kind in _PRIMITIVES:
        return json.dumps(kind)  # logicalType and other attributes are stripped
    if kind == "array":
        return '{"type":"array","items":' + _pcf(schema["items"], namespace, seen) + "}"
    if kind == "map":
        return '{"type":"map","values":' + _pcf(schema["values"], namespace, seen) + "}"
    if kind not in _NAMED:
        return _pcf(kind, namespace, seen)  # {"type": "SomeNamedType"}
    name = _fullname(schema["name"], schema.get("namespace") or namespace)
    if name in seen:
        return json.dumps(name)
    seen.add(name)
    inner = name.rpartition(".")[0]
    out = '{"name":' + json.dumps(name) + ',"type":' + json.dumps(kind)
    if kind == "record":
        fields = (
            '{"name":' + json.dumps(f["name"]) + ',"type":' + _pcf(f["type"], inner, seen) + "}"
            for f in schema["fields"]
        )
        out += ',"fields":[' + ",".join(fields) + "]"
    elif kind == "enum":
        out += ',"symbols":' + json.dumps(schema["symbols"], separators=(",", ":"))
    else:
        out += ',"size":' + str(int(schema["size"]))
    return out + "}"


def fingerprint(schema: Any) -> int:
    """CRC-64-AVRO fingerprint of the schema's Parsing Canonical Form."""
    return crc64_avro(parsing_canonical_form(schema).encode("utf-8"))


def _without_logical_types(schema: Any) -> Any:
    """A copy whose timestamps are plain longs: the client converts them itself, so both Avro
    back ends see and return the same values (logical types do not change the bytes or the
    fingerprint)."""
    if isinstance(schema, list):
        return [_without_logical_types(s) for s in schema]
    if isinstance(schema, dict):
        return {k: _without_logical_types(v) for k, v in schema.items() if k != "logicalType"}
    return schema


class _FastavroBackend:
    name = "fastavro"

    def __init__(self) -> None:
        import fastavro  # noqa: F401  (ImportError selects the other back end)

        self._fastavro = fastavro

    def parse(self, schema: dict) -> Any:
        return self._fastavro.parse_schema(copy.deepcopy(schema))

    def write(self, parsed: Any, record: dict) -> bytes:
        buf = io.BytesIO()
        self._fastavro.schemaless_writer(buf, parsed, record)
        return buf.getvalue()

    def read(self, writer: Any, reader: Any, body: bytes) -> dict:
        return self._fastavro.schemaless_reader(io.BytesIO(body), writer, reader)


class _PythonAvroBackend:
    name = "avro"

    def __init__(self) -> None:
        import avro.io
        import avro.schema

        self._io = avro.io
        self._schema = avro.schema

    def parse(self, schema: dict) -> Any:
        return self._schema.parse(json.dumps(schema))

    def write(self, parsed: Any, record: dict) -> bytes:
        buf = io.BytesIO()
        self._io.DatumWriter(parsed).write(record, self._io.BinaryEncoder(buf))
        return buf.getvalue()

    def read(self, writer: Any, reader: Any, body: bytes) -> dict:
        return self._io.DatumReader(writer, reader).read(self._io.BinaryDecoder(io.BytesIO(body)))


_BACKENDS: dict[str, Callable[[], Any]] = {"fastavro": _FastavroBackend, "avro": _PythonAvroBackend}


def load_backend(name: str | None = None) -> Any:
    """The Avro library: ``fastavro`` when importable, else ``avro`` (Debian's python3-avro)."""
    names = [name] if name else ["fastavro", "avro"]
    errors = []
    for candidate in names:
        if candidate not in _BACKENDS:
            raise ValueError(f"avro backend {candidate!r}: expected one of {sorted(_BACKENDS)}")
        try:
            return _BACKENDS[candidate]()
        except ImportError as e:
            errors.append(f"{candidate}: {e}")
    raise ImportError(
        "rewardstream needs an Avro library: pip install fastavro, or apt-get install"
        " python3-avro (" + "; ".join(errors) + ")"
    )


class UnknownSchemaError(ValueError):
    """Bytes that are not a RewardStream record in single-object encoding, or of an unknown version."""


@dataclass(frozen=True)
class SchemaVersion:
    """One released version of a record schema."""

    record: str  # short name, e.g. "RolloutPair"
    version: int
    json: dict  # the schema as written in the .avsc
    fingerprint: int


def packaged_schema_files() -> dict[str, bytes]:
    """The packaged ``.avsc`` files by file name (copies of the repository's schema history)."""
    folder = resources.files("rewardstream") / "schemas"
    return {f.name: f.read_bytes() for f in folder.iterdir() if f.name.endswith(".avsc")}


class Codec:
    """Encodes and decodes RewardStream records in single-object encoding.

    Holds no global state: each client builds its own. Records are plain dicts with timestamps as
    epoch milliseconds (ints).
    """

    def __init__(self, backend: str | None = None, files: dict[str, bytes] | None = None) -> None:
        self.backend = load_backend(backend)
        self._versions: dict[int, SchemaVersion] = {}
        self._latest: dict[str, SchemaVersion] = {}
        self._parsed: dict[int, Any] = {}
        for file_name, data in sorted((files or packaged_schema_files()).items()):
            match = _FILE.match(file_name)
            if not match:
                continue
            schema = json.loads(data.decode("utf-8"))
            version = SchemaVersion(
                match["name"], int(match["version"]), schema, fingerprint(schema)
            )
            self._versions[version.fingerprint] = version
            self._parsed[version.fingerprint] = self.backend.parse(_without_logical_types(schema))
            latest = self._latest.get(version.record)
            if latest is None or version.version > latest.version:
                self._latest[version.record] = version

    def records(self) -> list[str]:
        """The record names this codec knows, e.g. ``["DeadLetter", "RewardResult", ...]``."""
        return sorted(self._latest)

    def has(self, record: str) -> bool:
        return record in self._latest

    def latest(self, record: str) -> SchemaVersion:
        try:
            return self._latest[record]
        except KeyError:
            raise UnknownSchemaError(
                f"no schema for record {record!r} in this client (knows {self.records()})"
            ) from None

    def header(self, record: str) -> bytes:
        """The 10-byte single-object header of the record's current schema."""
        return MAGIC + struct.pack("<Q", self.latest(record).fingerprint)

    def encode(self, record: str, value: dict, topic: str | None = None) -> bytes:
        """``value`` (a dict, timestamps in epoch ms) in single-object encoding (``topic`` unused)."""
        latest = self.latest(record)
        return self.header(record) + self.backend.write(self._parsed[latest.fingerprint], value)

    def decode(self, data: bytes, expect: str | None = None) -> tuple[str, dict]:
        """(record name, value) of single-object bytes, resolved to the current schema.

        :raises UnknownSchemaError: not single-object encoding, an unknown fingerprint, or (with
            ``expect``) another record type
        """
        if data is None or len(data) < HEADER_LENGTH or data[:2] != MAGIC:
            start = b"" if data is None else bytes(data[:2])
            raise UnknownSchemaError(
                f"not Avro single-object encoding (starts with {start.hex() or 'nothing'},"
                " expected c301 + 8-byte fingerprint)"
            )
        (fp,) = struct.unpack("<Q", data[2:HEADER_LENGTH])
        writer = self._versions.get(fp)
        if writer is None:
            raise UnknownSchemaError(
                f"writer schema fingerprint 0x{fp:016X} is not a schema this client knows: the"
                " server may be newer than the client; upgrade the rewardstream package"
            )
        if expect is not None and writer.record != expect:
            raise UnknownSchemaError(f"expected a {expect} record, got a {writer.record}")
        reader = self._latest[writer.record].fingerprint
        value = self.backend.read(self._parsed[fp], self._parsed[reader], bytes(data[10:]))
        return writer.record, value


CONFLUENT_MAGIC = 0
CONFLUENT_HEADER_LENGTH = 5
SERDE_FORMATS = ("single-object", "registry")


class RegistryCodec:
    """Reads both wire formats and writes the configured one, with a schema registry behind it.

    The Confluent wire format is ``00`` + the writer schema's 4-byte big-endian registry id + the
    Avro body, with schemas under the subjects ``<topic>-value`` (as the Java app, docs/wire-format.md).
    ``registry`` is a ``confluent_kafka.schema_registry.SchemaRegistryClient`` (or anything with its
    ``register_schema``, ``lookup_schema`` and ``get_schema``); ids are cached, so a topic costs one
    registry call per writer schema.

    :param write_registry: write the Confluent wire format (True) or single-object encoding (False).
    :param auto_register: register the schemas (True) or only look up registered ones (False).
    """

    def __init__(
        self, codec: Codec, registry: Any, write_registry: bool = True, auto_register: bool = True
    ) -> None:
        self.codec = codec
        self.backend = codec.backend
        self._registry = registry
        self._write = write_registry
        self._auto_register = auto_register
        self._ids: dict[tuple[str, str], int] = {}
        self._writers: dict[int, tuple[str, Any]] = {}

    def records(self) -> list[str]:
        return self.codec.records()

    def has(self, record: str) -> bool:
        return self.codec.has(record)

    def schema_id(self, record: str, topic: str) -> int:
        """The registry id of the record's current schema under ``<topic>-value`` (registered if allowed)."""
        key = (record, topic)
        if key not in self._ids:
            from confluent_kafka.schema_registry import Schema

            schema = Schema(json.dumps(self.codec.latest(record).json), "AVRO")
            subject = topic + "-value"
            if self._auto_register:
                self._ids[key] = self._registry.register_schema(subject, schema)
            else:
                self._ids[key] = self._registry.lookup_schema(subject, schema).schema_id
        return self._ids[key]

    def encode(self, record: str, value: dict, topic: str | None = None) -> bytes:
        """``value`` in the configured format; the registry format needs the ``topic`` (its subject)."""
        if not self._write:
            return self.codec.encode(record, value)
        if topic is None:
            raise ValueError("the registry wire format needs the topic (its subject is <topic>-value)")
        latest = self.codec.latest(record)
        header = struct.pack(">bI", CONFLUENT_MAGIC, self.schema_id(record, topic))
        return header + self.backend.write(self.codec._parsed[latest.fingerprint], value)

    def decode(self, data: bytes, expect: str | None = None) -> tuple[str, dict]:
        """(record name, value) of Confluent-framed or single-object bytes.

        :raises UnknownSchemaError: neither format, an id the registry does not have, a record this
            client does not know, or (with ``expect``) another record type
        """
        if data is None or len(data) < 1 or data[0] != CONFLUENT_MAGIC:
            return self.codec.decode(data, expect)
        if len(data) < CONFLUENT_HEADER_LENGTH:
            raise UnknownSchemaError("Confluent wire format cut short (expected 00 + 4-byte id)")
        (schema_id,) = struct.unpack(">I", data[1:CONFLUENT_HEADER_LENGTH])
        record, writer = self._writer(schema_id)
        if expect is not None and record != expect:
            raise UnknownSchemaError(f"expected a {expect} record, got a {record}")
        reader = self.codec._parsed[self.codec.latest(record).fingerprint]
        return record, self.backend.read(writer, reader, bytes(data[CONFLUENT_HEADER_LENGTH:]))

    def _writer(self, schema_id: int) -> tuple[str, Any]:
        if schema_id not in self._writers:
            try:
                text = self._registry.get_schema(schema_id).schema_str
            except Exception as e:  # the registry client raises its own error types
                if getattr(e, "http_status_code", None) == 404:
                    raise UnknownSchemaError(f"schema id {schema_id} is not in the registry") from e
                raise
            schema = json.loads(text)
            record = schema.get("name", "").rsplit(".", 1)[-1]
            if not self.codec.has(record):
                raise UnknownSchemaError(
                    f"schema id {schema_id} is a {schema.get('name')!r} record, not one this client knows"
                )
            self._writers[schema_id] = (record, self.backend.parse(_without_logical_types(schema)))
        return self._writers[schema_id]
