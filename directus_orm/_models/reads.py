"""The QuerySet's read flows: fetching pages, paging past limits, keyset iteration, counts, aggregates."""


from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from .._core.exceptions import Forbidden, HydrationError, InvalidQuery, QueryError
from .._core.flow import Flow
from .._core.request import read_call
from .._core.version import require
from .._query.aggregates import Aggregate, function_value
from .._query.aggregates import normalize as normalize_aggregate
from .._transport.session import BaseSession
from .compiler import QueryCompiler
from .hydrate import OnInvalid, hydrate_one, hydrate_page, hydrate_page_skipping
from .mismatch import from_forbidden
from .options import _flatten_annotation
from .state import state_of

logger = logging.getLogger("directus_orm")

if TYPE_CHECKING:
    from .model import Model


T = TypeVar("T")

#: Items asked for per request while iterating (``iterator()`` default).
DEFAULT_CHUNK_SIZE = 1000


#: Keys per request in ``in_bulk``.
IN_BULK_BATCH = 500


@dataclass
class Page(Generic[T]):
    """One page of results, with the counts Directus reports alongside."""

    items: list[T]
    number: int
    size: int
    total_count: int
    """Items in the collection, ignoring the filter."""
    filter_count: int
    """Items matching the filter and search."""

    @property
    def has_next(self) -> bool:
        return self.number * self.size < self.filter_count

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.filter_count // self.size))

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass
class _Batch(Generic[T]):
    items: list[T]
    meta: dict[str, Any] = field(default_factory=dict)
    last_key: Any = None
    limit: int = 0
    """The limit the request asked for: fewer items means this was the last page."""
    received: int | None = None
    """Rows the server sent, when bad rows were skipped (``items`` holds fewer)."""


