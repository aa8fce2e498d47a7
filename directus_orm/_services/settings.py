"""Project settings (a singleton), as ``session.settings``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from typing_extensions import TypeVar

from .._core.flow import Flow
from .._core.request import Call
from .._models.hydrate import hydrate_one
from .._models.model import Model
from .._system.models import (
    DirectusSettings,
)
from .common import FieldPaths, _json, _query

if TYPE_CHECKING:
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver

M = TypeVar("M", bound=Model)


S = TypeVar("S", bound=DirectusSettings, default=DirectusSettings)


# =================================================================== settings


class SettingsFlows:
    """``/settings``: the project settings singleton."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def read(self, model: type[M], fields: FieldPaths) -> Flow[M]:
        response = yield from self._session.response_flow(
            Call("GET", "/settings", query=_query(fields))
        )
        obj = hydrate_one(model, response.content)
        if obj is None:
            raise model.DoesNotExist("/settings returned nothing")
        return obj

    def update(self, model: type[M], data: Mapping[str, Any], fields: FieldPaths) -> Flow[M | None]:
        response = yield from self._session.response_flow(
            _json("PATCH", "/settings", dict(data), query=_query(fields))
        )
        return hydrate_one(model, response.content)


class Settings:
    """``session.settings``: ``read()`` and ``update(...)`` of the project settings."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = SettingsFlows(session)

    def read(self, model: type[S] = DirectusSettings, fields: FieldPaths = None) -> S:  # type: ignore[assignment]
        """The settings as ``model`` (``DirectusSettings`` or a subclass)."""
        return self._session.run_flow(self._flows.read(model, fields))

    def update(
        self,
        data: Mapping[str, Any] | None = None,
        /,
        *,
        model: type[S] = DirectusSettings,  # type: ignore[assignment]
        fields: FieldPaths = None,
        **values: Any,
    ) -> S | None:
        """PATCH the settings (``update(public_registration=True)``); returns them."""
        return self._session.run_flow(self._flows.update(model, {**(data or {}), **values}, fields))


class AsyncSettings:
    """``session.settings`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = SettingsFlows(session)

    async def read(self, model: type[S] = DirectusSettings, fields: FieldPaths = None) -> S:  # type: ignore[assignment]
        """The settings as ``model``."""
        return await self._session.arun_flow(self._flows.read(model, fields))

    async def update(
        self,
        data: Mapping[str, Any] | None = None,
        /,
        *,
        model: type[S] = DirectusSettings,  # type: ignore[assignment]
        fields: FieldPaths = None,
        **values: Any,
    ) -> S | None:
        """PATCH the settings; returns them."""
        return await self._session.arun_flow(
            self._flows.update(model, {**(data or {}), **values}, fields)
        )
