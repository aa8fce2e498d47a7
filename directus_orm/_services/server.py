"""Server information: ping, health, info, specs, as ``session.server``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._core.flow import Flow
from .._core.request import Call
from .._core.version import FEATURES, ServerVersion, supports
from .common import _data

if TYPE_CHECKING:
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver


# ===================================================================== server


class ServerFlows:
    """``/server``: liveness, project information, health, API specs."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def ping(self) -> Flow[str]:
        # /server/ping ignores tokens; send none, so an expired one never matters.
        call = Call("GET", "/server/ping", authenticated=False)
        response = yield from self._session.response_flow(call)
        return response.text

    def info(self) -> Flow[dict[str, Any]]:
        body = yield from self._session.call_flow(Call("GET", "/server/info"))
        data = _data(body)
        return data if isinstance(data, dict) else {}

    def health(self) -> Flow[dict[str, Any]]:
        body = yield from self._session.call_flow(Call("GET", "/server/health"))
        return body if isinstance(body, dict) else {}

    def version(self) -> Flow[ServerVersion | None]:
        return (yield from self._session.server_version_flow())

    def supports(self, feature: str) -> Flow[bool | None]:
        if feature not in FEATURES:
            raise ValueError(f"unknown feature {feature!r}; one of {', '.join(sorted(FEATURES))}")
        version = yield from self.version()
        return None if version is None else supports(version, feature)

    def specs_oas(self) -> Flow[dict[str, Any]]:
        body = yield from self._session.call_flow(Call("GET", "/server/specs/oas"))
        # Directus 12.4 sends the document itself, not inside {"data": ...}.
        data = body if isinstance(body, dict) and "openapi" in body else _data(body)
        return data if isinstance(data, dict) else {}

    def specs_graphql(self, scope: str = "items") -> Flow[str]:
        path = "/server/specs/graphql" + ("/system" if scope == "system" else "")
        response = yield from self._session.response_flow(Call("GET", path))
        return response.text


class Server:
    """``session.server``: ``ping()``, ``info()``, ``health()``, ``specs()``."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = ServerFlows(session)

    def ping(self) -> str:
        """``"pong"`` when the server is up (needs no login)."""
        return self._session.run_flow(self._flows.ping())

    def info(self) -> dict[str, Any]:
        """Project information; with a login also ``version``, query limits, ..."""
        return self._session.run_flow(self._flows.info())

    def health(self) -> dict[str, Any]:
        """Health checks (needs a login since Directus 12)."""
        return self._session.run_flow(self._flows.health())

    def version(self) -> ServerVersion | None:
        """The server's Directus version, parsed (``version >= "12.1"`` compares); read once
        from ``/server/info`` and remembered. ``None`` when the server does not show it to
        this user (Directus shows it to admin users only)."""
        return self._session.run_flow(self._flows.version())

    def supports(self, feature: str) -> bool | None:
        """Whether the server's version has ``feature`` (a name in
        ``directus_orm.FEATURES``, e.g. ``"server_hash"``); ``None`` when the version is hidden."""
        return self._session.run_flow(self._flows.supports(feature))

    def specs(self) -> dict[str, Any]:
        """The OpenAPI 3 document (``/server/specs/oas``), as the current user may see it."""
        return self._session.run_flow(self._flows.specs_oas())

    def specs_oas(self) -> dict[str, Any]:
        """The OpenAPI document, as the current user may see it (same as :meth:`specs`)."""
        return self._session.run_flow(self._flows.specs_oas())

    def specs_graphql(self, scope: str = "items") -> str:
        """The GraphQL SDL of ``"items"`` or ``"system"``."""
        return self._session.run_flow(self._flows.specs_graphql(scope))


class AsyncServer:
    """``session.server`` on an ``AsyncSession``; the same methods, awaited."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = ServerFlows(session)

    async def ping(self) -> str:
        """``"pong"`` when the server is up (needs no login)."""
        return await self._session.arun_flow(self._flows.ping())

    async def info(self) -> dict[str, Any]:
        """Project information; with a login also ``version``, query limits, ..."""
        return await self._session.arun_flow(self._flows.info())

    async def health(self) -> dict[str, Any]:
        """Health checks (needs a login since Directus 12)."""
        return await self._session.arun_flow(self._flows.health())

    async def version(self) -> ServerVersion | None:
        """The server's Directus version, parsed (see :meth:`Server.version`)."""
        return await self._session.arun_flow(self._flows.version())

    async def supports(self, feature: str) -> bool | None:
        """Whether the server's version has ``feature`` (see :meth:`Server.supports`)."""
        return await self._session.arun_flow(self._flows.supports(feature))

    async def specs(self) -> dict[str, Any]:
        """The OpenAPI 3 document (``/server/specs/oas``), as the current user may see it."""
        return await self._session.arun_flow(self._flows.specs_oas())

    async def specs_oas(self) -> dict[str, Any]:
        """The OpenAPI document, as the current user may see it (same as :meth:`specs`)."""
        return await self._session.arun_flow(self._flows.specs_oas())

    async def specs_graphql(self, scope: str = "items") -> str:
        """The GraphQL SDL of ``"items"`` or ``"system"``."""
        return await self._session.arun_flow(self._flows.specs_graphql(scope))
