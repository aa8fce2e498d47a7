"""How calls become URLs: one encoded path segment per name or key, encoded queries (no server)."""

from __future__ import annotations

import pytest
from pytest_httpx import HTTPXMock

from directus_orm import Model, Session

from ..models_for_tests import Doc, Dotted, Slashed, Spaced
from ..wire import params, rows


@pytest.mark.parametrize(
    ("model", "raw_path"),
    [
        (Spaced, b"/items/my%20articles"),
        (Dotted, b"/items/%2E%2E"),
        # A "/" inside a collection name stays inside its one path segment (never /items/a/b).
        (Slashed, b"/items/a%2Fb"),
    ],
    ids=["space", "dots", "slash"],
)
def test_collection_names_are_one_encoded_path_segment(
    httpx_mock: HTTPXMock, session: Session, model: type[Model], raw_path: bytes
) -> None:
    httpx_mock.add_response(json=rows())
    list(model.objects.all())
    request = httpx_mock.get_requests()[0]
    assert request.url.raw_path.split(b"?")[0] == raw_path


def test_a_primary_key_can_never_change_the_route(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(method="GET", json=rows({"id": "../users", "title": "t"}), is_reusable=True)
    httpx_mock.add_response(method="DELETE", status_code=204)
    doc = Doc.objects.get(pk="../users")
    assert doc.id == "../users"
    doc.refresh_from_db()
    doc.delete()
    gets = httpx_mock.get_requests(method="GET")
    assert len(gets) == 2
    for request in gets:
        assert request.url.raw_path.split(b"?")[0] == b"/items/docs"
        assert dict(params(request))["filter"] == '{"id":{"_eq":"../users"}}'
    (delete,) = httpx_mock.get_requests(method="DELETE")
    assert delete.url.raw_path == b"/items/docs/..%2Fusers"
    for request in httpx_mock.get_requests():
        assert not request.url.path.startswith("/users")
        assert b"/users" not in request.url.raw_path


def test_a_dot_dot_key_is_encoded_so_clients_cannot_normalise_it(
    httpx_mock: HTTPXMock, session: Session
) -> None:
    httpx_mock.add_response(method="GET", json=rows({"id": "..", "title": "t"}))
    httpx_mock.add_response(method="DELETE", status_code=204)
    Doc.objects.get(pk="..").delete()
    assert httpx_mock.get_requests(method="DELETE")[0].url.raw_path == b"/items/docs/%2E%2E"


def test_raw_requests_keep_their_path_and_encode_the_query(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json={"data": {"id": 1}})
    assert session.request(
        "get", "users/me", query={"fields": ["id", "role.name"], "filter": {"id": {"_eq": 1}}}
    ) == {"data": {"id": 1}}
    request = httpx_mock.get_requests()[0]
    assert request.method == "GET"
    assert request.url.raw_path.split(b"?")[0] == b"/users/me"
    assert params(request) == [("fields", "id,role.name"), ("filter", '{"id":{"_eq":1}}')]
