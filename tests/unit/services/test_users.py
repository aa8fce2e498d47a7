"""``session.users``: the current user, invites, registration, two-factor auth (wire format)."""

from __future__ import annotations

import json

import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d
from directus_orm import AsyncSession, Session

from ..wire import BASE, TOKENS_1, Runner, error_body, sent


class Me(d.DirectusUser):
    nickname: str | None = None


def test_me_and_update_me(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="GET", json={"data": {"id": "u1", "email": "ada@example.com", "nickname": "A"}})
    httpx_mock.add_response(method="PATCH", json={"data": {"id": "u1", "first_name": "Ada", "nickname": "B"}})
    me = call(lambda s: s.users.me(Me, fields=["id", "email", "nickname"]))
    assert isinstance(me, Me) and (me.id, me.email, me.nickname) == ("u1", "ada@example.com", "A")
    updated = call(lambda s: s.users.update_me({"first_name": "Ada"}, model=Me, fields=["id"], nickname="B"))
    assert isinstance(updated, Me) and updated.nickname == "B"
    read, patch = httpx_mock.get_requests()
    assert sent(read) == ("GET", "/users/me", [("fields", "id,email,nickname")], None)
    assert sent(patch) == ("PATCH", "/users/me", [("fields", "id")], {"first_name": "Ada", "nickname": "B"})


def test_invite_without_verification_is_one_post(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(status_code=204)
    result = call(lambda s: s.users.invite("ada@example.com", d.DirectusRole(id="r1"),
                                           "https://app.test/accept", verify=False))
    assert (result.emails, result.verified) == (("ada@example.com",), False)
    assert sent(httpx_mock.get_requests()[0]) == ("POST", "/users/invite", [], {
        "email": "ada@example.com", "role": "r1", "invite_url": "https://app.test/accept"})


def test_invite_reads_the_users_back(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="POST", status_code=204)
    httpx_mock.add_response(method="GET", json={"data": [
        {"id": "u1", "email": "ada@example.com", "status": "invited", "role": "r1"},
        {"id": "u2", "email": "bob@example.com", "status": "active", "role": "r1"},
    ]})
    result = call(lambda s: s.users.invite(["Ada@example.com", "bob@example.com"], "r1"))
    assert (result.verified, result.invited, result.existing) == (True, ("Ada@example.com",), ("bob@example.com",))
    assert [u.id for u in result.users] == ["u1", "u2"]
    post, read = httpx_mock.get_requests()
    assert sent(post)[3] == {"email": ["Ada@example.com", "bob@example.com"], "role": "r1"}
    method, path, query, _ = sent(read)
    assert (method, path) == ("GET", "/users")
    assert json.loads(dict(query)["filter"]) == {
        "email": {"_in": ["Ada@example.com", "ada@example.com", "bob@example.com"]}}
    assert (dict(query)["fields"], dict(query)["limit"]) == ("id,email,status,role", "-1")


def test_an_invite_that_created_nobody_raises(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="POST", status_code=204)
    httpx_mock.add_response(method="GET", json={"data": []})
    with pytest.raises(d.InviteNotCreated):
        call(lambda s: s.users.invite("ada@example.com", "r1"))


def test_invite_accept_and_registration_send_no_token(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="POST", status_code=204, is_reusable=True)
    httpx_mock.add_response(method="GET", status_code=302, headers={"Location": "/admin/users/u9"})
    call(lambda s: s.users.accept_invite("T1", "pw"))
    call(lambda s: s.users.register("ada@example.com", "pw", first_name="Ada"))
    assert call(lambda s: s.users.register_verify("T2")) == "u9"
    accept, register, verify = httpx_mock.get_requests()
    assert sent(accept) == ("POST", "/users/invite/accept", [], {"token": "T1", "password": "pw"})
    # Unset optional fields are left out.
    assert sent(register) == ("POST", "/users/register", [], {
        "email": "ada@example.com", "password": "pw", "first_name": "Ada"})
    assert sent(verify) == ("GET", "/users/register/verify-email", [("token", "T2")], None)
    for request in (accept, register, verify):
        assert "Authorization" not in request.headers


def test_two_factor_authentication(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(url=f"{BASE}/users/me/tfa/generate",
                            json={"data": {"secret": "S", "otpauth_url": "otpauth://x"}})
    httpx_mock.add_response(status_code=204, is_reusable=True)
    assert call(lambda s: s.users.tfa.generate("pw")) == {"secret": "S", "otpauth_url": "otpauth://x"}
    call(lambda s: s.users.tfa.enable("S", "123456"))
    call(lambda s: s.users.tfa.disable("654321"))
    call(lambda s: s.users.tfa.disable_for(d.DirectusUser(id="u2")))
    generate, enable, disable, disable_for = httpx_mock.get_requests()
    assert sent(generate) == ("POST", "/users/me/tfa/generate", [], {"password": "pw"})
    assert generate.headers["Authorization"] == "Bearer t"
    assert sent(enable) == ("POST", "/users/me/tfa/enable", [], {"secret": "S", "otp": "123456"})
    assert sent(disable) == ("POST", "/users/me/tfa/disable", [], {"otp": "654321"})
    assert sent(disable_for) == ("POST", "/users/u2/tfa/disable", [], None)


def test_a_wrong_password_for_tfa_keeps_the_login(httpx_mock: HTTPXMock) -> None:
    # On other calls a 401 INVALID_CREDENTIALS means a dead token, which the session drops.
    httpx_mock.add_response(url=f"{BASE}/auth/login", json=TOKENS_1)
    httpx_mock.add_response(url=f"{BASE}/users/me/tfa/generate", status_code=401,
                            json=error_body("INVALID_CREDENTIALS"))
    with Session(BASE) as s:
        s.auth.login("ada@example.com", "pw")
        with pytest.raises(d.InvalidCredentials):
            s.users.tfa.generate("wrong")
        assert s.auth.token == "A1"
    assert httpx_mock.get_requests()[1].headers["Authorization"] == "Bearer A1"


@pytest.mark.anyio
async def test_async_a_wrong_password_for_tfa_keeps_the_login(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(url=f"{BASE}/auth/login", json=TOKENS_1)
    httpx_mock.add_response(url=f"{BASE}/users/me/tfa/generate", status_code=401,
                            json=error_body("INVALID_CREDENTIALS"))
    async with AsyncSession(BASE) as s:
        await s.auth.login("ada@example.com", "pw")
        with pytest.raises(d.InvalidCredentials):
            await s.users.tfa.generate("wrong")
        assert s.auth.token == "A1"
    assert httpx_mock.get_requests()[1].headers["Authorization"] == "Bearer A1"
