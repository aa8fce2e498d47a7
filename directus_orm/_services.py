"""Service endpoints (``session.server`` ...), each written once as flows.

A service's logic lives in a ``*Flows`` class whose methods return flows; the
sync facade runs them with ``session._run`` and the async one awaits
``session._arun``. The facades hold no logic of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._flow import Flow
from ._request import Call

if TYPE_CHECKING:
    from ._session import AsyncSession, BaseSession, Session

__all__ = ["AsyncServer", "Server"]


def _data(body: Any) -> Any:
    return body.get("data") if isinstance(body, dict) else body


class ServerFlows:
    """``/server``: liveness, project information, health, API specs."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def ping(self) -> Flow[str]:
        # /server/ping ignores tokens; send none, so an expired one never matters.
        call = Call("GET", "/server/ping", authenticated=False)
        response = yield from self._session._response_flow(call)
        return response.text

    def info(self) -> Flow[dict[str, Any]]:
        body = yield from self._session._call_flow(Call("GET", "/server/info"))
        data = _data(body)
        return data if isinstance(data, dict) else {}

    def health(self) -> Flow[dict[str, Any]]:
        body = yield from self._session._call_flow(Call("GET", "/server/health"))
        return body if isinstance(body, dict) else {}

    def specs_oas(self) -> Flow[dict[str, Any]]:
        body = yield from self._session._call_flow(Call("GET", "/server/specs/oas"))
        data = _data(body)
        return data if isinstance(data, dict) else {}

    def specs_graphql(self, scope: str = "items") -> Flow[str]:
        path = "/server/specs/graphql" + ("/system" if scope == "system" else "")
        response = yield from self._session._response_flow(Call("GET", path))
        return response.text


class Server:
    """``session.server``: ``ping()``, ``info()``, ``health()``, ``specs_oas()``."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = ServerFlows(session)

    def ping(self) -> str:
        """``"pong"`` when the server is up (needs no login)."""
        return self._session._run(self._flows.ping())

    def info(self) -> dict[str, Any]:
        """Project information; with a login also ``version``, query limits, ..."""
        return self._session._run(self._flows.info())

    def health(self) -> dict[str, Any]:
        """Health checks (needs a login since Directus 12)."""
        return self._session._run(self._flows.health())

    def specs_oas(self) -> dict[str, Any]:
        """The OpenAPI document, as the current user may see it."""
        return self._session._run(self._flows.specs_oas())

    def specs_graphql(self, scope: str = "items") -> str:
        """The GraphQL SDL of ``"items"`` or ``"system"``."""
        return self._session._run(self._flows.specs_graphql(scope))


class AsyncServer:
    """``session.server`` on an ``AsyncSession``; the same methods, awaited."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = ServerFlows(session)

    async def ping(self) -> str:
        """``"pong"`` when the server is up (needs no login)."""
        return await self._session._arun(self._flows.ping())

    async def info(self) -> dict[str, Any]:
        """Project information; with a login also ``version``, query limits, ..."""
        return await self._session._arun(self._flows.info())

    async def health(self) -> dict[str, Any]:
        """Health checks (needs a login since Directus 12)."""
        return await self._session._arun(self._flows.health())

    async def specs_oas(self) -> dict[str, Any]:
        """The OpenAPI document, as the current user may see it."""
        return await self._session._arun(self._flows.specs_oas())

    async def specs_graphql(self, scope: str = "items") -> str:
        """The GraphQL SDL of ``"items"`` or ``"system"``."""
        return await self._session._arun(self._flows.specs_graphql(scope))