class ReadFlows(QueryCompiler[T]):
    """The sans-IO read flows of a QuerySet; the terminals in ``queryset.py`` drive them."""

    def _fetch_flow(
        self, session: BaseSession, query: dict[str, Any], on_invalid: OnInvalid = "raise"
    ) -> Flow[_Batch[T]]:
        """One read request; returns the hydrated items and the meta block.

        A row that does not fit the model raises HydrationError, or with ``on_invalid``
        ("skip" or a callable) is left out and reported.
        """
        yield from _version_guard(self, session)
        call = read_call(
            self._path(), query,
            base_url_length=len(session.url), max_url_length=session.max_url_length,
        )
        response = yield from self._read_flow(session, call)
        rows = self._state.rows
        if rows == "model":
            items: list[Any]
            received: int | None = None
            if on_invalid == "raise":
                items, meta = hydrate_page(self.model, response.content)
            else:
                try:
                    items, meta = hydrate_page(self.model, response.content)
                except HydrationError:
                    items, meta, errors, raw_rows = hydrate_page_skipping(
                        self.model, response.content
                    )
                    _report_invalid(errors, on_invalid)
                    received = len(raw_rows)
            if self._plan is not None and self._plan.unload:
                self._plan.unload.apply(items)
            if self._state.annotations and items:
                body_bytes = response.content
                if received is not None:  # bad rows were left out: keep the rows of the items
                    pk_api = self.model._meta.pk_field.api_name
                    kept = {obj.__dict__.get(self.model._meta.primary_key) for obj in items}
                    good = [r for r in raw_rows if isinstance(r, dict) and r.get(pk_api) in kept]
                    body_bytes = json.dumps({"data": good}).encode()
                _keep_annotations(items, body_bytes, self._state.annotations)
            if received is not None:
                tail = raw_rows[-1] if raw_rows else None
                pk_api = self.model._meta.pk_field.api_name
                last = tail.get(pk_api) if isinstance(tail, dict) else None
            else:
                last = items[-1].__dict__.get(self.model._meta.primary_key) if items else None
        else:
            body = json.loads(response.content)
            raw = body.get("data") or []
            pk_api = self.model._meta.pk_field.api_name
            last = raw[-1].get(pk_api) if raw and isinstance(raw[-1], dict) else None
            items = self._shape_rows(raw)
            meta = body.get("meta") or {}
        return _Batch(cast("list[T]", items), meta, last, int(query.get("limit") or 0),
                      received if rows == "model" else None)

    def _read_flow(self, session: BaseSession, call: Any) -> Flow[Any]:
        """Send a read; a 403 naming a field the collection lacks is a ``SchemaMismatch``."""
        try:
            return (yield from session.response_flow(call))
        except Forbidden as error:
            mismatch = from_forbidden(self.model, error)
            if mismatch is None:
                raise
            raise mismatch from error

    def _shape_rows(self, raw: list[Any]) -> list[Any]:
        fields = self._state.row_fields
        # annotate() names: their values are those of the functions they stand for.
        functions = {name: path for name, path, _ in self._state.annotations or ()}
        if self._state.rows == "dict":
            if not fields:
                return raw
            keys = [(f, self._api_path(f), functions.get(f)) for f in fields]
            return [{f: _value(row, path, fn) for f, path, fn in keys} for row in raw]
        paths = [self._api_path(f) for f in fields]
        fns = [functions.get(f) for f in fields]
        if self._state.rows == "flat":
            values = [_value(row, paths[0], fns[0]) for row in raw]
            adapter = self._state.value_type
            if adapter is not None:
                values = [None if v is None else adapter.validate_python(v) for v in values]
            return values
        return [tuple(_value(row, p, fn) for p, fn in zip(paths, fns, strict=True)) for row in raw]

    def _all_flow(self, session: BaseSession) -> Flow[list[T]]:
        """Everything the QuerySet matches, however many pages that takes."""
        self._not_singleton("listing")
        if self._matches_nothing():
            return []
        query = self._evaluation_query()
        cap = session.query_limit_max
        if cap is None or query["limit"] <= cap:
            try:
                batch = yield from self._fetch_flow(session, query)
            except InvalidQuery as error:
                cap = _limit_cap(error)
                if cap is None:
                    raise
                session.learn_query_limit(cap)
            else:
                self._meta_result = dict(batch.meta)
                return batch.items
        return (yield from self._paged_flow(session, query, cap))

    def _paged_flow(self, session: BaseSession, query: dict[str, Any], cap: int) -> Flow[list[T]]:
        """Read in pages of the server's maximum (``QUERY_LIMIT_MAX``)."""
        wanted = self._state.limit
        query = {k: v for k, v in query.items() if k not in ("limit", "offset")}
        if not query.get("sort"):  # offset paging needs a stable order
            query["sort"] = [self.model._meta.pk_field.api_name]
        items: list[T] = []
        while wanted is None or len(items) < wanted:
            size = cap if wanted is None else min(cap, wanted - len(items))
            query["limit"] = size
            query["offset"] = self._state.offset + len(items)
            batch = yield from self._fetch_flow(session, query)
            if not items:
                self._meta_result = dict(batch.meta)
                query.pop("meta", None)
            items.extend(batch.items)
            if len(batch.items) < size:
                break
        return items

    @property
    def _keyset(self) -> bool:
        """Whether ``iterator()`` pages by primary key: unsorted, or sorted by it."""
        pk = self.model._meta.pk_field.api_name
        sort = self._state.sort
        return not sort or sort in ((pk,), ("-" + pk,))

    def _chunks_plan(self) -> tuple[dict[str, Any], str | None, bool]:
        """Query, keyset field (or None for offset paging) and its direction."""
        query = self._base_query()
        query.pop("meta", None)
        pk = self.model._meta.pk_field.api_name
        sort = self._state.sort
        if self._keyset:
            desc = bool(sort) and sort[0].startswith("-")
            query["sort"] = ["-" + pk if desc else pk]
            if not _numeric_key(self.model):
                # Directus has no _gt/_lt on uuid and string fields: page by
                # offset, in key order.
                return query, None, False
            fields = query.get("fields")
            if fields is not None and pk not in fields and "*" not in fields:
                query["fields"] = [*fields, pk]
            return query, pk, desc
        return query, None, False

    def _chunk_flow(
        self, session: BaseSession, chunk_size: int, after: Any, offset: int, remaining: int | None,
        on_invalid: OnInvalid = "raise",
    ) -> Flow[_Batch[T]]:
        query, key, desc = self._chunks_plan()
        limit = chunk_size if remaining is None else min(chunk_size, remaining)
        if session.query_limit_max is not None:
            limit = min(limit, session.query_limit_max)
        query["limit"] = limit
        if key is not None:
            if after is not None:
                bound = {key: {"_lt" if desc else "_gt": after}}
                query["filter"] = {"_and": [query["filter"], bound]} if "filter" in query else bound
            if offset:
                query["offset"] = offset
        elif offset:
            query["offset"] = offset
        try:
            return (yield from self._fetch_flow(session, query, on_invalid))
        except InvalidQuery as error:
            cap = _limit_cap(error)
            if cap is None or cap >= limit:
                raise
            session.learn_query_limit(cap)  # QUERY_LIMIT_MAX: smaller chunks from now on
            query["limit"] = cap
            return (yield from self._fetch_flow(session, query, on_invalid))

    def _iter_plan(self, chunk_size: int) -> tuple[bool, int | None]:
        if chunk_size < 1:
            raise QueryError("chunk_size must be positive")
        if self._matches_nothing():
            return False, None
        return True, self._state.limit

    def _first_flow(self, session: BaseSession, reverse: bool) -> Flow[T | None]:
        qs = self
        if not qs._state.sort:
            qs = qs.order_by("pk")
        if reverse:
            qs = qs.reverse()
        items = yield from qs._slice(0, 1)._all_flow(session)
        return items[0] if items else None

    def _latest_flow(self, session: BaseSession, fields: Sequence[str], reverse: bool) -> Flow[T]:
        """``latest("published_on")``: the last item by these fields; DoesNotExist if none."""
        if not fields:
            raise QueryError("latest() and earliest() need a field, e.g. latest('date_created')")
        keys = [(k[1:] if k.startswith("-") else "-" + k) if reverse else k for k in fields]
        items = yield from self.order_by(*keys)._slice(0, 1)._all_flow(session)
        if not items:
            raise self.model.DoesNotExist(
                f"{self.model.__name__} matching query does not exist ({self._describe_filter()})"
            )
        return items[0]

    def _get_flow(self, session: BaseSession, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Flow[T]:
        if self.model._meta.singleton:
            if args or kwargs or self._state.where:
                raise QueryError(f"{self.model.__name__} is a singleton: get() takes no filter")
            return (yield from self._singleton_flow(session))
        qs = self.filter(*args, **kwargs) if (args or kwargs) else self
        items = yield from qs._clone(limit=2 if not qs._state.sliced else qs._state.limit)._all_flow(session)
        model = self.model
        if not items:
            raise model.DoesNotExist(
                f"{model.__name__} matching query does not exist ({qs._describe_filter()})"
            )
        if len(items) > 1:
            raise model.MultipleObjectsReturned(
                f"get() returned more than one {model.__name__} ({qs._describe_filter()})"
            )
        return items[0]

    def _singleton_flow(self, session: BaseSession) -> Flow[T]:
        yield from _version_guard(self, session)
        query = self._base_query()
        response = yield from self._read_flow(session, _read(self, session, query))
        obj = hydrate_one(self.model, response.content)
        if obj is None:
            raise self.model.DoesNotExist(f"{self.model.__name__} has no item yet")
        return cast(T, obj)

    def _count_flow(self, session: BaseSession) -> Flow[int]:
        self._not_singleton("count()")
        if self._matches_nothing():
            return 0
        if self._state.distinct and self._state.rows != "model":
            distinct = yield from self._all_flow(session)  # distinct rows: one per group
            return len(distinct)
        yield from _version_guard(self, session)
        query = self._base_query()
        for key in ("fields", "sort", "meta", "deep"):
            query.pop(key, None)
        query["aggregate"] = {"count": ["*"]}
        body = yield from session.call_flow(_read(self, session, query))
        rows = body.get("data") if isinstance(body, dict) else None
        total = int(rows[0].get("count") or 0) if rows else 0
        total = max(total - self._state.offset, 0)
        if self._state.limit is not None:
            total = min(total, self._state.limit)
        return total

    def _exists_flow(self, session: BaseSession) -> Flow[bool]:
        pk = self.model._meta.pk_field.api_name
        qs = self._clone(fields=(pk,), sort=(), rows="flat", row_fields=(pk,), related=())
        items = yield from qs._slice(0, 1)._all_flow(session)
        return bool(items)

    def _aggregate_spec(
        self, aggregates: Mapping[str, Aggregate]
    ) -> tuple[dict[str, list[str]], dict[str, tuple[str, str]]]:
        """Directus ``aggregate`` and, per name, where its value is: (function, field).

        Directus 12.4 drops ``*`` when ``count`` lists more fields as well
        (``{"count": {"rating": 513}}``, checked on a live server), so
        ``Count()`` next to ``Count("rating")`` counts the primary key, which is
        never NULL.
        """
        if not aggregates:
            raise QueryError("aggregate() needs at least one aggregate, e.g. n=Count()")
        spec: dict[str, list[str]] = {}
        where: dict[str, tuple[str, str]] = {}
        for name, agg in aggregates.items():
            if not isinstance(agg, Aggregate):
                raise QueryError(f"{agg!r} is not an aggregate (Count, Sum, Avg, Min, Max, ...)")
            api = agg.field if agg.field == "*" else self._list_path(agg.field, "aggregate")
            spec.setdefault(agg.function, [])
            if api not in spec[agg.function]:
                spec[agg.function].append(api)
            where[name] = (agg.function, api)
        counted = spec.get("count", [])
        if "*" in counted and len(counted) > 1:
            pk = self.model._meta.pk_field.api_name
            spec["count"] = list(dict.fromkeys(pk if f == "*" else f for f in counted))
            for name, (function, api) in where.items():
                if function == "count" and api == "*":
                    where[name] = ("count", pk)
        return spec, where

    def _aggregate_flow(
        self,
        session: BaseSession,
        aggregates: Mapping[str, Aggregate],
        group: tuple[str, ...],
        sort: Sequence[str] | None = None,
    ) -> Flow[list[dict[str, Any]]]:
        spec, where = self._aggregate_spec(aggregates)
        if not group and self._state.sliced:
            raise QueryError(
                "cannot aggregate a slice: Directus aggregates the whole filter; "
                "filter instead, or aggregate in Python over the slice"
            )
        if self._matches_nothing():
            return []
        yield from _version_guard(self, session)
        query = self._base_query()
        for key in ("fields", "meta", "deep"):
            query.pop(key, None)
        query["aggregate"] = spec
        if group:
            query["groupBy"] = list(group)
            if sort is not None:
                query["sort"] = [_aggregate_sort(key, aggregates, where) for key in sort]
            query["limit"] = self._state.limit if self._state.limit is not None else -1
            if self._state.offset:
                query["offset"] = self._state.offset
        else:
            query.pop("sort", None)  # an ungrouped aggregate has no rows to sort
        body = yield from session.call_flow(_read(self, session, query))
        rows = body.get("data") if isinstance(body, dict) else []
        out: list[dict[str, Any]] = []
        for row in rows or []:
            result: dict[str, Any] = {}
            for name in group:
                result[name] = function_value(name, row.get(_group_key(name)))
            for name, (function, api) in where.items():
                value = row.get(function)
                value = value.get(api) if isinstance(value, dict) else value
                result[name] = normalize_aggregate(function, value)  # PostgreSQL: strings
            out.append(result)
        return out

    def _in_bulk_flow(self, session: BaseSession, ids: Sequence[Any]) -> Flow[dict[Any, T]]:
        out: dict[Any, T] = {}
        keys = list(dict.fromkeys(ids))
        for start in range(0, len(keys), IN_BULK_BATCH):
            part = keys[start : start + IN_BULK_BATCH]
            items = yield from self.filter(pk__in=part)._clone()._all_flow(session)
            for item in items:
                out[cast("Model", item).pk] = item
        return out

    def _page_flow(self, session: BaseSession, number: int, size: int) -> Flow[Page[T]]:
        if number < 1 or size < 1:
            raise QueryError("page numbers and sizes start at 1")
        if self._state.sliced:
            raise QueryError("cannot page a sliced QuerySet; slice or page, not both")
        if self._matches_nothing():
            return Page([], number, size, 0, 0)
        query = self._base_query()
        query["limit"] = size
        query["offset"] = (number - 1) * size
        query["meta"] = ["total_count", "filter_count"]
        batch = yield from self._fetch_flow(session, query)
        meta = batch.meta
        if "filter_count" not in meta or "total_count" not in meta:
            # Some endpoints answer without the meta block (/shares in 12.4): count.
            filtered = yield from self._count_flow(session)
            total = yield from self._clone(where=(), search=None)._count_flow(session)
            meta = {"filter_count": filtered, "total_count": total}
        return Page(
            batch.items, number, size,
            int(meta.get("total_count") or 0), int(meta.get("filter_count") or 0),
        )

    def _advance(
        self, batch: _Batch[T], after: Any, offset: int, remaining: int | None, keyset: bool
    ) -> tuple[Any, int, int | None, bool]:
        count = len(batch.items) if batch.received is None else batch.received
        if remaining is not None:
            remaining -= count
        if keyset:
            after, offset = batch.last_key, 0
        else:
            offset += count
        # A short page is the last one: a server with QUERY_LIMIT_MAX refuses a
        # larger limit (and the session then asks for less) rather than cap it.
        go = count > 0 and (remaining is None or remaining > 0)
        if batch.limit and count < batch.limit:
            go = False
        return after, offset, remaining, go


def _report_invalid(errors: list[HydrationError], on_invalid: OnInvalid) -> None:
    for error in errors:
        if callable(on_invalid):
            on_invalid(error)
        else:
            logger.warning("skipped: %s", error)
def _numeric_key(model: type[Model]) -> bool:
    """Whether the primary key is a number (Directus filters only those with _gt/_lt)."""
    info = model.model_fields.get(model._meta.primary_key)
    if info is None:
        return False
    kinds = [t for t in _flatten_annotation(info.annotation) if t is not type(None)]
    return bool(kinds) and all(t in (int, float, Decimal) for t in kinds)


def _keep_annotations(items: list[Any], raw: bytes, annotations: Sequence[tuple[str, str, str]]) -> None:
    """Give each object the values of ``annotate()`` (declared fields hold them already)."""
    rows = json.loads(raw).get("data") or []
    for obj, row in zip(items, rows, strict=False):
        if isinstance(row, dict):
            state_of(obj)["annotations"] = {
                name: function_value(path, row.get(name)) for name, path, _ in annotations
            }


def _version_guard(qs: ReadFlows[Any], session: BaseSession) -> Flow[None]:
    """A content version in a list query needs Directus 12 (11 applies ``version`` to
    single-item reads only and would answer the main items): ``FeatureNotSupported``."""
    key = (qs._state.params or {}).get("version")
    if key is None or key == "main":
        return
    version = yield from session.server_version_flow()
    require(version, "version_published" if key == "published" else "version_queries")


def _read(qs: ReadFlows[Any], session: BaseSession, query: dict[str, Any]) -> Any:
    return read_call(
        qs._path(), query, base_url_length=len(session.url), max_url_length=session.max_url_length
    )


_CAP_RE = re.compile(r'"limit" must be less than or equal to (\d+)')


def _limit_cap(error: InvalidQuery) -> int | None:
    """The server's ``QUERY_LIMIT_MAX``, when ``error`` is its refusal of a larger limit."""
    match = _CAP_RE.search(error.message)
    return int(match.group(1)) if match else None


def _empty_aggregate(aggregates: Mapping[str, Aggregate]) -> dict[str, Any]:
    """What aggregates of nothing are: counts 0, everything else None (as in SQL)."""
    return {
        name: 0 if agg.function in ("count", "countDistinct") else None
        for name, agg in aggregates.items()
    }


def _aggregate_sort(
    key: str, aggregates: Mapping[str, Aggregate], where: Mapping[str, tuple[str, str]]
) -> str:
    """A grouped sort key: an aggregate's name becomes ``count`` or ``sum.views``."""
    desc = key.startswith("-")
    name = key[1:] if desc else key
    if name in aggregates:
        function, api = where[name]
        name = function if api == "*" else f"{function}.{api}"
    return ("-" if desc else "") + name


def _group_key(name: str) -> str:
    """Directus renames ``year(date)`` to ``date_year`` in grouped results."""
    if "(" in name and name.endswith(")"):
        function, _, inner = name[:-1].partition("(")
        return f"{inner}_{function}"
    return name


def _result_path(path: str) -> str:
    """Where a requested path is in a row: ``count(tags)`` comes back as ``tags_count``."""
    if not path.endswith(")") or "(" not in path:
        return path
    head, _, inner = path[:-1].partition("(")
    prefix, _, function = head.rpartition(".")
    if "," in inner:
        return path
    return f"{prefix}.{inner}_{function}" if prefix else f"{inner}_{function}"


def _value(row: Any, api_path: str, function: str | None = None) -> Any:
    """The value a requested path has in a row; ``count(rel)``, ``year(date)``, ... (or an
    annotation standing for ``function``) as an ``int`` (PostgreSQL sends them as strings)."""
    value = _dig(row, _result_path(api_path))
    return function_value(function or api_path, value)


def _dig(row: Any, path: str) -> Any:
    """The value at ``path`` in a row; through a to-many list, the list of values.

    ``tags.tags_id.label`` gives ``["go", "rust"]`` (one value per related item, in
    the server's order; lists nested in lists are flattened).
    """
    return _dig_parts(row, path.split("."))


def _dig_parts(value: Any, parts: list[str]) -> Any:
    for index, part in enumerate(parts):
        if isinstance(value, list):
            out: list[Any] = []
            for item in value:
                found = _dig_parts(item, parts[index:])
                if isinstance(found, list):
                    out.extend(found)
                else:
                    out.append(found)
            return out
        if isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value
