"""The ``directus_orm`` pytest plugin (registered through the ``pytest11`` entry point).

Fixtures: ``directus_server`` (session), ``directus_test_server``, ``directus_session``,
``directus_async_session``, ``directus_schema`` (function). Marker:
``@pytest.mark.directus(env={"ACCESS_TOKEN_TTL": "3s"})``. Options: ``--directus-url``,
``--directus-email``, ``--directus-password``, ``--directus-token``, ``--directus-version``
(or ``$DIRECTUS_URL``, ``$DIRECTUS_EMAIL``, ``$DIRECTUS_PASSWORD``, ``$DIRECTUS_TOKEN``,
``$DIRECTUS_VERSION``). docs/testing.md has the whole story.

Under pytest-xdist every worker is its own pytest session, so each boots its own server (an
external ``--directus-url`` server is shared by all workers: give collections unique names).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest

from directus_orm import AsyncSession, Model, Session

from . import SchemaFactory, ServerFactory
from .server import DirectusServer, Snapshot, drop_collections

if TYPE_CHECKING:
    from directus_orm.schema import Plan

__all__ = [
    "directus_async_session",
    "directus_schema",
    "directus_server",
    "directus_server_factory",
    "directus_session",
    "directus_test_server",
]

_LOG_LINES_ON_FAILURE = 40


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("directus", "Directus server for tests (directus_orm)")
    group.addoption(
        "--directus-url",
        default=None,
        help="use this running Directus instead of booting one ($DIRECTUS_URL); log in with "
        "--directus-token, or --directus-email and --directus-password",
    )
    group.addoption("--directus-email", default=None, help="admin email ($DIRECTUS_EMAIL)")
    group.addoption("--directus-password", default=None, help="admin password ($DIRECTUS_PASSWORD)")
    group.addoption("--directus-token", default=None, help="a static admin token ($DIRECTUS_TOKEN)")
    group.addoption(
        "--directus-version",
        default=None,
        help="the Directus version to boot ($DIRECTUS_VERSION; default: the package's)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "directus(env): run the test against a local Directus started with these server "
        "environment variables, e.g. @pytest.mark.directus(env={'ACCESS_TOKEN_TTL': '3s'})",
    )


def _option(config: pytest.Config, name: str, variable: str) -> str | None:
    value = config.getoption(name) or os.environ.get(variable)
    return str(value) if value else None


class _Servers:
    """The servers of this pytest session (one per worker under xdist), started on demand."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        self.version = _option(config, "--directus-version", "DIRECTUS_VERSION")
        self.started: dict[tuple[tuple[str, str], ...], DirectusServer] = {}
        self.failed: dict[tuple[tuple[str, str], ...], str] = {}
        self.used: list[DirectusServer] = []

    def default(self) -> DirectusServer:
        url = _option(self.config, "--directus-url", "DIRECTUS_URL")
        if url is None:
            return self.local({})
        token = _option(self.config, "--directus-token", "DIRECTUS_TOKEN")
        email = _option(self.config, "--directus-email", "DIRECTUS_EMAIL")
        password = _option(self.config, "--directus-password", "DIRECTUS_PASSWORD")
        if token is None and (email is None or password is None):
            raise pytest.UsageError(
                f"--directus-url {url}: set a static admin token (--directus-token or "
                "$DIRECTUS_TOKEN), or an admin email and password (--directus-email and "
                "--directus-password, or $DIRECTUS_EMAIL and $DIRECTUS_PASSWORD)"
            )
        server = DirectusServer(url.rstrip("/"), email, password, token)
        self.used.append(server)
        return server

    def local(self, env: Mapping[str, str]) -> DirectusServer:
        key = tuple(sorted(env.items()))
        if key in self.started:
            return self.started[key]
        if key in self.failed:
            pytest.fail(self.failed[key], pytrace=False)
        name = "pytest" + (f"-{self.worker}" if self.worker else "")
        if env:
            name += f"-env{len(self.started)}"
        try:
            server = DirectusServer.start_local(env, name=name, version=self.version)
        except Exception as exc:
            self.failed[key] = f"could not start a local Directus (env={dict(env)!r}):\n{exc}"
            pytest.fail(self.failed[key], pytrace=False)
        self.started[key] = server
        self.used.append(server)
        return server

    def close(self) -> None:
        for server in self.started.values():
            server.stop()


