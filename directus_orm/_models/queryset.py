"""The lazy, immutable, chainable QuerySet.

Chain methods (``filter``, ``exclude``, ``order_by``, ``fields``, slicing ...)
return a new QuerySet and never do I/O. Terminal methods run one *flow* (see
``_core/flow.py``): the sync method drives it on a ``Session``, its ``a``-prefixed
twin awaits it on an ``AsyncSession``. Everything Directus-specific (paging
past the server's default of 100, keyset iteration, the ``SEARCH`` fallback
for long URLs) is written once, in the flows.
"""


from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar, cast, overload

from pydantic import BeforeValidator, TypeAdapter
from typing_extensions import Self

from .._core.exceptions import QueryError
from .._query.aggregates import Aggregate
from .._query.q import Q
from .batches import DEFAULT_BATCH_SIZE, Progress, ProgressBar
from .hydrate import OnInvalid
from .options import epoch_to_naive

if TYPE_CHECKING:
    from .._realtime.aio import AsyncSubscription
    from .._realtime.sync import Subscription
    from .._session import AsyncSession, Session
    from .manager import QuerySetManager


from .reads import DEFAULT_CHUNK_SIZE, Page, _empty_aggregate
from .writes import WriteFlows

T = TypeVar("T")
V = TypeVar("V")


