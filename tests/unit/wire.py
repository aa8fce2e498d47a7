"""Helpers for the wire-format tests: canned Directus answers and decoded requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

BASE = "http://directus.test"

# The ``call`` fixture of the service tests: runs ``command(session)`` on a sync or an async session.
Runner = Callable[[Callable[[Any], Any]], Any]

TOKENS_1 = {"data": {"access_token": "A1", "refresh_token": "R1", "expires": 900_000}}
TOKENS_2 = {"data": {"access_token": "A2", "refresh_token": "R2", "expires": 900_000}}


def rows(*items: dict[str, Any], filter_count: int | None = None) -> dict[str, Any]:
    count = len(items) if filter_count is None else filter_count
    return {"data": list(items), "meta": {"filter_count": count}}


def params(request: httpx.Request) -> list[tuple[str, str]]:
    """The decoded query parameters, in order, duplicates kept."""
    return list(request.url.params.multi_items())


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


def error_body(code: str | None, message: str = "boom", **extensions: Any) -> dict[str, Any]:
    ext: dict[str, Any] = dict(extensions)
    if code is not None:
        ext["code"] = code
    return {"errors": [{"message": message, "extensions": ext}]}


def sent(request: httpx.Request) -> tuple[str, str, list[tuple[str, str]], Any]:
    """``(method, raw path, decoded parameters, body)`` of a request: the body decoded from
    JSON, ``None`` when there is none, the raw bytes otherwise (multipart)."""
    path = request.url.raw_path.split(b"?")[0].decode()
    content = request.content
    if not content:
        return request.method, path, params(request), None
    is_json = request.headers.get("Content-Type") == "application/json"
    return request.method, path, params(request), json.loads(content) if is_json else content
