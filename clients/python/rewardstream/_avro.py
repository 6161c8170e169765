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

    def encode(self, record: str, value: dict) -> bytes:
        """``value`` (a dict, timestamps in epoch ms) in single-object encoding."""
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