_SERVERS = pytest.StashKey[_Servers]()


@pytest.fixture(scope="session")
def _directus_servers(request: pytest.FixtureRequest) -> Iterator[_Servers]:
    servers = _Servers(request.config)
    request.config.stash[_SERVERS] = servers
    try:
        yield servers
    finally:
        servers.close()


@pytest.fixture(scope="session")
def directus_server(_directus_servers: _Servers) -> DirectusServer:
    """The Directus of this test run: booted locally, or ``--directus-url``."""
    return _directus_servers.default()


@pytest.fixture(scope="session")
def directus_server_factory(_directus_servers: _Servers) -> ServerFactory:
    """``directus_server_factory(env={...})``: a local server started with those settings
    (once per distinct env, stopped at the end of the run)."""

    def factory(env: Mapping[str, str] | None = None) -> DirectusServer:
        return _directus_servers.local(dict(env or {}))

    return factory


@pytest.fixture
def directus_test_server(request: pytest.FixtureRequest, _directus_servers: _Servers) -> DirectusServer:
    """The server this test talks to: ``directus_server``, or a local one started with the
    settings of its ``@pytest.mark.directus(env={...})`` marker (one per distinct env)."""
    marker = request.node.get_closest_marker("directus")
    if marker is None:
        server: DirectusServer = request.getfixturevalue("directus_server")
        return server
    env = marker.kwargs.get("env", marker.args[0] if marker.args else None) or {}
    if not isinstance(env, Mapping):
        raise pytest.UsageError(f"@pytest.mark.directus(env=...) takes a dict, not {env!r}")
    return _directus_servers.local({str(k): str(v) for k, v in env.items()})


@pytest.fixture
def _directus_isolation(directus_test_server: DirectusServer) -> Iterator[None]:
    """Collections created in the test are dropped after it, rows added to others deleted."""
    admin = directus_test_server.session()  # never current for the test
    try:
        snapshot = Snapshot.take(admin)
        yield
        snapshot.restore(admin)
    finally:
        admin.close()


@pytest.fixture
def directus_session(directus_test_server: DirectusServer, _directus_isolation: None) -> Iterator[Session]:
    """A logged-in admin ``Session``, current for the test."""
    with directus_test_server.session() as session:
        yield session


@pytest.fixture
async def directus_async_session(
    directus_test_server: DirectusServer, _directus_isolation: None
) -> AsyncIterator[AsyncSession]:
    """A logged-in admin ``AsyncSession``, current for the (async) test."""
    server = directus_test_server
    async with AsyncSession(server.url, static_token=server.token) as session:
        if server.token is None:
            assert server.email is not None and server.password is not None
            await session.auth.login(server.email, server.password)
        yield session


@pytest.fixture
def directus_schema(
    directus_test_server: DirectusServer, _directus_isolation: None
) -> Iterator[SchemaFactory]:
    """``directus_schema(Author, Article)``: create the models' collections, fields and
    relations (:func:`directus_orm.schema.migrate`); returns the plan. Dropped after the test."""
    from directus_orm.schema import migrate

    admin = directus_test_server.session()
    created: list[str] = []

    def create(*models: type[Model]) -> Plan:
        plan = migrate(admin, list(models))
        created.extend(step.collection for step in plan.steps if step.action == "create_collection")
        return plan

    try:
        yield create
        drop_collections(admin, reversed(created))
    finally:
        admin.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        funcargs = getattr(item, "funcargs", {})
        server = funcargs.get("directus_test_server") or funcargs.get("directus_server")
        if isinstance(server, DirectusServer) and server.local is not None:
            report.sections.append(
                (f"Directus log (last {_LOG_LINES_ON_FAILURE} lines, {server.log_path})",
                 server.log_tail(_LOG_LINES_ON_FAILURE))
            )
    return report


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    servers = config.stash.get(_SERVERS, None)
    if servers is None or not servers.used:
        return
    terminalreporter.write_sep("-", "directus")
    for server in servers.used:
        if server.local is not None:
            settings = f" with {server.env}" if server.env else ""
            terminalreporter.write_line(
                f"local Directus {server.local.version} booted at {server.url}{settings}"
            )
        else:
            terminalreporter.write_line(f"external Directus at {server.url} (--directus-url)")
