"""``session.items(collection[, Model])`` and ``session.singleton(...)`` (wire format, sync and async)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

from ..models_for_tests import PlainArticle as Article
from ..wire import Runner, rows, sent


def decoded(request: Any) -> list[tuple[str, Any]]:
    return [(k, json.loads(v) if k == "filter" else v) for k, v in sent(request)[2]]


def test_reads(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="GET", json={"data": {"id": 5, "title": "t"}})
    httpx_mock.add_response(method="GET", json=rows({"id": 5, "title": "t"}, filter_count=7))
    httpx_mock.add_response(method="SEARCH", json={"data": [{"id": 6, "title": "u"}]})
    one = call(lambda s: s.items("my articles").read_one("a/b", {"fields": ["id", "title"]}))
    assert (one.data, one.meta) == ({"id": 5, "title": "t"}, {})
    many = call(lambda s: s.items("articles").read_many({"filter": {"id": {"_gt": 1}}, "meta": "filter_count"}))
    assert (many.data, many.meta) == ([{"id": 5, "title": "t"}], {"filter_count": 7})
    found = call(lambda s: s.items("articles").read_by_query({"filter": {"id": {"_in": [6]}}}))
    assert found.data == [{"id": 6, "title": "u"}]
    read_one, read_many, search = httpx_mock.get_requests()
    assert sent(read_one) == ("GET", "/items/my%20articles/a%2Fb", [("fields", "id,title")], None)
    # Without a limit, every item (-1), not Directus's default page of 100.
    assert (read_many.method, sent(read_many)[1]) == ("GET", "/items/articles")
    assert decoded(read_many) == [("filter", {"id": {"_gt": 1}}), ("meta", "filter_count"), ("limit", "-1")]
    assert sent(search) == ("SEARCH", "/items/articles", [], {"query": {"filter": {"id": {"_in": [6]}}, "limit": -1}})


def test_a_model_types_the_results(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"data": {"id": 5, "title": "t", "published": True}})
    httpx_mock.add_response(json={"data": [{"id": 5, "title": "t"}, {"id": 6, "title": "u"}]})
    one = call(lambda s: s.items("articles", Article).read_one(5))
    assert isinstance(one.data, Article) and (one.data.id, one.data.published) == (5, True)
    many = call(lambda s: s.items("articles", Article).read_many({"limit": 2}))
    assert [(type(a), a.id) for a in many.data] == [(Article, 5), (Article, 6)]
    assert decoded(httpx_mock.get_requests()[1]) == [("limit", "2")]


def test_creates_and_updates(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="POST", json={"data": {"id": 1, "title": "a"}})
    httpx_mock.add_response(method="POST", json={"data": [{"id": 2}, {"id": 3}]})
    httpx_mock.add_response(method="PATCH", json={"data": {"id": 1, "title": "b"}})
    httpx_mock.add_response(method="PATCH", json={"data": [{"id": 1}, {"id": 2}]}, is_reusable=True)
    items = "articles"
    assert call(lambda s: s.items(items).create_one({"title": "a"}, {"fields": ["id"]})).data["id"] == 1
    assert [r["id"] for r in call(lambda s: s.items(items).create_many([{"title": "b"}, {"title": "c"}])).data] == [2, 3]
    assert call(lambda s: s.items(items).update_one(1, {"title": "b"})).data["title"] == "b"
    assert len(call(lambda s: s.items(items).update_many([1, 2], {"published": True})).data) == 2
    call(lambda s: s.items(items).update_by_query({"filter": {"id": {"_lt": 3}}}, {"views": 0}, {"fields": ["id"]}))
    call(lambda s: s.items(items).update_batch([{"id": 1, "title": "x"}, {"id": 2, "title": "y"}]))
    assert [sent(r) for r in httpx_mock.get_requests()] == [
        ("POST", "/items/articles", [("fields", "id")], {"title": "a"}),
        ("POST", "/items/articles", [], [{"title": "b"}, {"title": "c"}]),
        ("PATCH", "/items/articles/1", [], {"title": "b"}),
        ("PATCH", "/items/articles", [], {"keys": [1, 2], "data": {"published": True}}),
        ("PATCH", "/items/articles", [("fields", "id")],
         {"query": {"filter": {"id": {"_lt": 3}}, "limit": -1}, "data": {"views": 0}}),
        ("PATCH", "/items/articles", [], [{"id": 1, "title": "x"}, {"id": 2, "title": "y"}]),
    ]


def test_deletes(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="DELETE", status_code=204, is_reusable=True)
    call(lambda s: s.items("articles").delete_one("../x"))
    call(lambda s: s.items("articles").delete_many([1, 2]))
    call(lambda s: s.items("articles").delete_by_query({"filter": {"title": {"_eq": "x"}}}))
    assert [sent(r) for r in httpx_mock.get_requests()] == [
        ("DELETE", "/items/articles/..%2Fx", [], None),
        ("DELETE", "/items/articles", [], {"keys": [1, 2]}),
        ("DELETE", "/items/articles", [], {"query": {"filter": {"title": {"_eq": "x"}}, "limit": -1}}),
    ]


def test_singletons(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="GET", json={"data": {"id": 1, "motto": "m"}})
    httpx_mock.add_response(method="PATCH", json={"data": {"id": 1, "motto": "n"}})
    assert call(lambda s: s.singleton("site").read({"fields": ["motto"]})).data == {"id": 1, "motto": "m"}
    assert call(lambda s: s.singleton("site").update({"motto": "n"})).data["motto"] == "n"
    read, update = httpx_mock.get_requests()
    assert sent(read) == ("GET", "/items/site", [("fields", "motto")], None)
    assert sent(update) == ("PATCH", "/items/site", [], {"motto": "n"})


def test_an_empty_collection_name_is_refused(call: Runner) -> None:
    with pytest.raises(ValueError, match="empty"):
        call(lambda s: s.items(""))
