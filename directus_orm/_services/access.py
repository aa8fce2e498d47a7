"""Access control: permissions, policies and roles, as ``session.permissions`` and the others."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypedDict

from .._core.flow import Flow
from .._core.request import Call, path_of
from .._core.version import require
from .._models.hydrate import hydrate_many
from .._system.models import (
    DirectusRole,
)
from .common import FieldPaths, _data, _pk, _query

if TYPE_CHECKING:
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver


# ===================================================== permissions, policies, roles


class PermissionAccess(TypedDict, total=False):
    """One action's access in ``permissions.me()``: ``full``, ``partial`` or ``none``."""

    access: Literal["full", "partial", "none"]
    fields: list[str]
    presets: dict[str, Any]


class ItemAccess(TypedDict, total=False):
    """One action in ``permissions.item()``."""

    access: bool
    presets: dict[str, Any]
    fields: list[str]


class PolicyGlobals(TypedDict, total=False):
    """``policies.globals()``: the current user's combined access flags (without a
    login Directus sends only ``app_access``)."""

    app_access: bool
    admin_access: bool
    enforce_tfa: bool


class AccessFlows:
    """``/permissions/me``, ``/policies/me/globals``, ``/roles/me``."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def get(self, path: str) -> Flow[Any]:
        body = yield from self._session.call_flow(Call("GET", path))
        return _data(body)

    def policy_globals(self) -> Flow[Any]:
        # Policies came with Directus 11; before, access flags sat on roles.
        require(self._session.known_server_version, "policies")
        return (yield from self.get("/policies/me/globals"))


class Permissions:
    """``session.permissions``: what the current user may do. Permission rows:
    ``DirectusPermission.objects``."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = AccessFlows(session)

    def me(self) -> dict[str, dict[str, PermissionAccess]]:
        """``{collection: {action: {"access": "full"|"partial"|"none", "fields": [...]}}}``."""
        data = self._session.run_flow(self._flows.get("/permissions/me"))
        return dict(data or {})

    def item(self, collection: str, key: Any) -> dict[str, ItemAccess]:
        """``{"update": {"access": bool}, "delete": ..., "share": ...}`` for one item."""
        data = self._session.run_flow(self._flows.get(path_of("permissions", "me", collection, _pk(key))))
        return dict(data or {})


class AsyncPermissions:
    """``session.permissions`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = AccessFlows(session)

    async def me(self) -> dict[str, dict[str, PermissionAccess]]:
        """What the current user may do, per collection and action."""
        data = await self._session.arun_flow(self._flows.get("/permissions/me"))
        return dict(data or {})

    async def item(self, collection: str, key: Any) -> dict[str, ItemAccess]:
        """What the current user may do with one item."""
        data = await self._session.arun_flow(
            self._flows.get(path_of("permissions", "me", collection, _pk(key)))
        )
        return dict(data or {})


class Policies:
    """``session.policies``: the current user's access flags. Policy rows:
    ``DirectusPolicy.objects``."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = AccessFlows(session)

    def globals(self) -> PolicyGlobals:
        """``{"app_access", "admin_access", "enforce_tfa"}`` of the current user.

        Policies exist since Directus 11: on an older server whose version is known
        (``session.server.version()``), ``FeatureNotSupported`` names it before any request."""
        data: PolicyGlobals = self._session.run_flow(self._flows.policy_globals())
        return data


class AsyncPolicies:
    """``session.policies`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = AccessFlows(session)

    async def globals(self) -> PolicyGlobals:
        """The current user's access flags."""
        data: PolicyGlobals = await self._session.arun_flow(self._flows.policy_globals())
        return data


class RolesFlows:
    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def me(self, fields: FieldPaths) -> Flow[list[DirectusRole]]:
        response = yield from self._session.response_flow(
            Call("GET", "/roles/me", query=_query(fields))
        )
        return hydrate_many(DirectusRole, response.content)


class Roles:
    """``session.roles``: the current user's roles. Role rows: ``DirectusRole.objects``."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = RolesFlows(session)

    def me(self, fields: FieldPaths = None) -> list[DirectusRole]:
        """The current user's role and the roles it inherits (``/roles/me``)."""
        return self._session.run_flow(self._flows.me(fields))


class AsyncRoles:
    """``session.roles`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = RolesFlows(session)

    async def me(self, fields: FieldPaths = None) -> list[DirectusRole]:
        """The current user's role and the roles it inherits."""
        return await self._session.arun_flow(self._flows.me(fields))
