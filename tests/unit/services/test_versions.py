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


class Post(d.Model, collection="posts"):
    id: int | None = None
    title: str = ""
    body: str | None = None


def _loaded_post() -> Post:
    post = Post._meta.validator("item").validate_python({"id": 7, "title": "old", "body": "b"})
    Post._meta.strip((post,))
    return post


def test_save_into_a_version_finds_or_creates_it(httpx_mock: HTTPXMock, call: Runner) -> None:
    post = _loaded_post()
    post.title = "new"
    httpx_mock.add_response(json={"data": []})                     # no version yet
    httpx_mock.add_response(json={"data": VERSION})                # created
    httpx_mock.add_response(json={"data": {"id": 7, "title": "new", "body": "b"}})
    is_async = False

    def save(s: d.Session | d.AsyncSession) -> object:
        nonlocal is_async
        is_async = isinstance(s, d.AsyncSession)
        return post.asave(version="draft") if is_async else post.save(version="draft")

    assert call(save) is True
    find, create, write = httpx_mock.get_requests()
    assert sent(find)[:2] == ("GET", "/versions")
    assert dict(sent(find)[2])["filter"] == (
        '{"_and":[{"collection":{"_eq":"posts"}},{"item":{"_eq":"7"}},{"key":{"_eq":"draft"}}]}')
    assert sent(create) == ("POST", "/versions", [],
                            {"key": "draft", "name": "draft", "collection": "posts", "item": "7"})
    assert sent(write) == ("POST", "/versions/v1/save", [], {"title": "new"})
    assert post.changed_fields == []  # nothing left to save


def test_save_into_an_existing_version_and_nothing_to_save(httpx_mock: HTTPXMock, call: Runner) -> None:
    post = _loaded_post()
    assert call(lambda s: post.asave(version="draft") if isinstance(s, d.AsyncSession)
                else post.save(version="draft")) is False   # nothing changed: no request
    post.body = "c"
    httpx_mock.add_response(json={"data": [{"id": "v9", "collection": "posts"}]})
    httpx_mock.add_response(json={"data": {"id": 7, "body": "c"}})
    call(lambda s: post.asave(version="draft") if isinstance(s, d.AsyncSession)
         else post.save(version="draft"))
    find, write = httpx_mock.get_requests()
    assert sent(find)[:2] == ("GET", "/versions")  # found: no POST /versions
    assert sent(write) == ("POST", "/versions/v9/save", [], {"body": "c"})
    new = Post(title="x")
    with pytest.raises(d.QueryError, match="save\\(\\) the item first"):
        call(lambda s: new.asave(version="draft") if isinstance(s, d.AsyncSession)
             else new.save(version="draft"))
