"""``call``: one service test body, run on a ``Session`` and on an ``AsyncSession``.

``call(lambda s: s.server.info())`` runs the command on a fresh sync session, or awaits it on
a fresh async one (the test is parametrized ``sync``/``async``), so both facades of a service
are pinned to the same wire format by the same assertions.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from directus_orm import AsyncSession, Session

from ..wire import BASE, Runner


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest) -> Runner:
    def run_sync(command: Callable[[Any], Any]) -> Any:
        with Session(BASE, static_token="t", backoff=0) as s:
            result = command(s)
            assert not inspect.isawaitable(result)
            return result

    def run_async(command: Callable[[Any], Any]) -> Any:
        async def main() -> Any:
            async with AsyncSession(BASE, static_token="t", backoff=0) as s:
                awaitable = command(s)
                assert inspect.isawaitable(awaitable)
                return await awaitable

        return asyncio.run(main())

    return run_sync if request.param == "sync" else run_async
