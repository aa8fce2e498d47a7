"""Fixtures of the fault-injection suite: a fault proxy in front of the real server, sessions
through it, and a direct reader that counts the rows in the database behind the library's back.

Every test ends with :meth:`Ledger.check`, which counts the rows by their ``tag`` through a
separate direct connection (no proxy, no library code) and records the faults injected, the rows
lost and the rows duplicated; the terminal summary prints the totals.
"""

from __future__ import annotations

import collections
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from directus_orm import AsyncSession, Session, localserver

from .. import schema as f
from ..schema import Schema
from .faultproxy import FaultProxy

# ---------------------------------------------------------------- the direct reader


class Direct:
    """Reads a collection straight from the server (no proxy, no directus_orm)."""

    def __init__(self, url: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60, trust_env=False
        )

    def rows(self, collection: str, fields: str = "id,tag,n") -> list[dict[str, Any]]:
        response = self.client.get(f"/items/{collection}", params={"fields": fields, "limit": "-1"})
        response.raise_for_status()
        rows: list[dict[str, Any]] = response.json()["data"]
        return rows

    def tags(self, collection: str) -> collections.Counter[str]:
        return collections.Counter(row["tag"] for row in self.rows(collection))

    def close(self) -> None:
        self.client.close()


# ---------------------------------------------------------------- the figures


@dataclass
class Entry:
    test: str
    faults: int
    expected: int
    rows: int
    lost: int
    duplicated: int


@dataclass
class Ledger:
    entries: list[Entry] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)


LEDGER = Ledger()


class Check:
    """Per-test: counts rows in the database and records the figures."""

    def __init__(self, direct: Direct, proxy: FaultProxy | None, test: str) -> None:
        self.direct = direct
        self.proxy = proxy
        self.test = test
        self.extra_faults = 0  # faults not made by the proxy (a killed server)
        self._start = len(proxy.injected) if proxy is not None else 0

    @property
    def faults(self) -> int:
        made = len(self.proxy.injected) - self._start if self.proxy is not None else 0
        return made + self.extra_faults

    def rows(
        self, collection: str, expected: set[str] | list[str], *, prefix: str = "",
        direct: Direct | None = None,
    ) -> collections.Counter[str]:
        """Count the rows of ``collection`` whose tag starts with ``prefix`` in the database:
        each expected tag must be there exactly once, and nothing else."""
        counted = collections.Counter(
            {t: n for t, n in (direct or self.direct).tags(collection).items() if t.startswith(prefix)}
        )
        wanted = set(expected)
        lost = sorted(t for t in wanted if counted[t] == 0)
        duplicated = sum(n - 1 for n in counted.values() if n > 1)
        LEDGER.entries.append(
            Entry(self.test, self.faults, len(wanted), sum(counted.values()), len(lost), duplicated)
        )
        assert not lost, f"{len(lost)} rows lost: {lost[:10]}"
        assert duplicated == 0, f"{duplicated} duplicated rows: {[t for t, n in counted.items() if n > 1][:10]}"
        extra = sorted(set(counted) - wanted)
        assert not extra, f"unexpected rows: {extra[:10]}"
        return counted


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "/faults/" in report.nodeid and report.when == "call":
        LEDGER.outcomes[report.nodeid] = report.outcome


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not LEDGER.entries:
        return
    by_test: dict[str, list[Entry]] = collections.defaultdict(list)
    for entry in LEDGER.entries:
        by_test[entry.test].append(entry)
    injected = sum(max(e.faults for e in entries) for entries in by_test.values())
    survived = sum(
        max(e.faults for e in entries)
        for test, entries in by_test.items()
        if LEDGER.outcomes.get(test) == "passed"
    )
    lost = sum(e.lost for e in LEDGER.entries)
    duplicated = sum(e.duplicated for e in LEDGER.entries)
    counted = sum(e.rows for e in LEDGER.entries)
    terminalreporter.write_sep("-", "fault injection")
    terminalreporter.write_line(
        f"{len(by_test)} fault tests: {injected} faults injected, {survived} survived; "
        f"{counted} rows counted in the database, {lost} lost, {duplicated} duplicated"
    )


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def fault_proxy_server(directus_server) -> Iterator[FaultProxy]:
    proxy = FaultProxy(directus_server.url).start()
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture
def proxy(fault_proxy_server) -> Iterator[FaultProxy]:
    """The fault proxy in front of the shared server, with no rule at the start of a test."""
    fault_proxy_server.clear()
    yield fault_proxy_server
    fault_proxy_server.clear()


@pytest.fixture(scope="session")
def direct(directus_server, admin_token) -> Iterator[Direct]:
    reader = Direct(directus_server.url, admin_token)
    yield reader
    reader.close()


@pytest.fixture
def check(direct, proxy, request) -> Check:
    return Check(direct, proxy, request.node.nodeid)


@pytest.fixture
def fsession(proxy, admin_token, session) -> Iterator[Session]:
    """An admin session through the fault proxy (short backoff: the suite stays fast), current in
    the test (entered after the direct ``session``)."""
    with Session(proxy.url, static_token=admin_token, backoff=0.05, max_backoff=0.2, timeout=10) as s:
        yield s


@pytest.fixture
async def afsession(proxy, admin_token) -> Iterator[AsyncSession]:
    async with AsyncSession(
        proxy.url, static_token=admin_token, backoff=0.05, max_backoff=0.2, timeout=10
    ) as s:
        yield s


ROW_FIELDS = [f.string("tag"), f.integer("n", default=0)]


@pytest.fixture
def rows_collection(session) -> Iterator[str]:
    """A fresh collection ``id, tag, n`` (tag not unique in the database: duplicates show)."""
    builder = Schema(session)
    name = builder.collection(f.unique("flt"), ROW_FIELDS)
    try:
        yield name
    finally:
        builder.drop()


# ---------------------------------------------------------------- a server to kill


class RestartableDirectus(localserver.LocalDirectus):
    """A local Directus that can be killed (SIGKILL) and started again on its database and port."""

    def kill(self) -> None:
        proc = self._proc
        assert proc is not None
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        self._proc = None

    def restart(self, timeout: float = 120.0) -> None:
        assert self._proc is None
        self._spawn()
        self._wait_ready(time.monotonic() + timeout)


def admin_static_token(url: str, email: str, password: str, token: str) -> str:
    with httpx.Client(base_url=url, timeout=30, trust_env=False) as client:
        login = client.post("/auth/login", json={"email": email, "password": password})
        login.raise_for_status()
        access = login.json()["data"]["access_token"]
        client.patch(
            "/users/me", json={"token": token}, headers={"Authorization": f"Bearer {access}"}
        ).raise_for_status()
    return token

