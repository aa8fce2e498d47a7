"""The rows of docs/sdk-mapping.md, run against a real Directus 12.4.

Every system collection the mapping sends to the model CRUD pattern goes through the
SDK's commands one by one (create, createMany, read many / one, update one / many /
batch, delete one / many), sync and async. The rows that point at
``session.request(...)`` or at schema and singleton models run as written. The
services (``session.users``, ``session.files``, ...) have their own tests in
test_services.py, test_auth.py and test_items.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import directus_orm as d
from directus_orm import Model, Session

from .schema import unique

TAG = uuid.uuid4().hex[:6]


@dataclass
class Ctx:
    """What some models point at: a versioned collection with an item, policies, ..."""

    collection: str
    item: str
    user: str
    role: str
    policies: list[str]
    dashboard: str
    flow: str


@pytest.fixture(scope="module")
def ctx(module_session: Session) -> Iterator[Ctx]:
    s = module_session
    name = unique("map_items")
    s.request("POST", "/collections", json={
        "collection": name, "meta": {"versioning": True}, "schema": {},
        "fields": [{"field": "id", "type": "integer", "meta": {"hidden": True},
                    "schema": {"is_primary_key": True, "has_auto_increment": True}},
                   {"field": "title", "type": "string", "meta": {}, "schema": {}}]})
    made: list[tuple[str, str]] = []
    try:
        item = s.request("POST", f"/items/{name}", json={"title": "x"})["data"]["id"]
        user = s.request("GET", "/users/me", query={"fields": ["id"]})["data"]["id"]
        role = s.request("POST", "/roles", json={"name": f"map role {TAG}"})["data"]["id"]
        made.append(("roles", role))
        policies = []
        for i in range(3):
            policy = s.request("POST", "/policies", json={
                "name": f"map policy {TAG} {i}", "app_access": False, "admin_access": False,
            })["data"]["id"]
            policies.append(policy)
            made.append(("policies", policy))
        dashboard = s.request("POST", "/dashboards", json={"name": f"map {TAG}"})["data"]["id"]
        made.append(("dashboards", dashboard))
        flow = s.request("POST", "/flows", json={
            "name": f"map flow {TAG}", "status": "active", "trigger": "webhook",
            "accountability": "all", "options": {"method": "POST", "async": False},
        })["data"]["id"]
        made.append(("flows", flow))
        yield Ctx(name, str(item), user, role, policies, dashboard, flow)
    finally:
        for endpoint, key in reversed(made):
            try:
                s.request("DELETE", f"/{endpoint}/{key}")
            except d.DirectusError:
                pass
        s.request("DELETE", f"/collections/{name}")


@dataclass
class Spec:
    """How to make rows of one model and which field an update changes."""

    model: type[Model]
    make: Callable[[Ctx, int], dict[str, Any]]
    field: str
    value: Callable[[int], Any] = field(default=lambda i: f"v{i}")

    def __str__(self) -> str:
        return self.model.__name__


SPECS = [
    Spec(d.DirectusFolder, lambda c, i: {"name": f"map {TAG} {i}"}, "name"),
    Spec(d.DirectusRole, lambda c, i: {"name": f"map {TAG} {i}"}, "description"),
    Spec(d.DirectusPolicy, lambda c, i: {"name": f"map {TAG} {i}", "app_access": False,
                                         "admin_access": False}, "description"),
    Spec(d.DirectusPermission, lambda c, i: {"policy": c.policies[0], "collection": "directus_files",
                                             "action": ("read", "create", "update")[i % 3],
                                             "fields": ["*"]},
         "collection", lambda i: ("directus_folders", "directus_files")[i % 2]),
    Spec(d.DirectusAccess, lambda c, i: {"role": c.role, "policy": c.policies[i % 3]}, "sort",
         lambda i: i),
    Spec(d.DirectusUser, lambda c, i: {"email": f"map-{TAG}-{uuid.uuid4().hex[:6]}@example.com"},
         "first_name"),
    Spec(d.DirectusComment, lambda c, i: {"collection": c.collection, "item": c.item,
                                          "comment": f"c{i}"}, "comment"),
    Spec(d.DirectusPreset, lambda c, i: {"collection": c.collection, "bookmark": f"b{i}",
                                         "user": c.user}, "bookmark"),
    Spec(d.DirectusTranslation, lambda c, i: {"language": "en-US", "value": "hi",
                                              "key": f"map_{TAG}_{uuid.uuid4().hex[:6]}"}, "value"),
    Spec(d.DirectusDashboard, lambda c, i: {"name": f"map {TAG} {i}"}, "name"),
    Spec(d.DirectusPanel, lambda c, i: {"dashboard": c.dashboard, "type": "label", "position_x": 1,
                                        "position_y": 1 + 5 * i, "width": 6, "height": 4,
                                        "show_header": False, "options": {"text": "hi"}},
         "width", lambda i: 2 + i),
    Spec(d.DirectusFlow, lambda c, i: {"name": f"map {TAG} {i}", "status": "inactive",
                                       "trigger": "manual", "accountability": "all",
                                       "options": {"collections": []}}, "name"),
    Spec(d.DirectusOperation, lambda c, i: {"flow": c.flow, "type": "log", "position_x": 19,
                                            "position_y": 1 + 18 * i,
                                            "key": f"op_{uuid.uuid4().hex[:6]}",
                                            "options": {"message": "hi"}}, "name"),
    Spec(d.DirectusNotification, lambda c, i: {"recipient": c.user, "subject": f"s{i}",
                                               "collection": c.collection, "item": c.item},
         "status", lambda i: ("archived", "inbox")[i % 2]),
    Spec(d.DirectusShare, lambda c, i: {"name": f"map {i}", "collection": c.collection,
                                        "item": c.item}, "name"),
    Spec(d.DirectusVersion, lambda c, i: {"key": f"v{uuid.uuid4().hex[:6]}", "name": f"v{i}",
                                          "collection": c.collection, "item": c.item}, "name"),
]


def _check(model: type[Model], keys: list[Any], name: str, expected: dict[Any, Any]) -> None:
    got = {obj.pk: getattr(obj, name) for obj in model.objects.filter(pk__in=keys)}
    assert got == expected


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_model_rows(session, ctx, spec: Spec):
    model, name, value = spec.model, spec.field, spec.value
    first = model.objects.create(**spec.make(ctx, 0))                      # createX
    more = model.objects.bulk_create([model(**spec.make(ctx, i)) for i in (1, 2)])  # createXs
    keys = [first.pk, *(o.pk for o in more)]
    try:
        assert all(k is not None for k in keys) and len(set(keys)) == 3
        qs = model.objects.filter(pk__in=keys)                             # readXs
        assert sorted(map(str, (o.pk for o in qs))) == sorted(map(str, keys))
        assert qs.count() == 3 and qs.exists()
        page = qs.order_by(model._meta.primary_key).page(1, size=2)
        assert len(page) == 2 and page.filter_count == 3 and page.has_next
        assert len(list(qs.iterator(chunk_size=2))) == 3
        got = model.objects.get(pk=first.pk)                               # readX
        assert got.pk == first.pk

        setattr(got, name, value(10))                                      # updateX
        got.save()
        assert getattr(model.objects.get(pk=first.pk), name) == value(10)
        assert model.objects.filter(pk=first.pk).update(**{name: value(11)}) == 1
        assert model.objects.filter(pk__in=keys[1:]).update(**{name: value(12)}) == 2  # updateXs
        _check(model, keys, name, {keys[0]: value(11), keys[1]: value(12), keys[2]: value(12)})
        batch = list(model.objects.filter(pk__in=keys).order_by(model._meta.primary_key))
        for i, obj in enumerate(batch):
            setattr(obj, name, value(20 + i))
        assert model.objects.bulk_update(batch, [name]) == 3               # updateXsBatch
        _check(model, keys, name, {o.pk: value(20 + i) for i, o in enumerate(batch)})

        model.objects.get(pk=keys[0]).delete()                             # deleteX
        assert model.objects.filter(pk=keys[1]).delete() == 1
        assert model.objects.filter(pk__in=keys).delete() == 1              # deleteXs
        assert not model.objects.filter(pk__in=keys).exists()
    finally:
        model.objects.filter(pk__in=[k for k in keys if k is not None]).delete()


@pytest.mark.anyio
@pytest.mark.parametrize("spec", SPECS, ids=str)
async def test_model_rows_async(asession, ctx, spec: Spec):
    model, name, value = spec.model, spec.field, spec.value
    first = await model.objects.acreate(**spec.make(ctx, 0))
    more = await model.objects.abulk_create([model(**spec.make(ctx, i)) for i in (1, 2)])
    keys = [first.pk, *(o.pk for o in more)]
    try:
        qs = model.objects.filter(pk__in=keys)
        assert len(await qs.alist()) == 3 and await qs.acount() == 3
        assert len([o async for o in qs]) == 3
        assert len(await qs.order_by(model._meta.primary_key).apage(1, size=2)) == 2
        assert len([o async for o in qs.aiterator(chunk_size=2)]) == 3
        got = await model.objects.aget(pk=first.pk)
        setattr(got, name, value(10))
        await got.asave()
        assert getattr(await model.objects.aget(pk=first.pk), name) == value(10)
        assert await model.objects.filter(pk__in=keys[1:]).aupdate(**{name: value(12)}) == 2
        batch = await model.objects.filter(pk__in=keys).alist()
        for i, obj in enumerate(batch):
            setattr(obj, name, value(20 + i))
        assert await model.objects.abulk_update(batch, [name]) == 3
        fresh = {o.pk: getattr(o, name)
                 for o in await model.objects.filter(pk__in=keys).alist()}
        assert fresh == {o.pk: value(20 + i) for i, o in enumerate(batch)}
        await (await model.objects.aget(pk=keys[0])).adelete()
        assert await model.objects.filter(pk__in=keys).adelete() == 2
        assert not await model.objects.filter(pk__in=keys).aexists()
    finally:
        await model.objects.filter(pk__in=[k for k in keys if k is not None]).adelete()


def test_file_rows(session):
    """Files are created by upload (uploadFiles); the other file rows are the model's."""
    uploaded = [session.files.upload(f"file {i}".encode(), filename=f"map-{TAG}-{i}.txt")
                for i in range(3)]
    keys = [f.id for f in uploaded if f is not None]
    assert len(keys) == 3
    try:
        qs = d.DirectusFile.objects.filter(pk__in=keys)
        assert qs.count() == 3
        one = d.DirectusFile.objects.get(pk=keys[0])
        one.title = "renamed"
        one.save()
        assert d.DirectusFile.objects.filter(pk=keys[0]).update(description="d") == 1
        assert qs.update(title="all") == 3
        objs = list(qs)
        for obj in objs:
            obj.description = f"batch {obj.id}"
        assert d.DirectusFile.objects.bulk_update(objs, ["description"]) == 3
        assert {f.description for f in qs} == {f"batch {k}" for k in keys}
        assert session.files.download(keys[0]) == b"file 0"
        d.DirectusFile.objects.get(pk=keys[0]).delete()
        assert d.DirectusFile.objects.filter(pk=keys[1]).delete() == 1
        assert qs.delete() == 1
    finally:
        d.DirectusFile.objects.filter(pk__in=keys).delete()


