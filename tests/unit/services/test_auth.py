"""``session.auth``: password reset, static tokens, refresh and logout (wire format, sync and async).

Login and the automatic refresh are pinned in tests/unit/core/test_auth.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d

from ..wire import BASE, TOKENS_1, TOKENS_2, Runner, error_body, sent


def test_password_request_and_reset_send_no_token(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="POST", status_code=204, is_reusable=True)
    call(lambda s: s.auth.password.request("ada@example.com"))
    call(lambda s: s.auth.password.request("ada@example.com", "https://app.test/reset"))
    call(lambda s: s.auth.password.reset("T", "new password"))
    requests = httpx_mock.get_requests()
    assert [sent(r) for r in requests] == [
        ("POST", "/auth/password/request", [], {"email": "ada@example.com"}),
        ("POST", "/auth/password/request", [], {"email": "ada@example.com", "reset_url": "https://app.test/reset"}),
        ("POST", "/auth/password/reset", [], {"token": "T", "password": "new password"}),
    ]
    assert all("Authorization" not in r.headers for r in requests)


def test_static_checks_the_token_with_users_me(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"data": {"id": "u1"}})

    async def astatic(s: Any) -> Any:
        return await s.auth.static("S2"), s.auth.token

    def command(s: Any) -> Any:
        if isinstance(s, d.AsyncSession):
            return astatic(s)
        return s.auth.static("S2"), s.auth.token

    assert call(command) == ("u1", "S2")
    (request,) = httpx_mock.get_requests()
    assert sent(request) == ("GET", "/users/me", [("fields", "id")], None)
    assert request.headers["Authorization"] == "Bearer S2"


def test_a_rejected_static_token_is_dropped(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(status_code=401, json=error_body("INVALID_CREDENTIALS"))

    async def astatic(s: Any) -> Any:
        with pytest.raises(d.AuthenticationError):
            await s.auth.static("bad")
        return s.auth.token

    def command(s: Any) -> Any:
        if isinstance(s, d.AsyncSession):
            return astatic(s)
        with pytest.raises(d.AuthenticationError):
            s.auth.static("bad")
        return s.auth.token

    assert call(command) is None


def test_refresh_now_and_logout_after_a_login(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(url=f"{BASE}/auth/login", json=TOKENS_1)
    httpx_mock.add_response(url=f"{BASE}/auth/refresh", json=TOKENS_2)
    httpx_mock.add_response(url=f"{BASE}/auth/logout", status_code=204)

    async def aflow(s: Any) -> Any:
        await s.auth.login("ada@example.com", "pw")
        refreshed = await s.auth.refresh()
        token = s.auth.token
        await s.auth.logout()
        return refreshed.access_token, token, s.auth.token

    def command(s: Any) -> Any:
        if isinstance(s, d.AsyncSession):
            return aflow(s)
        s.auth.login("ada@example.com", "pw")
        refreshed = s.auth.refresh()
        token = s.auth.token
        s.auth.logout()
        return refreshed.access_token, token, s.auth.token

    assert call(command) == ("A2", "A2", None)
    login, refresh, logout = httpx_mock.get_requests()
    assert sent(login)[:2] == ("POST", "/auth/login")
    assert sent(refresh) == ("POST", "/auth/refresh", [], {"refresh_token": "R1", "mode": "json"})
    assert sent(logout) == ("POST", "/auth/logout", [], {"refresh_token": "R2", "mode": "json"})
    assert "Authorization" not in refresh.headers and "Authorization" not in logout.headers
