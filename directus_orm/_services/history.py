"""Comments, activity, revisions and presets, as ``session.comments`` and the others."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from typing_extensions import TypeVar

from .._core.flow import Flow
from .._core.request import Call, path_of
from .._models.hydrate import hydrate_one
from .._models.model import Model
from .._system.models import (
    DirectusActivity,
    DirectusComment,
    DirectusPreset,
    DirectusRevision,
)
from .common import _json, _pk
from .utils import UtilsFlows

if TYPE_CHECKING:
    from .._models.queryset import QuerySet
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver

M = TypeVar("M", bound=Model)


# ========================================== comments, activity, revisions, presets


def _qs_all(qs: QuerySet[M], session: BaseSession) -> Flow[list[M]]:
    return qs._all_flow(session)


class HistoryFlows:
    """Comments, activity and revisions of items; presets."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def create(self, model: type[M], data: Mapping[str, Any]) -> Flow[M | None]:
        response = yield from self._session.response_flow(
            _json("POST", path_of(model._meta.endpoint), dict(data))
        )
        return hydrate_one(model, response.content)

    def update(self, model: type[M], key: Any, data: Mapping[str, Any]) -> Flow[M | None]:
        response = yield from self._session.response_flow(
            _json("PATCH", path_of(model._meta.endpoint, _pk(key)), dict(data))
        )
        return hydrate_one(model, response.content)

    def delete(self, model: type[M], keys: Any) -> Flow[None]:
        if isinstance(keys, (list, tuple)):
            call = _json("DELETE", path_of(model._meta.endpoint), [_pk(k) for k in keys])
        else:
            call = Call("DELETE", path_of(model._meta.endpoint, _pk(keys)))
        yield from self._session.response_flow(call)
        return None

    def get(self, model: type[M], key: Any) -> Flow[M]:
        return (yield from model.objects.filter(pk=_pk(key))._get_flow(self._session, (), {}))

    def of_item(
        self, model: type[M], collection: str | None, item: Any, extra: Mapping[str, Any],
        sort: str, limit: int | None,
    ) -> Flow[list[M]]:
        lookups: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
        if collection is not None:
            lookups["collection"] = collection
        if item is not None:
            lookups["item"] = str(_pk(item))
        qs = model.objects.filter(**lookups).order_by(sort)
        if limit is not None:
            qs = qs[:limit]
        return (yield from _qs_all(qs, self._session))


