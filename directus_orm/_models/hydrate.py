"""The one hydration path: response bytes validated straight into model instances.

A row that does not fit the model (an editor added a choice the ``Literal`` lacks, a column
changed type) raises :class:`~directus_orm.HydrationError` naming the model, the
collection, the primary keys of the bad rows and the fields, never their values.
:func:`hydrate_rows` validates row by row instead, to read past bad rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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
    model: type[Model], content: bytes, error: PydanticValidationError, *, shape: str,
    written: bool = False,
) -> HydrationError:
    """The library's error for rows of ``content`` that ``model`` rejected."""
    meta = model._meta
    rows = _rows_of(content)
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
    what = f"{len(keys)} row(s)" if len(keys) != 1 else "a row"
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


def validate_envelope(model: type[Model], content: bytes, shape: Literal["list", "one"]) -> Any:
    """``{"data": ...}`` validated; a row that does not fit raises HydrationError."""
    try:
        return model._meta.validator(shape).validate_json(content)
    except PydanticValidationError as error:
        raise hydration_error(model, content, error, shape=shape) from None


def hydrate_one(model: type[M], content: bytes) -> M | None:
    envelope = validate_envelope(model, content, "one")
    obj: M | None = envelope["data"]
    if obj is not None:
        model._meta.strip([obj], content)
    return obj


def hydrate_many(model: type[M], content: bytes) -> list[M]:
    envelope = validate_envelope(model, content, "list")
    objs: list[M] = envelope["data"]
    model._meta.strip(objs, content)
    return objs


def hydrate_rows(model: type[M], content: bytes) -> tuple[list[M], list[HydrationError], list[Any]]:
    """Validate row by row: ``(objects, one error per bad row, the raw rows)``."""
    rows = _rows_of(content)
    validator = model._meta.validator("item")
    objs: list[M] = []
    errors: list[HydrationError] = []
    for row in rows:
        try:
            objs.append(validator.validate_python(row))
        except PydanticValidationError as error:
            one = json.dumps({"data": row}, default=str).encode()
            errors.append(hydration_error(model, one, error, shape="one"))
    model._meta.strip(objs)
    return objs, errors, rows
