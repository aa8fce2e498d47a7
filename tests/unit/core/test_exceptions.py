"""Error responses become the right DirectusORMError subclass, sync and async (no server)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d
from directus_orm import AsyncSession, Session
from directus_orm._core.exceptions import ERROR_CODES

from ..models_for_tests import PlainArticle as Article
from ..wire import BASE, error_body


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


@pytest.mark.anyio
async def test_async_error_mapping(httpx_mock: HTTPXMock, asession: AsyncSession) -> None:
    httpx_mock.add_response(status_code=403, json=error_body("FORBIDDEN", "You don't have permission"))
    with pytest.raises(d.Forbidden) as info:
        await Article.objects.aget(pk=1)
    assert (info.value.status, info.value.code, info.value.path) == (403, "FORBIDDEN", "/items/articles")


def test_a_stale_version_hash_on_directus_11_is_version_hash_mismatch() -> None:
    from directus_orm._core.exceptions import error_from_response

    body = (b'{"errors":[{"message":"Can\'t process content. Main item has changed since this version '
            b'was last updated.","extensions":{"code":"UNPROCESSABLE_CONTENT"}}]}')
    error = error_from_response(422, body, method="POST", path="/versions/v1/promote")
    assert type(error) is d.VersionHashMismatch and error.code == "UNPROCESSABLE_CONTENT"
