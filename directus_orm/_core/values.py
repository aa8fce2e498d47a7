"""Values Directus cannot hold, refused before they are sent.

Directus parses JSON with Node.js: integers beyond ±2**53 are rounded (and stored wrong
without a word), ``NaN`` and ``Infinity`` are not JSON, and a lone UTF-16 surrogate cannot
be encoded. :func:`check_json` walks a request body and raises
:class:`~directus_orm.ValidationError` naming the field, never the value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .exceptions import ValidationError

#: Node.js reads integers exactly up to 2**53 (``Number.MAX_SAFE_INTEGER + 1``).
MAX_EXACT_INT = 2**53

#: Keys of Directus's request envelopes (``{"keys": ..., "data": ...}``, ``{"query": ...}``).
_ENVELOPE = frozenset({"data", "query", "keys"})


def unsafe_reason(value: Any) -> str | None:
    """Why Directus cannot hold this scalar, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if abs(value) > MAX_EXACT_INT:
            return "an integer beyond ±2**53 (Directus would round it); send it as a string"
        return None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return "NaN or infinity (not JSON)"
        return None
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "a lone UTF-16 surrogate (not encodable text)"
    return None


def _walk(value: Any, path: tuple[str, ...], out: list[tuple[str, str]], top: bool) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = str(key)
            inner = path if top and name in _ENVELOPE else (*path, name)
            _walk(item, inner, out, top=top and name in _ENVELOPE)
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _walk(item, path, out, top=top)
        return
    reason = unsafe_reason(value)
    if reason is not None:
        out.append((".".join(path) or "(body)", reason))


def check_json(value: Any, *, model: str | None = None) -> None:
    """Raise ValidationError if ``value`` holds something Directus cannot store exactly."""
    problems: list[tuple[str, str]] = []
    _walk(value, (), problems, top=True)
    if not problems:
        return
    fields = list(dict.fromkeys(name for name, _ in problems))
    where = f" of {model}" if model else ""
    detail = "; ".join(f"{name}: {reason}" for name, reason in dict(problems).items())
    raise ValidationError(
        f"cannot send field(s) {fields}{where}: {detail}. Nothing was sent", model=model, fields=fields
    )
