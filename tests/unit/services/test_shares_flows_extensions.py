"""``session.shares``, ``session.flows``, ``session.extensions`` and ``session.utils.import_items``:
the wire format, sync and async."""

from __future__ import annotations

from pytest_httpx import HTTPXMock

import directus_orm as d

from ..wire import BASE, Runner, sent


def test_share_create_info_auth(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"data": {"id": "s1", "collection": "articles", "item": "7",
                                           "password": "**********", "max_uses": 2}})
    share = call(lambda s: s.shares.create("articles", 7, password="pw", max_uses=2))
    assert isinstance(share, d.DirectusShare) and share.id == "s1"
    httpx_mock.add_response(json={"data": {"id": "s1", "collection": "articles", "item": "7"}})
    assert call(lambda s: s.shares.info("s1")).item == "7"
    httpx_mock.add_response(json={"data": {"access_token": "AT", "refresh_token": "RT", "expires": 900000}})
    token = call(lambda s: s.shares.auth(share, "pw"))
    assert token.access_token == "AT" and "AT" not in repr(token) and "RT" not in repr(token)
    create, info, auth = httpx_mock.get_requests()
    assert sent(create) == ("POST", "/shares", [],
                            {"collection": "articles", "item": "7", "password": "pw", "max_uses": 2})
    assert sent(info)[:2] == ("GET", "/shares/info/s1") and "Authorization" not in info.headers
    assert sent(auth) == ("POST", "/shares/auth", [], {"share": "s1", "password": "pw"})
    assert "Authorization" not in auth.headers


def test_flow_trigger_returns_the_answer_as_is(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"got": 1})
    httpx_mock.add_response(json={"got": None})
    assert call(lambda s: s.flows.trigger("f1", {"n": 1})) == {"got": 1}
    assert call(lambda s: s.flows.trigger("f1", method="GET", query={"a": "b"})) == {"got": None}
    post, get = httpx_mock.get_requests()
    assert sent(post) == ("POST", "/flows/trigger/f1", [], {"n": 1})
    assert sent(get) == ("GET", "/flows/trigger/f1", [("a", "b")], None)


def test_extensions_list(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"data": [{"id": "e1", "bundle": None,
                                            "schema": {"type": "interface", "name": "x", "version": "1.0.0"},
                                            "meta": {"enabled": True}}]})
    (ext,) = call(lambda s: s.extensions.list())
    assert (ext.id, ext.name, ext.type, ext.version, ext.enabled) == ("e1", "x", "interface", "1.0.0", True)
    assert sent(httpx_mock.get_requests()[0])[:2] == ("GET", "/extensions")


def test_import_items_as_json(httpx_mock: HTTPXMock, call: Runner) -> None:
    # /utils/import came with Directus 12.2: the version is read once first.
    httpx_mock.add_response(method="GET", url=f"{BASE}/server/info", json={"data": {"version": "12.4.0"}})
    httpx_mock.add_response(method="POST", json={"data": {"applied": False, "mode": "merge", "collections": {
        "tags": {"existing": [1], "new": [], "deleted": [], "mapped": {}}}}})
    result = call(lambda s: s.utils.import_items({"tags": [{"id": 1, "label": "go"}]}, mode="merge",
                                                 dry_run=True))
    assert result == d.ImportResult(False, "merge", {"tags": d.ImportedCollection(existing=[1])})
    assert sent(httpx_mock.get_requests()[1]) == (
        "POST", "/utils/import", [("mode", "merge"), ("dryRun", "true")],
        [{"collection": "tags", "items": [{"id": 1, "label": "go"}]}])
