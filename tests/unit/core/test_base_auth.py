"""BaseAuth on the wire: what a session sends for a custom auth, sync and async (no server)."""

from __future__ import annotations

import httpx
import pytest

import directus_orm as d
from directus_orm import AsyncSession, AuthData, BaseAuth, Session

BASE = "http://directus.test"
BROKER = "http://broker.test/token"


class ApiKeyAuth(BaseAuth):
    """Authenticates with a header of its own, from a broker it asks over HTTP."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def headers(self) -> dict[str, str]:
        return {"X-Api-Key": self.access_token} if self.access_token else {}

    def refresh_flow(self):  # type: ignore[no-untyped-def]
        self.asked += 1
        body = yield from self.call("POST", BROKER, json={"app": "cms"})
        return self.set_token(body["key"])


def handler(seen: list[httpx.Request], expire_first: bool = False):  # type: ignore[no-untyped-def]
    keys = iter(["k1", "k2", "k3"])
    state = {"expired": expire_first}

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if str(request.url) == BROKER:
            return httpx.Response(200, json={"key": next(keys)})
        if state["expired"] and request.headers.get("X-Api-Key") == "k1":
            state["expired"] = False
            return httpx.Response(401, json={"errors": [{"message": "expired",
                                                         "extensions": {"code": "TOKEN_EXPIRED"}}]})
        return httpx.Response(200, json={"data": {"key": request.headers.get("X-Api-Key")}})

    return handle


def test_custom_headers_and_a_flow_that_calls_an_absolute_url() -> None:
    seen: list[httpx.Request] = []
    auth = ApiKeyAuth()
    with Session(BASE, auth=auth, transport=httpx.MockTransport(handler(seen))) as s:
        assert s.request("GET", "/users/me")["data"]["key"] == "k1"
        assert s.request("GET", "/users/me")["data"]["key"] == "k1"
    assert [str(r.url) for r in seen] == [BROKER, f"{BASE}/users/me", f"{BASE}/users/me"]
    assert "authorization" not in seen[1].headers and "x-api-key" not in seen[0].headers
    assert auth.asked == 1


def test_token_expired_asks_again_and_retries_once() -> None:
    seen: list[httpx.Request] = []
    with Session(BASE, auth=ApiKeyAuth(),
                 transport=httpx.MockTransport(handler(seen, expire_first=True))) as s:
        assert s.request("GET", "/users/me")["data"]["key"] == "k2"
        assert isinstance(s.auth.refresh(), AuthData)
        assert s.auth.token == "k3"
    assert [r.url.path for r in seen] == ["/token", "/users/me", "/token", "/users/me", "/token"]


@pytest.mark.anyio
async def test_async_custom_auth_runs_the_same_flow() -> None:
    seen: list[httpx.Request] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        return handler_sync(request)

    handler_sync = handler(seen, expire_first=True)
    async with AsyncSession(BASE, auth=ApiKeyAuth(), transport=httpx.MockTransport(handle)) as s:
        assert (await s.request("GET", "/users/me"))["data"]["key"] == "k2"
        await s.auth.logout()
        assert s.auth.token is None
    assert [r.url.path for r in seen] == ["/token", "/users/me", "/token", "/users/me"]


def test_a_refused_token_is_dropped_and_nothing_is_sent_without_it() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if str(request.url) == BROKER:
            return httpx.Response(200, json={"key": "bad"})
        return httpx.Response(401, json={"errors": [{"message": "no",
                                                     "extensions": {"code": "INVALID_CREDENTIALS"}}]})

    auth = ApiKeyAuth()
    with Session(BASE, auth=auth, transport=httpx.MockTransport(handle)) as s:
        with pytest.raises(d.InvalidCredentials):
            s.request("GET", "/users/me")
        assert auth.access_token is None
    assert [r.url.path for r in seen] == ["/token", "/users/me"]


def test_set_token_refuses_an_empty_token_and_repr_hides_it() -> None:
    auth = BaseAuth()
    with pytest.raises(d.ClientError):
        auth.set_token("")
    auth.set_token("secret-token", expires_at=123.0)
    assert auth.generation == 1 and auth.expires_at == 123.0
    assert "secret-token" not in repr(auth)
    assert auth.headers() == {"Authorization": "Bearer secret-token"}
    auth.clear()
    assert auth.headers() == {} and auth.generation == 2


class ForgetfulAuth(BaseAuth):
    """A refresh that sets no token: the session must not send anything without one."""

    def refresh_flow(self):  # type: ignore[no-untyped-def]
        return AuthData(self.mode, None, None, None, None)
        yield  # pragma: no cover


def test_a_refresh_that_leaves_no_token_sends_nothing() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": {}})

    with Session(BASE, auth=ForgetfulAuth(), transport=httpx.MockTransport(handle)) as s:
        with pytest.raises(d.AuthenticationError, match="no access token after the refresh"):
            s.request("GET", "/users/me")
    assert seen == []


def test_after_token_expired_a_refresh_without_token_raises_the_expiry() -> None:
    seen: list[httpx.Request] = []

    class OnceAuth(BaseAuth):
        def refresh_flow(self):  # type: ignore[no-untyped-def]
            if self.generation == 0:
                return self.set_token("first")
            self.clear()
            return AuthData(self.mode, None, None, None, None)
            yield  # pragma: no cover

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, json={"errors": [{"message": "expired",
                                                     "extensions": {"code": "TOKEN_EXPIRED"}}]})

    with Session(BASE, auth=OnceAuth(), transport=httpx.MockTransport(handle)) as s:
        with pytest.raises(d.TokenExpired):
            s.request("GET", "/users/me")
    assert [r.headers.get("Authorization") for r in seen] == ["Bearer first"]
