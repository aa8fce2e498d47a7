"""``session.versions`` and ``obj.save(version=...)``: the wire format, sync and async."""

from __future__ import annotations

import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d

from ..wire import Runner, sent

VERSION = {"id": "v1", "key": "draft", "name": "draft", "collection": "articles", "item": "7",
           "hash": "h", "delta": None}


def test_create_list_get_delete(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"data": VERSION})
    version = call(lambda s: s.versions.create("articles", 7, "draft"))
    assert isinstance(version, d.DirectusVersion) and version.id == "v1"
    httpx_mock.add_response(json={"data": [VERSION]})
    assert [v.key for v in call(lambda s: s.versions.list("articles", 7, key="draft"))] == ["draft"]
    httpx_mock.add_response(json={"data": VERSION})
    assert call(lambda s: s.versions.get("v1")).item == "7"
    httpx_mock.add_response(status_code=204)
    assert call(lambda s: s.versions.delete(version)) is None
    create, listing, get, delete = httpx_mock.get_requests()
    assert sent(create) == ("POST", "/versions", [],
                            {"key": "draft", "name": "draft", "collection": "articles", "item": "7"})
    assert sorted(sent(listing)[2]) == [
        ("filter", '{"_and":[{"collection":{"_eq":"articles"}},{"item":{"_eq":"7"}},{"key":{"_eq":"draft"}}]}'),
        ("limit", "-1"), ("sort", "date_created")]
    assert sent(get)[:2] == ("GET", "/versions/v1")
    assert sent(delete)[:2] == ("DELETE", "/versions/v1")


def test_save_compare_promote(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"data": {"id": 7, "title": "new"}})
    assert call(lambda s: s.versions.save("v1", {"title": "new"})) == {"id": 7, "title": "new"}
    httpx_mock.add_response(json={"data": {"outdated": False, "mainHash": "h1",
                                           "current": {"title": "new"}, "main": {"title": "old"}}})
    httpx_mock.add_response(json={"data": "7"})
    assert call(lambda s: s.versions.promote("v1", fields=["title"])) == "7"
    save, compare, promote = httpx_mock.get_requests()
    assert sent(save) == ("POST", "/versions/v1/save", [], {"title": "new"})
    assert sent(compare)[:2] == ("GET", "/versions/v1/compare")
    assert sent(promote) == ("POST", "/versions/v1/promote", [], {"mainHash": "h1", "fields": ["title"]})


def test_a_version_needs_a_key_and_an_id(call: Runner) -> None:
    with pytest.raises(d.QueryError, match="needs a key"):
        call(lambda s: s.versions.create("articles", 7, ""))
    with pytest.raises(d.QueryError, match="name a version"):
        call(lambda s: s.versions.compare(None))
