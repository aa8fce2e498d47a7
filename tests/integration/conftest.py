"""Fixtures shared by the integration tests: admin credentials and sessions.

``admin_token`` gives the admin user a static token once per test session, so
most tests need no login (and never exhaust the 25-failed-logins suspension).
Tests of the login flows log in themselves.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from directus_orm import AsyncSession, Session

from .schema import Schema


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def admin_token(directus_server) -> str:
    """A static token of the admin user: the plugin's, else one set for this test session."""
    if directus_server.token is not None:
        return directus_server.token
    token = "pytest-" + secrets.token_hex(24)
    with httpx.Client(base_url=directus_server.url, timeout=30) as client:
        login = client.post(
            "/auth/login",
            json={"email": directus_server.email, "password": directus_server.password},
        )
        login.raise_for_status()
        access = login.json()["data"]["access_token"]
        client.patch(
            "/users/me", json={"token": token}, headers={"Authorization": f"Bearer {access}"}
        ).raise_for_status()
    return token


@pytest.fixture
def session(directus_server, admin_token) -> Iterator[Session]:
    """An admin ``Session`` (static token), current for model operations in the test."""
    with Session(directus_server.url, static_token=admin_token) as s:
        yield s


@pytest.fixture
async def asession(directus_server, admin_token) -> AsyncIterator[AsyncSession]:
    """An admin ``AsyncSession`` (static token), current for the test."""
    async with AsyncSession(directus_server.url, static_token=admin_token) as s:
        yield s


@pytest.fixture(scope="module")
def module_session(directus_server, admin_token) -> Iterator[Session]:
    """An admin session for module-scoped schema fixtures."""
    s = Session(directus_server.url, static_token=admin_token)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def schema(session) -> Iterator[Schema]:
    """Collections created in a test are dropped after it."""
    builder = Schema(session)
    try:
        yield builder
    finally:
        builder.drop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Coroutine tests run on asyncio through anyio's pytest plugin.
    import inspect

    for item in items:
        if isinstance(item, pytest.Function) and inspect.iscoroutinefunction(item.function):
            item.add_marker(pytest.mark.anyio)
