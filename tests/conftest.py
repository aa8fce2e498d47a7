"""Session-wide pytest setup: a real Directus server for the integration tests.

The server's version and database come from ``$DIRECTUS_VERSION`` (default 12.4.0) and
``$DIRECTUS_DB`` (``sqlite``, the default, or ``postgres``); ``make test-matrix`` runs the suite
on every combination. Everything installed is cached in the project's ``.cache`` folder (or
``$DIRECTUS_ORM_CACHE``).

The servers come from the package's own pytest plugin (``directus_orm.testing``, loaded with
``-p`` in pyproject.toml), the one users get:
- ``directus_server`` (session): the server the integration tests share. If ``$DIRECTUS_URL`` is
  set (with ``$DIRECTUS_EMAIL`` / ``$DIRECTUS_PASSWORD``, or ``$DIRECTUS_TOKEN``), that server is
  used; otherwise a local one is started with ``directus_orm.localserver`` and stopped at the end
  of the session. A server that cannot start fails the tests that need it (never a skip).
- ``directus_factory`` (session): ``directus_factory(env={"ACCESS_TOKEN_TTL": "4s"})``, the
  plugin's ``directus_server_factory``: an extra local server with a custom environment, one per
  distinct env, all stopped at the end.

Every test under tests/integration/ is marked ``integration``; the terminal summary reports how
many of them passed, and prints the end of the server logs when something failed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import pytest

# Run from the repository, the harness caches into its .cache folder (not the user's cache).
os.environ.setdefault("DIRECTUS_ORM_CACHE", str(Path(__file__).resolve().parent.parent / ".cache"))

from directus_orm import localserver
from directus_orm.testing import DirectusServer, ServerFactory

VERSION = localserver.default_version()
DATABASE = localserver.default_database()
INTEGRATION_DIR = Path(__file__).resolve().parent / "integration"
LOG_TAIL_ON_FAILURE = 60


class DirectusFactory(Protocol):
    def __call__(self, env: Mapping[str, str] | None = None, *, timeout: float = 120.0) -> DirectusServer: ...


class _SessionState:
    main: DirectusServer | None = None
    servers: list[DirectusServer] = []  # every server used, for the failure log tails
    outcomes: dict[str, str] = {}  # integration test nodeid -> passed/failed/error/skipped


@pytest.fixture(scope="session")
def directus_server(directus_server: DirectusServer) -> DirectusServer:
    """The plugin's server of the run (booted, or ``$DIRECTUS_URL``), noted for the summary."""
    _SessionState.main = directus_server
    _SessionState.servers.append(directus_server)
    return directus_server


@pytest.fixture(scope="session")
def directus_factory(directus_server_factory: ServerFactory) -> DirectusFactory:
    """``directus_factory(env={...})``: the plugin's server for these settings (one per env)."""

    def factory(env: Mapping[str, str] | None = None, *, timeout: float = 120.0) -> DirectusServer:
        server = directus_server_factory(env)
        if server not in _SessionState.servers:
            _SessionState.servers.append(server)
        return server

    return factory


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
