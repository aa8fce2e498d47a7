"""A QuerySet as a subscription: its query, and hydration through the read path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from .._core.exceptions import QueryError
from .._models.hydrate import hydrate_page
from .._query.filters import EmptyResultSet
from .protocol import SubscriptionSpec

if TYPE_CHECKING:
    from .._models.queryset import QuerySet

__all__ = ["raw_spec", "queryset_spec"]


def queryset_spec(qs: QuerySet[Any]) -> SubscriptionSpec:
    """The subscription a QuerySet describes: its filter, search, fields, sort, deep and alias.

    The query asks for every match (``limit: -1``) so that ``init`` holds them all
    and no event is cut by the server's default limit of 100. Items are hydrated
    exactly like a read of the QuerySet (its ``fields``, relations loaded or not).
    """
    state = qs._state
    if state.sliced:
        raise QueryError("cannot subscribe to a sliced QuerySet (events are not paged)")
    if state.empty:
        raise QueryError("cannot subscribe to a QuerySet that matches nothing (none())")
    if state.meta:
        raise QueryError("meta() does not apply to a subscription")
    model = qs.model
    options = model._meta
    if options.singleton:
        raise QueryError(f"{model.__name__} is a singleton: subscribe to it with a raw subscription")
    try:
        query = qs._base_query()
    except EmptyResultSet:
        raise QueryError("cannot subscribe to a QuerySet that matches nothing") from None
    query["limit"] = -1
    pk_name = options.primary_key
    pk_api = options.pk_field.api_name
    convert = _key_converter(model.model_fields[pk_name].annotation)

    if state.rows == "model":
        plan = qs._plan

        def hydrate(raw: bytes, data: list[Any]) -> list[Any]:
            # The read path (as the QuerySet's pages): validate the message bytes
            # (``{"data": [...], ...}``) with the model's partial validator, mark
            # what was not sent, then unload relations the QuerySet did not ask for.
            items, _ = hydrate_page(model, raw)
            if plan is not None and plan.unload:
                plan.unload.apply(items)
            return items

        def keys(data: list[Any], items: list[Any]) -> list[Any]:
            return [item.__dict__.get(pk_name) for item in items]

    else:
        # values()/values_list() rows may not hold the key: ask for it too.
        fields = query.get("fields")
        if fields is not None and pk_api not in fields and "*" not in fields:
            query["fields"] = [*fields, pk_api]

        def hydrate(raw: bytes, data: list[Any]) -> list[Any]:
            return qs._shape_rows(data)

        def keys(data: list[Any], items: list[Any]) -> list[Any]:
            return [convert(row.get(pk_api)) for row in data if isinstance(row, dict)]

    return SubscriptionSpec(options.collection, query, hydrate, keys, convert)


def raw_spec(collection: str, query: Mapping[str, Any] | None) -> SubscriptionSpec:
    """A subscription to ``collection`` whose items are plain dicts."""
    if not collection:
        raise QueryError("the collection name is empty")

    def hydrate(raw: bytes, data: list[Any]) -> list[Any]:
        return list(data)

    def keys(data: list[Any], items: list[Any]) -> list[Any]:
        return []

    return SubscriptionSpec(collection, dict(query or {}), hydrate, keys, lambda key: key)


def _key_converter(annotation: Any) -> Any:
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)

    def convert(key: Any) -> Any:
        try:
            return adapter.validate_python(key)
        except ValidationError:
            return key

    return convert
