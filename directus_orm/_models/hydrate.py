"""The one hydration path: response bytes validated straight into model instances.

Every read that yields models goes through here: the QuerySet's pages, ``save()``'s
answer, the items handler, the services and the system querysets. One pydantic-core
pass turns a ``{"data": ..., "meta": ...}`` body into instances; :meth:`ModelOptions.strip`
then removes the fields the response did not carry and records the page's state.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .model import Model

M = TypeVar("M", bound="Model")


def hydrate_page(model: type[M], content: bytes) -> tuple[list[M], dict[str, Any]]:
    """The instances and the ``meta`` block of a list response (empty for no body)."""
    if not content:
        return [], {}
    options = model._meta
    # Creating thousands of objects triggers the cyclic garbage collector again and
    # again, for nothing: these objects hold no cycles. Pause it for the page (one
    # call; no other object is freed any later for it).
    collecting = gc.isenabled()
    gc.disable()
    try:
        envelope = options.validator("list").validate_json(content)
        items: list[M] = envelope["data"] or []
        options.strip(items, content)
    finally:
        if collecting:
            gc.enable()
    return items, envelope.get("meta") or {}


def hydrate_many(model: type[M], content: bytes) -> list[M]:
    """The instances of a list response (``[]`` for no body)."""
    return hydrate_page(model, content)[0]


def hydrate_one(model: type[M], content: bytes) -> M | None:
    """The instance of a one-item response; ``None`` for no body (204) or ``"data": null``."""
    if not content:
        return None
    envelope = model._meta.validator("one").validate_json(content)
    obj: M | None = envelope["data"]
    if obj is not None:
        model._meta.strip([obj], content)
    return obj


def hydrate_rows(model: type[M], rows: Sequence[Mapping[str, Any]]) -> list[M]:
    """Instances from rows already decoded (filtered or sorted in Python first)."""
    options = model._meta
    validator = options.validator("item")
    items: list[M] = [validator.validate_python(row) for row in rows]
    options.strip(items)
    return items
