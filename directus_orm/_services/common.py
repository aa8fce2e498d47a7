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
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import httpx
from typing_extensions import TypeVar

from .._core.flow import Flow, Refresh
from .._core.request import Call
from .._models.hydrate import validate_envelope
from .._models.model import Model

if TYPE_CHECKING:
    from .._transport.session import BaseSession

M = TypeVar("M", bound=Model)


FieldPaths = Sequence[str] | None


def _data(body: Any) -> Any:
    return body.get("data") if isinstance(body, dict) else body


def _query(fields: FieldPaths) -> dict[str, Any] | None:
    return {"fields": list(fields)} if fields else None


def _one(model: type[M], response: httpx.Response) -> M | None:
    """The typed object of a ``{"data": {...}}`` response, ``None`` for 204 or ``null``."""
    if not response.content:
        return None
    options = model._meta
    obj: M | None = validate_envelope(model, response.content, "one")["data"]
    if obj is not None:
        options.strip((obj,))
    return obj


def _many(model: type[M], response: httpx.Response) -> list[M]:
    if not response.content:
        return []
    options = model._meta
    data = validate_envelope(model, response.content, "list")["data"]
    items: list[M] = list(data or [])
    options.strip(items)
    return items


def _json(method: str, path: str, body: Any, *, query: Mapping[str, Any] | None = None,
          authenticated: bool = True) -> Call:
    return Call(method, path, query=query, json=body, send_json=True,
                authenticated=authenticated)


def _password_flow(session: BaseSession, call: Call) -> Flow[httpx.Response]:
    """Send ``call``, whose body carries the user's password, with the current token.

    Directus answers a wrong password there with 401 ``INVALID_CREDENTIALS``,
    which on an ordinary call means a dead token that the session drops. Here
    it is about the password, so the token is sent as a plain header and kept.
    """
    session._ensure_loaded()
    auth = session._auth
    if auth.should_refresh():
        yield Refresh(auth.generation)
    plain = replace(call, authenticated=False, headers={**call.headers, **auth.headers()})
    return (yield from session.response_flow(plain))


def _pk(value: Any) -> Any:
    """A primary key, or the key of a model object."""
    return value.pk if isinstance(value, Model) else value
