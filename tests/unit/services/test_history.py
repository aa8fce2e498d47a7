"""``session.comments``, ``activity``, ``revisions``, ``presets`` (wire format, sync and async)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d

from ..wire import Runner, rows, sent


def query(request: Any) -> dict[str, Any]:
    """The request's parameters, JSON ones decoded."""
    return {k: json.loads(v) if k == "filter" else v for k, v in sent(request)[2]}


def test_comments_create_list_update_delete(httpx_mock: HTTPXMock, call: Runner) -> None:
    comment = {"id": "c3", "collection": "articles", "item": "5", "comment": "hi"}
    httpx_mock.add_response(method="POST", json={"data": comment})
    httpx_mock.add_response(method="GET", json=rows(comment))
    httpx_mock.add_response(method="PATCH", json={"data": {**comment, "comment": "edited"}})
    httpx_mock.add_response(method="DELETE", status_code=204, is_reusable=True)
    created = call(lambda s: s.comments.create("articles", 5, "hi"))
    assert isinstance(created, d.DirectusComment) and created.item == "5"
    assert [c.id for c in call(lambda s: s.comments.list("articles", 5))] == ["c3"]
    assert call(lambda s: s.comments.update(created, "edited")).comment == "edited"
    call(lambda s: s.comments.delete("c3"))
    call(lambda s: s.comments.delete(["c3", created]))
    create, listing, update, delete_one, delete_many = httpx_mock.get_requests()
    # The item key is stored as a string.
    assert sent(create) == ("POST", "/comments", [], {"collection": "articles", "item": "5", "comment": "hi"})
    assert sent(listing)[:2] == ("GET", "/comments")
    assert query(listing)["filter"] == {"_and": [{"collection": {"_eq": "articles"}}, {"item": {"_eq": "5"}}]}
    assert query(listing)["sort"] == "date_created"
    assert sent(update) == ("PATCH", "/comments/c3", [], {"comment": "edited"})
    assert sent(delete_one) == ("DELETE", "/comments/c3", [], None)
    assert sent(delete_many) == ("DELETE", "/comments", [], ["c3", "c3"])


def test_activity_list_and_get(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json=rows({"id": 9, "action": "create", "collection": "articles", "item": "1"}))
    httpx_mock.add_response(json=rows({"id": 7, "action": "update"}))
    (entry,) = call(lambda s: s.activity.list("articles", action="create", user=d.DirectusUser(id="u1"), limit=5))
    assert isinstance(entry, d.DirectusActivity) and entry.id == 9
    assert call(lambda s: s.activity.get(7)).action == "update"
    listing, get = httpx_mock.get_requests()
    assert sent(listing)[:2] == ("GET", "/activity")
    assert query(listing)["filter"] == {"_and": [
        {"action": {"_eq": "create"}}, {"user": {"_eq": "u1"}}, {"collection": {"_eq": "articles"}}]}
    assert (query(listing)["sort"], query(listing)["limit"]) == ("-id", "5")
    assert sent(get)[:2] == ("GET", "/activity")
    assert (query(get)["filter"], query(get)["limit"]) == ({"id": {"_eq": 7}}, "2")


def test_a_missing_activity_entry_is_does_not_exist(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json=rows())
    with pytest.raises(d.DirectusActivity.DoesNotExist):
        call(lambda s: s.activity.get(1))


def test_revisions_list_and_revert(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="GET", json=rows({"id": 4, "collection": "articles", "item": "1"}))
    httpx_mock.add_response(method="POST", status_code=204)
    (revision,) = call(lambda s: s.revisions.list("articles", 1, limit=None))
    assert isinstance(revision, d.DirectusRevision)
    call(lambda s: s.revisions.revert(revision))
    listing, revert = httpx_mock.get_requests()
    assert sent(listing)[:2] == ("GET", "/revisions")
    assert query(listing)["filter"] == {"_and": [{"collection": {"_eq": "articles"}}, {"item": {"_eq": "1"}}]}
    assert query(listing)["sort"] == "-id"
    assert sent(revert) == ("POST", "/utils/revert/4", [], None)


def test_presets_create_list_update_delete(httpx_mock: HTTPXMock, call: Runner) -> None:
    preset = {"id": 2, "collection": "articles", "bookmark": "Mine"}
    httpx_mock.add_response(method="POST", json={"data": preset})
    httpx_mock.add_response(method="GET", json=rows(preset))
    httpx_mock.add_response(method="PATCH", status_code=204)
    httpx_mock.add_response(method="DELETE", status_code=204)
    created = call(lambda s: s.presets.create(collection="articles", bookmark="Mine", user=None))
    assert isinstance(created, d.DirectusPreset) and created.id == 2
    assert [p.bookmark for p in call(lambda s: s.presets.list("articles"))] == ["Mine"]
    assert call(lambda s: s.presets.update(2, bookmark="Ours")) is None
    call(lambda s: s.presets.delete(created))
    create, listing, update, delete = httpx_mock.get_requests()
    assert sent(create) == ("POST", "/presets", [], {"collection": "articles", "bookmark": "Mine", "user": None})
    assert sent(listing)[:2] == ("GET", "/presets")
    assert (query(listing)["filter"], query(listing)["sort"]) == ({"collection": {"_eq": "articles"}}, "id")
    assert sent(update) == ("PATCH", "/presets/2", [], {"bookmark": "Ours"})
    assert sent(delete) == ("DELETE", "/presets/2", [], None)
