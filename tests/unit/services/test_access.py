"""``session.permissions``, ``session.policies``, ``session.roles`` (wire format, sync and async)."""

from __future__ import annotations

from pytest_httpx import HTTPXMock

import directus_orm as d

from ..wire import BASE, Runner, sent


def test_permissions_of_the_current_user_and_of_one_item(httpx_mock: HTTPXMock, call: Runner) -> None:
    mine = {"articles": {"read": {"access": "full", "fields": ["*"]}}}
    httpx_mock.add_response(url=f"{BASE}/permissions/me", json={"data": mine})
    httpx_mock.add_response(json={"data": {"update": {"access": True}}})
    assert call(lambda s: s.permissions.me()) == mine
    assert call(lambda s: s.permissions.item("my articles", "a/b")) == {"update": {"access": True}}
    me, item = httpx_mock.get_requests()
    assert sent(me) == ("GET", "/permissions/me", [], None)
    # Collection and key are one encoded path segment each.
    assert sent(item) == ("GET", "/permissions/me/my%20articles/a%2Fb", [], None)


def test_an_item_given_as_a_model_object_is_sent_as_its_key(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"data": {}})
    assert call(lambda s: s.permissions.item("directus_roles", d.DirectusRole(id="r1", name="x"))) == {}
    assert sent(httpx_mock.get_requests()[0])[1] == "/permissions/me/directus_roles/r1"


def test_policy_globals(httpx_mock: HTTPXMock, call: Runner) -> None:
    flags = {"app_access": True, "admin_access": False, "enforce_tfa": False}
    httpx_mock.add_response(url=f"{BASE}/policies/me/globals", json={"data": flags})
    assert call(lambda s: s.policies.globals()) == flags
    assert sent(httpx_mock.get_requests()[0]) == ("GET", "/policies/me/globals", [], None)


def test_roles_of_the_current_user_are_typed(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"data": [{"id": "r1", "name": "Editor"}, {"id": "r2", "name": "Base"}]})
    roles = call(lambda s: s.roles.me(fields=["id", "name"]))
    assert [(type(r), r.id, r.name) for r in roles] == [(d.DirectusRole, "r1", "Editor"), (d.DirectusRole, "r2", "Base")]
    assert sent(httpx_mock.get_requests()[0]) == ("GET", "/roles/me", [("fields", "id,name")], None)
