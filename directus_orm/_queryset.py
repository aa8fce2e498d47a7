"""The lazy, immutable, chainable QuerySet.

Chain methods (``filter``, ``exclude``, ``order_by``, ``fields``, slicing ...)
return a new QuerySet and never do I/O. Terminal methods run one *flow* (see
``_flow.py``): the sync method drives it on a ``Session``, its ``a``-prefixed
twin awaits it on an ``AsyncSession``. Everything Directus-specific (paging
past the server's default of 100, keyset iteration, the ``SEARCH`` fallback
for long URLs) is written once, in the flows.
"""

from __future__ import annotations

import copy
import gc
import json
import re
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast, overload

from pydantic_core import to_json
from typing_extensions import Self

from ._aggregates import Aggregate
from ._exceptions import BatchLimitExceeded, InvalidQuery, QueryError, RecordNotUnique
from ._filters import EmptyResultSet, compile_filter
from ._flow import Flow
from ._model import Model, ModelResolver
from ._persistence import (
    DEFAULT_BATCH_SIZE,
    Progress,
    ProgressBar,
    _check_writable,
    absorb,
    hydrate_many,
    hydrate_one,
    insert_fields,
    item_path,
    payload,
    plan_batches,
    run_batches,
    save_flow,
    state_of,
)
from ._q import Q
from ._relations import LoadPlan, api_paths, check_bulk, forget_to_many, hop_filter, pk_of, plan_load
from ._request import Call, encode_query, path_of, read_call
from ._session import AsyncSession, BaseSession, Session, async_session, sync_session

if TYPE_CHECKING:
    from ._manager import QuerySetManager
    from ._realtime.aio import AsyncSubscription
    from ._realtime.sync import Subscription

__all__ = ["GroupedQuerySet", "Page", "QuerySet"]

T = TypeVar("T")
M = TypeVar("M", bound=Model)

#: The explicit limit that asks for every item (see ``QuerySet._evaluation_query``).
READ_ALL = 2_147_483_647
#: Items asked for per request while iterating (``iterator()`` default).
DEFAULT_CHUNK_SIZE = 1000
#: Keys per request in ``in_bulk``.
IN_BULK_BATCH = 500
_META_VALUES = ("total_count", "filter_count", "*")

RowKind = Literal["model", "dict", "tuple", "flat"]


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
    related: tuple[tuple[str, QuerySet[Any] | None], ...] = ()
    """Relations to load in the same request: ``select_related``/``prefetch`` (name, nested QuerySet)."""

    @property
    def sliced(self) -> bool:
        return self.limit is not None or self.offset > 0


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


