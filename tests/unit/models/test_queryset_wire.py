"""The wire format of QuerySet reads, sync and async: method, path, parameters, headers, pages."""

from __future__ import annotations

import json

import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d
from directus_orm import AsyncSession, Session

from ..models_for_tests import PlainArticle as Article
from ..wire import BASE, body, params, rows

# A read without fields() asks for the model's declared fields.
FIELDS = ("fields", "id,title,published,views,author,sub-title")


def test_sliced_queryset_wire_format(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json=rows({"id": 9, "title": "x", "published": True}))
    result = list(Article.objects.filter(published=True).order_by("-id")[:10])
    assert [(a.id, a.title, a.published) for a in result] == [(9, "x", True)]
    (request,) = httpx_mock.get_requests()
    assert request.method == "GET"
    assert request.url.scheme == "http" and request.url.host == "directus.test"
    assert request.url.raw_path.split(b"?")[0] == b"/items/articles"
    assert params(request) == [
        FIELDS,
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
    assert params(request) == [FIELDS, ("limit", "2147483647")]
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
            "fields": ["id", "title", "published", "views", "author", "sub-title"],
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
        FIELDS,
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


def test_iterator_over_a_uuid_key_pages_by_offset_in_key_order(
    httpx_mock: HTTPXMock, session: Session
) -> None:
    # Directus refuses _gt on uuid (and string) fields: no keyset cursor there.
    a, b, c = "0a", "0b", "0c"
    httpx_mock.add_response(json=rows({"id": a}, {"id": b}))
    httpx_mock.add_response(json=rows({"id": c}))
    assert [f.id for f in d.DirectusFolder.objects.iterator(chunk_size=2)] == [a, b, c]
    sent = [dict(params(r)) for r in httpx_mock.get_requests()]
    assert [(p["sort"], p["limit"], p.get("offset")) for p in sent] == [
        ("id", "2", None),
        ("id", "2", "2"),
    ]
    assert all("filter" not in p for p in sent)


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
    assert params(refused) == [FIELDS, ("limit", "2147483647")]
    assert params(first) == [FIELDS, ("sort", "id"), ("limit", "2"), ("offset", "0")]
    assert params(second) == [FIELDS, ("sort", "id"), ("limit", "2"), ("offset", "2")]
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


# ------------------------------------------------------------------ async


@pytest.mark.anyio
async def test_async_sliced_queryset_wire_format(httpx_mock: HTTPXMock, asession: AsyncSession) -> None:
    httpx_mock.add_response(json=rows({"id": 3, "title": "x"}))
    got = [a async for a in Article.objects.filter(published=True).order_by("-id")[:10]]
    assert [a.id for a in got] == [3]
    (request,) = httpx_mock.get_requests()
    assert request.method == "GET"
    assert request.url.raw_path.split(b"?")[0] == b"/items/articles"
    assert params(request) == [
        FIELDS,
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
