"""``session.server``: ping, info, health, specs (wire format, sync and async)."""

from __future__ import annotations

from pytest_httpx import HTTPXMock

from ..wire import BASE, Runner, sent


def test_ping_sends_no_token_and_returns_the_text(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(url=f"{BASE}/server/ping", text="pong")
    assert call(lambda s: s.server.ping()) == "pong"
    (request,) = httpx_mock.get_requests()
    assert sent(request) == ("GET", "/server/ping", [], None)
    assert "Authorization" not in request.headers


def test_info_and_health(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(url=f"{BASE}/server/info", json={"data": {"project": {"project_name": "P"}}})
    httpx_mock.add_response(url=f"{BASE}/server/health", json={"status": "ok"})
    assert call(lambda s: s.server.info()) == {"project": {"project_name": "P"}}
    assert call(lambda s: s.server.health()) == {"status": "ok"}
    info, health = httpx_mock.get_requests()
    assert sent(info) == ("GET", "/server/info", [], None)
    assert sent(health) == ("GET", "/server/health", [], None)
    assert info.headers["Authorization"] == health.headers["Authorization"] == "Bearer t"


def test_specs_take_the_document_with_or_without_an_envelope(httpx_mock: HTTPXMock, call: Runner) -> None:
    document = {"openapi": "3.0.1", "paths": {}}
    httpx_mock.add_response(url=f"{BASE}/server/specs/oas", json=document)
    httpx_mock.add_response(url=f"{BASE}/server/specs/oas", json={"data": {"paths": {}}})
    assert call(lambda s: s.server.specs()) == document
    assert call(lambda s: s.server.specs_oas()) == {"paths": {}}
    assert [sent(r)[:2] for r in httpx_mock.get_requests()] == [("GET", "/server/specs/oas")] * 2


def test_graphql_specs_of_items_and_system(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(url=f"{BASE}/server/specs/graphql", text="type Query")
    httpx_mock.add_response(url=f"{BASE}/server/specs/graphql/system", text="type SystemQuery")
    assert call(lambda s: s.server.specs_graphql()) == "type Query"
    assert call(lambda s: s.server.specs_graphql("system")) == "type SystemQuery"