class QuerySet(WriteFlows[T]):
    """A lazy query over a model's collection. ``Article.objects`` returns one.

    Iterating (``for``/``async for``), ``len()``, ``list()`` and ``bool()`` fetch
    every matching item, paging past the server's default limit, and cache them.
    """

    @classmethod
    def as_manager(cls) -> QuerySetManager[Self]:
        """A manager for ``objects`` that returns this QuerySet class."""
        from .manager import QuerySetManager

        return QuerySetManager(cls)

    def _rows_clone(self, **changes: Any) -> QuerySet[Any]:
        clone: QuerySet[Any] = QuerySet(self.model, replace(self._state, **changes), self._session)
        return clone

    def values(self, *fields: str) -> QuerySet[dict[str, Any]]:
        """Rows as dicts (no models); ``values("id", "author.name")``."""
        api = tuple(self._list_path(f, "fields") for f in fields)
        return self._rows_clone(rows="dict", row_fields=tuple(fields), fields=api or None)

    @overload
    def values_list(self, field: str, /, *, flat: Literal[True], of: type[V]) -> QuerySet[V | None]: ...

    @overload
    def values_list(self, field: str, /, *, flat: Literal[True], of: None = None) -> QuerySet[Any]: ...

    @overload
    def values_list(
        self, *fields: str, flat: Literal[False] = False, of: None = None
    ) -> QuerySet[tuple[Any, ...]]: ...

    def values_list(self, *fields: str, flat: bool = False, of: type[Any] | None = None) -> QuerySet[Any]:
        """Rows as tuples, or single values with ``flat=True``.

        ``of=T`` (with ``flat=True``) validates each value as ``T`` and types the
        QuerySet as ``QuerySet[T | None]`` (NULL stays ``None``):
        ``values_list("published_on", flat=True, of=datetime)`` gives datetimes.
        """
        if not fields:
            raise QueryError("values_list() needs at least one field")
        if flat and len(fields) != 1:
            raise QueryError("values_list(flat=True) takes exactly one field")
        if of is not None and not flat:
            raise QueryError("values_list(of=...) types a flat list; pass flat=True")
        api = tuple(self._list_path(f, "fields") for f in fields)
        return self._rows_clone(
            rows="flat" if flat else "tuple", row_fields=tuple(fields), fields=api,
            value_type=_value_adapter(of) if of is not None else None,
        )

    def group_by(self, *fields: str) -> GroupedQuerySet:
        """Group for :meth:`GroupedQuerySet.aggregate` (``group_by("status")``).

        Fields of the model itself, a many-to-one's key (``"author"``) and date
        parts (``"year(published_on)"``); Directus 12.4 cannot group through a
        relation (``author__name`` answers 500), so that is refused here.
        """
        if not fields:
            raise QueryError("group_by() needs at least one field")
        return GroupedQuerySet(self, self._group_paths(fields, "group_by"))

    # ------------------------------------------------------- evaluation

    def _fetch_all(self) -> list[T]:
        if self._cache is None:
            session = self._sync("__iter__")
            self._cache = session.run_flow(self._all_flow(session))
        return self._cache

    @overload
    def __getitem__(self, key: int) -> T: ...
    @overload
    def __getitem__(self, key: slice) -> Self: ...
    def __getitem__(self, key: int | slice) -> T | Self:
        if isinstance(key, slice):
            if key.step is not None:
                raise QueryError("QuerySet slicing does not support a step")
            return self._slice(key.start or 0, key.stop)
        if not isinstance(key, int):
            raise TypeError(f"QuerySet indices must be integers or slices, not {type(key).__name__}")
        if key < 0:
            raise QueryError("negative indexing is not supported")
        if self._cache is not None:
            return self._cache[key]
        session = self._sync("__getitem__")
        items = session.run_flow(self._slice(key, key + 1)._all_flow(session))
        if not items:
            raise IndexError("QuerySet index out of range")
        return items[0]

    def __iter__(self) -> Iterator[T]:
        return iter(self._fetch_all())

    def __len__(self) -> int:
        return len(self._fetch_all())

    def __bool__(self) -> bool:
        return bool(self._fetch_all())

    async def __aiter__(self) -> AsyncIterator[T]:
        if self._cache is None:
            session = self._async("__iter__")
            self._cache = await session.arun_flow(self._all_flow(session))
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
        return session.run_flow(self._get_flow(session, args, lookups))

    def get_or_none(self, *args: Q | Mapping[str, Any], **lookups: Any) -> T | None:
        """Like :meth:`get`, but ``None`` when nothing matches."""
        try:
            return self.get(*args, **lookups)
        except self.model.DoesNotExist:
            return None

    def first(self) -> T | None:
        """The first item (by the sort, else the primary key), or ``None``."""
        session = self._sync("first")
        return session.run_flow(self._first_flow(session, reverse=False))

    def last(self) -> T | None:
        """The last item (by the sort, else the primary key), or ``None``."""
        session = self._sync("last")
        return session.run_flow(self._first_flow(session, reverse=True))

    def latest(self, *fields: str) -> T:
        """The item that comes last by ``fields`` (``latest("published_on")``).

        Raises ``Model.DoesNotExist`` when nothing matches, as in Django.
        """
        session = self._sync("latest")
        return session.run_flow(self._latest_flow(session, fields, reverse=True))

    def earliest(self, *fields: str) -> T:
        """The item that comes first by ``fields``; ``Model.DoesNotExist`` if none."""
        session = self._sync("earliest")
        return session.run_flow(self._latest_flow(session, fields, reverse=False))

    def exists(self) -> bool:
        """Whether anything matches (fetches at most one key)."""
        session = self._sync("exists")
        return session.run_flow(self._exists_flow(session))

    def count(self) -> int:
        """How many items match the filter and search (``aggregate[count]=*``)."""
        if self._cache is not None:
            return len(self._cache)
        session = self._sync("count")
        return session.run_flow(self._count_flow(session))

    def aggregate(self, **aggregates: Aggregate) -> dict[str, Any]:
        """``aggregate(total=Sum("views"), n=Count())`` → ``{"total": ..., "n": ...}``."""
        session = self._sync("aggregate")
        rows = session.run_flow(self._aggregate_flow(session, aggregates, ()))
        return rows[0] if rows else _empty_aggregate(aggregates)

    def in_bulk(self, ids: Sequence[Any]) -> dict[Any, T]:
        """``{pk: item}`` for the given primary keys (missing keys are left out)."""
        session = self._sync("in_bulk")
        return session.run_flow(self._in_bulk_flow(session, ids))

    def page(self, number: int, size: int = 25) -> Page[T]:
        """Page ``number`` (from 1) of ``size`` items, with total and filter counts."""
        session = self._sync("page")
        return session.run_flow(self._page_flow(session, number, size))

    def create(self, **data: Any) -> T:
        """Create and return a new item: ``Article.objects.create(title="x")``."""
        session = self._sync("create")
        return session.run_flow(self._create_flow(session, data))

    def get_or_create(
        self, defaults: Mapping[str, Any] | None = None, **lookups: Any
    ) -> tuple[T, bool]:
        """``(obj, created)``: the item matching ``lookups``, created with ``defaults`` if none."""
        session = self._sync("get_or_create")
        return session.run_flow(self._get_or_create_flow(session, defaults, lookups))

    def update_or_create(
        self, defaults: Mapping[str, Any] | None = None, **lookups: Any
    ) -> tuple[T, bool]:
        """``(obj, created)``: update the match with ``defaults`` (changed fields only), or create."""
        session = self._sync("update_or_create")
        return session.run_flow(self._update_or_create_flow(session, defaults, lookups))

    def bulk_create(
        self,
        objs: Sequence[T],
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        on_progress: Progress | None = None,
        progress: bool = False,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        unique_fields: Sequence[str] | None = None,
        update_fields: Sequence[str] | None = None,
    ) -> list[T]:
        """Create many items in batched POSTs; fills in primary keys and server values.

        On a failure part-way, :class:`~directus_orm.BatchError` says which input
        ranges were written (``done``: those objects carry their keys), which may
        have been (``unknown``) and which were not (``pending``).

        ``ignore_conflicts=True, unique_fields=[...]`` creates only the objects whose
        values of ``unique_fields`` (or primary keys, without ``unique_fields``) are
        not in the collection yet; the others take the key of the existing row.
        ``update_conflicts=True`` with ``update_fields=[...]`` updates those rows
        instead (an upsert). Directus has no native upsert: the existing keys are read
        first, in batches. Re-running the same call after any failure leaves exactly
        one row per object.
        """
        session = self._sync("bulk_create")
        callback = ProgressBar("bulk_create ") if progress and on_progress is None else on_progress
        return session.run_flow(self._bulk_create_flow(
            session, objs, batch_size, callback, ignore_conflicts=ignore_conflicts,
            update_conflicts=update_conflicts, unique_fields=unique_fields,
            update_fields=update_fields,
        ))

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
        return session.run_flow(self._bulk_update_flow(session, objs, fields, batch_size, callback))

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
        return session.run_flow(self._update_flow(session, data, batch_size, on_progress))

    def delete(
        self, *, batch_size: int = DEFAULT_BATCH_SIZE, on_progress: Progress | None = None
    ) -> int:
        """Delete every matching item; returns how many were deleted."""
        session = self._sync("delete")
        return session.run_flow(self._delete_flow(session, batch_size, on_progress))

    def iterator(
        self, chunk_size: int = DEFAULT_CHUNK_SIZE, *, on_invalid: OnInvalid = "raise"
    ) -> Iterator[T]:
        """Stream every match in chunks, with constant memory and no cache.

        Pages by primary key (keyset) when the QuerySet is unsorted or sorted by
        a numeric primary key, by offset otherwise (Directus cannot compare uuid
        or string keys with ``_gt``). Each page is one read, retried on connection
        errors, and continues where the page before ended.
        A row that does not fit the model raises :class:`~directus_orm.HydrationError`;
        ``on_invalid="skip"`` leaves such rows out (logging a warning), and a callable
        (``errors.append``) receives each one's HydrationError.
        """
        session = self._sync("iterator")
        go, remaining = self._iter_plan(chunk_size)
        keyset = go and self._chunks_plan()[1] is not None
        after: Any = None
        offset = self._state.offset
        while go:
            batch = session.run_flow(
                self._chunk_flow(session, chunk_size, after, offset, remaining, on_invalid)
            )
            yield from batch.items
            after, offset, remaining, go = self._advance(batch, after, offset, remaining, keyset)

    # ------------------------------------------------ terminals (async)

    async def aget(self, *args: Q | Mapping[str, Any], **lookups: Any) -> T:
        """Async :meth:`get`."""
        session = self._async("get")
        return await session.arun_flow(self._get_flow(session, args, lookups))

    async def aget_or_none(self, *args: Q | Mapping[str, Any], **lookups: Any) -> T | None:
        """Async :meth:`get_or_none`."""
        try:
            return await self.aget(*args, **lookups)
        except self.model.DoesNotExist:
            return None

    async def afirst(self) -> T | None:
        """Async :meth:`first`."""
        session = self._async("first")
        return await session.arun_flow(self._first_flow(session, reverse=False))

    async def alast(self) -> T | None:
        """Async :meth:`last`."""
        session = self._async("last")
        return await session.arun_flow(self._first_flow(session, reverse=True))

    async def alatest(self, *fields: str) -> T:
        """Async :meth:`latest`."""
        session = self._async("latest")
        return await session.arun_flow(self._latest_flow(session, fields, reverse=True))

    async def aearliest(self, *fields: str) -> T:
        """Async :meth:`earliest`."""
        session = self._async("earliest")
        return await session.arun_flow(self._latest_flow(session, fields, reverse=False))

    async def aexists(self) -> bool:
        """Async :meth:`exists`."""
        session = self._async("exists")
        return await session.arun_flow(self._exists_flow(session))

    async def acount(self) -> int:
        """Async :meth:`count`."""
        if self._cache is not None:
            return len(self._cache)
        session = self._async("count")
        return await session.arun_flow(self._count_flow(session))

    async def aaggregate(self, **aggregates: Aggregate) -> dict[str, Any]:
        """Async :meth:`aggregate`."""
        session = self._async("aggregate")
        rows = await session.arun_flow(self._aggregate_flow(session, aggregates, ()))
        return rows[0] if rows else _empty_aggregate(aggregates)

    async def ain_bulk(self, ids: Sequence[Any]) -> dict[Any, T]:
        """Async :meth:`in_bulk`."""
        session = self._async("in_bulk")
        return await session.arun_flow(self._in_bulk_flow(session, ids))

    async def apage(self, number: int, size: int = 25) -> Page[T]:
        """Async :meth:`page`."""
        session = self._async("page")
        return await session.arun_flow(self._page_flow(session, number, size))

    async def acreate(self, **data: Any) -> T:
        """Async :meth:`create`."""
        session = self._async("create")
        return await session.arun_flow(self._create_flow(session, data))

    async def aget_or_create(
        self, defaults: Mapping[str, Any] | None = None, **lookups: Any
    ) -> tuple[T, bool]:
        """Async :meth:`get_or_create`."""
        session = self._async("get_or_create")
        return await session.arun_flow(self._get_or_create_flow(session, defaults, lookups))

    async def aupdate_or_create(
        self, defaults: Mapping[str, Any] | None = None, **lookups: Any
    ) -> tuple[T, bool]:
        """Async :meth:`update_or_create`."""
        session = self._async("update_or_create")
        return await session.arun_flow(self._update_or_create_flow(session, defaults, lookups))

    async def abulk_create(
        self,
        objs: Sequence[T],
        batch_size: int = DEFAULT_BATCH_SIZE,
        *,
        on_progress: Progress | None = None,
        progress: bool = False,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        unique_fields: Sequence[str] | None = None,
        update_fields: Sequence[str] | None = None,
    ) -> list[T]:
        """Async :meth:`bulk_create`."""
        session = self._async("bulk_create")
        callback = ProgressBar("bulk_create ") if progress and on_progress is None else on_progress
        return await session.arun_flow(self._bulk_create_flow(
            session, objs, batch_size, callback, ignore_conflicts=ignore_conflicts,
            update_conflicts=update_conflicts, unique_fields=unique_fields,
            update_fields=update_fields,
        ))

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
        return await session.arun_flow(
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
        return await session.arun_flow(self._update_flow(session, data, batch_size, on_progress))

    async def adelete(
        self, *, batch_size: int = DEFAULT_BATCH_SIZE, on_progress: Progress | None = None
    ) -> int:
        """Async :meth:`delete`."""
        session = self._async("delete")
        return await session.arun_flow(self._delete_flow(session, batch_size, on_progress))

    def subscribe(self) -> Subscription[T]:
        """Live changes of this QuerySet over the session's WebSocket (``docs/realtime.md``)."""
        return cast("Session", self._sync("subscribe")).realtime.subscribe(self)

    def asubscribe(self) -> AsyncSubscription[T]:
        """Async :meth:`subscribe`: ``async for event in qs.asubscribe(): ...``."""
        return cast("AsyncSession", self._async("subscribe")).realtime.subscribe(self)

    async def alist(self) -> list[T]:
        """Evaluate and return every match as a list (the async ``list(qs)``)."""
        return [item async for item in self]

    async def aiterator(
        self, chunk_size: int = DEFAULT_CHUNK_SIZE, *, on_invalid: OnInvalid = "raise"
    ) -> AsyncIterator[T]:
        """Async :meth:`iterator`."""
        session = self._async("iterator")
        go, remaining = self._iter_plan(chunk_size)
        keyset = go and self._chunks_plan()[1] is not None
        after: Any = None
        offset = self._state.offset
        while go:
            batch = await session.arun_flow(
                self._chunk_flow(session, chunk_size, after, offset, remaining, on_invalid)
            )
            for item in batch.items:
                yield item
            after, offset, remaining, go = self._advance(batch, after, offset, remaining, keyset)


def _value_adapter(of: type[Any]) -> TypeAdapter[Any]:
    """Validates flat values as ``of``; a datetime sent as a number is read as model fields are."""
    if isinstance(of, type) and issubclass(of, datetime):
        annotated: Any = Annotated[of, BeforeValidator(epoch_to_naive)]
        return TypeAdapter(annotated)
    return TypeAdapter(of)


class GroupedQuerySet:
    """``qs.group_by(...)``: aggregates per group, as a list of dicts.

    ``order_by()`` takes group fields and the names given to the aggregates, and
    a slice limits the groups on the server:
    ``Article.objects.group_by("author").order_by("-n")[:10].aggregate(n=Count())``
    sends ``groupBy=author&sort=-count&limit=10``.
    """

    def __init__(
        self,
        queryset: QuerySet[Any],
        fields: tuple[str, ...],
        *,
        sort: tuple[str, ...] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> None:
        self.queryset = queryset
        self.fields = fields
        self._sort = sort
        self._limit = limit
        self._offset = offset

    def __repr__(self) -> str:
        return f"<GroupedQuerySet {self.queryset.model.__name__} by {self.fields}>"

    def _copy(self, **changes: Any) -> GroupedQuerySet:
        values: dict[str, Any] = {"sort": self._sort, "limit": self._limit, "offset": self._offset}
        values.update(changes)
        return GroupedQuerySet(self.queryset, self.fields, **values)

    def order_by(self, *keys: str) -> GroupedQuerySet:
        """Sort the groups by group fields or aggregate names (``"-n"``), on the server."""
        if self._limit is not None or self._offset:
            raise QueryError("cannot reorder groups once a slice has been taken")
        for key in keys:
            if not key.lstrip("-") or key.lstrip("-") == "?":
                raise QueryError(f"cannot sort groups by {key!r}")
        return self._copy(sort=tuple(keys))

    def __getitem__(self, key: slice) -> GroupedQuerySet:
        if not isinstance(key, slice) or key.step is not None:
            raise QueryError("a GroupedQuerySet takes a slice without a step, like [:10]")
        start, stop = key.start or 0, key.stop
        if start < 0 or (stop is not None and stop < 0):
            raise QueryError("negative indexing is not supported")
        offset = self._offset + start
        limit = None if stop is None else max(stop - start, 0)
        if self._limit is not None:
            limit = max(min(self._limit - start, limit if limit is not None else 1 << 62), 0)
        return self._copy(offset=offset, limit=limit)

    def _prepared(self, aggregates: Mapping[str, Aggregate]) -> tuple[QuerySet[Any], list[str] | None]:
        qs = self.queryset
        if self._limit is not None or self._offset:
            qs = qs._clone(limit=self._limit, offset=qs._state.offset + self._offset)
        if self._sort is None:
            return qs, None
        sort: list[str] = []
        for key in self._sort:
            desc = key.startswith("-")
            name = key[1:] if desc else key
            api = name if name in aggregates else qs._api_path(name)
            if name not in aggregates and api not in self.fields:
                raise QueryError(
                    f"cannot sort groups by {name!r}: use a group field ({', '.join(self.fields)}) "
                    f"or an aggregate's name ({', '.join(aggregates)})"
                )
            sort.append(("-" if desc else "") + api)
        return qs, sort

    def aggregate(self, **aggregates: Aggregate) -> list[dict[str, Any]]:
        """``[{"status": "draft", "n": 3}, ...]`` for ``aggregate(n=Count())``."""
        qs, sort = self._prepared(aggregates)
        session = qs._sync("aggregate")
        return session.run_flow(qs._aggregate_flow(session, aggregates, self.fields, sort))

    async def aaggregate(self, **aggregates: Aggregate) -> list[dict[str, Any]]:
        """Async :meth:`aggregate`."""
        qs, sort = self._prepared(aggregates)
        session = qs._async("aggregate")
        return await session.arun_flow(qs._aggregate_flow(session, aggregates, self.fields, sort))
