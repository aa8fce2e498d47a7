"""A pluggable authentication (``Session(url, auth=BaseAuth subclass)``) against a real Directus.

The token provider is the one ``docs/sessions.md`` shows, taken from the page itself.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import directus_orm as d
from directus_orm import AsyncSession, BaseAuth, DirectusUser, Session

from .schema import unique
from .test_auth import TTL_ENV, AsyncCountingTransport, CountingTransport

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sessions.md"


def _docs_token_provider() -> type[BaseAuth]:
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    code = next(b for b in blocks if "class TokenProvider(BaseAuth)" in b)
    code = code.split("\nwith Session(")[0]  # the class, not the usage line
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOCS), "exec"), namespace)
    provider: type[BaseAuth] = namespace["TokenProvider"]
    return provider


TokenProvider = _docs_token_provider()


class Counter:
    """A callable that logs in with a separate session and counts its calls."""

    def __init__(self, url: str, email: str, password: str) -> None:
        self.url, self.email, self.password = url, email, password
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self.calls += 1
        with Session(self.url) as other:
            token = other.auth.login(self.email, self.password).access_token
        assert token is not None
        return token


class LoginFlowAuth(BaseAuth):
    """Gets its token with a flow that logs in through the session itself."""

    def __init__(self, url: str, email: str, password: str) -> None:
        super().__init__()
        self.url, self.email, self.password = url, email, password
        self.refreshes = 0

    def refresh_flow(self) -> Any:
        self.refreshes += 1
        body = yield from self.call(
            "POST", f"{self.url}/auth/login", json={"email": self.email, "password": self.password})
        return self.set_token(body["data"]["access_token"])


def test_token_provider_with_a_static_token(directus_server, admin_token):
    calls: list[str] = []

    def fetch() -> str:
        calls.append("x")
        return admin_token

    with Session(directus_server.url, auth=TokenProvider(fetch)) as s:
        me = s.request("GET", "/users/me")["data"]
        assert me["email"] == directus_server.email
        assert DirectusUser.objects.get(pk=me["id"]).email == directus_server.email
        assert s.auth.token == admin_token and isinstance(s.auth.core, TokenProvider)
        assert admin_token not in repr(s) + repr(s.auth) + repr(s.auth.core)
    assert len(calls) == 1  # fetched once, on the first request


def test_token_provider_refreshes_on_token_expired(directus_factory):
    server = directus_factory(env=TTL_ENV)
    fetch = Counter(server.url, server.email, server.password)
    transport = CountingTransport()
    with Session(server.url, auth=TokenProvider(fetch), transport=transport) as s:
        assert s.request("GET", "/users/me")["data"]["email"] == server.email
        assert fetch.calls == 1
        time.sleep(3.5)
        # 401 TOKEN_EXPIRED -> fetch again -> the request is retried once.
        assert s.request("GET", "/users/me")["data"]["email"] == server.email
        assert fetch.calls == 2
    assert transport.paths["/users/me"] == 3


def test_token_provider_refresh_is_single_flight_across_threads(directus_factory):
    server = directus_factory(env=TTL_ENV)
    fetch = Counter(server.url, server.email, server.password)
    with Session(server.url, auth=TokenProvider(fetch)) as s:
        s.request("GET", "/users/me")
        time.sleep(3.5)
        barrier = threading.Barrier(20)

        def work() -> str:
            barrier.wait()
            return str(s.request("GET", "/users/me", query={"fields": ["email"]})["data"]["email"])

        threads: list[str] = []
        workers = [threading.Thread(target=lambda: threads.append(work())) for _ in range(20)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    assert threads == [server.email] * 20
    assert fetch.calls == 2


async def test_async_token_provider_refreshes_on_token_expired(directus_factory):
    server = directus_factory(env=TTL_ENV)
    fetch = Counter(server.url, server.email, server.password)
    transport = AsyncCountingTransport()
    async with AsyncSession(server.url, auth=TokenProvider(fetch), transport=transport) as s:
        assert (await s.request("GET", "/users/me"))["data"]["email"] == server.email
        await asyncio.sleep(3.5)
        results = await asyncio.gather(
            *(s.request("GET", "/users/me", query={"fields": ["email"]}) for _ in range(20)))
        assert [r["data"]["email"] for r in results] == [server.email] * 20
        me = await DirectusUser.objects.filter(email=server.email).aget()
        assert me.email == server.email
    assert fetch.calls == 2  # single-flight: 20 expired requests, one new token
    assert transport.paths["/auth/login"] == 0  # the callable used its own client


def test_flow_auth_sends_its_requests_through_the_session(directus_factory):
    server = directus_factory(env=TTL_ENV)
    auth = LoginFlowAuth(server.url, server.email, server.password)
    transport = CountingTransport()
    with Session(server.url, auth=auth, transport=transport) as s:
        assert s.request("GET", "/users/me")["data"]["email"] == server.email
        time.sleep(3.5)
        assert s.request("GET", "/users/me")["data"]["email"] == server.email
        assert auth.refreshes == 2
        assert s.auth.refresh().access_token == s.auth.token
    assert transport.paths["/auth/login"] == 3


async def test_async_flow_auth_sends_its_requests_through_the_session(directus_factory):
    server = directus_factory(env=TTL_ENV)
    auth = LoginFlowAuth(server.url, server.email, server.password)
    transport = AsyncCountingTransport()
    async with AsyncSession(server.url, auth=auth, transport=transport) as s:
        assert (await s.request("GET", "/users/me"))["data"]["email"] == server.email
        await asyncio.sleep(3.5)
        assert (await s.request("GET", "/users/me"))["data"]["email"] == server.email
        assert auth.refreshes == 2
        await s.auth.logout()
        assert s.auth.token is None
    assert transport.paths["/auth/login"] == 2


def test_a_refused_token_is_dropped_never_retried_without_one(directus_server):
    fetch_calls: list[int] = []

    def fetch() -> str:
        fetch_calls.append(1)
        return "not-a-real-token"

    transport = CountingTransport()
    with Session(directus_server.url, auth=TokenProvider(fetch), transport=transport) as s:
        with pytest.raises(d.InvalidCredentials):
            s.request("GET", "/users/me")
        assert s.auth.token is None
    assert transport.paths["/users/me"] == 1
    assert len(fetch_calls) == 1


async def test_async_a_failing_provider_sends_nothing(directus_server):
    def fetch() -> str:
        raise d.ClientError("the vault is sealed")

    transport = AsyncCountingTransport()
    async with AsyncSession(directus_server.url, auth=TokenProvider(fetch),
                            transport=transport) as s:
        with pytest.raises(d.ClientError, match="sealed"):
            await s.request("GET", "/users/me")
    assert transport.paths["/users/me"] == 0


def test_custom_auth_settings_and_login(directus_server):
    fetch: Callable[[], str] = lambda: "x"  # noqa: E731
    with pytest.raises(d.ClientError, match="static_token"):
        Session(directus_server.url, auth=TokenProvider(fetch), static_token="t")
    with pytest.raises(d.ClientError, match="storage"):
        AsyncSession(directus_server.url, auth=TokenProvider(fetch), storage=d.MemoryStorage())
    with pytest.raises(d.ClientError, match="BaseAuth"):
        Session(directus_server.url, auth=object())  # type: ignore[arg-type]
    with Session(directus_server.url, auth=TokenProvider(fetch)) as s:
        with pytest.raises(d.ClientError, match="does not log in with a password"):
            s.auth.login(directus_server.email, directus_server.password)
    with Session(directus_server.url, auth=BaseAuth()) as s:
        with pytest.raises(d.ClientError, match="new_token"):
            s.request("GET", "/users/me")


def test_static_returns_the_user_id(directus_server, admin_token):
    with Session(directus_server.url) as s:
        user_id = s.auth.static(admin_token)
        assert isinstance(user_id, str)
        assert s.request("GET", "/users/me")["data"]["id"] == user_id


async def test_async_static_returns_the_user_id(directus_server, admin_token):
    async with AsyncSession(directus_server.url) as s:
        user_id = await s.auth.static(admin_token)
        assert isinstance(user_id, str)
        assert (await s.request("GET", "/users/me"))["data"]["id"] == user_id


# ------------------------------------------------ realtime, with the same auth


def test_realtime_subscription_authenticates_with_a_custom_auth(directus_factory):
    server = directus_factory(env=TTL_ENV)
    fetch = Counter(server.url, server.email, server.password)
    with Session(server.url) as admin:
        admin.auth.login(server.email, server.password)
        name = unique("ca_rt")
        admin.collections.create(name, fields=[
            {"field": "id", "type": "integer", "schema": {"is_primary_key": True,
                                                          "has_auto_increment": True}},
            {"field": "title", "type": "string", "schema": {}}])
        try:
            class Note(d.Model, collection=name):
                id: int | None = None
                title: str | None = None

            with Session(server.url, auth=TokenProvider(fetch)) as s:
                with Note.objects.using(s).subscribe() as sub:
                    assert sub.get(timeout=5).type == "init"
                    time.sleep(3.5)  # the first token expired; the socket gets a new one
                    admin.request("POST", f"/items/{name}", json={"title": "live"})
                    event = sub.get(timeout=5)
                    assert event.type == "create" and event.items[0].title == "live"
            assert fetch.calls >= 2
        finally:
            admin.collections.delete(name)
