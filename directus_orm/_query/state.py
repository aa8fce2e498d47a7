"""The state of a QuerySet as immutable data: what it filters, orders, limits and loads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pydantic import TypeAdapter

from .q import Q

if TYPE_CHECKING:
    from .._models.queryset import QuerySet

RowKind = Literal["model", "dict", "tuple", "flat"]
"""What a row becomes: a model, a dict (``values``), a tuple or one value (``values_list``)."""

@dataclass(frozen=True)
class QueryState:
    """Everything a QuerySet says, as immutable data."""

    where: tuple[Q, ...] = ()
    search: str | None = None
    fields: tuple[str, ...] | None = None
    sort: tuple[str, ...] = ()
    limit: int | None = None
    offset: int = 0
    meta: tuple[str, ...] = ()
    deep: Mapping[str, Any] | None = None
    alias: Mapping[str, str] | None = None
    params: Mapping[str, Any] | None = None
    empty: bool = False
    rows: RowKind = "model"
    row_fields: tuple[str, ...] = ()
    distinct: bool = False
    """``distinct()``: rows of ``values()``/``values_list()`` are grouped (Directus ``groupBy``)."""
    annotations: tuple[tuple[str, str, str], ...] = ()
    """``annotate()``: (name, Directus function path such as ``count(comments)``,
    the lookup that filters on it such as ``comments__count``)."""
    value_type: TypeAdapter[Any] | None = None
    """``values_list(..., flat=True, of=T)``: how each value is validated."""
    deferred: tuple[str, ...] = ()
    """``defer()``: Python names of fields not to fetch."""
    related: tuple[tuple[str, QuerySet[Any] | None], ...] = ()
    """Relations to load in the same request: ``select_related``/``prefetch`` (name, nested QuerySet)."""

    @property
    def sliced(self) -> bool:
        return self.limit is not None or self.offset > 0
