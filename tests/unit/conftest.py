"""Fixtures of the unit tests: sessions with a static token (no server) and recorded sleeps.

The wire-format tests answer these sessions with pytest-httpx: every request is captured and
checked field by field (method, raw path, decoded parameters, headers, JSON body). Unexpected
requests fail the test, and so do registered answers that were never asked for.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import pytest

from directus_orm import AsyncSession, Session

from .wire import BASE


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
