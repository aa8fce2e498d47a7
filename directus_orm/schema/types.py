"""The one table of Directus field types and the Python types that hold them.

``inspect`` writes the ``annotation`` of a row, ``migrate`` creates the
``directus`` type of the *preferred* row for a Python type (a
``FieldOptions(type=...)`` picks another row), and ``check`` accepts any row
whose Python type matches the model's annotation.
"""

from __future__ import annotations

import datetime
import enum
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Union, get_args, get_origin
from uuid import UUID

__all__ = ["TYPES", "TypeRow", "python_type_of", "row_for", "rows_for_python"]


@dataclass(frozen=True)
class TypeRow:
    """One Directus type and how the ORM declares it."""

    directus: str
    """The Directus field type."""
    python: object
    """The Python type a model declares for it (``Any`` for JSON)."""
    annotation: str
    """The annotation ``inspect`` writes (imports in ``imports``)."""
    imports: tuple[str, ...] = ()
    special: tuple[str, ...] = ()
    """Directus ``meta.special`` flags the Studio sets for this type."""
    interface: str = "input"
    """The Studio interface ``migrate`` gives a new field of this type."""
    preferred: bool = False
    """The type ``migrate`` creates for ``python`` when no ``FieldOptions(type=...)``."""


_DT = ("import datetime",)

TYPES: tuple[TypeRow, ...] = (
    TypeRow("integer", int, "int", preferred=True),
    TypeRow("bigInteger", int, "int"),
    TypeRow("float", float, "float", preferred=True),
    TypeRow("decimal", Decimal, "Decimal", ("from decimal import Decimal",), preferred=True),
    TypeRow("string", str, "str", preferred=True),
    TypeRow("text", str, "str", interface="input-multiline"),
    TypeRow("hash", str, "str", special=("hash",), interface="input-hash"),
    TypeRow("uuid", UUID, "UUID", ("from uuid import UUID",), preferred=True),
    TypeRow("boolean", bool, "bool", special=("cast-boolean",), interface="boolean", preferred=True),
    TypeRow("json", Any, "Any", ("from typing import Any",), special=("cast-json",),
            interface="input-code", preferred=True),
    TypeRow("csv", list[str], "list[str]", special=("cast-csv",), interface="tags",
            preferred=True),
    TypeRow("date", datetime.date, "datetime.date", _DT, interface="datetime", preferred=True),
    TypeRow("time", datetime.time, "datetime.time", _DT, interface="datetime", preferred=True),
    TypeRow("timestamp", datetime.datetime, "datetime.datetime", _DT, interface="datetime",
            preferred=True),
    TypeRow("dateTime", datetime.datetime, "datetime.datetime", _DT, interface="datetime"),
    TypeRow("geometry", Any, "Any", ("from typing import Any",), interface="map"),
    TypeRow("binary", str, "str"),
)
"""Every Directus type with a column. ``alias`` fields (one-to-many,
many-to-many, many-to-any, presentation fields) have none; ``geometry.*``
types are read as ``geometry``."""

_BY_DIRECTUS = {row.directus: row for row in TYPES}
_JSON = _BY_DIRECTUS["json"]


def row_for(directus_type: str) -> TypeRow:
    """The row of a Directus type (``geometry.Point`` → ``geometry``; unknown → ``json``)."""
    row = _BY_DIRECTUS.get(directus_type)
    if row is None and directus_type.startswith("geometry"):
        row = _BY_DIRECTUS["geometry"]
    return row or _JSON


def python_type_of(annotation: Any) -> tuple[object, bool]:
    """The scalar Python type of a model annotation and whether it admits ``None``.

    ``Annotated`` and ``| None`` are unwrapped; ``Literal`` and ``Enum`` give
    the type of their values; dicts, ``Any`` and lists other than ``list[str]``
    give ``Any`` (JSON).
    """
    parts = _flatten(annotation)
    nullable = any(p is type(None) or p is Any for p in parts)
    found: list[object] = []
    for part in parts:
        if part is type(None):
            continue
        found.append(_scalar(part))
    distinct = list(dict.fromkeys(found))
    if len(distinct) == 1:
        return distinct[0], nullable
    return Any, nullable


def rows_for_python(python: object) -> tuple[TypeRow, ...]:
    """The Directus types a Python type can hold, the preferred one first."""
    rows = [row for row in TYPES if row.python == python]
    if python is Any:
        rows = [row for row in TYPES if row.python is Any]
    rows.sort(key=lambda row: not row.preferred)
    return tuple(rows)


def _flatten(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        out: list[Any] = []
        for arg in get_args(annotation):
            out.extend(_flatten(arg))
        return out
    if origin is typing.Annotated:
        return _flatten(get_args(annotation)[0])
    return [annotation]


def _scalar(part: Any) -> object:
    origin = get_origin(part)
    if origin is Literal:
        values = get_args(part)
        kinds = {type(v) for v in values}
        return kinds.pop() if len(kinds) == 1 else Any
    if isinstance(part, type) and issubclass(part, enum.Enum):
        kinds = {type(m.value) for m in part}
        return kinds.pop() if len(kinds) == 1 else Any
    if origin in (list, tuple, set, frozenset):
        args = get_args(part)
        if args and args[0] is str:
            return list[str]
        return Any
    if origin is dict or part in (dict, list) or part is Any:
        return Any
    if isinstance(part, type) and issubclass(part, bool):
        return bool
    if part is datetime.datetime or (isinstance(part, type) and issubclass(part, datetime.datetime)):
        return datetime.datetime
    return part
