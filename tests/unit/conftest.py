"""Fixtures of the unit tests: sessions with a static token (no server) and recorded sleeps.

``call(lambda s: s.server.info())`` runs a command on a fresh ``Session``, or awaits it on a
fresh ``AsyncSession`` (a test that takes ``call`` runs twice, ``sync`` and ``async``), so one
body pins both shells to the same wire format.

The wire-format tests answer these sessions with pytest-httpx: every request is captured and
checked field by field (method, raw path, decoded parameters, headers, JSON body). Unexpected
requests fail the test, and so do registered answers that were never asked for.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from directus_orm import AsyncSession, Session

from .wire import BASE, Runner


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def session() -> Iterator[Session]:
    with Session(BASE, static_token="t", backoff=0) as s:
        yield s


@pytest.fixture
async def asession() -> AsyncIterator[AsyncSession]:
    async with AsyncSession(BASE, static_token="t", backoff=0) as s:
        yield s


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the sync session slept for (without sleeping)."""
    delays: list[float] = []
    monkeypatch.setattr(time, "sleep", delays.append)
    return delays


@pytest.fixture
def aslept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the async session slept for (each replaced by a zero sleep)."""
    delays: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(seconds: float) -> None:
        delays.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    return delays


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