# ------------------------------------------------ schema and singleton models


def test_collection_field_relation_model_rows(session, directus_server):
    name = unique("map_schema")
    session.collections.create(name, fields=[
        {"field": "id", "type": "integer", "schema": {"is_primary_key": True,
                                                      "has_auto_increment": True}},
        {"field": "title", "type": "string", "schema": {}}])
    try:
        # updateCollectionsBatch: one PATCH per collection.
        assert d.DirectusCollection.objects.filter(collection=name).update(
            meta={"note": "from the mapping"}) == 1
        got = d.DirectusCollection.objects.get(collection=name)
        assert got.meta is not None and got.meta.note == "from the mapping"
        # updateFields: one PATCH per field.
        assert d.DirectusField.objects.filter(collection=name, field="title").update(
            meta={"note": "a title"}) == 1
        title = d.DirectusField.objects.get(collection=name, field="title")
        assert title.meta is not None and title.meta.note == "a title"
        assert [f.field for f in d.DirectusField.objects.filter(collection=name).order_by("field")] \
            == ["id", "title"]
        # createField / deleteField through the model.
        extra = d.DirectusField(collection=name, field="extra", type="integer")
        extra.save()
        assert session.fields.get(name, "extra").type == "integer"
        extra.delete()
        assert not d.DirectusField.objects.filter(collection=name, field="extra").exists()
        # createRelation / readRelations / deleteRelation.
        session.fields.create(name, "folder", "uuid", schema={})
        relation = d.DirectusRelation(collection=name, field="folder",
                                      related_collection="directus_folders")
        relation.save()
        assert [r.field for r in session.relations.list(name)] == ["folder"]
        assert d.DirectusRelation.objects.filter(collection=name).count() == 1
        assert session.relations.get(name, "folder").meta is not None
        relation.delete()
        # SQLite keeps the foreign key (services.md): only the relation's meta goes;
        # PostgreSQL drops the foreign key too, so the relation is gone.
        vendor = directus_server.database or session.schema.snapshot()["vendor"]
        expected = [] if vendor == "postgres" else [None]
        assert [r.meta for r in session.relations.list(name)] == expected
    finally:
        session.collections.delete(name)


