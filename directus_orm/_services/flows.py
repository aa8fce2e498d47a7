"""Flows triggered over HTTP (``/flows/trigger/{id}``), as ``session.flows``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from .._core.flow import Flow
from .._core.request import Call, path_of
from .common import _pk

if TYPE_CHECKING:
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver


class FlowsFlows:
    """The flow trigger as a flow (the protocol kind)."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def trigger(
        self, flow: Any, method: Literal["GET", "POST"], data: Any, query: Mapping[str, Any] | None
    ) -> Flow[Any]:
        params = {str(k): str(v) for k, v in (query or {}).items()}
        post = method == "POST"
        call = Call(method, path_of("flows", "trigger", str(_pk(flow))), params=params or None,
                    json=({} if data is None else data) if post else None, send_json=post)
        response = yield from self._session.response_flow(call)
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            return response.text


class Flows:
    """``session.flows``: run a webhook-triggered flow (``POST /flows/trigger/{id}``)."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = FlowsFlows(session)

    def trigger(
        self,
        flow: Any,
        data: Any = None,
        *,
        method: Literal["GET", "POST"] = "POST",
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        """Trigger a webhook flow (by id or ``DirectusFlow``) with ``data`` as its body.

        Returns what the flow returns (its ``return`` option: ``$last`` or nothing),
        as decoded JSON, not wrapped in ``data``. The flow's ``options.method``
        decides which method it accepts; another one is answered 403.
        """
        return self._session.run_flow(self._flows.trigger(flow, method, data, query))


class AsyncFlows:
    """``session.flows`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = FlowsFlows(session)

    async def trigger(
        self,
        flow: Any,
        data: Any = None,
        *,
        method: Literal["GET", "POST"] = "POST",
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        """Async :meth:`Flows.trigger`."""
        return await self._session.arun_flow(self._flows.trigger(flow, method, data, query))
