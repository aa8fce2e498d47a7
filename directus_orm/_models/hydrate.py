"""The one hydration path: response bytes validated straight into model instances.

Every read that yields models goes through here: the QuerySet's pages, ``save()``'s
answer, the items handler, the services and the system querysets. One pydantic-core
pass turns a ``{"data": ..., "meta": ...}`` body into instances; :meth:`ModelOptions.strip`
then removes the fields the response did not carry and records the page's state.

A row that does not fit the model (an editor added a choice the ``Literal`` lacks, a column
changed type) raises :class:`~directus_orm.HydrationError` naming the model, the
collection, the primary keys of the bad rows and the fields, never their values.
:func:`hydrate_page_skipping` validates row by row instead, to read past bad rows.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic_core import ValidationError as PydanticValidationError

from .._core.exceptions import HydrationError

if TYPE_CHECKING:
    from .model import Model

M = TypeVar("M", bound="Model")

OnInvalid = Literal["raise", "skip"] | Callable[[HydrationError], Any]
"""What a read does with a row that does not fit the model: raise (the default), skip it
(logged as a warning), or skip it and pass its :class:`HydrationError` to a callable."""


def _rows_of(content: bytes) -> list[Any]:
    try:
        body = json.loads(content)
    except ValueError:
        return []
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, list):
        return data
    return [data] if isinstance(data, dict) else []


def hydration_error(
    model: type[Model], rows: Sequence[Any], error: PydanticValidationError, *, shape: str,
    written: bool = False,
) -> HydrationError:
    """The library's error for ``rows`` (decoded) that ``model`` rejected."""
    meta = model._meta
    pk_api = meta.pk_field.api_name
    keys: list[Any] = []
    fields: list[str] = []
    reasons: list[str] = []
    for detail in error.errors():
        loc = list(detail.get("loc", ()))
        if loc and loc[0] == "data":
            loc = loc[1:]
        index = 0
        if shape == "list" and loc and isinstance(loc[0], int):
            index, loc = loc[0], loc[1:]
        row = rows[index] if index < len(rows) else None
        key = row.get(pk_api) if isinstance(row, dict) else None
        if key not in keys:
            keys.append(key)
        if loc and isinstance(loc[0], str):
            found = meta.by_api(loc[0])
            name = found.name if found is not None else loc[0]
            if name not in fields:
                fields.append(name)
                reasons.append(f"{name}: {detail.get('msg', 'invalid')}")
    what = f"{len(keys)} rows" if len(keys) != 1 else "a row"
    message = (
        f"{what} of {meta.collection!r} (primary key(s) {keys}) do not fit {model.__name__}: "
        f"{'; '.join(reasons) or 'invalid data'}. Widen the model's field types, or read past "
        "such rows with iterator(on_invalid='skip')"
    )
    if written:
        message += " (the write was applied on the server)"
    return HydrationError(
        message, model=model, collection=meta.collection, keys=keys, fields=fields, written=written
    )


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
        try:
            envelope = options.validator("list").validate_json(content)
        except PydanticValidationError as error:
            raise hydration_error(model, _rows_of(content), error, shape="list") from None
        items: list[M] = envelope["data"] or []
        options.strip(items, content)
    finally:
        if collecting:
            gc.enable()
    return items, envelope.get("meta") or {}


def hydrate_page_skipping(
    model: type[M], content: bytes
) -> tuple[list[M], dict[str, Any], list[HydrationError], list[Any]]:
    """Validate a list response row by row: ``(objects, meta, one error per bad row,
    the raw rows)``."""
    try:
        body = json.loads(content) if content else {}
    except ValueError:
        body = {}
    rows = body.get("data") if isinstance(body, dict) else None
    rows = rows if isinstance(rows, list) else []
    validator = model._meta.validator("item")
    objs: list[M] = []
    errors: list[HydrationError] = []
    for row in rows:
        try:
            objs.append(validator.validate_python(row))
        except PydanticValidationError as error:
            errors.append(hydration_error(model, [row], error, shape="one"))
    model._meta.strip(objs)
    meta = body.get("meta") if isinstance(body, dict) else None
    return objs, meta or {}, errors, rows


def hydrate_many(model: type[M], content: bytes) -> list[M]:
    """The instances of a list response (``[]`` for no body)."""
    return hydrate_page(model, content)[0]


def hydrate_one(model: type[M], content: bytes) -> M | None:
    """The instance of a one-item response; ``None`` for no body (204) or ``"data": null``."""
    if not content:
        return None
    try:
        envelope = model._meta.validator("one").validate_json(content)
    except PydanticValidationError as error:
        raise hydration_error(model, _rows_of(content), error, shape="one") from None
    obj: M | None = envelope["data"]
    if obj is not None:
        model._meta.strip([obj], content)
    return obj


def hydrate_rows(model: type[M], rows: Sequence[Mapping[str, Any]]) -> list[M]:
    """Instances from rows already decoded (filtered or sorted in Python first)."""
    options = model._meta
    validator = options.validator("item")
    items: list[M] = []
    for row in rows:
        try:
            items.append(validator.validate_python(row))
        except PydanticValidationError as error:
            raise hydration_error(model, [row], error, shape="one") from None
    options.strip(items)
    return items
