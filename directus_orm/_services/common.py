"""Service endpoints (``session.server``, ``session.users``, ``session.files`` ...), written as flows.

A service's logic lives in a ``*Flows`` class whose methods return flows; the
sync facade runs them with ``session.run_flow`` and the async one awaits
``session.arun_flow``. The facades hold no logic of their own.

Writes return the typed object the server sent back. When the server accepted
a write but the current user may not read its result, Directus answers 204
with no body; those methods then return ``None`` (their return type says so).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._core.request import Call
from .._models.model import Model

FieldPaths = Sequence[str] | None


def _data(body: Any) -> Any:
    return body.get("data") if isinstance(body, dict) else body


def _query(fields: FieldPaths) -> dict[str, Any] | None:
    return {"fields": list(fields)} if fields else None


def _json(method: str, path: str, body: Any, *, query: Mapping[str, Any] | None = None,
          authenticated: bool = True) -> Call:
    return Call(method, path, query=query, json=body, send_json=True,
                authenticated=authenticated)


def _pk(value: Any) -> Any:
    """A primary key, or the key of a model object."""
    return value.pk if isinstance(value, Model) else value
