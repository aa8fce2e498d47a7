"""The exact wire format of real Session / AsyncSession calls, against pytest-httpx (no server).

Every request is captured and checked field by field: method, raw path, decoded parameters,
headers and JSON body. Unexpected requests fail the test (pytest-httpx answers them with a
timeout and reports them at teardown), and so do registered answers that were never asked for.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d
from directus_orm import AsyncSession, Model, Session
from directus_orm._core.exceptions import ERROR_CODES

BASE = "http://directus.test"


class Author(Model, collection="authors"):
    id: int | None = None
    name: str = ""


class Article(Model, collection="articles"):
    id: int | None = None
    title: str
    published: bool = False
    author: Author | int | None = None


class Spaced(Model, collection="my articles"):
    id: int | None = None


class Slashed(Model, collection="a/b"):
    id: int | None = None


class Dotted(Model, collection=".."):
    id: int | None = None


class Doc(Model, collection="docs"):
    id: str | None = None
    title: str = ""


# ------------------------------------------------------------------ helpers


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def session() -> Iterator[Session]:
    with Session(BASE, static_token="t", backoff=0) as s:
        yield s


@pytest.fixture
async def asession() -> AsyncIterator[AsyncSession]:
    async with AsyncSession(BASE, static_token="t", backoff=0) as s:
        yield s


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the sync session slept for (without sleeping)."""
    delays: list[float] = []
    monkeypatch.setattr(time, "sleep", delays.append)
    return delays


