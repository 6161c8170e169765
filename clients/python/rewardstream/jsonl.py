"""Rollout pairs as JSON Lines: the same shape the Java ``rewardstream produce`` accepts
(``io.rewardstream.cli.RolloutJsonl``), one JSON object per line, blank lines ignored::

    {"rollout_id": "r-1", "prompt": "...", "response_a": "...", "response_b": "...",
     "policy_version": "policy-7", "group_id": "g-1", "reference_answer": "...",
     "metadata": {"step": "12"}, "produced_at": 1767225600000,
     "messages": [{"role": "user", "content": "..."}]}

The first five fields are required strings; the others optional. ``produced_at`` is epoch
milliseconds or an ISO-8601 instant with a zone (default: now); metadata values may be strings,
numbers or booleans (stored as text). Empty strings are accepted on purpose (the server
dead-letters them as EMPTY_FIELD). Unknown fields are refused, so a misspelt optional field is not
silently dropped.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Iterable, Optional

from .types import ChatMessage, Pair

REQUIRED = ("rollout_id", "prompt", "response_a", "response_b", "policy_version")
OPTIONAL = ("group_id", "reference_answer", "metadata", "produced_at", "messages")


def read(lines: Iterable[str], source: str, now: Optional[_dt.datetime] = None) -> list[Pair]:
    """Every pair of the lines; a bad line raises ValueError naming ``source``, line and field."""
    now = now or _dt.datetime.now(_dt.timezone.utc)
    pairs = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            pairs.append(parse(line, f"{source} line {number}", now))
    return pairs


def parse(line: str, where: str, now: _dt.datetime) -> Pair:
    try:
        node = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"{where} is not valid JSON: {e.msg}") from None
    if not isinstance(node, dict):
        raise ValueError(f"{where} is not a JSON object")
    for name in node:
        if name not in REQUIRED and name not in OPTIONAL:
            known = ", ".join(REQUIRED + OPTIONAL)
            raise ValueError(f'{where} has unknown field "{name}" (known: {known})')
    return Pair(
        rollout_id=_required(node, "rollout_id", where),
        prompt=_required(node, "prompt", where),
        response_a=_required(node, "response_a", where),
        response_b=_required(node, "response_b", where),
        policy_version=_required(node, "policy_version", where),
        group_id=_optional(node, "group_id", where),
        reference_answer=_optional(node, "reference_answer", where),
        metadata=_metadata(node, where),
        produced_at=_produced_at(node, where, now),
        messages=_messages(node, where),
    )


def _kind(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


def _text(value: Any, field: str, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(
            f'{where} field "{field}" must be a string, got {_kind(value)} {json.dumps(value)}'
        )
    return value


def _required(node: dict, field: str, where: str, required: Iterable[str] = REQUIRED) -> str:
    if node.get(field) is None:
        raise ValueError(f'{where} has no "{field}" (required: {", ".join(required)})')
    return _text(node[field], field, where)


def _optional(node: dict, field: str, where: str) -> Optional[str]:
    return None if node.get(field) is None else _text(node[field], field, where)


def _metadata(node: dict, where: str) -> dict:
    value = node.get("metadata")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(
            f'{where} field "metadata" must be an object of strings, got {_kind(value)}'
        )
    out = {}
    for key, item in value.items():
        if item is None or isinstance(item, (dict, list)):
            raise ValueError(
                f'{where} metadata "{key}" must be a string, number or boolean, got {_kind(item)}'
            )
        # As Jackson's asText: booleans lower-case, numbers as written by JSON.
        out[key] = json.dumps(item) if isinstance(item, bool) else str(item)
    return out


def _produced_at(node: dict, where: str, now: _dt.datetime) -> _dt.datetime:
    value = node.get("produced_at")
    if value is None:
        return now
    if isinstance(value, int) and not isinstance(value, bool):
        return _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(milliseconds=value)
    if isinstance(value, str):
        try:
            parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if parsed.tzinfo is not None:
                return parsed
        except ValueError:
            pass
    raise ValueError(
        f'{where} field "produced_at" must be epoch milliseconds or an ISO-8601 instant such as'
        f" 2026-01-01T00:00:00Z, got {json.dumps(value)}"
    )


def _messages(node: dict, where: str) -> Optional[tuple[ChatMessage, ...]]:
    value = node.get("messages")
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValueError(f'{where} field "messages" must be an array of {{role, content}}')
    out = []
    for i, message in enumerate(value):
        at = f"{where} messages[{i}]"
        if not isinstance(message, dict):
            raise ValueError(f"{at} must be an object {{role, content}}, got {_kind(message)}")
        out.append(
            ChatMessage(
                _required(message, "role", at, ("role", "content")),
                _required(message, "content", at, ("role", "content")),
            )
        )
    return tuple(out)
