"""Issue 11's defects that need no server (each test failed before its fix): field names that
break list parameters (7), a URL password in repr (9b), FileStorage locking and ``~`` (10), an
HTTP-date Retry-After, a refresh margin longer than the token's life, closed sessions and
``with`` blocks left out of order (11)."""

from __future__ import annotations

import email.utils
import json
import multiprocessing
import time
from typing import Any

import httpx
import pytest
from pydantic import Field

import directus_orm as d
from directus_orm import AsyncSession, FileStorage, Model, Session, get_current_session

BASE = "http://directus.test"


# ------------------------------------------------------------------ 7: names in list parameters


class Odd(Model, collection="odd"):
    id: int | None = None
    comma: int | None = Field(default=None, alias="a,b")
    dash: int | None = Field(default=None, alias="-neg")
    fine: int | None = None


@pytest.mark.parametrize("name", ["comma", "dash"])
def test_names_that_break_list_parameters_are_refused(name):
    qs = Odd.objects.all()
    for shape in (lambda: qs.order_by(name), lambda: qs.fields(name), lambda: qs.group_by(name)):
        with pytest.raises(d.FieldError, match=name):
            shape().explain()
    assert "sort=fine" in Odd.objects.order_by("fine").explain()


# ------------------------------------------------------------------ 9b: a password in the URL


def test_url_password_not_in_repr():
    for cls in (Session, AsyncSession):
        s = cls("http://bob:S3cret@directus.test")
        assert "S3cret" not in repr(s)
        assert "S3cret" not in repr(s.auth)


# ------------------------------------------------------------------ 10: FileStorage


def _hammer(path: str, prefix: str, n: int) -> None:
    storage = FileStorage(path)
    for i in range(n):
        storage.set(f"{prefix}:k{i}", i)


def test_file_storage_shared_by_processes_loses_nothing(tmp_path):
    path = str(tmp_path / "tokens.json")
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_hammer, args=(path, f"p{j}", 40)) for j in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    data = json.loads((tmp_path / "tokens.json").read_text())
    assert len(data) == 120


def test_file_storage_expands_the_home_folder(tmp_path, monkeypatch):
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    cwd.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    FileStorage("~/.config/app/tokens.json").set("k", "v")
    assert (home / ".config/app/tokens.json").is_file()
    assert not (cwd / "~").exists()


# ------------------------------------------------------------------ 11: smaller


def test_retry_after_http_date_is_honoured():
    calls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(time.monotonic())
        if len(calls) == 1:
            when = email.utils.formatdate(time.time() + 2, usegmt=True)
            return httpx.Response(429, headers={"Retry-After": when}, text="slow down")
        return httpx.Response(200, json={"data": []})

    with Session(BASE, transport=httpx.MockTransport(handler), backoff=0.01) as s:
        s.request("GET", "/items/x")
    assert len(calls) == 2
    assert calls[1] - calls[0] >= 0.9


def _auth_server(lifetime_ms: int) -> tuple[httpx.MockTransport, dict[str, int]]:
    counts = {"refresh": 0, "other": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path in ("/auth/login", "/auth/refresh"):
            if request.url.path == "/auth/refresh":
                counts["refresh"] += 1
            n = counts["refresh"]
            return httpx.Response(200, json={"data": {
                "access_token": f"access-{n}", "refresh_token": f"refresh-{n}", "expires": lifetime_ms}})
        counts["other"] += 1
        return httpx.Response(200, json={"data": {}})

    return httpx.MockTransport(handler), counts


def test_refresh_margin_is_bounded_by_the_token_lifetime():
    transport, counts = _auth_server(3000)
    with Session(BASE, transport=transport, refresh_margin=30) as s:
        s.auth.login("a@example.com", "pw")
        for _ in range(20):
            s.request("GET", "/users/me")
    assert counts["other"] == 20
    assert counts["refresh"] <= 1


def test_refresh_margin_still_refreshes_before_expiry():
    transport, counts = _auth_server(1000)
    with Session(BASE, transport=transport, refresh_margin=30) as s:
        s.auth.login("a@example.com", "pw")
        time.sleep(1.05)
        s.request("GET", "/users/me")
    assert counts["refresh"] == 1


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"data": "pong"})


def test_closed_session_raises_a_typed_error():
    s = Session(BASE, transport=httpx.MockTransport(_ok))
    s.close()
    with pytest.raises(d.SessionClosed) as caught:
        s.request("GET", "/server/ping")
    assert isinstance(caught.value, d.DirectusORMError)


