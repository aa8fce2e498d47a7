"""Writing data against a real Directus: save/delete, dirty tracking, bulk and by-query writes."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest

import directus_orm as d
from directus_orm import AsyncSession, Model, Session

from . import schema as f
from .schema import Schema


class Recorder(httpx.HTTPTransport):
    """Keeps (method, path, json body) of every request on its way to the real server."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str, Any]] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.content
        with self._lock:
            self.calls.append(
                (request.method, request.url.path, json.loads(body) if body else None)
            )
        return super().handle_request(request)

    def writes(self) -> list[tuple[str, str, Any]]:
        return [c for c in self.calls if c[0] in ("POST", "PATCH", "DELETE")]


class AsyncRecorder(httpx.AsyncHTTPTransport):
    """The async twin of :class:`Recorder`."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str, Any]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = request.content
        self.calls.append((request.method, request.url.path, json.loads(body) if body else None))
        return await super().handle_async_request(request)

    def writes(self) -> list[tuple[str, str, Any]]:
        return [c for c in self.calls if c[0] in ("POST", "PATCH", "DELETE")]


class Note(Model, collection="t4_notes"):
    id: int | None = None
    title: str
    body: str | None = None
    views: int = 0
    tags: dict[str, Any] | None = None
    code: str | None = None
    date_created: datetime | None = None
    user_created: str | None = None


class SiteSettings(Model, collection="t4_settings", singleton=True):
    id: int | None = None
    site_name: str | None = None
    motto: str | None = None


@pytest.fixture(scope="module")
def notes_schema(module_session) -> Iterator[Schema]:
    builder = Schema(module_session)
    builder.collection(
        "t4_notes",
        [
            f.string("title", nullable=False),
            f.text("body"),
            f.integer("views", default=0),
            f.json_("tags"),
            f.string("code", unique=True),
            f.timestamp("date_created", special=["date-created"]),
            {"field": "user_created", "type": "uuid",
             "meta": {"special": ["user-created"], "interface": "select-dropdown-m2o"}, "schema": {}},
        ],
    )
    builder.collection(
        "t4_settings", [f.string("site_name"), f.string("motto")], singleton=True
    )
    try:
        yield builder
    finally:
        builder.drop()


@pytest.fixture
def recorded(directus_server, admin_token, notes_schema) -> Iterator[tuple[Session, Recorder]]:
    recorder = Recorder()
    with Session(directus_server.url, static_token=admin_token, transport=recorder) as s:
        Note.objects.filter(id__gte=0).delete()
        recorder.calls.clear()
        yield s, recorder


@pytest.fixture
async def arecorded(directus_server, admin_token, notes_schema) -> AsyncIterator[tuple[AsyncSession, AsyncRecorder]]:
    recorder = AsyncRecorder()
    async with AsyncSession(directus_server.url, static_token=admin_token, transport=recorder) as s:
        await Note.objects.filter(id__gte=0).adelete()
        recorder.calls.clear()
        yield s, recorder


def raw(session: Session, method: str, path: str, body: Any = None) -> Any:
    return session.request(method, path, json=body)


@pytest.mark.smoke
def test_create_update_delete_round_trip(recorded):
    s, rec = recorded
    note = Note(title="first", body="hello")
    assert note.save() is True
    assert isinstance(note.id, int)
    assert isinstance(note.date_created, datetime)  # server-generated
    assert note.user_created  # the admin's id, filled by the server
    assert rec.writes()[0][0] == "POST"
    assert rec.writes()[0][2] == {"title": "first", "body": "hello", "views": 0}

    note.title = "renamed"
    note.save()
    assert rec.writes()[-1] == ("PATCH", f"/items/t4_notes/{note.id}", {"title": "renamed"})
    assert raw(s, "GET", f"/items/t4_notes/{note.id}")["data"]["title"] == "renamed"

    pk = note.id
    note.delete()
    assert note.id is None
    assert Note.objects.filter(pk=pk).exists() is False


def test_patch_sends_only_changed_fields_and_keeps_concurrent_changes(recorded):
    s, rec = recorded
    created = Note.objects.create(title="t", body="b", views=1)
    mine = Note.objects.get(pk=created.id)
    # Someone else changes another field after we loaded the item.
    raw(s, "PATCH", f"/items/t4_notes/{created.id}", {"views": 99})
    rec.calls.clear()
    mine.title = "mine"
    mine.save()
    assert rec.writes() == [("PATCH", f"/items/t4_notes/{created.id}", {"title": "mine"})]
    server = raw(s, "GET", f"/items/t4_notes/{created.id}")["data"]
    assert server["title"] == "mine" and server["views"] == 99
    assert mine.views == 99  # the object now holds what the server returned


def test_save_with_nothing_changed_sends_nothing(recorded):
    _, rec = recorded
    note = Note.objects.create(title="same")
    loaded = Note.objects.get(pk=note.id)
    rec.calls.clear()
    loaded.title = "same"  # assigned, but equal
    assert loaded.save() is False
    assert rec.calls == []


def test_fields_never_fetched_are_never_sent(recorded):
    s, rec = recorded
    note = Note.objects.create(title="partial", body="keep me", views=5)
    partial = Note.objects.fields("id", "title").get(pk=note.id)
    rec.calls.clear()
    partial.title = "changed"
    partial.save()
    assert rec.writes()[0][2] == {"title": "changed"}
    server = raw(s, "GET", f"/items/t4_notes/{note.id}")["data"]
    assert server["body"] == "keep me" and server["views"] == 5


def test_in_place_json_edits_are_detected(recorded):
    _, rec = recorded
    note = Note.objects.create(title="json", tags={"a": 1})
    loaded = Note.objects.get(pk=note.id)
    assert loaded.tags is not None
    loaded.tags["b"] = 2
    rec.calls.clear()
    assert loaded.changed_fields == ["tags"]
    loaded.save()
    assert rec.writes()[0][2] == {"tags": {"a": 1, "b": 2}}
    assert Note.objects.get(pk=note.id).tags == {"a": 1, "b": 2}


def test_update_fields_and_refresh_from_db(recorded):
    s, rec = recorded
    note = Note.objects.create(title="uf", body="x")
    note.title = "new title"
    note.body = "new body"
    rec.calls.clear()
    note.save(update_fields=["body"])
    assert rec.writes()[0][2] == {"body": "new body"}
    raw(s, "PATCH", f"/items/t4_notes/{note.id}", {"views": 7})
    note.refresh_from_db()
    assert note.title == "uf" and note.views == 7  # local unsaved change discarded
    raw(s, "PATCH", f"/items/t4_notes/{note.id}", {"views": 8})
    note.refresh_from_db(fields=["views"])
    assert note.views == 8


def test_get_or_create_and_update_or_create(recorded):
    obj, created = Note.objects.get_or_create(code="k1", defaults={"title": "made"})
    assert created and obj.title == "made" and obj.id
    again, created2 = Note.objects.get_or_create(code="k1", defaults={"title": "other"})
    assert not created2 and again.id == obj.id and again.title == "made"
    upd, created3 = Note.objects.update_or_create(code="k1", defaults={"title": "updated"})
    assert not created3 and upd.id == obj.id
    assert Note.objects.get(code="k1").title == "updated"
    new, created4 = Note.objects.update_or_create(code="k2", defaults={"title": "fresh"})
    assert created4 and new.code == "k2"


async def test_async_update_or_create(arecorded):
    _, rec = arecorded
    obj, created = await Note.objects.aget_or_create(code="k1", defaults={"title": "made", "views": 4})
    assert created and obj.id
    rec.calls.clear()
    upd, created2 = await Note.objects.aupdate_or_create(code="k1", defaults={"title": "updated", "views": 4})
    assert not created2 and upd.id == obj.id and upd.title == "updated"
    # Only the default that differs from the server's row is written.
    assert rec.writes() == [("PATCH", f"/items/t4_notes/{obj.id}", {"title": "updated"})]
    assert (await Note.objects.aget(code="k1")).title == "updated"
    new, created3 = await Note.objects.aupdate_or_create(code="k2", defaults={"title": "fresh"})
    assert created3 and new.code == "k2" and new.id != obj.id
    assert await Note.objects.filter(code__in=["k1", "k2"]).acount() == 2


def test_bulk_create_10000_with_keys_and_progress(recorded):
    seen: list[tuple[int, int]] = []
    notes = [Note(title=f"bulk {i}", views=i) for i in range(10_000)]
    result = Note.objects.bulk_create(notes, batch_size=1000, on_progress=lambda a, b: seen.append((a, b)))
    assert result is not notes and len(result) == 10_000
    assert all(isinstance(n.id, int) for n in notes)
    assert len({n.id for n in notes}) == 10_000
    # Each object got its own row back: the key matches the views we sent.
    sample = Note.objects.in_bulk([notes[0].id, notes[4321].id, notes[-1].id])
    assert sample[notes[4321].id].views == 4321 and sample[notes[-1].id].views == 9999
    assert seen[-1] == (10_000, 10_000) and len(seen) == 10
    assert Note.objects.count() == 10_000


@pytest.mark.smoke
def test_bulk_update(recorded):
    _, rec = recorded
    notes = Note.objects.bulk_create([Note(title=f"u{i}") for i in range(30)])
    for n in notes:
        n.views = 1000 + (n.id or 0)
    rec.calls.clear()
    assert Note.objects.bulk_update(notes, ["views"], batch_size=20) == 30
    patches = [c for c in rec.writes() if c[0] == "PATCH"]
    assert len(patches) == 2 and set(patches[0][2][0]) == {"id", "views"}
    for n in Note.objects.filter(id__in=[n.id for n in notes]):
        assert n.views == 1000 + (n.id or 0)


async def test_async_bulk_update(arecorded):
    _, rec = arecorded
    notes = await Note.objects.abulk_create([Note(title=f"u{i}") for i in range(30)])
    for n in notes:
        n.views = 1000 + (n.id or 0)
    rec.calls.clear()
    seen: list[tuple[int, int]] = []
    assert await Note.objects.abulk_update(notes, ["views"], batch_size=20,
                                           on_progress=lambda a, b: seen.append((a, b))) == 30
    patches = [c for c in rec.writes() if c[0] == "PATCH"]
    assert len(patches) == 2 and set(patches[0][2][0]) == {"id", "views"}
    assert seen == [(20, 30), (30, 30)]
    async for n in Note.objects.filter(id__in=[n.id for n in notes]):
        assert n.views == 1000 + (n.id or 0)


@pytest.mark.smoke
def test_update_and_delete_by_query_touch_every_match(recorded):
    Note.objects.bulk_create([Note(title=f"q{i}", views=i) for i in range(160)])
    # 130 match: more than the server's default limit of 100.
    assert Note.objects.filter(views__lt=130).update(body="hit") == 130
    assert Note.objects.filter(body="hit").count() == 130
    # A sliced QuerySet changes exactly its slice.
    assert Note.objects.filter(views__gte=130).order_by("views")[:7].update(body="slice") == 7
    assert sorted(n.views for n in Note.objects.filter(body="slice")) == list(range(130, 137))
    assert Note.objects.filter(views__lt=130).delete() == 130
    assert Note.objects.count() == 30


def test_batch_limit_lower_than_the_request_is_split(directus_factory):
    server = directus_factory(env={"MAX_BATCH_MUTATION": "10"})
    with Session(server.url) as s:
        s.auth.login(server.email, server.password)
        builder = Schema(s)
        builder.collection("t4_notes", [f.string("title", nullable=False), f.text("body"),
                                        f.integer("views", default=0), f.json_("tags"),
                                        f.string("code", unique=True)])
        try:
            recorder_notes = [Note(title=f"n{i}", views=i) for i in range(35)]
            Note.objects.bulk_create(recorder_notes, batch_size=1000)
            assert all(n.id for n in recorder_notes)
            assert Note.objects.count() == 35
            assert Note.objects.filter(views__lt=25).update(body="x") == 25
            assert Note.objects.filter(body="x").count() == 25
            assert Note.objects.filter(views__gte=3).delete() == 32
            assert Note.objects.count() == 3
        finally:
            builder.drop()


def test_mid_batch_failure_reports_what_was_written(recorded):
    notes = [Note(title=f"m{i}", code=f"c{i}") for i in range(30)]
    notes[14].code = "c3"  # duplicate of an item in the first batch: the 2nd batch fails
    with pytest.raises(d.BatchError) as info:
        Note.objects.bulk_create(notes, batch_size=10)
    error = info.value
    assert error.done == [range(10)]
    assert error.pending == [range(10, 20), range(20, 30)]
    assert error.written == 10
    assert isinstance(error.__cause__, d.RecordNotUnique)
    assert all(n.id for n in notes[:10]) and not any(n.id for n in notes[10:])
    assert Note.objects.count() == 10
    # Resume from the reported position after fixing the bad item.
    notes[14].code = "c14"
    for part in error.pending:
        Note.objects.bulk_create(notes[part.start : part.stop])
    assert Note.objects.count() == 30


def test_singleton(session, notes_schema):
    settings = SiteSettings.objects.get()
    settings.site_name = "Example"
    settings.save()
    again = SiteSettings.objects.get()
    assert again.site_name == "Example"
    again.motto = "Hello"
    again.save()
    server = session.request("GET", "/items/t4_settings")["data"]
    assert server["site_name"] == "Example" and server["motto"] == "Hello"
    with pytest.raises(d.QueryError, match="singleton"):
        list(SiteSettings.objects.all())
    with pytest.raises(d.QueryError, match="singleton"):
        SiteSettings.objects.count()
    with pytest.raises(d.QueryError, match="singleton"):
        SiteSettings.objects.update(motto="x")


def test_read_only_models_refuse_writes():
    class Log(Model, collection="t4_notes", read_only=True):
        id: int | None = None
        title: str

    with pytest.raises(d.QueryError, match="read-only"):
        Log(title="x").save(using=Session("http://127.0.0.1:9"))


async def test_async_writes(asession, notes_schema):
    await Note.objects.filter(id__gte=0).adelete()
    note = await Note.objects.acreate(title="async")
    assert note.id
    note.body = "written"
    assert await note.asave() is True
    assert (await Note.objects.aget(pk=note.id)).body == "written"
    created = await Note.objects.abulk_create([Note(title=f"batch-{i}") for i in range(25)], batch_size=10)
    assert all(n.id for n in created)
    assert await Note.objects.filter(title__startswith="batch-").aupdate(views=3) == 25
    _obj, made = await Note.objects.aget_or_create(code="ak", defaults={"title": "x"})
    assert made
    await note.arefresh_from_db()
    await note.adelete()
    assert note.id is None
    assert await Note.objects.filter(title__startswith="batch-").adelete() == 25
