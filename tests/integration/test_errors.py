"""Every typed error, raised by a real server response (or a real network failure)."""

from __future__ import annotations

import socket

import httpx
import pytest

import directus_orm as d
from directus_orm import Session

from . import schema as f
from .totp import totp


@pytest.mark.smoke
def test_forbidden_for_unknown_collection(session):
    with pytest.raises(d.Forbidden) as info:
        session.request("GET", "/items/does_not_exist")
    assert info.value.status == 403 and info.value.code == "FORBIDDEN"
    assert info.value.path == "/items/does_not_exist"


def test_route_not_found(session):
    with pytest.raises(d.RouteNotFound) as info:
        session.request("GET", "/no/such/route")
    assert info.value.status == 404


@pytest.mark.smoke
def test_invalid_query(session):
    with pytest.raises(d.InvalidQuery) as info:
        session.request("GET", "/users", params={"limit": "-2"})
    assert info.value.status == 400


def test_invalid_payload(session):
    with pytest.raises(d.InvalidPayload) as info:
        session.request("PATCH", "/users", json={"data": {"first_name": "x"}})
    assert info.value.code == "INVALID_PAYLOAD"


def test_invalid_token_for_a_tampered_jwt(directus_server):
    with Session(directus_server.url) as s:
        token = s.auth.login(directus_server.email, directus_server.password).access_token
    assert token is not None
    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
    with Session(directus_server.url, static_token=tampered) as s:
        with pytest.raises(d.InvalidToken) as info:
            s.request("GET", "/users/me")
        assert info.value.status == 403
        assert s.auth.token is None  # dropped, not retried anonymously
        assert tampered not in str(info.value)


@pytest.mark.smoke
def test_failed_validation_and_record_not_unique(session, schema):
    name = schema.collection(
        f.unique("errs"), [f.string("code", nullable=False, unique=True)]
    )
    session.request("POST", f"/items/{name}", json={"code": "a"})
    with pytest.raises(d.RecordNotUnique) as dup:
        session.request("POST", f"/items/{name}", json={"code": "a"})
    assert dup.value.extensions["field"] == "code"
    with pytest.raises(d.FailedValidation) as missing:
        session.request("POST", f"/items/{name}", json={})
    assert missing.value.fields == ["code"]


def test_service_unavailable_for_a_denied_import(session):
    with pytest.raises(d.ServiceUnavailable) as info:
        session.request("POST", "/files/import", json={"url": "http://127.0.0.1:9/x.png"})
    assert info.value.status == 503


def test_headers_too_large_for_an_overlong_url(session):
    with pytest.raises(d.HeadersTooLarge) as info:
        session.request("GET", "/users", params={"search": "x" * 20000})
    assert info.value.status == 431


def test_requests_exceeded_with_retry_after(directus_factory):
    server = directus_factory(
        env={
            "RATE_LIMITER_ENABLED": "true",
            "RATE_LIMITER_POINTS": "3",
            "RATE_LIMITER_DURATION": "2",
        }
    )
    with Session(server.url, retries=0) as s:
        with pytest.raises(d.RequestsExceeded) as info:
            for _ in range(10):
                s.server.ping()
        assert info.value.status == 429
        assert info.value.retry_after is not None and info.value.retry_after > 0
    # With retries on, a read waits out Retry-After and succeeds.
    with Session(server.url, retries=3) as s:
        for _ in range(6):
            assert s.server.ping() == "pong"


def test_connect_error_when_nothing_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with Session(f"http://127.0.0.1:{port}", retries=1, backoff=0.01) as s:
        with pytest.raises(d.ConnectError):
            s.server.ping()


def test_writes_are_never_retried(directus_server):
    attempts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(request.method)
        return httpx.Response(503, json={"errors": [{"message": "down",
                                                      "extensions": {"code": "SERVICE_UNAVAILABLE"}}]})

    with Session(directus_server.url, transport=httpx.MockTransport(handler), backoff=0) as s:
        with pytest.raises(d.ServiceUnavailable):
            s.request("POST", "/items/x", json={"a": 1})
        assert attempts == ["POST"]
        with pytest.raises(d.ServiceUnavailable):
            s.request("GET", "/items/x")
        assert attempts == ["POST"] + ["GET"] * 4


def test_invalid_otp_for_a_user_with_two_factor_auth(session, directus_server):
    email = f"tfa-{d.__version__.replace('.', '')}-{id(session)}@example.com"
    password = "tfa-user-password-1"
    policy = session.request(
        "POST", "/policies", json={"name": f"tfa {email}", "app_access": False, "admin_access": False,
                                   "permissions": [{"collection": "directus_users", "action": "update", "fields": ["*"]},
                                                   {"collection": "directus_users", "action": "read", "fields": ["*"]}]},
    )["data"]
    user = session.request(
        "POST", "/users",
        json={"email": email, "password": password, "status": "active",
              "policies": [{"policy": policy["id"]}]},
    )["data"]
    try:
        with Session(directus_server.url) as u:
            u.auth.login(email, password)
            secret = u.request("POST", "/users/me/tfa/generate", json={"password": password})["data"]["secret"]
            u.request("POST", "/users/me/tfa/enable", json={"secret": secret, "otp": totp(secret)})
            with pytest.raises(d.InvalidOTP):
                u.auth.login(email, password)
            with pytest.raises(d.InvalidOTP):
                u.auth.login(email, password, otp="000000" if totp(secret) != "000000" else "111111")
            data = u.auth.login(email, password, otp=totp(secret))
            assert data.access_token
    finally:
        session.request("DELETE", f"/users/{user['id']}")
        session.request("DELETE", f"/policies/{policy['id']}")
