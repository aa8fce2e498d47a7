"""Content versions (``/versions``), as ``session.versions``.

A content version is a named draft of one item (``key="draft"``) in a collection
whose ``meta.versioning`` is on. Reading through a version is a QuerySet
parameter (``Article.objects.version("draft")``); saving an object into one is
``obj.save(version="draft")``. This service creates, lists, saves into,
compares, promotes and deletes versions. The unlicensed (Core) 12.4 server
allows all of it.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._core.exceptions import QueryError
from .._core.flow import Flow
from .._core.request import Call, path_of
from .._core.version import require
from .._models.hydrate import hydrate_many, hydrate_one
from .._system.models import DirectusVersion
from .common import _data, _json, _pk

if TYPE_CHECKING:
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver


@dataclass(frozen=True)
class VersionComparison:
    """``GET /versions/{id}/compare``: the version against the main item."""

    outdated: bool
    """The main item changed since the version was created."""
    main_hash: str
    """The main item's hash, which :meth:`Versions.promote` sends back."""
    current: dict[str, Any]
    """The fields the version changes, with their values in the version."""
    main: dict[str, Any]
    """The main item as it is."""


def _id(version: Any) -> str:
    key = _pk(version)
    if not key:
        raise QueryError("name a version by its id or DirectusVersion object")
    return str(key)


class VersionsFlows:
    """The ``/versions`` commands as flows."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def create(self, collection: str, item: Any, key: str, name: str | None) -> Flow[DirectusVersion]:
        if not key:
            raise QueryError("a version needs a key, such as 'draft'")
        body = {"key": key, "name": name or key, "collection": collection,
                "item": None if item is None else str(_pk(item))}
        if item is None:  # Directus 11 refuses a version without an item ("item" must be a string)
            version = yield from self._session.server_version_flow()
            require(version, "version_new_item")
        response = yield from self._session.response_flow(_json("POST", "/versions", body))
        record = hydrate_one(DirectusVersion, response.content)
        if record is None:
            raise QueryError("the server created the version but sent no record back")
        return record

    def list(
        self, collection: str | None, item: Any, key: str | None
    ) -> Flow[builtins.list[DirectusVersion]]:
        conditions: builtins.list[dict[str, Any]] = []
        if collection is not None:
            conditions.append({"collection": {"_eq": collection}})
        if item is not None:
            conditions.append({"item": {"_eq": str(_pk(item))}})
        if key is not None:
            conditions.append({"key": {"_eq": key}})
        query: dict[str, Any] = {"limit": -1, "sort": ["date_created"]}
        if conditions:
            query["filter"] = {"_and": conditions} if len(conditions) > 1 else conditions[0]
        response = yield from self._session.response_flow(Call("GET", "/versions", query=query))
        return hydrate_many(DirectusVersion, response.content)

    def get(self, version: Any) -> Flow[DirectusVersion]:
        response = yield from self._session.response_flow(Call("GET", path_of("versions", _id(version))))
        found = hydrate_one(DirectusVersion, response.content)
        if found is None:
            raise DirectusVersion.DoesNotExist(f"no version {_id(version)!r}")
        return found

    def save(self, version: Any, data: Mapping[str, Any]) -> Flow[dict[str, Any]]:
        body = yield from self._session.call_flow(
            _json("POST", path_of("versions", _id(version), "save"), dict(data)))
        merged = _data(body)
        return dict(merged) if isinstance(merged, dict) else {}

    def compare(self, version: Any) -> Flow[VersionComparison]:
        body = yield from self._session.call_flow(Call("GET", path_of("versions", _id(version), "compare")))
        data = _data(body) or {}
        return VersionComparison(
            outdated=bool(data.get("outdated")),
            main_hash=str(data.get("mainHash") or ""),
            current=dict(data.get("current") or {}),
            main=dict(data.get("main") or {}),
        )

    def promote(self, version: Any, main_hash: str | None, fields: Sequence[str] | None) -> Flow[Any]:
        if main_hash is None:
            comparison = yield from self.compare(version)
            main_hash = comparison.main_hash
        body: dict[str, Any] = {"mainHash": main_hash}
        if fields is not None:
            body["fields"] = builtins.list(fields)
        answer = yield from self._session.call_flow(
            _json("POST", path_of("versions", _id(version), "promote"), body))
        return _data(answer)

    def delete(self, version: Any) -> Flow[None]:
        yield from self._session.response_flow(Call("DELETE", path_of("versions", _id(version))))
        return None


class Versions:
    """``session.versions``: content versions of items (create, list, compare, promote)."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = VersionsFlows(session)

    def create(self, collection: str, item: Any, key: str, *, name: str | None = None) -> DirectusVersion:
        """A new version ``key`` of ``item`` (a key or an object; ``None``: a draft of a new item).

        The collection needs ``meta.versioning`` on, else the server answers 422
        (``UnprocessableContent``); a second version with the same key of the same
        item is refused the same way.
        """
        return self._session.run_flow(self._flows.create(collection, item, key, name))

    def list(
        self, collection: str | None = None, item: Any = None, *, key: str | None = None
    ) -> builtins.list[DirectusVersion]:
        """The versions, of a collection and/or one item (oldest first)."""
        return self._session.run_flow(self._flows.list(collection, item, key))

    def get(self, version: Any) -> DirectusVersion:
        """One version by id."""
        return self._session.run_flow(self._flows.get(version))

    def save(self, version: Any, data: Mapping[str, Any] | None = None, /, **values: Any) -> dict[str, Any]:
        """Save changes into the version (not the item); returns the merged item."""
        return self._session.run_flow(self._flows.save(version, {**(data or {}), **values}))

    def compare(self, version: Any) -> VersionComparison:
        """What the version changes, and whether the main item moved on since."""
        return self._session.run_flow(self._flows.compare(version))

    def promote(
        self, version: Any, *, main_hash: str | None = None, fields: Sequence[str] | None = None
    ) -> Any:
        """Write the version into the main item (all fields, or ``fields``); returns its key.

        Without ``main_hash`` it is read first (:meth:`compare`); a stale one raises
        ``VersionHashMismatch``. The version remains afterwards.
        """
        return self._session.run_flow(self._flows.promote(version, main_hash, fields))

    def delete(self, version: Any) -> None:
        """Delete the version (the item is not touched)."""
        self._session.run_flow(self._flows.delete(version))


