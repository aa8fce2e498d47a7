"""Content versions, shares, flow triggers, extensions, the JSON import and typed file uploads,
against a real Directus 12.4 (the unlicensed Core tier)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import directus_orm as d
from directus_orm import (
    DirectusFile,
    Expanded,
    FieldNotLoaded,
    Forbidden,
    InvalidCredentials,
    Model,
    QueryError,
    Session,
    UnprocessableContent,
    VersionHashMismatch,
)

from . import schema as f
from .schema import Schema


class VAuthor(Model, collection="t13v_authors"):
    id: int | None = None
    name: str


class VPost(Model, collection="t13v_posts"):
    id: int | None = None
    title: str
    body: str | None = None
    author: VAuthor | int | None = None
    writer = Expanded[VAuthor | None]("author")


@pytest.fixture(scope="module")
def posts(module_session) -> Iterator[dict[str, Any]]:
    b = Schema(module_session)
    b.collection("t13v_authors", [f.string("name", nullable=False)])
    b.collection("t13v_posts", [f.string("title", nullable=False), f.text("body"), f.m2o("author")])
    b.m2o("t13v_posts", "author", "t13v_authors")
    ada = b.seed("t13v_authors", [{"name": "Ada"}])[0]
    ids = b.seed("t13v_posts", [{"title": f"P{i}", "body": "main", "author": ada} for i in range(4)])
    try:
        yield {"posts": ids, "ada": ada}
    finally:
        for version in module_session.versions.list("t13v_posts"):
            module_session.versions.delete(version)
        b.drop()


# --------------------------------------------------------------- content versions


def test_versions_need_versioning_on_the_collection(session, posts):
    session.collections.update("t13v_posts", {"versioning": False})
    with pytest.raises(UnprocessableContent, match="Versioning is not enabled"):
        session.versions.create("t13v_posts", posts["posts"][0], "draft")


def test_save_into_a_version_read_compare_and_promote(session, posts):
    session.collections.update("t13v_posts", {"versioning": True})
    pk = posts["posts"][1]
    post = VPost.objects.get(pk=pk)
    post.title = "P1 (draft)"
    assert post.save(version="draft") is True
    assert VPost.objects.get(pk=pk).title == "P1"  # the item is untouched
    version = session.server.version()
    assert version is not None
    if version >= "12":
        assert VPost.objects.version("draft").get(pk=pk).title == "P1 (draft)"
        # Only items that have the version are listed through it.
        assert [p.id for p in VPost.objects.filter(id__in=posts["posts"]).version("draft")] == [pk]
        published = VPost.objects.filter(id__in=posts["posts"]).version("published").order_by("id")
        assert [p.title for p in published] == ["P0", "P1", "P2", "P3"]  # the main items
        # An unknown version key: a list read answers no items, a single-item read 403.
        with pytest.raises(VPost.DoesNotExist):
            VPost.objects.version("nope").get(pk=pk)
    else:  # Directus 11 reads versions by key only; a list query would answer the main items
        with pytest.raises(d.FeatureNotSupported, match=f"this server runs {version}"):
            VPost.objects.version("draft").get(pk=pk)
        with pytest.raises(d.FeatureNotSupported, match=r"needs Directus 12\.0"):
            list(VPost.objects.version("published"))
        drafted = session.request("GET", f"/items/t13v_posts/{pk}", query={"version": "draft"})
        assert drafted["data"]["title"] == "P1 (draft)"
    with pytest.raises(Forbidden):
        session.request("GET", f"/items/t13v_posts/{pk}", query={"version": "nope"})
    # A second save finds the same version.
    post.body = "drafted body"
    post.save(version="draft")
    (version,) = session.versions.list("t13v_posts", pk, key="draft")
    assert version.key == "draft" and version.item == str(pk)
    assert session.versions.get(version.id).collection == "t13v_posts"
    comparison = session.versions.compare(version)
    assert comparison.outdated is False
    assert comparison.current["title"] == "P1 (draft)" and comparison.current["body"] == "drafted body"
    assert comparison.main["title"] == "P1"
    with pytest.raises(VersionHashMismatch):
        session.versions.promote(version, main_hash="0" * 40)
    assert str(session.versions.promote(version, fields=["title"])) == str(pk)
    main = VPost.objects.get(pk=pk)
    assert (main.title, main.body) == ("P1 (draft)", "main")
    assert session.versions.list("t13v_posts", pk)  # the version remains after promote


def test_versions_service_create_save_delete(session, posts):
    session.collections.update("t13v_posts", {"versioning": True})
    pk = posts["posts"][2]
    version = session.versions.create("t13v_posts", pk, "review", name="Review")
    assert (version.key, version.name, version.item) == ("review", "Review", str(pk))
    with pytest.raises(UnprocessableContent):  # the same key twice for one item
        session.versions.create("t13v_posts", pk, "review")
    merged = session.versions.save(version, title="P2 reviewed")
    assert merged["title"] == "P2 reviewed" and merged["body"] == "main"
    session.versions.delete(version)
    assert session.versions.list("t13v_posts", pk, key="review") == []
    if session.server.version() >= "12":
        draft = session.versions.create("t13v_posts", None, "draft")  # a draft of no item yet
        assert draft.item is None
        session.versions.delete(draft)
        with pytest.raises(d.InvalidPayload, match='"key" must be "draft"'):
            session.versions.create("t13v_posts", None, "review")
    else:  # Directus 11: a version always belongs to an item
        with pytest.raises(d.FeatureNotSupported, match="draft of an item not created yet"):
            session.versions.create("t13v_posts", None, "draft")
    with pytest.raises(QueryError, match="save\\(\\) the item first"):
        VPost(title="new").save(version="draft")


async def test_versions_async(asession, posts):
    await asession.collections.update("t13v_posts", {"versioning": True})
    pk = posts["posts"][3]
    version = await asession.versions.create("t13v_posts", pk, "async")
    await asession.versions.save(version, {"title": "P3 async"})
    assert (await asession.versions.compare(version)).current["title"] == "P3 async"
    if (await asession.server.version() or "12") >= "12":
        post = await VPost.objects.version("async").aget(pk=pk)
        assert post.title == "P3 async"
    else:
        with pytest.raises(d.FeatureNotSupported):
            await VPost.objects.version("async").aget(pk=pk)
    await asession.versions.delete(version)


# ------------------------------------------------------------------------ typing


def test_expanded_accessor(session, posts):
    post = VPost.objects.select_related("author").get(pk=posts["posts"][0])
    assert post.writer is not None and post.writer.name == "Ada"
    plain = VPost.objects.get(pk=posts["posts"][0])
    with pytest.raises(FieldNotLoaded, match="select_related\\('author'\\)"):
        _ = plain.writer


def test_upload_with_require_returns_the_record(session, directus_server):
    record = session.files.upload(b"hello", filename="hello.txt", title="Hello", require=True)
    try:
        assert isinstance(record, DirectusFile) and record.title == "Hello"
    finally:
        session.request("DELETE", f"/files/{record.id}")


# ------------------------------------------------------------------------ shares


def test_share_create_info_and_auth(session, posts, directus_server):
    pk = posts["posts"][0]
    share = session.shares.create("t13v_posts", pk, name="read P0", password="share-pw-123", max_uses=3)
    assert share is not None and share.id is not None
    try:
        assert share.password == "**********"  # read back masked
        info = session.shares.info(share.id)
        assert (info.collection, info.item, info.max_uses, info.times_used) == ("t13v_posts", str(pk), 3, 0)
        token = session.shares.auth(share, "share-pw-123")
        assert token.access_token and "share-pw" not in repr(token) and token.access_token not in repr(token)
        with pytest.raises(InvalidCredentials):
            session.shares.auth(share, "wrong")
        assert session.shares.info(share.id).times_used == 1
        # The share token is a token like any other, scoped to the share.
        with Session(directus_server.url, static_token=token.access_token) as shared:
            assert shared.request("GET", "/users/me")["data"] == {"share": share.id}
            with pytest.raises(Forbidden):  # a share without a role reads no fields
                shared.request("GET", f"/items/t13v_posts/{pk}", query={"fields": ["id"]})
    finally:
        session.request("DELETE", f"/shares/{share.id}")


# ---------------------------------------------------------------- flows, extensions


def test_trigger_a_webhook_flow(session):
    flow = d.DirectusFlow.objects.create(name="t13 hook", status="active", trigger="webhook",
                                         options={"method": "POST", "return": "$last"})
    try:
        operation = d.DirectusOperation.objects.create(
            flow=flow.id, key="echo", type="transform", position_x=19, position_y=1,
            options={"json": {"got": "{{$trigger.body.n}}"}})
        flow.operation = operation.id
        flow.save()
        assert session.flows.trigger(flow, {"n": 41}) == {"got": 41}
        assert session.flows.trigger(flow.id, {"n": "x"}, query={"a": "b"}) == {"got": "x"}
        with pytest.raises(Forbidden):  # the flow accepts POST only
            session.flows.trigger(flow, method="GET")
    finally:
        flow.delete()


def test_extensions_list_on_a_bare_install(session):
    extensions = session.extensions.list()
    assert extensions == [] and session.request("GET", "/extensions")["data"] == []


# --------------------------------------------------------------------- JSON import


def test_import_items_as_json(session, posts):
    version = session.server.version()
    assert version is not None
    if version < "12.2":  # POST /utils/import came with 12.2 (11 answers 404)
        with pytest.raises(d.FeatureNotSupported, match=f"needs Directus 12.2 or later; this server runs {version}"):
            session.utils.import_items({"t13v_authors": [{"name": "Dry"}]})
        return
    before = VAuthor.objects.count()
    dry = session.utils.import_items({"t13v_authors": [{"name": "Dry"}]}, dry_run=True)
    assert dry.applied is False and dry.mode == "add" and VAuthor.objects.count() == before
    done = session.utils.import_items({"t13v_authors": [{"name": "Grace"}, VAuthor(name="Alan")]})
    new = done.collections["t13v_authors"].new
    assert done.applied is True and len(new) == 2
    assert sorted(VAuthor.objects.filter(id__in=new).values_list("name", flat=True)) == ["Alan", "Grace"]
    grace = VAuthor.objects.get(pk=new[0])
    grace.name = "Grace H."  # a loaded object sends its loaded fields, key included
    merged = session.utils.import_items({"t13v_authors": [grace]}, mode="merge")
    assert merged.collections["t13v_authors"].existing == [new[0]]
    assert VAuthor.objects.get(pk=new[0]).name == "Grace H."
    VAuthor.objects.filter(id__in=new).delete()
    with pytest.raises(QueryError, match="'add' or 'merge'"):
        session.utils.import_items({"t13v_authors": []}, mode="replace")  # type: ignore[arg-type]
