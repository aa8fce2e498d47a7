"""The public sessions: a driver, the auth facade and the service facades.

``Session`` and ``AsyncSession`` are the composition root of the library: each is a
driver from :mod:`directus_orm._transport` with the facades of every service area
attached from one table (:data:`_SERVICES`). ``with Session(url) as s:`` makes
``s`` the current session of the block for model operations and closes it at the
end; :func:`set_default_session` sets a process-wide fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from typing_extensions import Self

from ._realtime.aio import AsyncRealtime
from ._realtime.sync import Realtime
from ._services.access import AsyncPermissions, AsyncPolicies, AsyncRoles, Permissions, Policies, Roles
from ._services.auth import AsyncAuth, Auth
from ._services.extensions import AsyncExtensions, Extensions
from ._services.files import AsyncFiles, Files
from ._services.flows import AsyncFlows, Flows
from ._services.history import (
    Activity,
    AsyncActivity,
    AsyncComments,
    AsyncPresets,
    AsyncRevisions,
    Comments,
    Presets,
    Revisions,
)
from ._services.items import AsyncItems, AsyncSingleton, Items, Singleton
from ._services.schema import (
    AsyncCollections,
    AsyncFields,
    AsyncRelations,
    AsyncSchema,
    Collections,
    Fields,
    Relations,
    Schema,
)
from ._services.server import AsyncServer, Server
from ._services.settings import AsyncSettings, Settings
from ._services.shares import AsyncShares, Shares
from ._services.users import AsyncUsers, Users
from ._services.utils import AsyncUtils, Utils
from ._services.versions import AsyncVersions, Versions
from ._transport.session import AsyncDriver, BaseSession, SyncDriver

if TYPE_CHECKING:
    from ._models.model import Model

__all__ = ["AsyncSession", "BaseSession", "Session"]

M = TypeVar("M", bound="Model")
F = TypeVar("F")


class _Facade(Generic[F]):
    """One row of a session's service table: the facade is built on first access and
    kept on the session (no I/O)."""

    def __init__(self, factory: Callable[[Any], F]) -> None:
        self._factory = factory
        self._name = ""

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._name = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: object, owner: type[Any]) -> F: ...
    def __get__(self, obj: object | None, owner: type[Any]) -> F | Self:
        if obj is None:
            return self
        value = self._factory(obj)
        obj.__dict__[self._name] = value
        return value


class Session(SyncDriver):
    """A blocking Directus session over one ``httpx.Client``.

    ``with Session(url) as s:`` makes it current for model operations and
    closes it at the end. See :class:`BaseSession` for the parameters.
    """

    auth = _Facade(Auth)
    server = _Facade(Server)
    users = _Facade(Users)
    files = _Facade(Files)
    comments = _Facade(Comments)
    activity = _Facade(Activity)
    revisions = _Facade(Revisions)
    presets = _Facade(Presets)
    settings = _Facade(Settings)
    collections = _Facade(Collections)
    fields = _Facade(Fields)
    relations = _Facade(Relations)
    schema = _Facade(Schema)
    utils = _Facade(Utils)
    permissions = _Facade(Permissions)
    policies = _Facade(Policies)
    roles = _Facade(Roles)
    versions = _Facade(Versions)
    shares = _Facade(Shares)
    flows = _Facade(Flows)
    extensions = _Facade(Extensions)
    realtime = _Facade(Realtime)

    @overload
    def items(self, collection: str) -> Items[dict[str, Any]]: ...
    @overload
    def items(self, collection: str, model: type[M]) -> Items[M]: ...
    def items(self, collection: str, model: type[Model] | None = None) -> Items[Any]:
        """The SDK-style items commands of ``collection`` (typed with ``model``)."""
        return Items(self, collection, model)

    @overload
    def singleton(self, collection: str) -> Singleton[dict[str, Any]]: ...
    @overload
    def singleton(self, collection: str, model: type[M]) -> Singleton[M]: ...
    def singleton(self, collection: str, model: type[Model] | None = None) -> Singleton[Any]:
        """``read()``/``update(data)`` of a singleton collection."""
        return Singleton(self, collection, model)

    def close(self) -> None:
        """Close the connection pool and the realtime socket. Tokens stay in storage."""
        realtime: Realtime | None = self.__dict__.get("realtime")
        if realtime is not None:
            realtime.close()
        super().close()


class AsyncSession(AsyncDriver):
    """An asyncio Directus session over one ``httpx.AsyncClient``.

    ``async with AsyncSession(url) as s:`` makes it current for model operations
    and closes it at the end. See :class:`BaseSession` for the parameters.
    """

    auth = _Facade(AsyncAuth)
    server = _Facade(AsyncServer)
    users = _Facade(AsyncUsers)
    files = _Facade(AsyncFiles)
    comments = _Facade(AsyncComments)
    activity = _Facade(AsyncActivity)
    revisions = _Facade(AsyncRevisions)
    presets = _Facade(AsyncPresets)
    settings = _Facade(AsyncSettings)
    collections = _Facade(AsyncCollections)
    fields = _Facade(AsyncFields)
    relations = _Facade(AsyncRelations)
    schema = _Facade(AsyncSchema)
    utils = _Facade(AsyncUtils)
    permissions = _Facade(AsyncPermissions)
    policies = _Facade(AsyncPolicies)
    roles = _Facade(AsyncRoles)
    versions = _Facade(AsyncVersions)
    shares = _Facade(AsyncShares)
    flows = _Facade(AsyncFlows)
    extensions = _Facade(AsyncExtensions)
    realtime = _Facade(AsyncRealtime)

    @overload
    def items(self, collection: str) -> AsyncItems[dict[str, Any]]: ...
    @overload
    def items(self, collection: str, model: type[M]) -> AsyncItems[M]: ...
    def items(self, collection: str, model: type[Model] | None = None) -> AsyncItems[Any]:
        """The SDK-style items commands of ``collection`` (typed with ``model``)."""
        return AsyncItems(self, collection, model)

    @overload
    def singleton(self, collection: str) -> AsyncSingleton[dict[str, Any]]: ...
    @overload
    def singleton(self, collection: str, model: type[M]) -> AsyncSingleton[M]: ...
    def singleton(self, collection: str, model: type[Model] | None = None) -> AsyncSingleton[Any]:
        """``read()``/``update(data)`` of a singleton collection."""
        return AsyncSingleton(self, collection, model)

    async def aclose(self) -> None:
        """Close the connection pool and the realtime socket. Tokens stay in storage."""
        realtime: AsyncRealtime | None = self.__dict__.get("realtime")
        if realtime is not None:
            await realtime.aclose()
        await super().aclose()