class AsyncVersions:
    """``session.versions`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = VersionsFlows(session)

    async def create(
        self, collection: str, item: Any, key: str, *, name: str | None = None
    ) -> DirectusVersion:
        """Async :meth:`Versions.create`."""
        return await self._session.arun_flow(self._flows.create(collection, item, key, name))

    async def list(
        self, collection: str | None = None, item: Any = None, *, key: str | None = None
    ) -> builtins.list[DirectusVersion]:
        """Async :meth:`Versions.list`."""
        return await self._session.arun_flow(self._flows.list(collection, item, key))

    async def get(self, version: Any) -> DirectusVersion:
        """Async :meth:`Versions.get`."""
        return await self._session.arun_flow(self._flows.get(version))

    async def save(
        self, version: Any, data: Mapping[str, Any] | None = None, /, **values: Any
    ) -> dict[str, Any]:
        """Async :meth:`Versions.save`."""
        return await self._session.arun_flow(self._flows.save(version, {**(data or {}), **values}))

    async def compare(self, version: Any) -> VersionComparison:
        """Async :meth:`Versions.compare`."""
        return await self._session.arun_flow(self._flows.compare(version))

    async def promote(
        self, version: Any, *, main_hash: str | None = None, fields: Sequence[str] | None = None
    ) -> Any:
        """Async :meth:`Versions.promote`."""
        return await self._session.arun_flow(self._flows.promote(version, main_hash, fields))

    async def delete(self, version: Any) -> None:
        """Async :meth:`Versions.delete`."""
        await self._session.arun_flow(self._flows.delete(version))
