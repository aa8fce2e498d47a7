"""Authentication against a real Directus: modes, refresh, single-flight, storage, static tokens."""

from __future__ import annotations

import asyncio
import collections
import os
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

import directus_orm as d
from directus_orm import AsyncSession, FileStorage, Session

TTL_ENV = {"ACCESS_TOKEN_TTL": "3s"}


class CountingTransport(httpx.HTTPTransport):
    """Counts requests per path (thread-safe) on the way to the real server."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.paths[request.url.path] += 1
        return super().handle_request(request)


class AsyncCountingTransport(httpx.AsyncHTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.paths: collections.Counter[str] = collections.Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths[request.url.path] += 1
        return await super().handle_async_request(request)


@pytest.mark.parametrize("mode", ["json", "cookie", "session"])
@pytest.mark.smoke
def test_login_refresh_logout_in_each_mode(directus_server, mode):
    with Session(directus_server.url, auth_mode=mode) as s:
        data = s.auth.login(directus_server.email, directus_server.password)
        assert data.mode == mode
        current = bool(data.access_token) and s.auth.token == data.access_token
        assert current  # (a bool: a failure never prints the token)
        assert data.expires and data.expires > 0
        me = s.request("GET", "/users/me", query={"fields": ["email"]})
        assert me["data"]["email"] == directus_server.email

        old_refresh = s._auth.refresh_token
        refreshed = s.auth.refresh()
        current = bool(refreshed.access_token) and s.auth.token == refreshed.access_token
        assert current
        rotated = s._auth.refresh_token is not None and s._auth.refresh_token != old_refresh
        assert rotated
        assert s.request("GET", "/users/me")["data"]["email"] == directus_server.email

        # The rotated-out refresh token is dead on the server (json and cookie rotate at once).
        if mode != "session":
            body = {"refresh_token": old_refresh, "mode": "json"}
            stale = httpx.post(f"{directus_server.url}/auth/refresh", json=body)
            assert stale.status_code == 401

        current_refresh = s._auth.refresh_token
        access = s.auth.token
        s.auth.logout()
        assert s.auth.token is None
        # After logout the refresh token / session no longer works.
        if mode == "json":
            dead = httpx.post(
                f"{directus_server.url}/auth/refresh",
                json={"refresh_token": current_refresh, "mode": "json"},
            )
            assert dead.status_code == 401
        if mode == "session":
            dead = httpx.get(
                f"{directus_server.url}/users/me", headers={"Authorization": f"Bearer {access}"}
            )
            assert dead.status_code == 401
        with pytest.raises(d.InvalidCredentials):
            s.request("GET", "/users/me")


@pytest.mark.smoke
async def test_async_login_refresh_logout(directus_server):
    async with AsyncSession(directus_server.url) as s:
        await s.auth.login(directus_server.email, directus_server.password)
        me = await s.request("GET", "/users/me")
        assert me["data"]["email"] == directus_server.email
        old_refresh = s._auth.refresh_token
        await s.auth.refresh()
        # (Access tokens minted in the same second are identical JWTs; the refresh token rotates.)
        rotated = s._auth.refresh_token is not None and s._auth.refresh_token != old_refresh
        assert rotated
        await s.auth.logout()
        assert s.auth.token is None


@pytest.mark.smoke
def test_wrong_password_raises_invalid_credentials(directus_server):
    with Session(directus_server.url) as s, pytest.raises(d.InvalidCredentials) as info:
        s.auth.login(directus_server.email, "not-the-password")
    assert info.value.status == 401
    assert info.value.code == "INVALID_CREDENTIALS"
    assert "not-the-password" not in str(info.value)
    assert s.auth.token is None


def test_static_token_is_validated(directus_server, admin_token):
    with Session(directus_server.url) as s:
        user_id = s.auth.static(admin_token)
        assert isinstance(user_id, str) and user_id
        assert s.request("GET", "/users/me")["data"]["id"] == user_id
    with Session(directus_server.url) as s:
        with pytest.raises(d.InvalidCredentials):
            s.auth.static("not-a-real-token")
        assert s.auth.token is None  # dropped, never retried anonymously


def test_secrets_never_in_reprs_or_errors(directus_server, admin_token):
    with Session(directus_server.url) as s:
        data = s.auth.login(directus_server.email, directus_server.password)
        shown = " ".join([repr(s), repr(s.auth), repr(data), repr(s._auth), str(data)])
        assert data.access_token not in shown
        assert data.refresh_token is not None and data.refresh_token not in shown
        assert directus_server.password not in shown
    with Session(directus_server.url, static_token=admin_token) as s:
        assert admin_token not in repr(s) + repr(s.auth)
        with pytest.raises(d.Forbidden) as info:
            s.request("GET", "/items/no_such_collection")
        assert admin_token not in str(info.value) + repr(info.value)


def test_request_after_expiry_refreshes_proactively(directus_factory):
    server = directus_factory(env=TTL_ENV)
    transport = CountingTransport()
    with Session(server.url, transport=transport, refresh_margin=1.0) as s:
        data = s.auth.login(server.email, server.password)
        assert data.expires == 3000
        time.sleep(3.5)
        assert s.request("GET", "/users/me")["data"]["email"] == server.email
    assert transport.paths["/auth/refresh"] == 1


@pytest.mark.smoke
def test_token_expired_answer_is_refreshed_and_retried_once(directus_factory):
    server = directus_factory(env=TTL_ENV)
    transport = CountingTransport()
    with Session(server.url, transport=transport, auto_refresh=False) as s:
        s.auth.login(server.email, server.password)
        time.sleep(3.5)
        # The first attempt gets 401 TOKEN_EXPIRED; the session refreshes and retries.
        assert s.request("GET", "/users/me")["data"]["email"] == server.email
    assert transport.paths["/users/me"] == 2
    assert transport.paths["/auth/refresh"] == 1


def test_expired_static_jwt_raises_token_expired(directus_factory):
    server = directus_factory(env=TTL_ENV)
    with Session(server.url) as s:
        token = s.auth.login(server.email, server.password).access_token
    assert token is not None
    time.sleep(3.5)
    with Session(server.url, static_token=token) as s, pytest.raises(d.TokenExpired) as info:
        s.request("GET", "/users/me")
    assert info.value.status == 401


def test_single_flight_refresh_under_50_threads(directus_factory):
    server = directus_factory(env=TTL_ENV)
    transport = CountingTransport()
    with Session(server.url, transport=transport, refresh_margin=1.0) as s:
        s.auth.login(server.email, server.password)
        time.sleep(3.5)
        barrier = threading.Barrier(50)

        def work(_: int) -> str:
            barrier.wait()
            return s.request("GET", "/users/me", query={"fields": ["email"]})["data"]["email"]

        with ThreadPoolExecutor(max_workers=50) as pool:
            emails = list(pool.map(work, range(50)))
    assert emails == [server.email] * 50
    assert transport.paths["/auth/refresh"] == 1


async def test_single_flight_refresh_under_50_tasks(directus_factory):
    server = directus_factory(env=TTL_ENV)
    transport = AsyncCountingTransport()
    async with AsyncSession(server.url, transport=transport, refresh_margin=1.0) as s:
        await s.auth.login(server.email, server.password)
        await asyncio.sleep(3.5)
        results = await asyncio.gather(
            *(s.request("GET", "/users/me", query={"fields": ["email"]}) for _ in range(50))
        )
    assert [r["data"]["email"] for r in results] == [server.email] * 50
    assert transport.paths["/auth/refresh"] == 1


def test_file_storage_survives_a_restart_without_new_login(directus_server, tmp_path):
    path = tmp_path / "tokens.json"
    with Session(directus_server.url, storage=FileStorage(path)) as first:
        first.auth.login(directus_server.email, directus_server.password)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    transport = CountingTransport()
    with Session(directus_server.url, storage=FileStorage(path), transport=transport) as again:
        assert again.request("GET", "/users/me")["data"]["email"] == directus_server.email
        again.auth.refresh()  # rotation is written back at once
    assert transport.paths["/auth/login"] == 0

    with Session(directus_server.url, storage=FileStorage(path), transport=transport) as third:
        assert third.request("GET", "/users/me")["data"]["email"] == directus_server.email
    assert transport.paths["/auth/login"] == 0


def test_file_storage_restart_refreshes_an_expired_access_token(directus_factory, tmp_path):
    server = directus_factory(env=TTL_ENV)
    path = tmp_path / "tokens.json"
    with Session(server.url, storage=FileStorage(path)) as first:
        first.auth.login(server.email, server.password)
    time.sleep(3.5)
    transport = CountingTransport()
    with Session(server.url, storage=FileStorage(path), transport=transport) as again:
        assert again.request("GET", "/users/me")["data"]["email"] == server.email
    assert transport.paths["/auth/login"] == 0
    assert transport.paths["/auth/refresh"] == 1


def test_storage_prefix_lets_sessions_share_one_storage(directus_server, tmp_path):
    storage = FileStorage(tmp_path / "shared.json")
    with Session(directus_server.url, storage=storage, storage_prefix="a:") as a:
        a.auth.login(directus_server.email, directus_server.password)
    with Session(directus_server.url, storage=storage, storage_prefix="b:") as b:
        assert b.auth.token is None
    assert storage.get("a:auth") is not None and storage.get("b:auth") is None


def test_extra_params_and_headers_are_sent(directus_server, admin_token):
    seen: list[httpx.Request] = []

    class Spy(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return super().handle_request(request)

    with Session(
        directus_server.url,
        static_token=admin_token,
        params={"x-extra": "1"},
        headers={"X-Client": "tests"},
        transport=Spy(),
    ) as s:
        s.server.info()
    assert seen[-1].url.params["x-extra"] == "1"
    assert seen[-1].headers["x-client"] == "tests"
    assert seen[-1].headers["authorization"] == f"Bearer {admin_token}"


def test_password_request_and_bad_reset_token(directus_server):
    with Session(directus_server.url) as s:
        s.auth.password.request(directus_server.email)  # 204 whether or not mail is sent
        with pytest.raises(d.InvalidToken):
            s.auth.password.reset("not-a-reset-token", "new-password-123")


def test_server_basics(directus_server, admin_token):
    with Session(directus_server.url, static_token=admin_token) as s:
        assert s.server.ping() == "pong"
        version = s.server.info()["version"]
        if directus_server.version is not None:  # our own server: the version asked for
            assert version == directus_server.version
        assert s.server.health()["status"] == "ok"
