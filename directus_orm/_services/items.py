"""``session.items("articles")``: the Directus SDK's items commands, for users coming from JavaScript.

Every method takes and returns plain Directus shapes: ``query`` is a Directus
query dict (``{"filter": {...}, "limit": 10}``), results are :class:`Result`
objects carrying ``data`` and ``meta``. Pass a model
(``session.items("articles", Article)``) to get typed objects in ``data``.

Differences from the JavaScript SDK, on purpose: ``read_many`` without a
``limit`` returns every item (the server's default would stop at 100), and
``update_by_query`` without ``limit`` updates every match for the same reason.
Collection names and keys are always percent-encoded path segments.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._core.flow import Flow
from .._core.request import Call, path_of, read_call
from .._core.values import check_json
from .._models.hydrate import hydrate_one, hydrate_page

if TYPE_CHECKING:
    from .._models.model import Model
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver

T = TypeVar("T")


Query = Mapping[str, Any]


@dataclass
class Result(Generic[T]):
    """What a command returned: ``data`` and, when asked for, ``meta``."""

    data: T
    meta: dict[str, Any] = field(default_factory=dict)


def _all(query: Query | None) -> dict[str, Any]:
    out = dict(query or {})
    out.setdefault("limit", -1)
    return out


class ItemsFlows(Generic[T]):
    """The items commands as flows, shared by :class:`Items` and :class:`AsyncItems`."""

    def __init__(self, session: BaseSession, collection: str, model: type[Model] | None) -> None:
        if not collection:
            raise ValueError("the collection name is empty")
        self.session = session
        self.collection = collection
        self.model = model

    def _path(self, *keys: Any) -> str:
        return path_of("items", self.collection, *keys)

    def _one(self, content: bytes) -> Result[Any]:
        if self.model is not None:
            envelope = json.loads(content) if content else {}
            return Result(hydrate_one(self.model, content), envelope.get("meta") or {})
        body = json.loads(content) if content else {}
        return Result(body.get("data"), body.get("meta") or {})

    def _many(self, content: bytes) -> Result[Any]:
        if not content:
            return Result([])
        if self.model is not None:
            items, meta = hydrate_page(self.model, content)
            return Result(items, meta)
        body = json.loads(content)
        return Result(body.get("data") or [], body.get("meta") or {})

    def _checked(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """``data`` checked before sending: against the model's field types when typed,
        and for values Directus cannot hold (:class:`~directus_orm.ValidationError`)."""
        body = dict(data)
        name = None
        if self.model is not None:
            meta = self.model._meta
            name = self.model.__name__
            values: dict[str, Any] = {}
            for key, value in body.items():
                found = meta.by_api(key) or meta.fields.get(key)
                if found is not None:
                    values[found.name] = value
            meta.check_values(values)
        check_json(body, model=name)
        return body

    def _send(self, call: Call, many: bool) -> Flow[Result[Any]]:
        response = yield from self.session.response_flow(call)
        return self._many(response.content) if many else self._one(response.content)

    def _read(self, path: str, query: Query | None) -> Call:
        return read_call(path, dict(query or {}), base_url_length=len(self.session.url),
                         max_url_length=self.session.max_url_length)

    def read_one(self, key: Any, query: Query | None = None) -> Flow[Result[Any]]:
        return self._send(self._read(self._path(key), query), many=False)

    def read_many(self, query: Query | None = None) -> Flow[Result[Any]]:
        return self._send(self._read(self._path(), _all(query)), many=True)

    def read_by_query(self, query: Query) -> Flow[Result[Any]]:
        call = Call("SEARCH", self._path(), json={"query": _all(query)}, send_json=True)
        return self._send(call, many=True)

    def create_one(self, item: Mapping[str, Any], query: Query | None = None) -> Flow[Result[Any]]:
        call = Call("POST", self._path(), query=query, json=self._checked(item), send_json=True)
        return self._send(call, many=False)

    def create_many(
        self, items: Sequence[Mapping[str, Any]], query: Query | None = None
    ) -> Flow[Result[Any]]:
        body = [self._checked(i) for i in items]
        call = Call("POST", self._path(), query=query, json=body, send_json=True)
        return self._send(call, many=True)

    def update_one(
        self, key: Any, data: Mapping[str, Any], query: Query | None = None
    ) -> Flow[Result[Any]]:
        call = Call("PATCH", self._path(key), query=query, json=self._checked(data), send_json=True)
        return self._send(call, many=False)

    def update_many(
        self, keys: Sequence[Any], data: Mapping[str, Any], query: Query | None = None
    ) -> Flow[Result[Any]]:
        body = {"keys": list(keys), "data": self._checked(data)}
        return self._send(Call("PATCH", self._path(), query=query, json=body, send_json=True), True)

    def update_by_query(
        self, query: Query, data: Mapping[str, Any], params: Query | None = None
    ) -> Flow[Result[Any]]:
        body = {"query": _all(query), "data": self._checked(data)}
        return self._send(Call("PATCH", self._path(), query=params, json=body, send_json=True), True)

    def update_batch(
        self, items: Sequence[Mapping[str, Any]], query: Query | None = None
    ) -> Flow[Result[Any]]:
        body = [self._checked(i) for i in items]
        call = Call("PATCH", self._path(), query=query, json=body, send_json=True)
        return self._send(call, many=True)

    def delete_one(self, key: Any) -> Flow[None]:
        yield from self.session.response_flow(Call("DELETE", self._path(key)))
        return None

    def delete_many(self, keys: Sequence[Any]) -> Flow[None]:
        call = Call("DELETE", self._path(), json={"keys": list(keys)}, send_json=True)
        yield from self.session.response_flow(call)
        return None

    def delete_by_query(self, query: Query) -> Flow[None]:
        call = Call("DELETE", self._path(), json={"query": _all(query)}, send_json=True)
        yield from self.session.response_flow(call)
        return None

    # singleton collections
    def singleton_read(self, query: Query | None = None) -> Flow[Result[Any]]:
        return self._send(self._read(self._path(), query), many=False)

    def singleton_update(
        self, data: Mapping[str, Any], query: Query | None = None
    ) -> Flow[Result[Any]]:
        call = Call("PATCH", self._path(), query=query, json=dict(data), send_json=True)
        return self._send(call, many=False)


class Items(Generic[T]):
    """``session.items(collection[, Model])`` on a ``Session``."""

    def __init__(self, session: SyncDriver, collection: str, model: type[Model] | None = None) -> None:
        self._session = session
        self._flows: ItemsFlows[T] = ItemsFlows(session, collection, model)

    def __repr__(self) -> str:
        return f"<Items {self._flows.collection!r}>"

    def read_one(self, key: Any, query: Query | None = None) -> Result[T | None]:
        """``GET /items/{c}/{key}``. A missing key raises ``Forbidden`` (Directus has no 404)."""
        return self._session.run_flow(self._flows.read_one(key, query))

    def read_many(self, query: Query | None = None) -> Result[list[T]]:
        """``GET /items/{c}``; every item unless ``query`` sets a ``limit``."""
        return self._session.run_flow(self._flows.read_many(query))

    def read_by_query(self, query: Query) -> Result[list[T]]:
        """``SEARCH /items/{c}`` with the query in the body (no URL length limit)."""
        return self._session.run_flow(self._flows.read_by_query(query))

    def create_one(self, item: Mapping[str, Any], query: Query | None = None) -> Result[T | None]:
        """``POST`` one item; returns it as the server stored it."""
        return self._session.run_flow(self._flows.create_one(item, query))

    def create_many(
        self, items: Sequence[Mapping[str, Any]], query: Query | None = None
    ) -> Result[list[T]]:
        """``POST`` an array of items in one transaction."""
        return self._session.run_flow(self._flows.create_many(items, query))

    def update_one(
        self, key: Any, data: Mapping[str, Any], query: Query | None = None
    ) -> Result[T | None]:
        """``PATCH /items/{c}/{key}``."""
        return self._session.run_flow(self._flows.update_one(key, data, query))

    def update_many(
        self, keys: Sequence[Any], data: Mapping[str, Any], query: Query | None = None
    ) -> Result[list[T]]:
        """``PATCH`` the same ``data`` onto ``keys``."""
        return self._session.run_flow(self._flows.update_many(keys, data, query))

    def update_by_query(
        self, query: Query, data: Mapping[str, Any], params: Query | None = None
    ) -> Result[list[T]]:
        """``PATCH`` every item matching ``query`` (all of them unless it sets ``limit``)."""
        return self._session.run_flow(self._flows.update_by_query(query, data, params))

    def update_batch(
        self, items: Sequence[Mapping[str, Any]], query: Query | None = None
    ) -> Result[list[T]]:
        """``PATCH`` an array of items, each with its primary key."""
        return self._session.run_flow(self._flows.update_batch(items, query))

    def delete_one(self, key: Any) -> None:
        """``DELETE /items/{c}/{key}`` (the server answers 204 even for a missing key)."""
        self._session.run_flow(self._flows.delete_one(key))

    def delete_many(self, keys: Sequence[Any]) -> None:
        """``DELETE`` these keys."""
        self._session.run_flow(self._flows.delete_many(keys))

    def delete_by_query(self, query: Query) -> None:
        """``DELETE`` every item matching ``query`` (all of them unless it sets ``limit``)."""
        self._session.run_flow(self._flows.delete_by_query(query))


class AsyncItems(Generic[T]):
    """``session.items(collection[, Model])`` on an ``AsyncSession``; the same methods, awaited."""

    def __init__(
        self, session: AsyncDriver, collection: str, model: type[Model] | None = None
    ) -> None:
        self._session = session
        self._flows: ItemsFlows[T] = ItemsFlows(session, collection, model)

    def __repr__(self) -> str:
        return f"<AsyncItems {self._flows.collection!r}>"

    async def read_one(self, key: Any, query: Query | None = None) -> Result[T | None]:
        return await self._session.arun_flow(self._flows.read_one(key, query))

    async def read_many(self, query: Query | None = None) -> Result[list[T]]:
        return await self._session.arun_flow(self._flows.read_many(query))

    async def read_by_query(self, query: Query) -> Result[list[T]]:
        return await self._session.arun_flow(self._flows.read_by_query(query))

    async def create_one(
        self, item: Mapping[str, Any], query: Query | None = None
    ) -> Result[T | None]:
        return await self._session.arun_flow(self._flows.create_one(item, query))

    async def create_many(
        self, items: Sequence[Mapping[str, Any]], query: Query | None = None
    ) -> Result[list[T]]:
        return await self._session.arun_flow(self._flows.create_many(items, query))

    async def update_one(
        self, key: Any, data: Mapping[str, Any], query: Query | None = None
    ) -> Result[T | None]:
        return await self._session.arun_flow(self._flows.update_one(key, data, query))

    async def update_many(
        self, keys: Sequence[Any], data: Mapping[str, Any], query: Query | None = None
    ) -> Result[list[T]]:
        return await self._session.arun_flow(self._flows.update_many(keys, data, query))

    async def update_by_query(
        self, query: Query, data: Mapping[str, Any], params: Query | None = None
    ) -> Result[list[T]]:
        return await self._session.arun_flow(self._flows.update_by_query(query, data, params))

    async def update_batch(
        self, items: Sequence[Mapping[str, Any]], query: Query | None = None
    ) -> Result[list[T]]:
        return await self._session.arun_flow(self._flows.update_batch(items, query))

    async def delete_one(self, key: Any) -> None:
        await self._session.arun_flow(self._flows.delete_one(key))

    async def delete_many(self, keys: Sequence[Any]) -> None:
        await self._session.arun_flow(self._flows.delete_many(keys))

    async def delete_by_query(self, query: Query) -> None:
        await self._session.arun_flow(self._flows.delete_by_query(query))


class Singleton(Generic[T]):
    """``session.singleton(collection[, Model])``: ``read()`` and ``update(data)``."""

    def __init__(self, session: SyncDriver, collection: str, model: type[Model] | None = None) -> None:
        self._session = session
        self._flows: ItemsFlows[T] = ItemsFlows(session, collection, model)

    def read(self, query: Query | None = None) -> Result[T | None]:
        """``GET /items/{singleton}``."""
        return self._session.run_flow(self._flows.singleton_read(query))

    def update(self, data: Mapping[str, Any], query: Query | None = None) -> Result[T | None]:
        """``PATCH /items/{singleton}`` (creates the row the first time)."""
        return self._session.run_flow(self._flows.singleton_update(data, query))


class AsyncSingleton(Generic[T]):
    """``session.singleton(collection[, Model])`` on an ``AsyncSession``."""

    def __init__(
        self, session: AsyncDriver, collection: str, model: type[Model] | None = None
    ) -> None:
        self._session = session
        self._flows: ItemsFlows[T] = ItemsFlows(session, collection, model)

    async def read(self, query: Query | None = None) -> Result[T | None]:
        return await self._session.arun_flow(self._flows.singleton_read(query))

    async def update(self, data: Mapping[str, Any], query: Query | None = None) -> Result[T | None]:
        return await self._session.arun_flow(self._flows.singleton_update(data, query))
