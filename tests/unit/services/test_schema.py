"""``session.collections``, ``fields``, ``relations`` and ``schema`` (wire format, sync and async)."""

from __future__ import annotations

from pytest_httpx import HTTPXMock

import directus_orm as d

from ..wire import BASE, Runner, sent

ARTICLES = {"collection": "articles", "meta": {"note": None}, "schema": {"name": "articles"}}
TITLE = {"collection": "articles", "field": "title", "type": "string", "meta": {}, "schema": {}}
AUTHOR = {"collection": "articles", "field": "author", "related_collection": "authors", "meta": {}, "schema": {}}


def test_collections_list_get_create_update_delete(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="GET", url=f"{BASE}/collections", json={"data": [ARTICLES]})
    httpx_mock.add_response(method="GET", json={"data": {**ARTICLES, "collection": "my articles"}})
    httpx_mock.add_response(method="POST", json={"data": ARTICLES})
    httpx_mock.add_response(method="POST", status_code=204)
    httpx_mock.add_response(method="PATCH", json={"data": ARTICLES})
    httpx_mock.add_response(method="DELETE", status_code=204)
    (listed,) = call(lambda s: s.collections.list())
    assert isinstance(listed, d.DirectusCollection) and listed.collection == "articles"
    assert call(lambda s: s.collections.get("my articles")).collection == "my articles"
    created = call(lambda s: s.collections.create(
        "articles", [{"field": "title", "type": "string"}, {"field": "tags", "type": "alias"}]))
    assert created is not None and created.collection == "articles"
    assert call(lambda s: s.collections.create("shelf", folder=True)) is None
    call(lambda s: s.collections.update("articles", {"note": "n"}))
    call(lambda s: s.collections.delete("articles"))
    assert [sent(r) for r in httpx_mock.get_requests()] == [
        ("GET", "/collections", [], None),
        ("GET", "/collections/my%20articles", [], None),
        # Fields get an empty meta (SQLite needs one), alias fields excepted; a table is {}.
        ("POST", "/collections", [], {
            "collection": "articles", "meta": {}, "schema": {},
            "fields": [{"field": "title", "type": "string", "meta": {}}, {"field": "tags", "type": "alias"}]}),
        # A folder has no table.
        ("POST", "/collections", [], {"collection": "shelf", "meta": {}, "schema": None}),
        ("PATCH", "/collections/articles", [], {"meta": {"note": "n"}}),
        ("DELETE", "/collections/articles", [], None),
    ]


def test_fields_list_get_create_update_delete(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="GET", json={"data": [TITLE]}, is_reusable=True)
    httpx_mock.add_response(method="GET", url=f"{BASE}/fields/articles/title", json={"data": TITLE})
    httpx_mock.add_response(method="POST", json={"data": TITLE}, is_reusable=True)
    httpx_mock.add_response(method="PATCH", json={"data": TITLE})
    httpx_mock.add_response(method="DELETE", status_code=204)
    assert [f.field for f in call(lambda s: s.fields.list())] == ["title"]
    assert [f.field for f in call(lambda s: s.fields.list("articles"))] == ["title"]
    field = call(lambda s: s.fields.get("articles", "title"))
    assert isinstance(field, d.DirectusField) and field.type == "string"
    call(lambda s: s.fields.create("articles", "views", "integer", schema={"default_value": 0}))
    call(lambda s: s.fields.create("articles", "tags", "alias", meta={"special": ["m2m"]}))
    call(lambda s: s.fields.update("articles", "views", meta={"note": "n"}))
    call(lambda s: s.fields.delete("articles", "views"))
    assert [sent(r) for r in httpx_mock.get_requests()] == [
        ("GET", "/fields", [], None),
        ("GET", "/fields/articles", [], None),
        ("GET", "/fields/articles/title", [], None),
        ("POST", "/fields/articles", [], {"field": "views", "type": "integer", "meta": {},
                                          "schema": {"default_value": 0}}),
        # An alias field has no column: schema null.
        ("POST", "/fields/articles", [], {"field": "tags", "type": "alias", "meta": {"special": ["m2m"]},
                                          "schema": None}),
        # Only what is given is sent.
        ("PATCH", "/fields/articles/views", [], {"meta": {"note": "n"}}),
        ("DELETE", "/fields/articles/views", [], None),
    ]


def test_relations_list_get_create_update_delete(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(method="GET", json={"data": [AUTHOR]}, is_reusable=True)
    httpx_mock.add_response(method="GET", url=f"{BASE}/relations/articles/author", json={"data": AUTHOR},
                            is_reusable=True)
    httpx_mock.add_response(method="POST", json={"data": AUTHOR})
    httpx_mock.add_response(method="PATCH", status_code=204)
    httpx_mock.add_response(method="DELETE", status_code=204)
    assert [r.related_collection for r in call(lambda s: s.relations.list("articles"))] == ["authors"]
    assert call(lambda s: s.relations.get("articles", "author")).field == "author"
    created = call(lambda s: s.relations.create("articles", "author", "authors",
                                                 meta={"one_field": "articles"}))
    assert isinstance(created, d.DirectusRelation)
    assert call(lambda s: s.relations.update("articles", "author", schema={"on_delete": "CASCADE"})) is None
    call(lambda s: s.relations.delete("articles", "author"))
    assert [sent(r) for r in httpx_mock.get_requests()] == [
        ("GET", "/relations/articles", [], None),
        ("GET", "/relations/articles/author", [], None),
        ("POST", "/relations", [], {"collection": "articles", "field": "author",
                                    "related_collection": "authors", "meta": {"one_field": "articles"}}),
        # Directus 11 needs the relation's keys in the body (its process dies without them):
        # the stored relation is read first.
        ("GET", "/relations/articles/author", [], None),
        ("PATCH", "/relations/articles/author", [], {"schema": {"on_delete": "CASCADE"},
                                                     "collection": "articles", "field": "author",
                                                     "related_collection": "authors"}),
        ("DELETE", "/relations/articles/author", [], None),
    ]


def test_schema_snapshot_diff_and_apply(httpx_mock: HTTPXMock, call: Runner) -> None:
    snapshot = {"version": 1, "directus": "12.4.0", "collections": [], "fields": [], "relations": []}
    diff = {"hash": "h", "diff": {"collections": [], "fields": [], "relations": []}}
    httpx_mock.add_response(method="GET", url=f"{BASE}/schema/snapshot", json={"data": snapshot})
    httpx_mock.add_response(method="GET", url=f"{BASE}/server/info", json={"data": {"version": "12.4.0"}})
    httpx_mock.add_response(method="POST", url=f"{BASE}/schema/diff?force=true&mode=merge", json={"data": diff})
    httpx_mock.add_response(method="POST", url=f"{BASE}/schema/diff", status_code=204)
    httpx_mock.add_response(method="POST", url=f"{BASE}/schema/apply?force=true", status_code=204)
    assert call(lambda s: s.schema.snapshot()) == snapshot
    assert call(lambda s: s.schema.diff(snapshot, force=True, mode="merge")) == diff
    assert call(lambda s: s.schema.diff(snapshot)) is None  # 204: nothing to change
    call(lambda s: s.schema.apply(diff, force=True))
    assert [sent(r) for r in httpx_mock.get_requests()] == [
        ("GET", "/schema/snapshot", [], None),
        ("GET", "/server/info", [], None),  # the modes need 12.2: the version is read once
        ("POST", "/schema/diff", [("force", "true"), ("mode", "merge")], snapshot),
        ("POST", "/schema/diff", [], snapshot),
        ("POST", "/schema/apply", [("force", "true")], diff),
    ]
