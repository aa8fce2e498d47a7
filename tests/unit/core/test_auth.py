"""The wire format of login, logout and token refresh, sync and async (no server)."""

from __future__ import annotations

import time

import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d
from directus_orm import AsyncSession, Session

from ..models_for_tests import PlainArticle as Article
from ..wire import BASE, TOKENS_1, TOKENS_2, body, error_body, params, rows


def test_login_posts_credentials_without_authorization(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/login", json=TOKENS_1)
    httpx_mock.add_response(method="GET", json=rows())
    with Session(BASE, static_token="old") as s:
        data = s.auth.login("ada@example.com", "secret")
        assert (data.mode, data.expires) == ("json", 900_000)
        assert s.auth.token == "A1"
        list(Article.objects.all())
    login, read = httpx_mock.get_requests()
    assert login.method == "POST" and login.url.raw_path == b"/auth/login"
    assert body(login) == {"email": "ada@example.com", "password": "secret", "mode": "json"}
    assert "Authorization" not in login.headers
    assert login.headers["Content-Type"] == "application/json"
    assert params(login) == []
    assert read.headers["Authorization"] == "Bearer A1"


def test_login_with_otp(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", json=TOKENS_1)
    with Session(BASE) as s:
        s.auth.login("ada@example.com", "secret", otp="123456")
    assert body(httpx_mock.get_requests()[0]) == {
        "email": "ada@example.com",
        "password": "secret",
        "mode": "json",
        "otp": "123456",
    }


def test_failed_login_raises_invalid_credentials_and_stays_logged_out(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(
        method="POST", status_code=401, json=error_body("INVALID_CREDENTIALS", "Invalid user credentials.")
    )
    with Session(BASE) as s:
        with pytest.raises(d.InvalidCredentials, match="Invalid user credentials"):
            s.auth.login("ada@example.com", "wrong")
        assert s.auth.token is None


def test_logout_in_json_mode_posts_the_refresh_token(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/login", json=TOKENS_1)
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/logout", status_code=204)
    httpx_mock.add_response(method="GET", json=rows())
    with Session(BASE) as s:
        s.auth.login("ada@example.com", "secret")
        s.auth.logout()
        assert s.auth.token is None
        list(Article.objects.all())
    _, logout, read = httpx_mock.get_requests()
    assert logout.url.raw_path == b"/auth/logout"
    assert body(logout) == {"refresh_token": "R1", "mode": "json"}
    assert "Authorization" not in logout.headers
    assert "Authorization" not in read.headers


def test_a_401_token_expired_refreshes_once_and_retries_once(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/login", json=TOKENS_1)
    httpx_mock.add_response(method="GET", status_code=401, json=error_body("TOKEN_EXPIRED", "Token expired."))
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/refresh", json=TOKENS_2)
    httpx_mock.add_response(method="GET", json=rows({"id": 1}))
    with Session(BASE) as s:
        s.auth.login("ada@example.com", "secret")
        assert [a.id for a in Article.objects.all()] == [1]
        assert s.auth.token == "A2"
    login, expired, refresh, retry = httpx_mock.get_requests()
    assert login.url.path == "/auth/login"
    assert (expired.method, retry.method) == ("GET", "GET")
    assert expired.headers["Authorization"] == "Bearer A1"
    assert refresh.method == "POST" and refresh.url.raw_path == b"/auth/refresh"
    assert body(refresh) == {"refresh_token": "R1", "mode": "json"}
    assert "Authorization" not in refresh.headers
    assert retry.headers["Authorization"] == "Bearer A2"
    assert params(retry) == params(expired)


def test_a_second_token_expired_is_raised_not_refreshed_again(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/login", json=TOKENS_1)
    httpx_mock.add_response(method="GET", status_code=401, json=error_body("TOKEN_EXPIRED"))
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/refresh", json=TOKENS_2)
    httpx_mock.add_response(method="GET", status_code=401, json=error_body("TOKEN_EXPIRED"))
    with Session(BASE) as s:
        s.auth.login("ada@example.com", "secret")
        with pytest.raises(d.TokenExpired):
            list(Article.objects.all())
        # The token that keeps failing is dropped, never silently reused.
        assert s.auth.token is None
    assert [r.url.path for r in httpx_mock.get_requests()] == [
        "/auth/login",
        "/items/articles",
        "/auth/refresh",
        "/items/articles",
    ]


def test_a_static_token_is_never_refreshed(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(status_code=401, json=error_body("TOKEN_EXPIRED"))
    with pytest.raises(d.TokenExpired):
        list(Article.objects.all())
    assert len(httpx_mock.get_requests()) == 1


def test_a_token_about_to_expire_is_refreshed_before_the_request(httpx_mock: HTTPXMock) -> None:
    # A 2-second token: the 30-second margin is bounded to a quarter of its life (0.5 s).
    short = {"data": {"access_token": "A1", "refresh_token": "R1", "expires": 2_000}}
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/login", json=short)
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/refresh", json=TOKENS_2)
    httpx_mock.add_response(method="GET", json=rows())
    with Session(BASE, refresh_margin=30) as s:
        s.auth.login("ada@example.com", "secret")
        time.sleep(1.6)
        list(Article.objects.all())
    login, refresh, read = httpx_mock.get_requests()
    assert (login.url.path, refresh.url.path) == ("/auth/login", "/auth/refresh")
    assert body(refresh) == {"refresh_token": "R1", "mode": "json"}
    assert read.headers["Authorization"] == "Bearer A2"


@pytest.mark.anyio
async def test_async_login_and_token_expired_refresh(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/login", json=TOKENS_1)
    httpx_mock.add_response(method="GET", status_code=401, json=error_body("TOKEN_EXPIRED"))
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/refresh", json=TOKENS_2)
    httpx_mock.add_response(method="GET", json=rows({"id": 1}))
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/logout", status_code=204)
    async with AsyncSession(BASE) as s:
        await s.auth.login("ada@example.com", "secret")
        assert [a.id for a in await Article.objects.alist()] == [1]
        await s.auth.logout()
        assert s.auth.token is None
    login, expired, refresh, retry, logout = httpx_mock.get_requests()
    assert body(login) == {"email": "ada@example.com", "password": "secret", "mode": "json"}
    assert "Authorization" not in login.headers
    assert expired.headers["Authorization"] == "Bearer A1"
    assert body(refresh) == {"refresh_token": "R1", "mode": "json"}
    assert retry.headers["Authorization"] == "Bearer A2"
    assert body(logout) == {"refresh_token": "R2", "mode": "json"}
