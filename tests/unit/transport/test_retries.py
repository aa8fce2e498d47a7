"""When the session drivers retry (reads only) and how long they wait, sync and async."""

from __future__ import annotations

import httpx
import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d
from directus_orm import AsyncSession, Session

from ..models_for_tests import PlainArticle as Article
from ..wire import BASE, body, error_body, rows


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