class QuerySet(Generic[T]):
    """A lazy query over a model's collection. ``Article.objects`` returns one.

    Iterating (``for``/``async for``), ``len()``, ``list()`` and ``bool()`` fetch
    every matching item, paging past the server's default limit, and cache them.
    """

    def __init__(
        self,
        model: type[Model],
        state: QueryState | None = None,
        session: BaseSession | None = None,
    ) -> None:
        self.model = model
        self._state = state or QueryState()
        self._session = session
        self._cache: list[T] | None = None
        self._meta_result: dict[str, Any] = {}
        self._plan: LoadPlan | None = None

    @classmethod
    def as_manager(cls) -> QuerySetManager[Self]:
        """A manager for ``objects`` that returns this QuerySet class."""
        from ._manager import QuerySetManager

        return QuerySetManager(cls)

    # ------------------------------------------------------------ helpers

    def _clone(self, **changes: Any) -> Self:
        clone = copy.copy(self)
        clone._state = replace(self._state, **changes)
        clone._cache = None
        clone._meta_result = {}
        clone._plan = None
        return clone

    def _rows_clone(self, **changes: Any) -> QuerySet[Any]:
        clone: QuerySet[Any] = QuerySet(self.model, replace(self._state, **changes), self._session)
        return clone

    def _check_not_sliced(self, what: str) -> None:
        if self._state.sliced:
            raise QueryError(f"cannot {what} a QuerySet once a slice has been taken")

    def _resolver(self) -> ModelResolver:
        return ModelResolver(self.model)

    def _api_path(self, path: str) -> str:
        """Validate a dotted field path and translate it to Directus names.

        A many-to-many hides its junction (``tags.label`` is ``tags.tags_id.label``)
        and a many-to-any names a scope (``blocks.headings.text``); see
        :func:`~directus_orm._relations.api_paths`.
        """
        paths = api_paths(self.model, path, self._state.alias)
        if len(paths) != 1:
            raise QueryError(f"{path!r} names {len(paths)} paths ({', '.join(paths)}); name one")
        return paths[0]

    def _api_paths(self, path: str) -> list[str]:
        return api_paths(self.model, path, self._state.alias)

    def __repr__(self) -> str:
        if self._cache is not None:
            shown = ", ".join(repr(item) for item in self._cache[:20])
            more = ", ..." if len(self._cache) > 20 else ""
            return f"<QuerySet [{shown}{more}]>"
        return f"<QuerySet {self.model.__name__}: {self.explain()}>"

    # ------------------------------------------------------ chain methods

    def all(self) -> Self:
        """A copy of this QuerySet (with an empty cache)."""
        return self._clone()

    def none(self) -> Self:
        """A QuerySet that matches nothing and never sends a request."""
        return self._clone(empty=True)

    def using(self, session: BaseSession) -> Self:
        """Run this QuerySet on ``session`` instead of the current one."""
        clone = self._clone()
        clone._session = session
        return clone

    def filter(self, *args: Q | Mapping[str, Any], **lookups: Any) -> Self:
        """Keep items matching every lookup (``title__icontains="x"``), Q and raw filter."""
        self._check_not_sliced("filter")
        q = Q(*args, **lookups)
        self._compile_check(q)
        return self._clone(where=(*self._state.where, q))

    def exclude(self, *args: Q | Mapping[str, Any], **lookups: Any) -> Self:
        """Drop items matching all of the lookups together (Django's ``exclude``)."""
        self._check_not_sliced("exclude")
        q = ~Q(*args, **lookups)
        self._compile_check(q)
        return self._clone(where=(*self._state.where, q))

    def _compile_check(self, q: Q) -> None:
        # Fail on unknown fields and lookups now, not at evaluation time.
        try:
            compile_filter(q, self._resolver())
        except EmptyResultSet:
            pass

    def search(self, text: str) -> Self:
        """Directus full-text ``search`` over the collection's text fields."""
        self._check_not_sliced("search")
        return self._clone(search=text)

    def fields(self, *paths: str) -> Self:
        """Fetch only these fields (dot paths like ``author.name``, ``*``, ``author.*``).

        Paths through a many-to-many name the far model's fields (``tags.label``);
        nested lists come complete (Directus would stop at 100 per parent), with
        their keys.
        """
        api = tuple(p for path in paths for p in self._api_paths(path))
        return self._clone(fields=api or None)

    def only(self, *paths: str) -> Self:
        """Django's name for :meth:`fields`."""
        return self.fields(*paths)

    def order_by(self, *keys: str) -> Self:
        """Sort by fields: ``"-date_created"``, ``"author.name"``, ``"?"`` is not supported."""
        self._check_not_sliced("reorder")
        sort: list[str] = []
        for key in keys:
            desc = key.startswith("-")
            name = key[1:] if desc else key
            if not name or name == "?":
                raise QueryError(f"cannot sort by {key!r}")
            sort.append(("-" if desc else "") + self._api_path(name))
        return self._clone(sort=tuple(sort))

    def reverse(self) -> Self:
        """Reverse the sort order (by primary key when none is set)."""
        sort = self._state.sort or (self.model._meta.pk_field.api_name,)
        flipped = tuple(k[1:] if k.startswith("-") else "-" + k for k in sort)
        return self._clone(sort=flipped)

    def meta(self, *names: str) -> Self:
        """Ask for ``total_count`` and/or ``filter_count`` with the results."""
        for name in names:
            if name not in _META_VALUES:
                raise QueryError(f"unknown meta {name!r}; use one of {_META_VALUES}")
        return self._clone(meta=tuple(names))

    def deep(self, **relations: QuerySet[Any] | Mapping[str, Any]) -> Self:
        """Filter, sort or limit nested lists: ``deep(articles=Article.objects.order_by("-views")[:5])``.

        This shapes lists that ``fields()`` fetches; :meth:`prefetch` also loads them.
        """
        deep = dict(self._state.deep or {})
        for name, spec in relations.items():
            api = self._api_path(name)
            if isinstance(spec, QuerySet):
                meta = self.model._meta.by_api(api)
                hop = (meta.junction_field,) if meta is not None and meta.junction_field else ()
                deep[api] = spec._as_deep(hop)
            else:
                deep[api] = dict(spec)
        return self._clone(deep=deep)

    def select_related(self, *names: str) -> Self:
        """Load these relations in the same request: ``select_related("author", "tags")``.

        Any kind of relation, nested with ``__`` (``"articles__tags"``); with no
        names, every relation of the model. A related item comes with its own
        fields (``author.*``) but not its own to-many lists unless named too.
        Nested lists come complete; shape them with :meth:`prefetch`.
        """
        if not names:
            names = tuple(f.name for f in self.model._meta.relational)
        return self._with_related([(name, None) for name in names])

    def prefetch(self, **relations: QuerySet[Any]) -> Self:
        """Load relations shaped by a QuerySet on the related model, in the same request.

        ``prefetch(articles=Article.objects.filter(published=True).order_by("-views")[:5])``
        loads each author's five most viewed published articles: the nested
        QuerySet's filter, search, sort and slice go to Directus ``deep``, its
        ``fields()`` and ``select_related()`` to the nested fields. Without a
        slice, every matching item is loaded.
        """
        for name, sub in relations.items():
            if not isinstance(sub, QuerySet):
                raise QueryError(f"prefetch({name}=...) takes a QuerySet of the related model")
        return self._with_related(list(relations.items()))

    def prefetch_related(self, *names: str, **relations: QuerySet[Any]) -> Self:
        """Django's name: :meth:`select_related` for ``names``, :meth:`prefetch` for the rest.

        Everything still comes in one request (Directus nests it).
        """
        return self.select_related(*names).prefetch(**relations) if names else self.prefetch(**relations)

    def _with_related(self, entries: list[tuple[str, QuerySet[Any] | None]]) -> Self:
        merged = dict(self._state.related)
        for name, sub in entries:
            merged[name.replace(".", "__")] = sub
        clone = self._clone(related=tuple(merged.items()))
        clone._load_plan()  # unknown names fail now, not at evaluation
        return clone

    def alias(self, **aliases: str) -> Self:
        """Directus ``alias``: ``alias(headline="title").fields("headline")``."""
        merged = dict(self._state.alias or {})
        for name, target in aliases.items():
            if "." in target:
                raise QueryError(f"alias {name!r}: Directus aliases cannot contain a period")
            merged[name] = self._api_path(target)
        return self._clone(alias=merged)

    def with_params(self, **params: Any) -> Self:
        """Extra Directus query parameters (``version="draft"``, ``backlink=False``)."""
        merged = dict(self._state.params or {})
        merged.update(params)
        return self._clone(params=merged)

    def values(self, *fields: str) -> QuerySet[dict[str, Any]]:
        """Rows as dicts (no models); ``values("id", "author.name")``."""
        api = tuple(self._api_path(f) for f in fields)
        return self._rows_clone(rows="dict", row_fields=tuple(fields), fields=api or None)

    @overload
    def values_list(self, field: str, /, *, flat: Literal[True]) -> QuerySet[Any]: ...
    @overload
    def values_list(self, *fields: str, flat: Literal[False] = False) -> QuerySet[tuple[Any, ...]]: ...
    def values_list(self, *fields: str, flat: bool = False) -> QuerySet[Any]:
        """Rows as tuples, or single values with ``flat=True``."""
        if not fields:
            raise QueryError("values_list() needs at least one field")
        if flat and len(fields) != 1:
            raise QueryError("values_list(flat=True) takes exactly one field")
        api = tuple(self._api_path(f) for f in fields)
        return self._rows_clone(
            rows="flat" if flat else "tuple", row_fields=tuple(fields), fields=api
        )

    def group_by(self, *fields: str) -> GroupedQuerySet:
        """Group for :meth:`GroupedQuerySet.aggregate` (``group_by("status")``)."""
        if not fields:
            raise QueryError("group_by() needs at least one field")
        return GroupedQuerySet(self, tuple(self._api_path(f) for f in fields))

    @overload
    def __getitem__(self, key: int) -> T: ...
    @overload
    def __getitem__(self, key: slice) -> Self: ...
    def __getitem__(self, key: int | slice) -> T | Self:
        if isinstance(key, slice):
            if key.step is not None:
                raise QueryError("QuerySet slicing does not support a step")
            start = key.start or 0
            stop = key.stop
            if start < 0 or (stop is not None and stop < 0):
                raise QueryError("negative indexing is not supported")
            if self._cache is not None:
                clone = self._clone()
                clone._cache = self._cache[start:stop]
                return clone
            offset = self._state.offset + start
            limit = None if stop is None else max(stop - start, 0)
            if self._state.limit is not None:
                limit = max(min(self._state.limit - start, limit if limit is not None else 1 << 62), 0)
            return self._clone(offset=offset, limit=limit)
        if not isinstance(key, int):
            raise TypeError(f"QuerySet indices must be integers or slices, not {type(key).__name__}")
        if key < 0:
            raise QueryError("negative indexing is not supported")
        if self._cache is not None:
            return self._cache[key]
        items = self._sync("__getitem__")._run(self[key : key + 1]._all_flow(self._sync("__getitem__")))
        if not items:
            raise IndexError("QuerySet index out of range")
        return items[0]

    # ------------------------------------------------------------ compile

    def _filter(self) -> dict[str, Any] | None:
        """The compiled filter; raises EmptyResultSet when it can match nothing."""
        if not self._state.where:
            return None
        return compile_filter(Q(*self._state.where), self._resolver())

    def _load_plan(self) -> LoadPlan:
        if self._plan is None:
            self._plan = plan_load(self, augment=self._state.rows == "model")
        return self._plan

    def _base_query(self, plan: bool = True) -> dict[str, Any]:
        state = self._state
        query: dict[str, Any] = {}
        fields_out: Sequence[str] | None = state.fields
        deep_out: Mapping[str, Any] | None = state.deep
        if plan and (state.related or self.model._meta.relational):
            load = self._load_plan()
            fields_out, deep_out = load.fields, load.deep
        if fields_out is not None:
            fields = list(fields_out)
            if state.alias and all(name in state.alias for name in fields):
                # Directus 12.4 answers bare primary keys when every requested
                # field is an alias; asking for the key too gives real rows.
                fields.append(self.model._meta.pk_field.api_name)
            query["fields"] = fields
        flt = self._filter()
        if flt:
            query["filter"] = flt
        if state.search is not None:
            query["search"] = state.search
        if state.sort:
            query["sort"] = list(state.sort)
        if deep_out:
            query["deep"] = dict(deep_out)
        if state.alias:
            query["alias"] = dict(state.alias)
        if state.meta:
            query["meta"] = list(state.meta)
        if state.params:
            query.update(state.params)
        return query

    def _as_deep(self, hop: Sequence[str] = ()) -> dict[str, Any]:
        """This QuerySet as a Directus ``deep`` entry (``_filter``, ``_sort``, ``_limit``...).

        ``hop`` is the junction field of a many-to-many: the entry then speaks of
        junction rows (``_filter: {tags_id: {...}}``, ``_sort: ["tags_id.label"]``).
        """
        query = self._base_query(plan=False)
        query.pop("meta", None)
        if self._state.limit is not None:
            query["limit"] = self._state.limit
        if self._state.offset:
            query["offset"] = self._state.offset
        if hop:
            prefix = ".".join(hop) + "."
            if "filter" in query:
                query["filter"] = hop_filter(query["filter"], list(hop))
            if "sort" in query:
                query["sort"] = [("-" + prefix + k[1:]) if k.startswith("-") else prefix + k
                                 for k in query["sort"]]
            if "fields" in query:
                query["fields"] = [prefix + f for f in query["fields"]]
            if "deep" in query:
                nested: dict[str, Any] = query["deep"]
                for part in reversed(hop):
                    nested = {part: nested}
                query["deep"] = nested
            if "search" in query:
                raise QueryError("search() cannot shape a many-to-many list (it would search junction rows)")
        return {"_" + key: value for key, value in query.items()}

    def _evaluation_query(self) -> dict[str, Any]:
        """The query that evaluating (iterating) sends first; raises EmptyResultSet.

        "Everything" is asked for as ``limit=READ_ALL``, not ``-1``: a server with
        ``QUERY_LIMIT_MAX`` caps ``-1`` silently, but refuses a larger explicit
        limit with an error that names its maximum; the QuerySet then pages.
        """
        query = self._base_query()
        state = self._state
        query["limit"] = state.limit if state.limit is not None else READ_ALL
        if state.offset:
            query["offset"] = state.offset
        return query

    def query_params(self) -> dict[str, Any]:
        """The structured Directus query this QuerySet sends when evaluated.

        ``{"_empty": True}`` when it can match nothing (and sends no request).
        """
        if self._state.empty:
            return {"_empty": True}
        try:
            return self._evaluation_query()
        except EmptyResultSet:
            return {"_empty": True}

    def explain(self) -> str:
        """The request evaluating this QuerySet sends, e.g. ``GET /items/articles?filter=...``.

        Parameters are shown decoded for reading; a query too long for a URL shows
        as ``SEARCH`` with its body, as it is sent.
        """
        query = self.query_params()
        if query.get("_empty"):
            return "(no request: the QuerySet matches nothing)"
        call = read_call(self._path(), query)
        if call.method == "SEARCH":
            return f"SEARCH {call.path} {json.dumps(call.json, default=str)}"
        params = "&".join(f"{k}={v}" for k, v in encode_query(query))
        return f"GET {call.path}?{params}"

    @property
    def query(self) -> str:
        """``str(qs.query)``: the Directus parameters, as JSON."""
        return json.dumps(self.query_params(), default=str)

    # ----------------------------------------------------------- sessions

    def _sync(self, method: str) -> Session:
        hint = " (or `async for`)" if method == "__iter__" else ""
        return sync_session(self._session, method.strip("_"), hint)

    def _async(self, method: str) -> AsyncSession:
        return async_session(self._session, method.strip("_"))

    # -------------------------------------------------------------- flows

    def _path(self) -> str:
        return path_of(*self.model._meta.endpoint_parts)

    def _fetch_flow(self, session: BaseSession, query: dict[str, Any]) -> Flow[_Batch[T]]:
        """One read request; returns the hydrated items and the meta block."""
        call = read_call(
            self._path(), query,
            base_url_length=len(session.url), max_url_length=session.max_url_length,
        )
        response = yield from session._response_flow(call)
        rows = self._state.rows
        if rows == "model":
            options = self.model._meta
            # Creating thousands of objects triggers the cyclic garbage collector
            # again and again, for nothing: these objects hold no cycles. Pause it
            # for the page (one call; no other object is freed any later for it).
            collecting = gc.isenabled()
            gc.disable()
            try:
                envelope = options.validator("list").validate_json(response.content)
                items: list[Any] = envelope["data"]
                options.strip(items, response.content)
            finally:
                if collecting:
                    gc.enable()
            if self._plan is not None and self._plan.unload:
                self._plan.unload.apply(items)
            meta = envelope.get("meta") or {}
            last = items[-1].__dict__.get(options.primary_key) if items else None
        else:
            body = json.loads(response.content)
            raw = body.get("data") or []
            pk_api = self.model._meta.pk_field.api_name
            last = raw[-1].get(pk_api) if raw and isinstance(raw[-1], dict) else None
            items = self._shape_rows(raw)
            meta = body.get("meta") or {}
        return _Batch(cast("list[T]", items), meta, last, int(query.get("limit") or 0))

    def _shape_rows(self, raw: list[Any]) -> list[Any]:
        fields = self._state.row_fields
        if self._state.rows == "dict":
            if not fields:
                return raw
            keys = [(f, _result_path(self._api_path(f))) for f in fields]
            return [{f: _dig(row, path) for f, path in keys} for row in raw]
        paths = [_result_path(self._api_path(f)) for f in fields]
        if self._state.rows == "flat":
            return [_dig(row, paths[0]) for row in raw]
        return [tuple(_dig(row, p) for p in paths) for row in raw]

    def _not_singleton(self, what: str) -> None:
        if self.model._meta.singleton:
            raise QueryError(
                f"{self.model.__name__} is a singleton: {what} does not apply; use "
                f"{self.model.__name__}.objects.get() and obj.save()"
            )

    def _all_flow(self, session: BaseSession) -> Flow[list[T]]:
        """Everything the QuerySet matches, however many pages that takes."""
        self._not_singleton("listing")
        if self._state.empty:
            return []
        try:
            query = self._evaluation_query()
        except EmptyResultSet:
            return []
        cap = session._query_limit_max
        if cap is None or query["limit"] <= cap:
            try:
                batch = yield from self._fetch_flow(session, query)
            except InvalidQuery as error:
                cap = _limit_cap(error)
                if cap is None:
                    raise
                session._query_limit_max = cap
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
            fields = query.get("fields")
            if fields is not None and pk not in fields and "*" not in fields:
                query["fields"] = [*fields, pk]
            return query, pk, desc
        return query, None, False

    def _chunk_flow(
        self, session: BaseSession, chunk_size: int, after: Any, offset: int, remaining: int | None
    ) -> Flow[_Batch[T]]:
        query, key, desc = self._chunks_plan()
        limit = chunk_size if remaining is None else min(chunk_size, remaining)
        if session._query_limit_max is not None:
            limit = min(limit, session._query_limit_max)
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
            return (yield from self._fetch_flow(session, query))
        except InvalidQuery as error:
            cap = _limit_cap(error)
            if cap is None or cap >= limit:
                raise
            session._query_limit_max = cap  # QUERY_LIMIT_MAX: smaller chunks from now on
            query["limit"] = cap
            return (yield from self._fetch_flow(session, query))

    def _iter_plan(self, chunk_size: int) -> tuple[bool, int | None]:
        if chunk_size < 1:
            raise QueryError("chunk_size must be positive")
        if self._state.empty:
            return False, None
        try:
            self._filter()
        except EmptyResultSet:
            return False, None
        return True, self._state.limit

    def _first_flow(self, session: BaseSession, reverse: bool) -> Flow[T | None]:
        qs = self
        if not qs._state.sort:
            qs = qs.order_by("pk")
        if reverse:
            qs = qs.reverse()
        items = yield from qs[:1]._all_flow(session)
        return items[0] if items else None

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
        query = self._base_query()
        response = yield from session._response_flow(_read(self, session, query))
        obj = hydrate_one(self.model, response.content)
        if obj is None:
            raise self.model.DoesNotExist(f"{self.model.__name__} has no item yet")
        return cast(T, obj)

    def _describe_filter(self) -> str:
        try:
            return f"filter={json.dumps(self._filter(), default=str)}"
        except EmptyResultSet:
            return "filter matches nothing"

    def _count_flow(self, session: BaseSession) -> Flow[int]:
        self._not_singleton("count()")
        if self._state.empty:
            return 0
        try:
            query = self._base_query()
        except EmptyResultSet:
            return 0
        for key in ("fields", "sort", "meta", "deep"):
            query.pop(key, None)
        query["aggregate"] = {"count": ["*"]}
        body = yield from session._call_flow(_read(self, session, query))
        rows = body.get("data") if isinstance(body, dict) else None
        total = int(rows[0].get("count") or 0) if rows else 0
        total = max(total - self._state.offset, 0)
        if self._state.limit is not None:
            total = min(total, self._state.limit)
        return total

    def _exists_flow(self, session: BaseSession) -> Flow[bool]:
        pk = self.model._meta.pk_field.api_name
        qs = self._clone(fields=(pk,), sort=(), rows="flat", row_fields=(pk,), related=())
        items = yield from qs[:1]._all_flow(session)
        return bool(items)

    def _aggregate_flow(
        self, session: BaseSession, aggregates: Mapping[str, Aggregate], group: tuple[str, ...]
    ) -> Flow[list[dict[str, Any]]]:
        if not aggregates:
            raise QueryError("aggregate() needs at least one aggregate, e.g. n=Count()")
        spec: dict[str, list[str]] = {}
        for agg in aggregates.values():
            if not isinstance(agg, Aggregate):
                raise QueryError(f"{agg!r} is not an aggregate (Count, Sum, Avg, Min, Max, ...)")
            api = agg.field if agg.field == "*" else self._api_path(agg.field)
            spec.setdefault(agg.function, [])
            if api not in spec[agg.function]:
                spec[agg.function].append(api)
        if not group and self._state.sliced:
            raise QueryError(
                "cannot aggregate a slice: Directus aggregates the whole filter; "
                "filter instead, or aggregate in Python over the slice"
            )
        if self._state.empty:
            return []
        try:
            query = self._base_query()
        except EmptyResultSet:
            return []
        for key in ("fields", "meta", "deep"):
            query.pop(key, None)
        query["aggregate"] = spec
        if group:
            query["groupBy"] = list(group)
            query["limit"] = self._state.limit if self._state.limit is not None else -1
            if self._state.offset:
                query["offset"] = self._state.offset
        else:
            query.pop("sort", None)  # an ungrouped aggregate has no rows to sort
        body = yield from session._call_flow(_read(self, session, query))
        rows = body.get("data") if isinstance(body, dict) else []
        out: list[dict[str, Any]] = []
        for row in rows or []:
            result: dict[str, Any] = {}
            for name in group:
                result[name] = row.get(_group_key(name))
            for name, agg in aggregates.items():
                picked = Aggregate.__new__(type(agg))
                picked.field = agg.field if agg.field == "*" else self._api_path(agg.field)
                result[name] = picked.pick(row)
            out.append(result)
        return out

    def _in_bulk_flow(self, session: BaseSession, ids: Sequence[Any]) -> Flow[dict[Any, T]]:
        out: dict[Any, T] = {}
        keys = list(dict.fromkeys(ids))
        for start in range(0, len(keys), IN_BULK_BATCH):
            part = keys[start : start + IN_BULK_BATCH]
            items = yield from self.filter(pk__in=part)._clone()._all_flow(session)
            for item in items:
                out[cast(Model, item).pk] = item
        return out

    def _page_flow(self, session: BaseSession, number: int, size: int) -> Flow[Page[T]]:
        if number < 1 or size < 1:
            raise QueryError("page numbers and sizes start at 1")
        if self._state.sliced:
            raise QueryError("cannot page a sliced QuerySet; slice or page, not both")
        if self._state.empty:
            return Page([], number, size, 0, 0)
        try:
            query = self._base_query()
        except EmptyResultSet:
            return Page([], number, size, 0, 0)
        query["limit"] = size
        query["offset"] = (number - 1) * size
        query["meta"] = ["total_count", "filter_count"]
        batch = yield from self._fetch_flow(session, query)
        meta = batch.meta
        return Page(
            batch.items, number, size,
            int(meta.get("total_count") or 0), int(meta.get("filter_count") or 0),
        )

    # ------------------------------------------------------------ write flows

    def _create_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        meta = self.model._meta
        return {meta.field(key).name: value for key, value in data.items() if "__" not in key}

    def _create_flow(self, session: BaseSession, data: Mapping[str, Any]) -> Flow[T]:
        obj = self.model(**self._create_data(data))
        yield from save_flow(obj, session, force_insert=True)
        return cast(T, obj)

    def _get_or_create_flow(
        self, session: BaseSession, defaults: Mapping[str, Any] | None, lookups: dict[str, Any]
    ) -> Flow[tuple[T, bool]]:
        try:
            return (yield from self._get_flow(session, (), lookups)), False
        except self.model.DoesNotExist:
            pass
        data = {**lookups, **(defaults or {})}
        try:
            return (yield from self._create_flow(session, data)), True
        except RecordNotUnique:
            # Created by someone else in between: return theirs.
            return (yield from self._get_flow(session, (), lookups)), False

    def _update_or_create_flow(
        self, session: BaseSession, defaults: Mapping[str, Any] | None, lookups: dict[str, Any]
    ) -> Flow[tuple[T, bool]]:
        try:
            obj = yield from self._get_flow(session, (), lookups)
        except self.model.DoesNotExist:
            return (yield from self._create_flow(session, {**lookups, **(defaults or {})})), True
        model_obj = cast(Model, obj)
        for key, value in (defaults or {}).items():
            setattr(model_obj, self.model._meta.field(key).name, value)
        yield from save_flow(model_obj, session)
        return obj, False

    def _bulk_create_flow(
        self, session: BaseSession, objs: Sequence[T], batch_size: int,
        on_progress: Progress | None,
    ) -> Flow[list[T]]:
        model = self.model
        _check_writable(model)
        items = [cast(Model, obj) for obj in objs]
        relational = bool(model._meta.relational)
        for obj in items:
            if not isinstance(obj, model):
                raise QueryError(f"bulk_create() takes {model.__name__} objects, not {obj!r}")
            if relational:
                check_bulk(obj, insert_fields(obj))
        bodies = [to_json(payload(obj, insert_fields(obj))) for obj in items]
        path = item_path(model)

        def send(part: range) -> Call:
            body = b"[" + b",".join(bodies[part.start : part.stop]) + b"]"
            return Call("POST", path, content=body, headers={"Content-Type": "application/json"})

        def done(part: range, response: Any) -> None:
            fresh = hydrate_many(model, response.content) if response.content else []
            batch = items[part.start : part.stop]
            if len(fresh) != len(batch):
                return
            if all(obj.pk is None for obj in batch):
                # Auto-increment keys: ascending keys are the order of creation.
                try:
                    fresh.sort(key=lambda o: o.pk)
                except TypeError:
                    pass
                pairs: list[tuple[Model, Model]] = list(zip(batch, fresh, strict=True))
            else:
                by_pk = {o.pk: o for o in fresh}
                pairs = [(o, by_pk[o.pk]) for o in batch if o.pk in by_pk]
            for obj, new in pairs:
                absorb(obj, new, keep_relations=relational)
                if relational:  # the answer carries no junction keys: reload to change links
                    forget_to_many(obj, [f.name for f in model._meta.to_many])

        ranges = plan_batches(bodies, batch_size)
        yield from run_batches(
            session, ranges, send, what="bulk_create", on_progress=on_progress,
            total=len(items), on_done=done,
        )
        return list(objs)

    def _bulk_update_flow(
        self, session: BaseSession, objs: Sequence[T], fields: Sequence[str], batch_size: int,
        on_progress: Progress | None,
    ) -> Flow[int]:
        model = self.model
        _check_writable(model)
        meta = model._meta
        names = [meta.field(name).name for name in fields]
        if not names:
            raise QueryError("bulk_update() needs the names of the fields to write")
        items = [cast(Model, obj) for obj in objs]
        pk_api = meta.pk_field.api_name
        bodies = []
        for obj in items:
            if obj.pk is None:
                raise QueryError(f"bulk_update(): {obj!r} has no primary key")
            if meta.relational:
                check_bulk(obj, names)
            bodies.append(to_json({pk_api: obj.pk, **payload(obj, names)}))
        path = item_path(model)

        def send(part: range) -> Call:
            body = b"[" + b",".join(bodies[part.start : part.stop]) + b"]"
            return Call("PATCH", path, query={"fields": [pk_api]}, content=body,
                        headers={"Content-Type": "application/json"})

        def done(part: range, response: Any) -> None:
            for obj in items[part.start : part.stop]:
                changed = state_of(obj).get("changed", {})
                for name in names:
                    changed.pop(name, None)
                if meta.relational:
                    forget_to_many(obj, names)

        yield from run_batches(
            session, plan_batches(bodies, batch_size), send, what="bulk_update",
            on_progress=on_progress, total=len(items), on_done=done,
        )
        return len(items)

    def _keys_flow(self, session: BaseSession) -> Flow[list[Any]]:
        pk = self.model._meta.pk_field.api_name
        keys_qs = self._clone(fields=(pk,), rows="flat", row_fields=(pk,), meta=(), deep=None,
                              related=())
        return (yield from keys_qs._all_flow(session))

    def _write_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        if not data:
            raise QueryError("update() needs at least one field=value")
        meta = self.model._meta
        out: dict[str, Any] = {}
        for key, value in data.items():
            field = meta.field(key)
            if field.kind in ("o2m", "m2m", "m2a"):
                raise QueryError(
                    f"update() cannot set the to-many field {field.name!r}: Directus would replace "
                    "the list of every matching item. Use related(obj, ...).add/remove/set, or save()"
                )
            out[field.api_name] = pk_of(value)
        return out

    def _update_flow(
        self, session: BaseSession, data: Mapping[str, Any], batch_size: int,
        on_progress: Progress | None,
    ) -> Flow[int]:
        self._not_singleton("update() on a QuerySet")
        _check_writable(self.model)
        body = self._write_data(data)
        if self._state.empty:
            return 0
        pk_api = self.model._meta.pk_field.api_name
        path = item_path(self.model)
        # By query in one request, unless sliced or the server caps query limits
        # (QUERY_LIMIT_MAX would cap the update silently): then by keys.
        if not self._state.sliced and session._query_limit_max is None:
            try:
                query = self._base_query()
            except EmptyResultSet:
                return 0
            for key in ("fields", "sort", "meta", "deep"):
                query.pop(key, None)
            query["limit"] = -1  # without it Directus updates only the first 100
            call = Call("PATCH", path, query={"fields": [pk_api]},
                        json={"query": query, "data": body}, send_json=True)
            try:
                response = yield from session._response_flow(call)
            except BatchLimitExceeded:
                pass  # more rows than MAX_BATCH_MUTATION: update by keys, in batches
            else:
                rows = json.loads(response.content).get("data") if response.content else []
                count = len(rows or [])
                if on_progress is not None:
                    on_progress(count, count)
                return count
        keys = yield from self._keys_flow(session)

        def send(part: range) -> Call:
            return Call("PATCH", path, query={"fields": [pk_api]},
                        json={"keys": keys[part.start : part.stop], "data": body}, send_json=True)

        ranges = [range(i, min(i + batch_size, len(keys))) for i in range(0, len(keys), batch_size)]
        yield from run_batches(session, ranges, send, what="update", on_progress=on_progress,
                               total=len(keys))
        return len(keys)

    def _delete_flow(
        self, session: BaseSession, batch_size: int, on_progress: Progress | None
    ) -> Flow[int]:
        self._not_singleton("delete() on a QuerySet")
        _check_writable(self.model)
        if self._state.empty:
            return 0
        try:
            self._filter()
        except EmptyResultSet:
            return 0
        # Directus answers a delete by query with 204 and no count, and applies
        # its default limit of 100: resolve the keys, then delete exactly those.
        keys = yield from self._keys_flow(session)
        path = item_path(self.model)

        def send(part: range) -> Call:
            return Call("DELETE", path, json={"keys": keys[part.start : part.stop]}, send_json=True)

        ranges = [range(i, min(i + batch_size, len(keys))) for i in range(0, len(keys), batch_size)]
        yield from run_batches(session, ranges, send, what="delete", on_progress=on_progress,
                               total=len(keys))
        return len(keys)

    # ------------------------------------------------------- evaluation

    def _fetch_all(self) -> list[T]:
        if self._cache is None:
            session = self._sync("__iter__")
            self._cache = session._run(self._all_flow(session))
        return self._cache

    def __iter__(self) -> Iterator[T]:
        return iter(self._fetch_all())

    def __len__(self) -> int:
        return len(self._fetch_all())

    def __bool__(self) -> bool:
        return bool(self._fetch_all())

    async def __aiter__(self) -> AsyncIterator[T]:
        if self._cache is None:
            session = self._async("__iter__")
            self._cache = await session._arun(self._all_flow(session))
        for item in self._cache:
            yield item

    @property
    def total_count(self) -> int:
        """``meta.total_count`` of the last evaluation (ask with ``.meta("total_count")``)."""
        return self._evaluated_meta("total_count")

    @property
    def filter_count(self) -> int:
        """``meta.filter_count`` of the last evaluation."""
        return self._evaluated_meta("filter_count")

    def _evaluated_meta(self, name: str) -> int:
        if name not in self._meta_result:
            raise QueryError(
                f"{name} is known once the QuerySet was evaluated with .meta({name!r})"
            )
        return int(self._meta_result[name])

    # ------------------------------------------------- terminals (sync)

    def get(self, *args: Q | Mapping[str, Any], **lookups: Any) -> T:
        """The one item matching; ``Model.DoesNotExist`` or ``MultipleObjectsReturned`` otherwise."""
        session = self._sync("get")
        return session._run(self._get_flow(session, args, lookups))

    def get_or_none(self, *args: Q | Mapping[str, Any], **lookups: Any) -> T | None:
        """Like :meth:`get`, but ``None`` when nothing matches."""
        try:
            return self.get(*args, **lookups)
        except self.model.DoesNotExist:
            return None

    def first(self) -> T | None:
        """The first item (by the sort, else the primary key), or ``None``."""
        session = self._sync("first")
        return session._run(self._first_flow(session, reverse=False))

    def last(self) -> T | None:
        """The last item (by the sort, else the primary key), or ``None``."""
        session = self._sync("last")
        return session._run(self._first_flow(session, reverse=True))

    def exists(self) -> bool:
        """Whether anything matches (fetches at most one key)."""
        session = self._sync("exists")
        return session._run(self._exists_flow(session))

    def count(self) -> int:
        """How many items match the filter and search (``aggregate[count]=*``)."""
        if self._cache is not None:
            return len(self._cache)
        session = self._sync("count")
        return session._run(self._count_flow(session))

    def aggregate(self, **aggregates: Aggregate) -> dict[str, Any]:
        """``aggregate(total=Sum("views"), n=Count())`` → ``{"total": ..., "n": ...}``."""
        session = self._sync("aggregate")
        rows = session._run(self._aggregate_flow(session, aggregates, ()))
        return rows[0] if rows else _empty_aggregate(aggregates)

    def in_bulk(self, ids: Sequence[Any]) -> dict[Any, T]:
        """``{pk: item}`` for the given primary keys (missing keys are left out)."""
        session = self._sync("in_bulk")
        return session._run(self._in_bulk_flow(session, ids))

    def page(self, number: int, size: int = 25) -> Page[T]:
        """Page ``number`` (from 1) of ``size`` items, with total and filter counts."""
        session = self._sync("page")
        return session._run(self._page_flow(session, number, size))

    def create(self, **data: Any) -> T:
        """Create and return a new item: ``Article.objects.create(title="x")``."""
        session = self._sync("create")
        return session._run(self._create_flow(session, data))

    def get_or_create(
        self, defaults: Mapping[str, Any] | None = None, **lookups: Any
    ) -> tuple[T, bool]:
        """``(obj, created)``: the item matching ``lookups``, created with ``defaults`` if none."""
        session = self._sync("get_or_create")
        return session._run(self._get_or_create_flow(session, defaults, lookups))

    def update_or_create(
        self, defaults: Mapping[str, Any] | None = None, **lookups: Any
    ) -> tuple[T, bool]:
        """``(obj, created)``: update the match with ``defaults`` (changed fields only), or create."""
        session = self._sync("update_or_create")
        return session._run(self._update_or_create_flow(session, defaults, lookups))

    def bulk_create(
        self,
        objs: Sequence[T],
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        on_progress: Progress | None = None,
        progress: bool = False,
    ) -> list[T]:
        """Create many items in batched POSTs; fills in primary keys and server values.

        On a failure part-way, :class:`~directus_orm.BatchError` says which input
        ranges were written (those objects already carry their keys).
        """
        session = self._sync("bulk_create")
        callback = ProgressBar("bulk_create ") if progress and on_progress is None else on_progress
        return session._run(self._bulk_create_flow(session, objs, batch_size, callback))

    def bulk_update(
        self,
        objs: Sequence[T],
        fields: Sequence[str],
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        on_progress: Progress | None = None,
        progress: bool = False,
    ) -> int:
        """Write ``fields`` of each object in batched PATCHes; returns how many were sent."""
        session = self._sync("bulk_update")
        callback = ProgressBar("bulk_update ") if progress and on_progress is None else on_progress
        return session._run(self._bulk_update_flow(session, objs, fields, batch_size, callback))

    def update(
        self,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_progress: Progress | None = None,
        **data: Any,
    ) -> int:
        """Set ``data`` on every matching item (all of them, not the server's first 100).

        Returns how many items were updated.
        """
        session = self._sync("update")
        return session._run(self._update_flow(session, data, batch_size, on_progress))

    def delete(
        self, *, batch_size: int = DEFAULT_BATCH_SIZE, on_progress: Progress | None = None
    ) -> int:
        """Delete every matching item; returns how many were deleted."""
        session = self._sync("delete")
        return session._run(self._delete_flow(session, batch_size, on_progress))

    def iterator(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[T]:
        """Stream every match in chunks, with constant memory and no cache.

        Pages by primary key (keyset) when the QuerySet is unsorted or sorted by
        primary key, by offset otherwise.
        """
        session = self._sync("iterator")
        go, remaining = self._iter_plan(chunk_size)
        keyset = go and self._chunks_plan()[1] is not None
        after: Any = None
        offset = self._state.offset
        while go:
            batch = session._run(self._chunk_flow(session, chunk_size, after, offset, remaining))
            yield from batch.items
            after, offset, remaining, go = self._advance(batch, after, offset, remaining, keyset)

    def _advance(
        self, batch: _Batch[T], after: Any, offset: int, remaining: int | None, keyset: bool
    ) -> tuple[Any, int, int | None, bool]:
        count = len(batch.items)
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

    # ------------------------------------------------ terminals (async)

    async def aget(self, *args: Q | Mapping[str, Any], **lookups: Any) -> T:
        """Async :meth:`get`."""
        session = self._async("get")
        return await session._arun(self._get_flow(session, args, lookups))

    async def aget_or_none(self, *args: Q | Mapping[str, Any], **lookups: Any) -> T | None:
        """Async :meth:`get_or_none`."""
        try:
            return await self.aget(*args, **lookups)
        except self.model.DoesNotExist:
            return None

    async def afirst(self) -> T | None:
        """Async :meth:`first`."""
        session = self._async("first")
        return await session._arun(self._first_flow(session, reverse=False))

    async def alast(self) -> T | None:
        """Async :meth:`last`."""
        session = self._async("last")
        return await session._arun(self._first_flow(session, reverse=True))

    async def aexists(self) -> bool:
        """Async :meth:`exists`."""
        session = self._async("exists")
        return await session._arun(self._exists_flow(session))

    async def acount(self) -> int:
        """Async :meth:`count`."""
        if self._cache is not None:
            return len(self._cache)
        session = self._async("count")
        return await session._arun(self._count_flow(session))

    async def aaggregate(self, **aggregates: Aggregate) -> dict[str, Any]:
        """Async :meth:`aggregate`."""
        session = self._async("aggregate")
        rows = await session._arun(self._aggregate_flow(session, aggregates, ()))
        return rows[0] if rows else _empty_aggregate(aggregates)

    async def ain_bulk(self, ids: Sequence[Any]) -> dict[Any, T]:
        """Async :meth:`in_bulk`."""
        session = self._async("in_bulk")
        return await session._arun(self._in_bulk_flow(session, ids))

    async def apage(self, number: int, size: int = 25) -> Page[T]:
        """Async :meth:`page`."""
        session = self._async("page")
        return await session._arun(self._page_flow(session, number, size))

    async def acreate(self, **data: Any) -> T:
        """Async :meth:`create`."""
        session = self._async("create")
        return await session._arun(self._create_flow(session, data))

    async def aget_or_create(
        self, defaults: Mapping[str, Any] | None = None, **lookups: Any
    ) -> tuple[T, bool]:
        """Async :meth:`get_or_create`."""
        session = self._async("get_or_create")
        return await session._arun(self._get_or_create_flow(session, defaults, lookups))

    async def aupdate_or_create(
        self, defaults: Mapping[str, Any] | None = None, **lookups: Any
    ) -> tuple[T, bool]:
        """Async :meth:`update_or_create`."""
        session = self._async("update_or_create")
        return await session._arun(self._update_or_create_flow(session, defaults, lookups))

    async def abulk_create(
        self,
        objs: Sequence[T],
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        on_progress: Progress | None = None,
        progress: bool = False,
    ) -> list[T]:
        """Async :meth:`bulk_create`."""
        session = self._async("bulk_create")
        callback = ProgressBar("bulk_create ") if progress and on_progress is None else on_progress
        return await session._arun(self._bulk_create_flow(session, objs, batch_size, callback))

    async def abulk_update(
        self,
        objs: Sequence[T],
        fields: Sequence[str],
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        on_progress: Progress | None = None,
        progress: bool = False,
    ) -> int:
        """Async :meth:`bulk_update`."""
        session = self._async("bulk_update")
        callback = ProgressBar("bulk_update ") if progress and on_progress is None else on_progress
        return await session._arun(
            self._bulk_update_flow(session, objs, fields, batch_size, callback))

    async def aupdate(
        self,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        on_progress: Progress | None = None,
        **data: Any,
    ) -> int:
        """Async :meth:`update`."""
        session = self._async("update")
        return await session._arun(self._update_flow(session, data, batch_size, on_progress))

    async def adelete(
        self, *, batch_size: int = DEFAULT_BATCH_SIZE, on_progress: Progress | None = None
    ) -> int:
        """Async :meth:`delete`."""
        session = self._async("delete")
        return await session._arun(self._delete_flow(session, batch_size, on_progress))

    def subscribe(self) -> Subscription[T]:
        """Live changes of this QuerySet over the session's WebSocket (``docs/realtime.md``)."""
        return self._sync("subscribe").realtime.subscribe(self)

    def asubscribe(self) -> AsyncSubscription[T]:
        """Async :meth:`subscribe`: ``async for event in qs.asubscribe(): ...``."""
        return self._async("subscribe").realtime.subscribe(self)

    async def alist(self) -> list[T]:
        """Evaluate and return every match as a list (the async ``list(qs)``)."""
        return [item async for item in self]

    async def aiterator(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[T]:
        """Async :meth:`iterator`."""
        session = self._async("iterator")
        go, remaining = self._iter_plan(chunk_size)
        keyset = go and self._chunks_plan()[1] is not None
        after: Any = None
        offset = self._state.offset
        while go:
            batch = await session._arun(
                self._chunk_flow(session, chunk_size, after, offset, remaining)
            )
            for item in batch.items:
                yield item
            after, offset, remaining, go = self._advance(batch, after, offset, remaining, keyset)


class GroupedQuerySet:
    """``qs.group_by(...)``: aggregates per group, as a list of dicts."""

    def __init__(self, queryset: QuerySet[Any], fields: tuple[str, ...]) -> None:
        self.queryset = queryset
        self.fields = fields

    def __repr__(self) -> str:
        return f"<GroupedQuerySet {self.queryset.model.__name__} by {self.fields}>"

    def aggregate(self, **aggregates: Aggregate) -> list[dict[str, Any]]:
        """``[{"status": "draft", "n": 3}, ...]`` for ``aggregate(n=Count())``."""
        session = self.queryset._sync("aggregate")
        return session._run(self.queryset._aggregate_flow(session, aggregates, self.fields))

    async def aaggregate(self, **aggregates: Aggregate) -> list[dict[str, Any]]:
        """Async :meth:`aggregate`."""
        session = self.queryset._async("aggregate")
        return await session._arun(self.queryset._aggregate_flow(session, aggregates, self.fields))


def _read(qs: QuerySet[Any], session: BaseSession, query: dict[str, Any]) -> Any:
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


def _dig(row: Any, path: str) -> Any:
    value = row
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value