@pytest.mark.anyio
async def test_async_session_used_after_its_block_raises_a_typed_error():
    async with AsyncSession(BASE, transport=httpx.MockTransport(_ok)) as s:
        assert await s.request("GET", "/server/ping") == {"data": "pong"}
    with pytest.raises(d.SessionClosed):
        await s.request("GET", "/server/ping")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_with_blocks_left_out_of_order_leave_no_closed_session_current():
    a = Session(BASE, transport=httpx.MockTransport(_ok))
    b = Session(BASE, transport=httpx.MockTransport(_ok))
    a.__enter__()
    b.__enter__()
    a.__exit__(None, None, None)  # out of order
    assert get_current_session() is b
    b.__exit__(None, None, None)
    with pytest.raises(d.NoSessionError):
        current: Any = get_current_session()
        raise AssertionError(f"{current!r} is current after every block was left")


# ------------------------------------------------------------------ the pure parts


def test_outcome_unknown_tells_a_lost_reply_from_a_refusal():
    from directus_orm._core.exceptions import error_from_response, outcome_unknown

    refused = error_from_response(400, b'{"errors":[{"message":"x","extensions":{"code":"RECORD_NOT_UNIQUE"}}]}')
    proxy_502 = error_from_response(502, b"<html>Bad Gateway</html>")
    proxy_429 = error_from_response(429, b"<html>slow down</html>")
    directus_503 = error_from_response(503, b'{"errors":[{"message":"x","extensions":{"code":"SERVICE_UNAVAILABLE"}}]}')
    never_sent = d.ConnectError("refused")
    never_sent.sent = False
    broken = d.TransportError("reset")
    assert [outcome_unknown(e) for e in (refused, proxy_502, proxy_429, directus_503, never_sent, broken)] == [
        False, True, True, False, False, True]


def test_retry_after_parses_seconds_and_dates():
    from directus_orm._core.exceptions import parse_retry_after

    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    now = 1_800_000_000.0
    assert parse_retry_after(email.utils.formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after(email.utils.formatdate(now - 30, usegmt=True), now=now) is None


def test_values_directus_cannot_hold_name_their_field_not_their_value():
    from directus_orm._core.values import check_json

    check_json({"n": 2**53, "x": 1.5, "s": "fine", "j": {"deep": [-(2**53)]}})
    for body, field in [({"n": 2**53 + 1}, "n"), ({"data": {"x": float("nan")}}, "x"),
                        ([{"s": "a\udc00"}], "s"), ({"j": {"deep": [float("-inf")]}}, "j.deep")]:
        with pytest.raises(d.ValidationError) as caught:
            check_json(body)
        assert caught.value.fields == [field]
        assert str(2**53 + 1) not in str(caught.value) and "udc00" not in str(caught.value)


def test_log_redaction_hides_cookies_bearers_and_token_parameters(caplog):
    import logging

    from directus_orm._transport.logs import redact

    line = (
        "receive_response_headers.complete return_value=(b'HTTP/1.1', 200, b'OK', [(b'Set-Cookie', "
        "b'directus_refresh_token=SECRET1; Max-Age=604800; HttpOnly'), (b'Content-Type', b'json')])"
    )
    assert "SECRET1" not in redact(line) and "Content-Type" in redact(line)
    assert "SECRET2" not in redact("Authorization: Bearer SECRET2")
    assert "SECRET3" not in redact("GET /items/x?access_token=SECRET3&limit=1")
    caplog.set_level(logging.DEBUG, logger="httpcore.http11")
    logging.getLogger("httpcore.http11").debug("%s", "directus_session_token=SECRET4; Path=/")
    assert caplog.records and all("SECRET4" not in r.getMessage() for r in caplog.records)


def test_model_fields_marked_secret_are_redacted_in_errors():
    from directus_orm._core.exceptions import error_from_response

    class Client(Model, collection="clients"):
        id: int | None = None
        api_key: str | None = Field(default=None, json_schema_extra={"secret": True})

    Client._meta.field("api_key")  # the model is in use
    body = (b'{"errors":[{"message":"Value \\"K-123\\" for field \\"api_key\\" in collection '
            b'\\"clients\\" has to be unique.","extensions":{"code":"RECORD_NOT_UNIQUE",'
            b'"collection":"clients","field":"api_key"}}]}')
    error = error_from_response(400, body)
    assert isinstance(error, d.RecordNotUnique)
    assert "K-123" not in str(error) and "api_key" in str(error)