@pytest.fixture
def aslept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays the async session slept for (each replaced by a zero sleep)."""
    delays: list[float] = []
    real_sleep = asyncio.sleep

    async def fake_sleep(seconds: float) -> None:
        delays.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    return delays


def rows(*items: dict[str, Any], filter_count: int | None = None) -> dict[str, Any]:
    count = len(items) if filter_count is None else filter_count
    return {"data": list(items), "meta": {"filter_count": count}}


def params(request: httpx.Request) -> list[tuple[str, str]]:
    """The decoded query parameters, in order, duplicates kept."""
    return list(request.url.params.multi_items())


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)


def error_body(code: str | None, message: str = "boom", **extensions: Any) -> dict[str, Any]:
    ext: dict[str, Any] = dict(extensions)
    if code is not None:
        ext["code"] = code
    return {"errors": [{"message": message, "extensions": ext}]}


TOKENS_1 = {"data": {"access_token": "A1", "refresh_token": "R1", "expires": 900_000}}
TOKENS_2 = {"data": {"access_token": "A2", "refresh_token": "R2", "expires": 900_000}}


# ------------------------------------------------------------------ reads


def test_sliced_queryset_wire_format(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json=rows({"id": 9, "title": "x", "published": True}))
    result = list(Article.objects.filter(published=True).order_by("-id")[:10])
    assert [(a.id, a.title, a.published) for a in result] == [(9, "x", True)]
    (request,) = httpx_mock.get_requests()
    assert request.method == "GET"
    assert request.url.scheme == "http" and request.url.host == "directus.test"
    assert request.url.raw_path.split(b"?")[0] == b"/items/articles"
    assert params(request) == [
        ("filter", '{"published":{"_eq":true}}'),
        ("sort", "-id"),
        ("limit", "10"),
    ]
    assert request.headers["Authorization"] == "Bearer t"
    assert request.headers["Accept"] == "application/json"
    assert "Content-Type" not in request.headers
    assert request.content == b""


def test_the_token_is_never_in_the_url(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json=rows())
    list(Article.objects.all())
    request = httpx_mock.get_request()
    assert request is not None
    assert params(request) == [("limit", "2147483647")]
    assert request.headers["Authorization"] == "Bearer t"


def test_a_5000_element_in_list_is_sent_as_search_with_the_query_in_the_body(
    httpx_mock: HTTPXMock, session: Session
) -> None:
    keys = list(range(1, 5001))
    httpx_mock.add_response(method="SEARCH", json=rows({"id": 1, "title": "a"}))
    found = list(Article.objects.filter(id__in=keys).order_by("id"))
    assert [a.id for a in found] == [1]
    (request,) = httpx_mock.get_requests()
    assert request.method == "SEARCH"
    assert request.url.raw_path == b"/items/articles"
    assert params(request) == []
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == "Bearer t"
    assert body(request) == {
        "query": {
            "filter": {"id": {"_in": keys}},
            "sort": ["id"],
            "limit": 2147483647,
        }
    }


def test_count_with_a_long_filter_is_a_search_too(httpx_mock: HTTPXMock, session: Session) -> None:
    keys = list(range(5000))
    httpx_mock.add_response(method="SEARCH", json={"data": [{"count": 12}]})
    assert Article.objects.filter(id__in=keys).count() == 12
    assert body(httpx_mock.get_requests()[0]) == {
        "query": {"filter": {"id": {"_in": keys}}, "aggregate": {"count": ["*"]}}
    }


def test_the_switch_to_search_is_by_url_length(httpx_mock: HTTPXMock) -> None:
    # The switch is by URL length: a session with a small max_url_length switches sooner.
    httpx_mock.add_response(method="SEARCH", json=rows())
    with Session(BASE, static_token="t", max_url_length=60):
        list(Article.objects.filter(title="a" * 40))
    httpx_mock.add_response(method="GET", json=rows())
    with Session(BASE, static_token="t"):
        list(Article.objects.filter(title="a" * 40))
    assert [r.method for r in httpx_mock.get_requests()] == ["SEARCH", "GET"]


def test_first_and_last_send_sort_and_limit_1(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json=rows({"id": 1, "title": "a"}))
    httpx_mock.add_response(json=rows({"id": 5, "title": "e"}))
    httpx_mock.add_response(json=rows())
    first = Article.objects.first()
    last = Article.objects.last()
    assert first is not None and first.id == 1
    assert last is not None and last.id == 5
    assert Article.objects.order_by("-title").first() is None
    sent = [dict(params(r)) for r in httpx_mock.get_requests()]
    assert [(p["sort"], p["limit"]) for p in sent] == [("id", "1"), ("-id", "1"), ("-title", "1")]
    assert all("offset" not in p and "filter" not in p for p in sent)


def test_count_sends_an_aggregate_and_nothing_else(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json={"data": [{"count": 42}]})
    httpx_mock.add_response(json={"data": [{"count": "7"}]})  # some databases answer strings
    assert Article.objects.fields("id").order_by("-id").meta("total_count").count() == 42
    assert Article.objects.filter(published=True).count() == 7
    first, second = httpx_mock.get_requests()
    assert params(first) == [("aggregate", '{"count":["*"]}')]
    assert params(second) == [
        ("filter", '{"published":{"_eq":true}}'),
        ("aggregate", '{"count":["*"]}'),
    ]


def test_count_of_a_slice_is_computed_from_the_total(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json={"data": [{"count": 25}]})
    httpx_mock.add_response(json={"data": [{"count": 25}]})
    assert Article.objects.all()[20:30].count() == 5
    assert Article.objects.all()[:10].count() == 10
    assert all(params(r) == [("aggregate", '{"count":["*"]}')] for r in httpx_mock.get_requests())


def test_iterator_pages_by_primary_key(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json=rows({"id": 1}, {"id": 2}))
    httpx_mock.add_response(json=rows({"id": 5}, {"id": 8}))
    httpx_mock.add_response(json=rows())
    got = [a.id for a in Article.objects.filter(published=True).iterator(chunk_size=2)]
    assert got == [1, 2, 5, 8]
    first, second, third = httpx_mock.get_requests()
    assert params(first) == [
        ("filter", '{"published":{"_eq":true}}'),
        ("sort", "id"),
        ("limit", "2"),
    ]
    assert json.loads(dict(params(second))["filter"]) == {
        "_and": [{"published": {"_eq": True}}, {"id": {"_gt": 2}}]
    }
    assert json.loads(dict(params(third))["filter"]) == {
        "_and": [{"published": {"_eq": True}}, {"id": {"_gt": 8}}]
    }
    assert all(dict(params(r))["limit"] == "2" and "offset" not in dict(params(r)) for r in (second, third))


def test_iterator_without_filter_and_descending(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json=rows({"id": 9}, {"id": 7}))
    httpx_mock.add_response(json=rows())
    assert [a.id for a in Article.objects.order_by("-id").fields("title").iterator(chunk_size=2)] == [9, 7]
    first, second = httpx_mock.get_requests()
    # The key is fetched even when fields() leaves it out: it is the cursor.
    assert params(first) == [("fields", "title,id"), ("sort", "-id"), ("limit", "2")]
    assert json.loads(dict(params(second))["filter"]) == {"id": {"_lt": 7}}


def test_iterator_of_a_slice_stops_at_its_limit(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json=rows({"id": 1}, {"id": 2}))
    httpx_mock.add_response(json=rows({"id": 3}))
    assert [a.id for a in Article.objects.all()[:3].iterator(chunk_size=2)] == [1, 2, 3]
    assert [dict(params(r))["limit"] for r in httpx_mock.get_requests()] == ["2", "1"]


def test_iterator_sorted_by_another_field_pages_by_offset(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json=rows({"id": 3}, {"id": 1}))
    httpx_mock.add_response(json=rows({"id": 2}))
    assert [a.id for a in Article.objects.order_by("title").iterator(chunk_size=2)] == [3, 1, 2]
    sent = [dict(params(r)) for r in httpx_mock.get_requests()]
    # The short second page is the last: no request for an empty third one.
    assert [(p["sort"], p["limit"], p.get("offset")) for p in sent] == [
        ("title", "2", None),
        ("title", "2", "2"),
    ]
    assert all("filter" not in p for p in sent)


def test_listing_pages_with_the_cap_a_server_reports(httpx_mock: HTTPXMock, session: Session) -> None:
    # A server with QUERY_LIMIT_MAX=2 refuses the explicit "everything" limit and names its
    # maximum (where limit=-1 would have been capped silently): the QuerySet pages with it.
    cap_error = {"errors": [{"message": 'Invalid query. "limit" must be less than or equal to 2.',
                             "extensions": {"code": "INVALID_QUERY"}}]}
    httpx_mock.add_response(status_code=400, json=cap_error)
    httpx_mock.add_response(json=rows({"id": 1}, {"id": 2}))
    httpx_mock.add_response(json=rows({"id": 3}))
    assert [a.id for a in Article.objects.all()] == [1, 2, 3]
    refused, first, second = httpx_mock.get_requests()
    assert params(refused) == [("limit", "2147483647")]
    assert params(first) == [("sort", "id"), ("limit", "2"), ("offset", "0")]
    assert params(second) == [("sort", "id"), ("limit", "2"), ("offset", "2")]
    # The session remembers the cap: the next listing pages at once.
    httpx_mock.add_response(json=rows({"id": 9}))
    assert [a.id for a in Article.objects.filter(id=9)] == [9]
    assert dict(params(httpx_mock.get_requests()[-1]))["limit"] == "2"


def test_get_asks_for_two_rows(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json=rows({"id": 4, "title": "x"}))
    httpx_mock.add_response(json=rows({"id": 4}, {"id": 5}))
    httpx_mock.add_response(json=rows())
    assert Article.objects.get(pk=4).title == "x"
    with pytest.raises(Article.MultipleObjectsReturned):
        Article.objects.get(published=True)
    with pytest.raises(Article.DoesNotExist) as info:
        Article.objects.get(pk=6)
    assert isinstance(info.value, d.ObjectDoesNotExist)
    sent = [dict(params(r)) for r in httpx_mock.get_requests()]
    assert [(p["filter"], p["limit"]) for p in sent] == [
        ('{"id":{"_eq":4}}', "2"),
        ('{"published":{"_eq":true}}', "2"),
        ('{"id":{"_eq":6}}', "2"),
    ]


def test_session_params_and_headers_are_sent_on_every_request(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=rows())
    with Session(BASE, static_token="t", params={"access": "x"}, headers={"X-Trace": "1"}):
        list(Article.objects.all()[:1])
    request = httpx_mock.get_requests()[0]
    assert request.headers["X-Trace"] == "1"
    assert ("access", "x") in params(request)


# ------------------------------------------------------------------ paths


@pytest.mark.parametrize(
    ("model", "raw_path"),
    [
        (Spaced, b"/items/my%20articles"),
        (Dotted, b"/items/%2E%2E"),
        # A "/" inside a collection name stays inside its one path segment (never /items/a/b).
        (Slashed, b"/items/a%2Fb"),
    ],
    ids=["space", "dots", "slash"],
)
def test_collection_names_are_one_encoded_path_segment(
    httpx_mock: HTTPXMock, session: Session, model: type[Model], raw_path: bytes
) -> None:
    httpx_mock.add_response(json=rows())
    list(model.objects.all())
    request = httpx_mock.get_requests()[0]
    assert request.url.raw_path.split(b"?")[0] == raw_path


def test_a_primary_key_can_never_change_the_route(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(method="GET", json=rows({"id": "../users", "title": "t"}), is_reusable=True)
    httpx_mock.add_response(method="DELETE", status_code=204)
    doc = Doc.objects.get(pk="../users")
    assert doc.id == "../users"
    doc.refresh_from_db()
    doc.delete()
    gets = httpx_mock.get_requests(method="GET")
    assert len(gets) == 2
    for request in gets:
        assert request.url.raw_path.split(b"?")[0] == b"/items/docs"
        assert dict(params(request))["filter"] == '{"id":{"_eq":"../users"}}'
    (delete,) = httpx_mock.get_requests(method="DELETE")
    assert delete.url.raw_path == b"/items/docs/..%2Fusers"
    for request in httpx_mock.get_requests():
        assert not request.url.path.startswith("/users")
        assert b"/users" not in request.url.raw_path


def test_a_dot_dot_key_is_encoded_so_clients_cannot_normalise_it(
    httpx_mock: HTTPXMock, session: Session
) -> None:
    httpx_mock.add_response(method="GET", json=rows({"id": "..", "title": "t"}))
    httpx_mock.add_response(method="DELETE", status_code=204)
    Doc.objects.get(pk="..").delete()
    assert httpx_mock.get_requests(method="DELETE")[0].url.raw_path == b"/items/docs/%2E%2E"


def test_raw_requests_keep_their_path_and_encode_the_query(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json={"data": {"id": 1}})
    assert session.request(
        "get", "users/me", query={"fields": ["id", "role.name"], "filter": {"id": {"_eq": 1}}}
    ) == {"data": {"id": 1}}
    request = httpx_mock.get_requests()[0]
    assert request.method == "GET"
    assert request.url.raw_path.split(b"?")[0] == b"/users/me"
    assert params(request) == [("fields", "id,role.name"), ("filter", '{"id":{"_eq":1}}')]


# ------------------------------------------------------------------ authentication


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
    short = {"data": {"access_token": "A1", "refresh_token": "R1", "expires": 10_000}}
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/login", json=short)
    httpx_mock.add_response(method="POST", url=f"{BASE}/auth/refresh", json=TOKENS_2)
    httpx_mock.add_response(method="GET", json=rows())
    with Session(BASE, refresh_margin=30) as s:
        s.auth.login("ada@example.com", "secret")
        list(Article.objects.all())
    login, refresh, read = httpx_mock.get_requests()
    assert (login.url.path, refresh.url.path) == ("/auth/login", "/auth/refresh")
    assert body(refresh) == {"refresh_token": "R1", "mode": "json"}
    assert read.headers["Authorization"] == "Bearer A2"


# ------------------------------------------------------------------ errors


def _status_for(code: str) -> int:
    return {
        "INVALID_CREDENTIALS": 401,
        "INVALID_OTP": 401,
        "TOKEN_EXPIRED": 401,
        "USER_SUSPENDED": 401,
        "INVALID_IP": 401,
        "INVALID_TOKEN": 403,
        "FORBIDDEN": 403,
        "RESOURCE_RESTRICTED": 403,
        "LIMIT_EXCEEDED": 403,
        "COLLECTION_INACTIVE": 403,
        "ROUTE_NOT_FOUND": 404,
        "RECORD_NOT_UNIQUE": 400,
        "CONTENT_TOO_LARGE": 413,
        "UNSUPPORTED_MEDIA_TYPE": 415,
        "REQUESTS_EXCEEDED": 429,
        "SERVICE_UNAVAILABLE": 503,
        "INTERNAL_SERVER_ERROR": 500,
    }.get(code, 400)


@pytest.mark.parametrize(("code", "cls"), sorted(ERROR_CODES.items()), ids=sorted(ERROR_CODES))
def test_every_error_code_maps_to_its_class(
    httpx_mock: HTTPXMock, code: str, cls: type[d.DirectusError]
) -> None:
    status = _status_for(code)
    answer = {
        "errors": [
            {"message": f"{code} happened", "extensions": {"code": code, "field": "title"}},
            {"message": "second", "extensions": {"code": "FAILED_VALIDATION"}},
        ]
    }
    httpx_mock.add_response(status_code=status, json=answer)
    with Session(BASE, static_token="t", retries=0), pytest.raises(d.DirectusError) as info:
        list(Article.objects.filter(published=True))
    error = info.value
    assert type(error) is cls
    assert isinstance(error, d.DirectusORMError)
    assert (error.status, error.code, error.message) == (status, code, f"{code} happened")
    assert error.extensions == {"code": code, "field": "title"}
    assert [e["message"] for e in error.errors] == [f"{code} happened", "second"]
    assert (error.method, error.path) == ("GET", "/items/articles")
    # Messages show the path without its query string.
    assert "filter" not in str(error) and "published" not in str(error)
    assert f"{status} {code}: {code} happened (GET /items/articles)" in str(error)


@pytest.mark.parametrize(
    ("status", "answer", "cls"),
    [
        (400, error_body("INVALID_PAYLOAD", "Exceeded max batch mutation limit of 100."), d.BatchLimitExceeded),
        (413, error_body("INVALID_PAYLOAD", "request entity too large"), d.ContentTooLarge),
        (401, {}, d.AuthenticationError),
        (403, error_body(None, "You don't have permission"), d.Forbidden),
        (404, error_body("SOMETHING_NEW"), d.RouteNotFound),
        (418, error_body("SOMETHING_NEW"), d.DirectusError),
        (413, None, d.ContentTooLarge),
        (415, None, d.UnsupportedMediaType),
        (500, error_body(None), d.InternalServerError),
    ],
)
def test_errors_without_a_known_code_fall_back_on_the_status(
    httpx_mock: HTTPXMock, status: int, answer: Any, cls: type[d.DirectusError]
) -> None:
    if answer is None:
        httpx_mock.add_response(status_code=status)
    else:
        httpx_mock.add_response(status_code=status, json=answer)
    with Session(BASE, static_token="t", retries=0), pytest.raises(d.DirectusError) as info:
        list(Article.objects.all())
    assert type(info.value) is cls
    assert info.value.status == status


def test_a_431_with_an_empty_body_is_headers_too_large(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(status_code=431, content=b"")
    with pytest.raises(d.HeadersTooLarge) as info:
        list(Article.objects.all())
    error = info.value
    assert (error.status, error.code, error.errors) == (431, None, [])
    assert "too large" in error.message


def test_a_500_with_html_is_internal_server_error(httpx_mock: HTTPXMock, session: Session) -> None:
    html = "<html><body><h1>Bad Gateway</h1>" + "x" * 500 + "</body></html>"
    httpx_mock.add_response(status_code=500, html=html)
    with pytest.raises(d.InternalServerError) as info:
        list(Article.objects.all())
    error = info.value
    assert (error.status, error.code) == (500, None)
    assert error.message.startswith("<html><body><h1>Bad Gateway</h1>")
    assert len(error.message) <= 200
    assert len(httpx_mock.get_requests()) == 1  # 500 is not a retry status


def test_rate_limit_error_carries_retry_after(
    httpx_mock: HTTPXMock, slept: list[float]
) -> None:
    httpx_mock.add_response(
        status_code=429, headers={"Retry-After": "7"}, json=error_body("REQUESTS_EXCEEDED")
    )
    with Session(BASE, static_token="t", retries=0), pytest.raises(d.RequestsExceeded) as info:
        list(Article.objects.all())
    assert info.value.retry_after == 7.0
    assert slept == []


def test_transport_errors_become_library_errors_without_the_query(
    httpx_mock: HTTPXMock, slept: list[float]
) -> None:
    httpx_mock.add_exception(httpx.ReadTimeout("slow"))
    with Session(BASE, static_token="t", retries=0), pytest.raises(d.TimeoutError) as info:
        list(Article.objects.filter(title="secret"))
    assert isinstance(info.value, d.TransportError)
    assert "secret" not in str(info.value)
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


# ------------------------------------------------------------------ retries


def test_get_is_retried_on_503_honouring_retry_after(
    httpx_mock: HTTPXMock, session: Session, slept: list[float]
) -> None:
    httpx_mock.add_response(status_code=503, headers={"Retry-After": "2"}, json=error_body("SERVICE_UNAVAILABLE"))
    httpx_mock.add_response(status_code=503, json=error_body("SERVICE_UNAVAILABLE"))
    httpx_mock.add_response(json=rows({"id": 1}))
    assert [a.id for a in Article.objects.all()] == [1]
    assert slept == [2.0, 0.0]  # Retry-After, then the backoff (0 in this session)
    requests = httpx_mock.get_requests()
    assert len(requests) == 3
    assert len({str(r.url) for r in requests}) == 1


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_every_retry_status_is_retried(
    httpx_mock: HTTPXMock, session: Session, slept: list[float], status: int
) -> None:
    httpx_mock.add_response(status_code=status)
    httpx_mock.add_response(json=rows())
    assert list(Article.objects.all()) == []
    assert len(httpx_mock.get_requests()) == 2


def test_retry_after_is_capped_and_dates_fall_back_to_backoff(
    httpx_mock: HTTPXMock, slept: list[float]
) -> None:
    httpx_mock.add_response(status_code=503, headers={"Retry-After": "3600"})
    httpx_mock.add_response(status_code=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    httpx_mock.add_response(status_code=503)
    httpx_mock.add_response(json=rows())
    with Session(BASE, static_token="t", backoff=0.5, max_backoff=1.5):
        list(Article.objects.all())
    assert slept == [60.0, 1.0, 1.5]  # capped; 0.5 * 2**1; 0.5 * 2**2 capped at max_backoff


def test_retries_give_up_after_the_configured_count(
    httpx_mock: HTTPXMock, slept: list[float]
) -> None:
    for _ in range(3):
        httpx_mock.add_response(status_code=503, json=error_body("SERVICE_UNAVAILABLE"))
    with Session(BASE, static_token="t", retries=2, backoff=0), pytest.raises(d.ServiceUnavailable):
        list(Article.objects.all())
    assert len(httpx_mock.get_requests()) == 3
    assert slept == [0.0, 0.0]


def test_get_is_retried_on_connect_errors(
    httpx_mock: HTTPXMock, session: Session, slept: list[float]
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("refused"))
    httpx_mock.add_exception(httpx.RemoteProtocolError("reset"))
    httpx_mock.add_response(json={"data": [{"count": 3}]})
    assert Article.objects.count() == 3
    assert len(httpx_mock.get_requests()) == 3
    assert slept == [0.0, 0.0]


def test_connect_errors_exhausting_retries_raise_connect_error(
    httpx_mock: HTTPXMock, slept: list[float]
) -> None:
    for _ in range(2):
        httpx_mock.add_exception(httpx.ConnectError("refused"))
    with Session(BASE, static_token="t", retries=1, backoff=0), pytest.raises(d.ConnectError):
        list(Article.objects.all())
    assert len(httpx_mock.get_requests()) == 2


def test_search_reads_are_retried_too(
    httpx_mock: HTTPXMock, session: Session, slept: list[float]
) -> None:
    httpx_mock.add_response(method="SEARCH", status_code=503)
    httpx_mock.add_response(method="SEARCH", json=rows())
    assert list(Article.objects.filter(id__in=list(range(5000)))) == []
    assert len(httpx_mock.get_requests()) == 2


@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
def test_writes_are_never_retried_on_503(
    httpx_mock: HTTPXMock, session: Session, slept: list[float], method: str
) -> None:
    httpx_mock.add_response(status_code=503, headers={"Retry-After": "1"}, json=error_body("SERVICE_UNAVAILABLE"))
    with pytest.raises(d.ServiceUnavailable):
        session.request(method, "/items/articles", json={"title": "x"})
    assert len(httpx_mock.get_requests()) == 1
    assert slept == []


def test_writes_are_never_retried_on_connect_errors(
    httpx_mock: HTTPXMock, session: Session, slept: list[float]
) -> None:
    httpx_mock.add_exception(httpx.ConnectError("refused"))
    with pytest.raises(d.ConnectError):
        session.request("POST", "/items/articles", json={"title": "x"})
    (request,) = httpx_mock.get_requests()
    assert body(request) == {"title": "x"}
    assert slept == []


def test_save_of_a_new_object_is_never_retried(
    httpx_mock: HTTPXMock, session: Session, slept: list[float]
) -> None:
    httpx_mock.add_response(method="POST", status_code=502)
    with pytest.raises(d.InternalServerError):
        Article(title="x").save()
    (request,) = httpx_mock.get_requests()
    assert request.url.raw_path == b"/items/articles"
    assert body(request)["title"] == "x"
    assert slept == []


# ------------------------------------------------------------------ AsyncSession


@pytest.mark.anyio
async def test_async_sliced_queryset_wire_format(httpx_mock: HTTPXMock, asession: AsyncSession) -> None:
    httpx_mock.add_response(json=rows({"id": 3, "title": "x"}))
    got = [a async for a in Article.objects.filter(published=True).order_by("-id")[:10]]
    assert [a.id for a in got] == [3]
    (request,) = httpx_mock.get_requests()
    assert request.method == "GET"
    assert request.url.raw_path.split(b"?")[0] == b"/items/articles"
    assert params(request) == [
        ("filter", '{"published":{"_eq":true}}'),
        ("sort", "-id"),
        ("limit", "10"),
    ]
    assert request.headers["Authorization"] == "Bearer t"
    assert "Content-Type" not in request.headers


@pytest.mark.anyio
async def test_async_first_count_and_search(httpx_mock: HTTPXMock, asession: AsyncSession) -> None:
    httpx_mock.add_response(method="GET", json=rows({"id": 1}))
    httpx_mock.add_response(method="GET", json={"data": [{"count": 5}]})
    httpx_mock.add_response(method="SEARCH", json=rows())
    first = await Article.objects.afirst()
    assert first is not None and first.id == 1
    assert await Article.objects.acount() == 5
    assert await Article.objects.filter(id__in=list(range(5000))).alist() == []
    first_req, count_req, search_req = httpx_mock.get_requests()
    assert (dict(params(first_req))["sort"], dict(params(first_req))["limit"]) == ("id", "1")
    assert params(count_req) == [("aggregate", '{"count":["*"]}')]
    assert search_req.method == "SEARCH" and body(search_req)["query"]["limit"] == 2147483647


@pytest.mark.anyio
async def test_async_aiterator_pages_by_primary_key(httpx_mock: HTTPXMock, asession: AsyncSession) -> None:
    httpx_mock.add_response(json=rows({"id": 1}, {"id": 2}))
    httpx_mock.add_response(json=rows())
    got = [a.id async for a in Article.objects.filter(published=True).aiterator(chunk_size=2)]
    assert got == [1, 2]
    second = httpx_mock.get_requests()[1]
    assert json.loads(dict(params(second))["filter"]) == {
        "_and": [{"published": {"_eq": True}}, {"id": {"_gt": 2}}]
    }


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


@pytest.mark.anyio
async def test_async_retries_honour_retry_after_and_never_retry_writes(
    httpx_mock: HTTPXMock, asession: AsyncSession, aslept: list[float]
) -> None:
    httpx_mock.add_response(method="GET", status_code=503, headers={"Retry-After": "3"})
    httpx_mock.add_exception(httpx.ConnectError("refused"), method="GET")
    httpx_mock.add_response(method="GET", json=rows())
    httpx_mock.add_response(method="POST", status_code=503)
    assert await Article.objects.alist() == []
    assert aslept == [3.0, 0.0]
    with pytest.raises(d.ServiceUnavailable):
        await asession.request("POST", "/items/articles", json={"title": "x"})
    assert [r.method for r in httpx_mock.get_requests()] == ["GET", "GET", "GET", "POST"]
    assert aslept == [3.0, 0.0]


@pytest.mark.anyio
async def test_async_error_mapping(httpx_mock: HTTPXMock, asession: AsyncSession) -> None:
    httpx_mock.add_response(status_code=403, json=error_body("FORBIDDEN", "You don't have permission"))
    with pytest.raises(d.Forbidden) as info:
        await Article.objects.aget(pk=1)
    assert (info.value.status, info.value.code, info.value.path) == (403, "FORBIDDEN", "/items/articles")


@pytest.mark.anyio
async def test_sync_and_async_sessions_refuse_the_other_kind(
    httpx_mock: HTTPXMock, asession: AsyncSession
) -> None:
    with pytest.raises(d.WrongSessionKind, match="aget"):
        Article.objects.get(pk=1)
    with pytest.raises(d.WrongSessionKind, match="async for"):
        list(Article.objects.all())
    with Session(BASE, static_token="t") as sync:
        with pytest.raises(d.WrongSessionKind, match="count"):
            await Article.objects.using(sync).acount()
    assert httpx_mock.get_requests() == []