class Comments:
    """``session.comments``: comments on items (``/comments``, Directus 11.1+)."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = HistoryFlows(session)

    def create(self, collection: str, item: Any, comment: str) -> DirectusComment | None:
        """Comment on an item (the item's key may be a number; it is stored as a string)."""
        data = {"collection": collection, "item": str(_pk(item)), "comment": comment}
        return self._session.run_flow(self._flows.create(DirectusComment, data))

    def list(self, collection: str, item: Any) -> list[DirectusComment]:
        """The comments of one item, oldest first."""
        return self._session.run_flow(
            self._flows.of_item(DirectusComment, collection, item, {}, "date_created", None)
        )

    def update(self, comment: Any, text: str) -> DirectusComment | None:
        """Change a comment's text (``comment`` is its id or the object)."""
        return self._session.run_flow(self._flows.update(DirectusComment, comment, {"comment": text}))

    def delete(self, comment: Any) -> None:
        """Delete one comment, or several (a list of ids or objects)."""
        return self._session.run_flow(self._flows.delete(DirectusComment, comment))


class AsyncComments:
    """``session.comments`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = HistoryFlows(session)

    async def create(self, collection: str, item: Any, comment: str) -> DirectusComment | None:
        """Comment on an item."""
        data = {"collection": collection, "item": str(_pk(item)), "comment": comment}
        return await self._session.arun_flow(self._flows.create(DirectusComment, data))

    async def list(self, collection: str, item: Any) -> list[DirectusComment]:
        """The comments of one item, oldest first."""
        return await self._session.arun_flow(
            self._flows.of_item(DirectusComment, collection, item, {}, "date_created", None)
        )

    async def update(self, comment: Any, text: str) -> DirectusComment | None:
        """Change a comment's text."""
        return await self._session.arun_flow(
            self._flows.update(DirectusComment, comment, {"comment": text})
        )

    async def delete(self, comment: Any) -> None:
        """Delete one comment, or several."""
        return await self._session.arun_flow(self._flows.delete(DirectusComment, comment))


class Activity:
    """``session.activity``: the read-only activity log (``DirectusActivity.objects`` for more)."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = HistoryFlows(session)

    def list(
        self,
        collection: str | None = None,
        item: Any = None,
        *,
        action: str | None = None,
        user: Any = None,
        limit: int | None = 100,
    ) -> list[DirectusActivity]:
        """Activity, newest first, optionally of one collection, item, action or user."""
        extra = {"action": action, "user": _pk(user)}
        return self._session.run_flow(
            self._flows.of_item(DirectusActivity, collection, item, extra, "-id", limit)
        )

    def get(self, id: int) -> DirectusActivity:
        """One activity entry (``DirectusActivity.DoesNotExist`` if there is none)."""
        return self._session.run_flow(self._flows.get(DirectusActivity, id))


class AsyncActivity:
    """``session.activity`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = HistoryFlows(session)

    async def list(
        self,
        collection: str | None = None,
        item: Any = None,
        *,
        action: str | None = None,
        user: Any = None,
        limit: int | None = 100,
    ) -> list[DirectusActivity]:
        """Activity, newest first."""
        extra = {"action": action, "user": _pk(user)}
        return await self._session.arun_flow(
            self._flows.of_item(DirectusActivity, collection, item, extra, "-id", limit)
        )

    async def get(self, id: int) -> DirectusActivity:
        """One activity entry."""
        return await self._session.arun_flow(self._flows.get(DirectusActivity, id))


class Revisions:
    """``session.revisions``: item revisions (read-only) and ``revert()``."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = HistoryFlows(session)
        self._utils = UtilsFlows(session)

    def list(
        self, collection: str | None = None, item: Any = None, *, limit: int | None = 100
    ) -> list[DirectusRevision]:
        """Revisions, newest first, optionally of one collection or item."""
        return self._session.run_flow(
            self._flows.of_item(DirectusRevision, collection, item, {}, "-id", limit)
        )

    def get(self, id: int) -> DirectusRevision:
        """One revision (``DirectusRevision.DoesNotExist`` if there is none)."""
        return self._session.run_flow(self._flows.get(DirectusRevision, id))

    def revert(self, revision: Any) -> None:
        """Restore the item to this revision's ``data`` (same as ``utils.revert``)."""
        return self._session.run_flow(self._utils.revert(revision))


class AsyncRevisions:
    """``session.revisions`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = HistoryFlows(session)
        self._utils = UtilsFlows(session)

    async def list(
        self, collection: str | None = None, item: Any = None, *, limit: int | None = 100
    ) -> list[DirectusRevision]:
        """Revisions, newest first."""
        return await self._session.arun_flow(
            self._flows.of_item(DirectusRevision, collection, item, {}, "-id", limit)
        )

    async def get(self, id: int) -> DirectusRevision:
        """One revision."""
        return await self._session.arun_flow(self._flows.get(DirectusRevision, id))

    async def revert(self, revision: Any) -> None:
        """Restore the item to this revision's ``data``."""
        return await self._session.arun_flow(self._utils.revert(revision))


class Presets:
    """``session.presets``: bookmarks and layout presets (``/presets``)."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = HistoryFlows(session)

    def create(self, **data: Any) -> DirectusPreset | None:
        """Create a preset (``collection``, ``bookmark``, ``layout``, ``layout_query`` ...);
        ``user=None, role=None`` makes it global."""
        return self._session.run_flow(self._flows.create(DirectusPreset, data))

    def list(self, collection: str | None = None) -> list[DirectusPreset]:
        """Presets (of one collection), by id."""
        return self._session.run_flow(
            self._flows.of_item(DirectusPreset, collection, None, {}, "id", None)
        )

    def get(self, id: int) -> DirectusPreset:
        """One preset."""
        return self._session.run_flow(self._flows.get(DirectusPreset, id))

    def update(self, preset: Any, **data: Any) -> DirectusPreset | None:
        """Change a preset's fields."""
        return self._session.run_flow(self._flows.update(DirectusPreset, preset, data))

    def delete(self, preset: Any) -> None:
        """Delete one preset, or several (a list)."""
        return self._session.run_flow(self._flows.delete(DirectusPreset, preset))


class AsyncPresets:
    """``session.presets`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = HistoryFlows(session)

    async def create(self, **data: Any) -> DirectusPreset | None:
        """Create a preset."""
        return await self._session.arun_flow(self._flows.create(DirectusPreset, data))

    async def list(self, collection: str | None = None) -> list[DirectusPreset]:
        """Presets (of one collection), by id."""
        return await self._session.arun_flow(
            self._flows.of_item(DirectusPreset, collection, None, {}, "id", None)
        )

    async def get(self, id: int) -> DirectusPreset:
        """One preset."""
        return await self._session.arun_flow(self._flows.get(DirectusPreset, id))

    async def update(self, preset: Any, **data: Any) -> DirectusPreset | None:
        """Change a preset's fields."""
        return await self._session.arun_flow(self._flows.update(DirectusPreset, preset, data))

    async def delete(self, preset: Any) -> None:
        """Delete one preset, or several."""
        return await self._session.arun_flow(self._flows.delete(DirectusPreset, preset))
