"""The wire format of QuerySet writes that read first or batch: ``update_or_create`` and
``bulk_update`` with their async twins ``aupdate_or_create`` and ``abulk_update``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d
from directus_orm import AsyncSession

from ..models_for_tests import PlainArticle as Article
from ..wire import Runner, rows, sent


def twin(s: Any, terminal: str, *args: Any, **kwargs: Any) -> Any:
    """``Article.objects.<terminal>(...)`` on a Session, its ``a``-twin on an AsyncSession."""
    name = "a" + terminal if isinstance(s, AsyncSession) else terminal
    return getattr(Article.objects, name)(*args, **kwargs)


def loaded(*items: dict[str, Any]) -> list[Article]:
    """Articles as a QuerySet loads them (with the snapshot their changes are computed from)."""
    body = json.dumps({"data": list(items)}).encode()
    objs: list[Article] = Article._meta.validator("list").validate_json(body)["data"]
    Article._meta.strip(objs, body)
    return objs


def test_update_or_create_of_a_match_patches_only_what_changed(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="GET", json=rows({"id": 4, "title": "old", "published": True, "views": 3}))
    httpx_mock.add_response(method="PATCH", json={"data": {"id": 4, "title": "new", "published": True, "views": 3}})
    obj, created = call(lambda s: twin(s, "update_or_create", views=3, defaults={"title": "new", "published": True}))
    assert created is False
    assert isinstance(obj, Article) and (obj.id, obj.title, obj.published) == (4, "new", True)
    assert obj.changed_fields == []
    read, patch = httpx_mock.get_requests()
    assert sent(read)[:2] == ("GET", "/items/articles")
    assert (json.loads(dict(sent(read)[2])["filter"]), dict(sent(read)[2])["limit"]) == ({"views": {"_eq": 3}}, "2")
    # published was already True: only the title is sent.
    assert sent(patch) == ("PATCH", "/items/articles/4", [], {"title": "new"})


def test_update_or_create_without_a_match_creates_from_lookups_and_defaults(
    httpx_mock: HTTPXMock, call: Runner
) -> None:
    httpx_mock.add_response(method="GET", json=rows())
    httpx_mock.add_response(method="POST", json={"data": {"id": 9, "title": "new", "published": False, "views": 3}})
    obj, created = call(lambda s: twin(s, "update_or_create", views=3, defaults={"title": "new"}))
    assert created is True and (obj.id, obj.title, obj.views) == (9, "new", 3)
    _, post = httpx_mock.get_requests()
    # A new object: every field with a value, defaults included, as save() sends it.
    assert sent(post) == ("POST", "/items/articles", [], {"title": "new", "published": False, "views": 3})


def test_update_or_create_with_two_matches_raises_and_writes_nothing(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="GET", json=rows({"id": 1, "title": "a"}, {"id": 2, "title": "b"}))
    with pytest.raises(Article.MultipleObjectsReturned):
        call(lambda s: twin(s, "update_or_create", views=3, defaults={"title": "new"}))
    assert [r.method for r in httpx_mock.get_requests()] == ["GET"]


def test_bulk_update_sends_the_named_fields_in_batches(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="PATCH", json={"data": []}, is_reusable=True)
    notes = loaded(*({"id": i, "title": f"t{i}", "views": 0} for i in (1, 2, 3)))
    for obj in notes:
        obj.views = 10 * (obj.id or 0)
        obj.title = "not sent"
    seen: list[tuple[int, int]] = []
    count = call(lambda s: twin(s, "bulk_update", notes, ["views"], batch_size=2,
                                on_progress=lambda done, total: seen.append((done, total))))
    assert count == 3
    # Only the keys come back (fields=id): the objects already hold what was written.
    assert [sent(r) for r in httpx_mock.get_requests()] == [
        ("PATCH", "/items/articles", [("fields", "id")], [{"id": 1, "views": 10}, {"id": 2, "views": 20}]),
        ("PATCH", "/items/articles", [("fields", "id")], [{"id": 3, "views": 30}]),
    ]
    assert seen == [(2, 3), (3, 3)]
    # What was written is no longer a change; the field not named still is.
    assert [obj.changed_fields for obj in notes] == [["title"]] * 3


def test_bulk_update_translates_python_names_to_api_names(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="PATCH", json={"data": []})
    (obj,) = loaded({"id": 1, "title": "t", "sub-title": "old"})
    obj.sub_title = "new"
    assert call(lambda s: twin(s, "bulk_update", [obj], ["sub_title"])) == 1
    assert sent(httpx_mock.get_requests()[0])[3] == [{"id": 1, "sub-title": "new"}]


def test_bulk_update_refuses_bad_input_before_any_request(httpx_mock: HTTPXMock, call: Runner) -> None:
    (obj,) = loaded({"id": 1, "title": "t"})
    with pytest.raises(d.QueryError, match="needs the names"):
        call(lambda s: twin(s, "bulk_update", [obj], []))
    with pytest.raises(d.FieldError):
        call(lambda s: twin(s, "bulk_update", [obj], ["nope"]))
    assert httpx_mock.get_requests() == []
