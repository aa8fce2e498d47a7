"""Installed extensions (``GET /extensions``), as ``session.extensions``."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._core.flow import Flow
from .._core.request import Call
from .common import _data

if TYPE_CHECKING:
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver


@dataclass(frozen=True)
class Extension:
    """One installed extension, as ``GET /extensions`` lists it."""

    id: str
    name: str | None
    type: str | None
    """``interface``, ``display``, ``endpoint``, ``hook``, ``bundle`` ..."""
    version: str | None
    bundle: str | None
    """The bundle it belongs to, if any."""
    enabled: bool | None
    raw: dict[str, Any] = field(repr=False, compare=False)
    """Everything the server sent (``schema``, ``meta`` ...)."""

    @classmethod
    def from_api(cls, row: dict[str, Any]) -> Extension:
        schema = row.get("schema") or {}
        meta = row.get("meta") or {}
        return cls(
            id=str(row.get("id") or ""),
            name=schema.get("name"),
            type=schema.get("type"),
            version=schema.get("version"),
            bundle=row.get("bundle"),
            enabled=meta.get("enabled"),
            raw=dict(row),
        )


class ExtensionsFlows:
    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def read(self) -> Flow[list[Extension]]:
        body = yield from self._session.call_flow(Call("GET", "/extensions"))
        rows = _data(body) or []
        return [Extension.from_api(row) for row in rows if isinstance(row, dict)]


class Extensions:
    """``session.extensions``: the installed extensions (admins see them all)."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = ExtensionsFlows(session)

    def list(self) -> builtins.list[Extension]:
        """Every installed extension (an empty list on a bare install)."""
        return self._session.run_flow(self._flows.read())


class AsyncExtensions:
    """``session.extensions`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = ExtensionsFlows(session)

    async def list(self) -> builtins.list[Extension]:
        """Async :meth:`Extensions.list`."""
        return await self._session.arun_flow(self._flows.read())
