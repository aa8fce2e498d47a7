"""Requests as plain data, and the pure rules that turn them into HTTP.

Nothing here does I/O. A :class:`Call` says what to ask Directus (method,
path segments, a structured query, a JSON body); :func:`encode_query` turns a
structured query into URL parameters; :func:`read_call` chooses between ``GET``
and ``SEARCH`` by the length of the URL; :func:`parse_response` turns status
and bytes into data or a typed error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from .exceptions import error_from_response

#: A URL longer than this is sent as ``SEARCH`` with the query in the body.
#: Node answers 431 at about 16 KB of request line plus headers; a token and
#: ordinary headers take about 1 KB, so 8 KB leaves room on every proxy too.
MAX_URL_LENGTH = 8000


# Query keys whose values Directus reads as JSON objects in a URL.
_JSON_KEYS = frozenset({"filter", "deep", "alias", "aggregate"})


# Query keys Directus reads as comma-separated lists in a URL.
_LIST_KEYS = frozenset({"fields", "sort", "groupBy", "meta"})


def path_of(*segments: str | int) -> str:
    """Join path segments, each percent-encoded, so a value can never change the route.

    ``path_of("items", "articles", "../users")`` is ``/items/articles/..%2Fusers``;
    a segment of only dots is encoded too (``%2E%2E``), since HTTP clients
    normalise ``..`` away.
    """
    parts: list[str] = []
    for segment in segments:
        text = str(segment)
        if text == "":
            raise ValueError("an empty path segment cannot address anything")
        encoded = quote(text, safe="")
        if set(text) == {"."}:
            encoded = "%2E" * len(text)
        parts.append(encoded)
    return "/" + "/".join(parts)


@dataclass(frozen=True)
class Call:
    """One Directus API call, described as data.

    ``query`` is the structured Directus query (``{"filter": {...}, "limit": 10}``);
    ``params`` are extra raw URL parameters; ``json`` is the body (``None`` is a
    JSON null only when ``send_json`` is true); ``files`` is a multipart body.
    ``authenticated=False`` sends no token (login, refresh, password reset).
    ``checks_password=True`` marks a call whose body carries the user's password
    (2FA set-up): Directus answers a wrong one with 401 ``INVALID_CREDENTIALS``,
    which then says nothing about the token, so the session keeps it.
    """

    method: str
    path: str
    query: Mapping[str, Any] | None = None
    params: Mapping[str, str] | None = None
    json: Any = None
    send_json: bool = False
    content: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    files: Sequence[tuple[str, Any]] | None = None
    data: Mapping[str, Any] | None = None
    authenticated: bool = True
    checks_password: bool = False

    @property
    def idempotent(self) -> bool:
        """Whether the call may be retried automatically (reads only)."""
        return self.method in ("GET", "HEAD", "SEARCH", "OPTIONS")

    def url_params(self) -> list[tuple[str, str]]:
        """The URL parameters: the encoded query, then the raw extras."""
        out = encode_query(self.query) if self.query else []
        if self.params:
            out.extend(self.params.items())
        return out

    def describe(self) -> str:
        """The call for a reader: ``GET /path?k=v`` with the parameters decoded, or
        ``SEARCH /path {body}`` (what ``QuerySet.explain()`` shows)."""
        if self.method == "SEARCH":
            return f"SEARCH {self.path} {json.dumps(self.json, default=str)}"
        params = "&".join(f"{k}={v}" for k, v in self.url_params())
        return f"{self.method} {self.path}" + (f"?{params}" if params else "")


def _json_dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def encode_query(query: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Encode a structured Directus query as URL parameters.

    Objects (``filter``, ``deep``, ``alias``, ``aggregate``) become JSON strings,
    which Directus parses; lists (``fields``, ``sort``, ``groupBy``, ``meta``)
    become comma-separated values; everything else is ``str()``.
    """
    out: list[tuple[str, str]] = []
    for key, value in query.items():
        if value is None:
            continue
        if key in _JSON_KEYS:
            out.append((key, _json_dumps(value)))
        elif key in _LIST_KEYS and isinstance(value, (list, tuple)):
            out.append((key, ",".join(str(v) for v in value)))
        elif isinstance(value, bool):
            out.append((key, "true" if value else "false"))
        elif isinstance(value, (dict, list)):
            out.append((key, _json_dumps(value)))
        else:
            out.append((key, str(value)))
    return out


def read_call(
    path: str,
    query: Mapping[str, Any] | None,
    *,
    base_url_length: int = 0,
    max_url_length: int = MAX_URL_LENGTH,
) -> Call:
    """A read of ``path``: ``GET`` with URL parameters, or ``SEARCH`` when too long.

    ``SEARCH`` carries the same query in its body as ``{"query": {...}}``; the
    server treats both the same way.
    """
    call = Call("GET", path, query=query)
    if query:
        length = base_url_length + len(path) + 1 + len(urlencode(call.url_params()))
        if length > max_url_length:
            return Call("SEARCH", path, json={"query": dict(query)}, send_json=True)
    return call


def parse_response(
    status: int,
    body: bytes,
    *,
    method: str,
    path: str,
    retry_after: str | None = None,
) -> Any:
    """The decoded JSON body of a successful response (``None`` when empty).

    Raises the typed :class:`~directus_orm.DirectusError` for an error status.
    """
    if status >= 400:
        raise error_from_response(
            status, body, method=method, path=path, retry_after=retry_after
        )
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")