def test_singleton_model_rows(session, schema):
    name = schema.collection(unique("map_single"), [
        {"field": "headline", "type": "string", "meta": {}, "schema": {}}], singleton=True)

    class Home(Model, collection=name, singleton=True):
        id: int | None = None
        headline: str | None = None

    session.singleton(name).update({"headline": "first"})                  # updateSingleton
    home = Home.objects.get()                                               # readSingleton
    assert home.headline == "first"
    home.headline = "second"
    home.save()
    assert session.singleton(name).read().data == {"id": home.id, "headline": "second"}
    settings = d.DirectusSettings.objects.get()                            # readSettings
    assert settings.id == 1


# ----------------------------------------- rows that point at session.request


def test_utils_rows_flows_shares_versions_and_raw_requests(session, ctx):
    # readProviders
    assert isinstance(session.request("GET", "/auth")["data"], list)
    # readExtensions
    assert isinstance(session.extensions.list(), list)
    # readDeployments (the deployment module's own commands are not covered)
    assert isinstance(session.request("GET", "/deployments")["data"], list)
    # triggerFlow (a webhook flow with no operation)
    session.flows.trigger(ctx.flow, {"hello": "flow"})
    # readShareInfo / authenticateShare / inviteShare
    share = session.shares.create(ctx.collection, ctx.item, name="map share",
                                  password="share-secret")
    assert share is not None
    try:
        info = session.shares.info(share.id)
        assert info.id == share.id and info.collection == ctx.collection
        assert session.shares.auth(share, "share-secret")
        # inviteShare (mail goes out in the background: 204)
        assert session.request("POST", "/shares/invite", json={
            "share": share.id, "emails": ["someone@example.com"]}) is None
    finally:
        d.DirectusShare.objects.filter(pk=share.id).delete()
    # saveToContentVersion / compareContentVersion / promoteContentVersion
    version = session.versions.create(ctx.collection, ctx.item, f"v{TAG}", name="draft")
    try:
        assert session.versions.save(version, title="draft")["title"] == "draft"
        comparison = session.versions.compare(version)
        assert comparison.current["title"] == "draft"
        session.versions.promote(version)
        item = session.request("GET", f"/items/{ctx.collection}/{ctx.item}")["data"]
        assert item["title"] == "draft"
    finally:
        d.DirectusVersion.objects.filter(pk=version.id).delete()


def test_the_stop_refreshing_and_token_rows(directus_server):
    with Session(directus_server.url, auto_refresh=False) as s:             # stopRefreshing
        s.auth.login(directus_server.email, directus_server.password)
        token = s.auth.token                                                # getToken
        assert token is not None
    with Session(directus_server.url, static_token=token) as other:         # withToken
        assert other.request("GET", "/users/me")["data"]["email"] == directus_server.email
