"""The typed system models (DirectusUser, DirectusFile, ...) against a real Directus.

Each model reads its own endpoint through the ordinary QuerySet; apps extend
them with fields of their own; /collections, /fields and /relations (which
ignore query parameters) are filtered in Python; writes go where Directus
takes them, and read-only models refuse them before sending anything.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

import directus_orm as d
from directus_orm import (
    CollectionMetaInfo,
    CollectionSchemaInfo,
    DirectusCollection,
    DirectusField,
    DirectusRelation,
    DirectusUser,
    FieldMetaInfo,
    FieldSchemaInfo,
    RelationSchemaInfo,
    Session,
)
from directus_orm.system import SYSTEM_MODELS

from .schema import unique

ENDPOINTS = {
    "DirectusUser": "users", "DirectusRole": "roles", "DirectusPolicy": "policies",
    "DirectusAccess": "access", "DirectusPermission": "permissions", "DirectusFolder": "folders",
    "DirectusFile": "files", "DirectusActivity": "activity", "DirectusRevision": "revisions",
    "DirectusComment": "comments", "DirectusVersion": "versions", "DirectusPreset": "presets",
    "DirectusSettings": "settings", "DirectusTranslation": "translations",
    "DirectusNotification": "notifications", "DirectusShare": "shares", "DirectusFlow": "flows",
    "DirectusOperation": "operations", "DirectusDashboard": "dashboards",
    "DirectusPanel": "panels", "DirectusCollection": "collections", "DirectusField": "fields",
    "DirectusRelation": "relations",
}


@pytest.mark.parametrize("model", SYSTEM_MODELS, ids=lambda m: m.__name__)
def test_every_system_model_reads_its_own_endpoint(session, model):
    assert model._meta.endpoint == ENDPOINTS[model.__name__]
    if model._meta.singleton:
        obj = model.objects.get()
        assert isinstance(obj, model) and obj.pk == 1
        return
    assert model.objects.explain().startswith(f"GET /{model._meta.endpoint}?")
    rows = list(model.objects.all()[:5])
    assert all(isinstance(row, model) for row in rows)
    assert model.objects.count() >= len(rows)


@pytest.mark.smoke
def test_users_filter_through_the_queryset(session, directus_server):
    admin = DirectusUser.objects.get(email__icontains=directus_server.email.upper()[:8])
    assert admin.email == directus_server.email and admin.status == "active"
    with_role = DirectusUser.objects.filter(role__name="Administrator").fields(
        "email", "role.name", "role.id").first()
    assert with_role is not None and isinstance(with_role.role, d.DirectusRole)
    assert with_role.role.name == "Administrator"
    assert DirectusUser.objects.filter(email__icontains="no-such-user-x").count() == 0
    emails = DirectusUser.objects.filter(status="active").values_list("email", flat=True)
    assert directus_server.email in list(emails)


def test_relations_between_system_models(session):
    role = d.DirectusRole.objects.filter(name="Administrator").fields(
        "name", "policies.policy.name", "policies.policy.admin_access", "users.email").get()
    assert role.policies and isinstance(role.policies[0], d.DirectusAccess)
    policy = role.policies[0].policy
    assert isinstance(policy, d.DirectusPolicy) and policy.admin_access is True
    assert role.users and isinstance(role.users[0], DirectusUser)


# ----------------------------------------------------------- extending DirectusUser


class AppUser(DirectusUser):
    """How an app adds its own fields to directus_users."""

    level: int | None = None


@pytest.fixture
def level_field(session) -> Iterator[str]:
    session.fields.create("directus_users", "level", "integer", meta={"interface": "input"})
    try:
        yield "level"
    finally:
        session.fields.delete("directus_users", "level")


def test_extended_user_model_round_trip(session, level_field):
    address = f"app-user-{uuid.uuid4().hex[:8]}@example.com"
    user = AppUser.objects.create(email=address, password="App-User-Pw-1", level=3, first_name="A")
    try:
        assert user.id is not None and user.level == 3
        assert user.password == "**********"

        got = AppUser.objects.get(email=address)
        assert isinstance(got, AppUser) and got.level == 3 and got.first_name == "A"
        assert AppUser.objects.filter(level__gte=3, email=address).exists()
        assert not AppUser.objects.filter(level__gt=3, email=address).exists()

        got.level = 5
        assert got.changed_fields == ["level"]
        got.save()
        assert AppUser.objects.get(pk=user.id).level == 5

        assert AppUser.objects.filter(email=address).update(level=9) == 1
        user.refresh_from_db()
        assert user.level == 9

        # The plain model keeps the extra field too (extra="allow").
        plain = DirectusUser.objects.get(email=address)
        assert (plain.model_extra or {}).get("level") == 9

        me = session.users.me(model=AppUser)
        assert isinstance(me, AppUser) and me.level is None
        updated = session.users.update_me(model=AppUser, level=7)
        assert updated is not None and updated.level == 7
        session.users.update_me(level=None)
    finally:
        user.delete()
    assert not AppUser.objects.filter(email=address).exists()


async def test_extended_user_model_async(asession, level_field):
    address = f"app-async-{uuid.uuid4().hex[:8]}@example.com"
    user = await AppUser.objects.acreate(email=address, level=1)
    try:
        got = await AppUser.objects.aget(email=address)
        assert got.level == 1
        got.level = 2
        await got.asave()
        assert (await AppUser.objects.filter(level=2, email=address).acount()) == 1
        me = await asession.users.me(model=AppUser, fields=["id", "level"])
        assert me.loaded_fields == {"id", "level"}
    finally:
        await user.adelete()


# ------------------------------------------------------------------- singletons


def test_settings_singleton_reads_and_saves(session):
    settings = d.DirectusSettings.objects.get()
    original = settings.project_descriptor
    settings.project_descriptor = "model save"
    assert settings.save()
    assert d.DirectusSettings.objects.get().project_descriptor == "model save"
    settings.project_descriptor = original
    settings.save()
    with pytest.raises(d.QueryError):
        list(d.DirectusSettings.objects.all())
    with pytest.raises(d.QueryError):
        d.DirectusSettings.objects.get(project_name="x")


async def test_settings_singleton_async(asession):
    settings = await d.DirectusSettings.objects.aget()
    assert settings.project_name


# -------------------------------------------------------------------- read-only


def test_activity_and_revisions_refuse_writes(session):
    entry = d.DirectusActivity.objects.order_by("-id").first()
    assert entry is not None and entry.action
    with pytest.raises(d.QueryError, match="read-only"):
        entry.save(update_fields=["action"])
    with pytest.raises(d.QueryError, match="read-only"):
        entry.delete()
    with pytest.raises(d.QueryError, match="read-only"):
        d.DirectusActivity(action="create", collection="x", item="1").save()
    with pytest.raises(d.QueryError, match="read-only"):
        d.DirectusRevision.objects.filter(id=-1).delete()
    with pytest.raises(d.QueryError, match="read-only"):
        d.DirectusRevision.objects.filter(id=-1).update(collection="x")


# ------------------------------------------- /collections, /fields, /relations


def test_schema_querysets_filter_sort_and_slice_in_python(session):
    users_fields = session.fields.list("directus_users")
    qs = DirectusField.objects.filter(collection="directus_users")
    assert qs.count() == len(users_fields) == len(list(qs))
    assert {f.field for f in qs} == {f.field for f in users_fields}

    # The server ignores these parameters; the results still obey them.
    everything = DirectusField.objects.count()
    assert everything > len(users_fields)
    names = list(qs.order_by("-field").values_list("field", flat=True)[:3])
    assert names == sorted((f.field for f in users_fields), reverse=True)[:3]
    assert qs.exclude(type="alias").count() == sum(f.type != "alias" for f in users_fields)
    assert DirectusField.objects.get(collection="directus_users", field="email").type == "string"
    with pytest.raises(DirectusField.MultipleObjectsReturned):
        DirectusField.objects.get(field="id")  # "id" is in many collections
    assert list(DirectusField.objects.filter(collection="no_such_collection")) == []
    assert qs.filter(field__in=["email", "role"]).count() == 2
    assert qs.filter({"meta": {"special": {"_contains": "m2o"}}}).values_list(
        "field", flat=True)[:10].__iter__().__next__() == "role"
    page = qs.order_by("field").page(2, 5)
    assert len(page) == 5 and page.filter_count == len(users_fields)
    assert page.total_count == everything
    assert sum(1 for _ in DirectusField.objects.iterator(chunk_size=50)) == everything
    assert qs.search("EMAIL").exists()
    assert qs.fields("field").first().loaded_fields == {"field"}  # type: ignore[union-attr]

    collections = DirectusCollection.objects.filter(collection__startswith="directus_")
    assert collections.count() == sum(
        c.collection.startswith("directus_") for c in session.collections.list())  # type: ignore[union-attr]
    users = DirectusCollection.objects.get(collection="directus_users")
    assert users.meta is not None and users.meta.archive_field == "status"
    assert users.schema_ is not None and users.schema_.name == "directus_users"

    to_users = DirectusRelation.objects.filter(related_collection="directus_users")
    assert to_users.filter(collection="directus_files", field="uploaded_by").exists()

    with pytest.raises(d.QueryError):
        DirectusField.objects.aggregate(n=d.Count())
    with pytest.raises(d.QueryError):
        DirectusField.objects.group_by("collection").aggregate(n=d.Count())
    with pytest.raises(d.QueryError):
        DirectusField.objects.filter(collection=d.CURRENT_USER).count()


async def test_schema_querysets_async(asession):
    count = await DirectusField.objects.filter(collection="directus_files").acount()
    assert count == len(await asession.fields.list("directus_files"))
    first = await DirectusCollection.objects.order_by("collection").afirst()
    assert first is not None and first.collection == "directus_access"


def test_collection_field_relation_models_write_where_directus_takes_them(session):
    one, many = unique("sm_one"), unique("sm_many")
    coll = DirectusCollection(collection=one, meta=CollectionMetaInfo(note="from a model"),
                              schema_=CollectionSchemaInfo())
    coll.save()
    try:
        assert coll.meta is not None and coll.meta.note == "from a model"
        assert session.collections.get(one).meta.note == "from a model"  # type: ignore[union-attr]
        coll.meta = CollectionMetaInfo(icon="star")
        coll.save()  # PATCH sends only what was set: the note stays
        again = session.collections.get(one)
        assert again.meta is not None and (again.meta.icon, again.meta.note) == ("star", "from a model")

        title = DirectusField(collection=one, field="title", type="string",
                              meta=FieldMetaInfo(note="t"), schema_=FieldSchemaInfo(max_length=80))
        title.save()
        assert title.schema_ is not None and title.schema_.max_length == 80
        title.meta = FieldMetaInfo(note="changed")
        title.save()
        title.refresh_from_db()
        assert title.meta is not None and title.meta.note == "changed"

        for name in ("tmp_a", "tmp_b"):
            DirectusField(collection=one, field=name, type="integer").save()
        assert DirectusField.objects.filter(collection=one, field__startswith="tmp_").delete() == 2
        assert [f.field for f in DirectusField.objects.filter(collection=one)] == ["id", "title"]
        assert DirectusField.objects.filter(collection=one, field="title").update(
            meta={"note": "by update"}) == 1
        assert session.fields.get(one, "title").meta.note == "by update"  # type: ignore[union-attr]

        DirectusCollection(collection=many, meta=CollectionMetaInfo(), schema_=CollectionSchemaInfo()).save()
        DirectusField(collection=many, field="one", type="integer",
                      meta=FieldMetaInfo(special=["m2o"])).save()
        relation = DirectusRelation(collection=many, field="one", related_collection=one,
                                    schema_=RelationSchemaInfo(on_delete="SET NULL"))
        relation.save()
        assert relation.meta is not None and relation.meta.many_collection == many
        assert session.relations.get(many, "one").related_collection == one
        relation.delete()

        with pytest.raises(d.QueryError):
            DirectusField.objects.bulk_create([DirectusField(collection=one, field="x", type="string")])
        with pytest.raises(d.QueryError, match="collection must be set"):
            DirectusField(field="x", type="string").save()

        assert DirectusCollection.objects.filter(collection=many).delete() == 1
    finally:
        for name in (many, one):
            try:
                session.collections.delete(name)
            except d.DirectusError:
                pass
    with pytest.raises(d.Forbidden):
        coll.delete()


# ------------------------------------------------------------ access control


@pytest.mark.smoke
def test_policy_permission_role_models(session):
    tag = uuid.uuid4().hex[:6]
    policy = d.DirectusPolicy.objects.create(name=f"sm policy {tag}", app_access=False,
                                             admin_access=False)
    role = None
    try:
        permission = d.DirectusPermission.objects.create(
            policy=policy.id, collection="directus_files", action="read", fields=["*"])
        assert permission.id is not None and permission.fields == ["*"]
        role = d.DirectusRole.objects.create(name=f"sm role {tag}", policies=[{"policy": policy.id}])
        loaded = d.DirectusRole.objects.fields("name", "policies.policy.name").get(pk=role.id)
        assert loaded.policies and loaded.policies[0].policy.name == policy.name  # type: ignore[union-attr]
        assert d.DirectusPermission.objects.filter(policy=policy.id).count() == 1
        assert d.DirectusAccess.objects.filter(role=role.id, policy=policy.id).exists()

        # The Core license of Directus 12 refuses permission rules (a filter, validation,
        # presets); Directus 11 has no license limits.
        version = session.server.version()
        assert version is not None
        rule = dict(policy=policy.id, collection="directus_files", action="update", fields=["*"],
                    permissions={"id": {"_eq": "x"}})
        if version >= "12":
            with pytest.raises(d.ResourceRestricted):
                d.DirectusPermission.objects.create(**rule)
        else:
            assert d.DirectusPermission.objects.create(**rule).permissions == {"id": {"_eq": "x"}}
    finally:
        policy_id = policy.id
        if role is not None:
            role.delete()
        policy.delete()
    assert not d.DirectusPermission.objects.filter(policy=policy_id).exists()


# ------------------------------------------------------------- other models


def test_folder_translation_dashboard_panel_models(session):
    parent = d.DirectusFolder.objects.create(name="sm parent")
    child = d.DirectusFolder.objects.create(name="sm child", parent=parent.id)
    translation = d.DirectusTranslation.objects.create(language="en-US", key=f"sm_{uuid.uuid4().hex[:6]}",
                                                       value="Hello")
    dashboard = d.DirectusDashboard.objects.create(name="sm dash", icon="dashboard")
    panel = d.DirectusPanel.objects.create(dashboard=dashboard.id, type="label", position_x=1,
                                           position_y=1, width=6, height=4, show_header=False,
                                           options={"text": "hi"})
    try:
        got = d.DirectusFolder.objects.filter(parent__name="sm parent").fields("name", "parent.name").get()
        assert got.name == "sm child" and isinstance(got.parent, d.DirectusFolder)
        assert d.DirectusTranslation.objects.get(key=translation.key).value == "Hello"
        board = d.DirectusDashboard.objects.fields("name", "panels.type").get(pk=dashboard.id)
        assert [p.type for p in board.panels or []] == ["label"]  # type: ignore[union-attr]
        assert panel.options == {"text": "hi"}
    finally:
        panel.delete()
        dashboard.delete()
        translation.delete()
        child.delete()
        parent.delete()


def test_bulk_writes_on_a_system_collection(session):
    tag = uuid.uuid4().hex[:6]
    folders = d.DirectusFolder.objects.bulk_create(
        [d.DirectusFolder(name=f"bulk {tag} {i}") for i in range(3)])
    try:
        assert all(f.id for f in folders)
        for folder in folders:
            folder.name = folder.name + " renamed"  # type: ignore[operator]
        assert d.DirectusFolder.objects.bulk_update(folders, ["name"]) == 3
        assert d.DirectusFolder.objects.filter(name__endswith=" renamed",
                                               name__startswith=f"bulk {tag}").count() == 3
        assert d.DirectusFolder.objects.filter(pk__in=[f.id for f in folders]).update(
            parent=folders[0].id) == 3
    finally:
        d.DirectusFolder.objects.filter(parent=folders[0].id).exclude(pk=folders[0].id).delete()
        assert d.DirectusFolder.objects.filter(pk__in=[f.id for f in folders]).delete() == 1


async def test_async_writes_on_a_system_collection(asession):
    folder = await d.DirectusFolder.objects.acreate(name="async folder")
    folder.name = "async renamed"
    await folder.asave()
    assert (await d.DirectusFolder.objects.aget(pk=folder.id)).name == "async renamed"
    assert await d.DirectusFolder.objects.filter(pk=folder.id).aupdate(name="x") == 1
    assert await d.DirectusFolder.objects.filter(pk=folder.id).adelete() == 1


def test_notification_share_and_comment_models(session, schema):
    name = schema.collection(unique("sm_items"), [{"field": "title", "type": "string",
                                                    "meta": {}, "schema": {}}])
    item = session.request("POST", f"/items/{name}", json={"title": "x"})["data"]["id"]
    me = session.users.me(fields=["id"])
    share = d.DirectusShare.objects.create(name="sm share", collection=name, item=str(item),
                                           max_uses=3)
    comment = d.DirectusComment.objects.create(collection=name, item=str(item), comment="model")
    note = d.DirectusNotification.objects.create(recipient=me.id, subject="sm subject",
                                                 collection=name, item=str(item))
    try:
        assert share.id and share.times_used == 0 and share.max_uses == 3
        assert comment.user_created == me.id and comment.date_created is not None
        got = d.DirectusNotification.objects.get(pk=note.id)
        assert got.status == "inbox" and got.recipient == me.id
        got.status = "archived"
        got.save()
        assert d.DirectusNotification.objects.get(pk=note.id).status == "archived"
    finally:
        note.delete()
        comment.delete()
        share.delete()


def test_flow_operation_and_version_models(session, schema):
    flow = d.DirectusFlow.objects.create(name="sm flow", status="inactive", trigger="manual",
                                         accountability="all", options={"collections": []})
    try:
        operation = d.DirectusOperation.objects.create(
            flow=flow.id, key="log_it", type="log", position_x=19, position_y=1,
            options={"message": "hi"})
        flow.operation = operation.id
        flow.save()
        got = d.DirectusFlow.objects.fields("name", "operation.key", "operations.type").get(pk=flow.id)
        assert isinstance(got.operation, d.DirectusOperation) and got.operation.key == "log_it"
        assert [o.type for o in got.operations or []] == ["log"]  # type: ignore[union-attr]
    finally:
        flow_id = flow.id
        flow.delete()  # its operations go with it
    assert not d.DirectusOperation.objects.filter(flow=flow_id).exists()

    name = schema.collection(unique("sm_versioned"), [{"field": "title", "type": "string",
                                                        "meta": {}, "schema": {}}])
    session.collections.update(name, {"versioning": True})
    item = session.request("POST", f"/items/{name}", json={"title": "main"})["data"]["id"]
    version = d.DirectusVersion.objects.create(key="draft", name="Draft", collection=name,
                                               item=str(item))
    try:
        assert version.hash and version.item == str(item)
        assert d.DirectusVersion.objects.filter(collection=name).count() == 1
    finally:
        version.delete()


def test_a_model_cannot_reach_items_endpoint_for_system_collections(session):
    class Wrong(d.Model, collection="directus_users"):
        id: str | None = None

    with pytest.raises(d.Forbidden):
        list(Wrong.objects.all())


def test_error_paths_are_typed(session, directus_server):
    with pytest.raises(DirectusUser.DoesNotExist):
        DirectusUser.objects.get(email="nobody-at-all@example.com")
    with pytest.raises(d.FieldError):
        DirectusUser.objects.filter(no_such_field=1)
    with pytest.raises(d.RecordNotUnique):
        DirectusUser.objects.create(email=directus_server.email)
    with Session(directus_server.url):  # anonymous, and current for the models
        with pytest.raises(d.Forbidden):
            list(d.DirectusFile.objects.all())
        # /fields/{collection} answers 403 for an unknown or hidden collection: no rows.
        assert list(DirectusField.objects.filter(collection="directus_users")) == []
