"""Session-wide pytest setup: a real Directus server for the integration tests.

The server's version and database come from ``$DIRECTUS_VERSION`` (default 12.4.0) and
``$DIRECTUS_DB`` (``sqlite``, the default, or ``postgres``); ``make test-matrix`` runs the suite
on every combination. Everything installed is cached in the project's ``.cache`` folder (or
``$DIRECTUS_ORM_CACHE``).

Fixtures:
- ``directus_server`` (session): the server the integration tests share. If ``$DIRECTUS_URL`` is
  set (with ``$DIRECTUS_EMAIL`` / ``$DIRECTUS_PASSWORD``), that server is used; otherwise a local
  one is started with ``directus_orm.localserver`` and stopped at the end of the session. A server
  that cannot start fails the tests that need it (never a skip).
- ``directus_factory`` (session): ``directus_factory(env={"ACCESS_TOKEN_TTL": "4s"})`` starts an
  extra local server with a custom environment; one per distinct env, all stopped at the end.

Every test under tests/integration/ is marked ``integration``; the terminal summary reports how
many of them passed, and prints the end of the server logs when something failed.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest

# Run from the repository, the harness caches into its .cache folder (not the user's cache).
os.environ.setdefault("DIRECTUS_ORM_CACHE", str(Path(__file__).resolve().parent.parent / ".cache"))

from directus_orm import localserver

VERSION = localserver.default_version()
DATABASE = localserver.default_database()
INTEGRATION_DIR = Path(__file__).resolve().parent / "integration"
LOG_TAIL_ON_FAILURE = 60


@dataclass(frozen=True)
class ServerInfo:
    """Where a Directus server is and how to log in as its admin."""

    url: str
    email: str
    password: str
    log_path: Path | None = None  # None for an external server ($DIRECTUS_URL)
    name: str = "external"
    version: str | None = None  # None for an external server: ask it (/server/info)
    database: str | None = None  # "sqlite" / "postgres"; None for an external server
    sqlite_path: Path | None = None  # the database file of a local SQLite server

    def log_tail(self, lines: int = 200) -> str:
        if self.log_path is None:
            return "(external server: no log available)"
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as handle:
                return "".join(deque(handle, maxlen=lines))
        except OSError:
            return f"(no log at {self.log_path})"


class DirectusFactory(Protocol):
    def __call__(self, env: Mapping[str, str] | None = None, *, timeout: float = 120.0) -> ServerInfo: ...


class _SessionState:
    main: ServerInfo | None = None
    servers: list[ServerInfo] = []  # every local server started, for the failure log tails
    outcomes: dict[str, str] = {}  # integration test nodeid -> passed/failed/error/skipped


def _start_local(
    env: Mapping[str, str] | None, name: str, timeout: float
) -> tuple[localserver.LocalDirectus, ServerInfo]:
    server = localserver.LocalDirectus(env=env, name=name, version=VERSION, database=DATABASE)
    try:
        server.start(timeout=timeout)
    except Exception as exc:
        server.stop()
        pytest.fail(
            f"could not start a local Directus {VERSION} on {DATABASE} "
            f"(name={name!r}, env={dict(env or {})!r}):\n{exc}",
            pytrace=False,
        )
    info = ServerInfo(
        url=server.url,
        email=server.admin_email,
        password=server.admin_password,
        log_path=server.log_path,
        name=name,
        version=server.version,
        database=server.database,
        sqlite_path=server.sqlite_path,
    )
    _SessionState.servers.append(info)
    return server, info


@pytest.fixture(scope="session")
def directus_server() -> Iterator[ServerInfo]:
    external = os.environ.get("DIRECTUS_URL")
    if external:
        info = ServerInfo(
            url=external.rstrip("/"),
            email=os.environ.get("DIRECTUS_EMAIL", localserver.ADMIN_EMAIL),
            password=os.environ.get("DIRECTUS_PASSWORD", localserver.ADMIN_PASSWORD),
        )
        _SessionState.main = info
        yield info
        return
    server, info = _start_local(None, "pytest-main", 180.0)
    _SessionState.main = info
    try:
        yield info
    finally:
        server.stop()


@pytest.fixture(scope="session")
def directus_factory() -> Iterator[DirectusFactory]:
    started: dict[tuple[tuple[str, str], ...], ServerInfo] = {}
    failed: dict[tuple[tuple[str, str], ...], str] = {}
    servers: list[localserver.LocalDirectus] = []

    def factory(env: Mapping[str, str] | None = None, *, timeout: float = 120.0) -> ServerInfo:
        key = tuple(sorted((env or {}).items()))
        if key in started:
            return started[key]
        if key in failed:
            pytest.fail(failed[key], pytrace=False)
        try:
            server, info = _start_local(env, f"pytest-extra{len(servers) + len(failed) + 1}", timeout)
        except pytest.fail.Exception as exc:
            failed[key] = str(exc)
            raise
        servers.append(server)
        started[key] = info
        return info

    try:
        yield factory
    finally:
        for server in servers:
            server.stop()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if INTEGRATION_DIR in item.path.parents:
            item.add_marker(pytest.mark.integration)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "integration" not in report.keywords:
        return
    outcomes = _SessionState.outcomes
    if report.when == "call":
        outcomes[report.nodeid] = report.outcome
    elif report.failed:  # setup or teardown error
        outcomes[report.nodeid] = "error"
    elif report.skipped and report.when == "setup":
        outcomes[report.nodeid] = "skipped"


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    outcomes = list(_SessionState.outcomes.values())
    if not outcomes:
        terminalreporter.write_sep("-", "directus")
        terminalreporter.write_line("integration tests: none ran")
        return
    main = _SessionState.main
    where = main.url if main else "(server not started)"
    what = f"Directus {VERSION} on {DATABASE}" if main is None or main.version else "an external Directus"
    counts = {name: outcomes.count(name) for name in ("passed", "failed", "error", "skipped")}
    line = (
        f"integration tests against {what} at {where}: "
        f"{counts['passed']} passed, {counts['failed']} failed"
    )
    if counts["error"]:
        line += f", {counts['error']} errors"
    if counts["skipped"]:
        line += f", {counts['skipped']} skipped"
    terminalreporter.write_sep("-", "directus")
    terminalreporter.write_line(line)

    something_failed = exitstatus not in (0, 5) or counts["failed"] or counts["error"]
    if not something_failed:
        return
    for info in _SessionState.servers:
        if info.log_path is not None and info.log_path.is_file():
            terminalreporter.write_sep(
                "-", f"last {LOG_TAIL_ON_FAILURE} lines of the Directus log ({info.name})"
            )
            terminalreporter.write_line(f"log file: {info.log_path}")
            terminalreporter.write(info.log_tail(LOG_TAIL_ON_FAILURE))
