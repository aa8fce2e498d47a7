"""The SDK-style items handler against a real Directus, and path-injection attempts."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

import directus_orm as d
from directus_orm import Model, Session

from . import schema as f
from .schema import Schema


class Thing(Model, collection="t4_things"):
    id: int | None = None
    name: str
    size: int | None = None


@pytest.fixture(scope="module")
def things(module_session) -> Iterator[str]:
    builder = Schema(module_session)
    builder.collection("t4_things", [f.string("name", nullable=False), f.integer("size")])
    builder.collection("t4_config", [f.string("theme")], singleton=True)
    builder.collection("t4_keys", [f.pk_string("slug"), f.string("label")])
    try:
        yield "t4_things"
    finally:
        builder.drop()


@pytest.fixture
def items(session, things):
    handler = session.items("t4_things")
    handler.delete_by_query({"filter": {"id": {"_gte": 0}}})
    return handler


@pytest.mark.smoke
def test_every_items_method(session, items):
    one = items.create_one({"name": "a", "size": 1})
    assert one.data["name"] == "a" and one.data["id"]
    many = items.create_many([{"name": f"m{i}", "size": i} for i in range(150)])
    assert len(many.data) == 150

    assert items.read_one(one.data["id"]).data["size"] == 1
    with pytest.raises(d.Forbidden):  # Directus has no 404 for items
        items.read_one(10**9)
    everything = items.read_many()
    assert len(everything.data) == 151  # not the server's default 100
    counted = items.read_many({"filter": {"size": {"_lt": 10}}, "meta": "filter_count", "limit": 3})
    assert len(counted.data) == 3 and counted.meta["filter_count"] == 11
    searched = items.read_by_query({"filter": {"name": {"_in": [f"m{i}" for i in range(120)]}}})
    assert len(searched.data) == 120

    assert items.update_one(one.data["id"], {"size": 5}).data["size"] == 5
    keys = [row["id"] for row in many.data[:3]]
    assert {row["size"] for row in items.update_many(keys, {"size": 42}).data} == {42}
    by_query = items.update_by_query({"filter": {"name": {"_starts_with": "m"}}}, {"size": 7})
    assert len(by_query.data) == 150  # every match, not the first 100
    batch = items.update_batch([{"id": keys[0], "name": "x"}, {"id": keys[1], "name": "y"}])
    assert sorted(row["name"] for row in batch.data) == ["x", "y"]

    items.delete_one(one.data["id"])
    items.delete_many(keys)
    assert len(items.read_many().data) == 147
    items.delete_by_query({"filter": {"size": {"_eq": 7}}})
    assert items.read_many().data == []


def test_typed_results(session, things):
    typed = session.items("t4_things", Thing)
    created = typed.create_one({"name": "typed", "size": 3})
    assert isinstance(created.data, Thing) and created.data.size == 3
    listed = typed.read_many({"filter": {"name": {"_eq": "typed"}}})
    assert all(isinstance(t, Thing) for t in listed.data) and listed.data
    partial = typed.read_one(created.data.id, {"fields": ["id"]}).data
    assert partial is not None
    with pytest.raises(d.FieldNotLoaded):
        _ = partial.name


def test_singleton_handler(session, things):
    config = session.singleton("t4_config")
    assert config.update({"theme": "dark"}).data["theme"] == "dark"
    assert config.read().data["theme"] == "dark"


async def test_async_items(asession, things):
    handler = asession.items("t4_things", Thing)
    created = await handler.create_one({"name": "async", "size": 9})
    assert isinstance(created.data, Thing)
    assert (await handler.read_one(created.data.id)).data.name == "async"
    await handler.update_one(created.data.id, {"size": 10})
    rows = (await handler.read_many({"filter": {"name": {"_eq": "async"}}})).data
    assert [t.size for t in rows] == [10]
    await handler.delete_one(created.data.id)
    config = asession.singleton("t4_config")
    assert (await config.update({"theme": "light"})).data["theme"] == "light"


def test_path_injection_is_encoded(directus_server, admin_token, things):
    seen: list[str] = []

    class Spy(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request.url.raw_path.decode())
            return super().handle_request(request)

    with Session(directus_server.url, static_token=admin_token, transport=Spy()) as s:
        keyed = s.items("t4_keys")
        created = keyed.create_one({"slug": "../users", "label": "tricky"})
        assert created.data["slug"] == "../users"
        assert keyed.read_one("../users").data["label"] == "tricky"
        for evil in ["..", "../users", "../../server/info", "a/b", "?x=1", "%2e%2e"]:
            with pytest.raises(d.Forbidden):
                s.items("t4_things").read_one(evil)
        with pytest.raises(d.Forbidden):
            s.items("../users").read_many()
    assert all(not p.startswith("/users") and not p.startswith("/server") for p in seen)
    assert "/items/t4_keys/..%2Fusers" in seen
    assert "/items/t4_things/%2E%2E" in seen
