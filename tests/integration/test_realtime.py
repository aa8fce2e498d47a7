"""Realtime subscriptions against a real Directus: typed events, filters, token expiry,
server restarts, many subscriptions on one socket, unsubscribing; sync and async.

The shared test server runs with ``WEBSOCKETS_ENABLED=true`` (the default of the local
servers). ``rt_server`` is a server of this module that the tests stop and start again on
the same port and database: 3-second access tokens, a 1-second heartbeat, and one allowed
browser origin.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

import directus_orm as d
from directus_orm import (
    AsyncSession,
    FieldNotLoaded,
    Model,
    RealtimeServerError,
    RealtimeUnavailable,
    Session,
    SubscriptionError,
    SubscriptionEvent,
    localserver,
)

from . import schema as f
from .schema import Schema

COLLECTION = "rt_articles"
ALLOWED_ORIGIN = "http://app.example.test"


class Article(Model, collection=COLLECTION):
    id: int | None = None
    title: str
    status: str = "draft"
    views: int = 0


def _fields() -> list[dict[str, Any]]:
    return [f.string("title", nullable=False), f.string("status"), f.integer("views", default=0)]


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.02)


async def await_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.02)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def articles(module_session) -> Iterator[str]:
    builder = Schema(module_session)
    builder.collection(COLLECTION, _fields())
    try:
        yield COLLECTION
    finally:
        builder.drop()


@pytest.fixture
def writer(directus_server, admin_token, articles) -> Iterator[Session]:
    """Another session (not the current one): the writes the subscriptions must see."""
    s = Session(directus_server.url, static_token=admin_token)
    try:
        Article.objects.using(s).filter(id__gte=0).delete()
        yield s
    finally:
        s.close()


@pytest.fixture
async def awriter(directus_server, admin_token, articles) -> AsyncIterator[AsyncSession]:
    s = AsyncSession(directus_server.url, static_token=admin_token)
    try:
        await Article.objects.using(s).filter(id__gte=0).adelete()
        yield s
    finally:
        await s.aclose()


class RestartableDirectus:
    """A local server that can be stopped and started again on the same port and database."""

    def __init__(self) -> None:
        self.server = localserver.LocalDirectus(
            env={
                "ACCESS_TOKEN_TTL": "3s",
                "WEBSOCKETS_HEARTBEAT_PERIOD": "1",
                "CORS_ENABLED": "true",
                "CORS_ORIGIN": ALLOWED_ORIGIN,
                # A fixed secret: tokens issued before a restart stay valid after it.
                "SECRET": secrets.token_hex(32),
            },
            name="pytest-realtime",
        )
        self.token = "pytest-rt-" + secrets.token_hex(16)

    def start(self) -> None:
        try:
            self.server.start(timeout=180)
        except RuntimeError as error:
            self.server.stop()
            pytest.fail(f"could not start the realtime test server: {error}", pytrace=False)

    def restart(self) -> float:
        """Stop the server, start it again on the same port and database; returns the downtime."""
        server = self.server
        stopped = time.monotonic()
        server._terminate()
        server._spawn()  # same workdir (database, uploads), port and environment
        server._wait_ready(time.monotonic() + 180)
        return time.monotonic() - stopped

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def rt_server() -> Iterator[RestartableDirectus]:
    server = RestartableDirectus()
    server.start()
    try:
        with Session(server.url) as admin:
            admin.auth.login(server.server.admin_email, server.server.admin_password)
            admin.request("PATCH", "/users/me", json={"token": server.token})
            Schema(admin).collection(COLLECTION, _fields())
        yield server
    finally:
        server.server.stop()


@pytest.fixture
def rt_writer(rt_server) -> Iterator[Session]:
    s = Session(rt_server.url, static_token=rt_server.token)
    try:
        Article.objects.using(s).filter(id__gte=0).delete()
        yield s
    finally:
        s.close()


def login(session: Session, server: RestartableDirectus) -> None:
    session.auth.login(server.server.admin_email, server.server.admin_password)


class Listener:
    """Every raw message of a sync session's socket, collected by a thread."""

    def __init__(self, session: Session) -> None:
        self.messages: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self._run, args=(session,), daemon=True)
        self._thread.start()
        wait_until(lambda: session.realtime.connected, 10, "the socket to connect")

    def _run(self, session: Session) -> None:
        with contextlib.suppress(Exception):
            for message in session.realtime.listen():
                self.messages.append(message)

    def of(self, **fields: Any) -> list[dict[str, Any]]:
        return [m for m in list(self.messages) if all(m.get(k) == v for k, v in fields.items())]


# --------------------------------------------------------------- sync


def test_sync_create_update_delete_arrive_as_typed_events(session, writer):
    old = Article.objects.using(writer).create(title="old", status="published")
    qs = Article.objects.filter(status="published").fields("id", "title", "status")
    with qs.subscribe() as sub:
        init = sub.get(timeout=5)
        assert init.type == "init" and not init.gap
        assert [(a.id, a.title) for a in init.items] == [(old.id, "old")]
        assert isinstance(init.items[0], Article) and init.keys == [old.id]
        with pytest.raises(FieldNotLoaded):
            _ = init.items[0].views  # not in fields(): hydrated like a read

        created = Article.objects.using(writer).create(title="new", status="published")
        event = sub.get(timeout=1.0)
        assert isinstance(event, SubscriptionEvent)
        assert event.type == "create" and event.keys == [created.id]
        assert isinstance(event.items[0], Article) and event.items[0].title == "new"

        Article.objects.using(writer).filter(id=created.id).update(title="renamed")
        event = sub.get(timeout=1.0)
        assert event.type == "update" and event.keys == [created.id]
        assert event.items[0].title == "renamed" and event.items[0].status == "published"

        Article.objects.using(writer).filter(id=created.id).delete()
        event = sub.get(timeout=1.0)
        assert event.type == "delete" and event.keys == [created.id] and event.items == []
        assert isinstance(event.keys[0], int)  # the server sends "3"; the model's key type is int


def test_sync_filter_is_respected(session, writer):
    with Article.objects.filter(status="published").subscribe() as sub:
        assert sub.get(timeout=5).type == "init"
        Article.objects.using(writer).create(title="draft", status="draft")
        with pytest.raises(Exception) as nothing:
            sub.get(timeout=1.0)
        assert type(nothing.value).__name__ == "TimeoutError"
        shown = Article.objects.using(writer).create(title="shown", status="published")
        event = sub.get(timeout=1.0)
        assert (event.type, [a.title for a in event.items]) == ("create", ["shown"])
        # An update that makes an item match arrives as an update of that item.
        draft = Article.objects.using(writer).get(title="draft")
        Article.objects.using(writer).filter(id=draft.id).update(status="published")
        event = sub.get(timeout=1.0)
        assert (event.type, event.keys) == ("update", [draft.id])
        assert shown.id != draft.id


def test_sync_init_holds_every_match_and_deletes_are_not_filtered(session, writer):
    Article.objects.using(writer).bulk_create([Article(title=f"b{i}", status="published") for i in range(150)])
    draft = Article.objects.using(writer).create(title="draft", status="draft")
    with Article.objects.filter(status="published").subscribe() as sub:
        init = sub.get(timeout=10)
        assert len(init.items) == 150  # past the server's default limit of 100
        # Directus sends deletes without applying the filter: a draft's delete arrives too.
        Article.objects.using(writer).filter(id=draft.id).delete()
        event = sub.get(timeout=1.0)
        assert (event.type, event.keys) == ("delete", [draft.id])


def test_sync_breaking_out_of_the_loop_unsubscribes(session, writer):
    listener = Listener(session)
    uid = None
    for event in Article.objects.filter(status="published").subscribe():
        assert event.type == "init"
        uid = event.uid
        break
    assert uid is not None
    # The server confirms the unsubscribe, and sends nothing more for that uid.
    wait_until(lambda: bool(listener.of(event="unsubscribe", uid=uid)), 2, "the unsubscribe")
    Article.objects.using(writer).create(title="after", status="published")
    time.sleep(1.0)
    assert listener.of(uid=uid, event="create") == []


def test_sync_an_exception_in_the_loop_and_close_unsubscribe(session, writer):
    listener = Listener(session)
    uids: list[str] = []
    with pytest.raises(LookupError):
        for event in Article.objects.filter(status="published").subscribe():
            uids.append(event.uid)
            raise LookupError("the consumer failed")
    sub = Article.objects.filter(status="draft").subscribe()
    uids.append(sub.get(timeout=5).uid)
    sub.close()
    for uid in uids:
        wait_until(lambda uid=uid: bool(listener.of(event="unsubscribe", uid=uid)), 2, f"unsubscribe {uid}")
    assert session.realtime.connected


def test_sync_twenty_subscriptions_share_one_socket(session, writer):
    with contextlib.ExitStack() as stack:
        subs = [stack.enter_context(Article.objects.filter(views=i).subscribe()) for i in range(20)]
        for sub in subs:
            assert sub.get(timeout=5).type == "init"
        assert session.realtime.connections == 1
        for i in range(20):
            Article.objects.using(writer).create(title=f"n{i}", views=i)
        for i, sub in enumerate(subs):
            event = sub.get(timeout=2.0)
            assert (event.type, [(a.title, a.views) for a in event.items]) == ("create", [(f"n{i}", i)])
        assert len({sub.uid for sub in subs}) == 20
        assert session.realtime.connections == 1


def test_sync_server_errors_are_typed(session, articles):
    version = session.server.version()
    assert version is not None
    if version >= "12":
        with pytest.raises(SubscriptionError) as refused:
            session.realtime.subscribe("rt_no_such_collection").get(timeout=5)
        assert refused.value.code == "FORBIDDEN"
    else:  # Directus 11 does not answer a subscription to a missing collection at all
        with pytest.raises(d.TimeoutError, match="no event on rt_no_such_collection"):
            session.realtime.subscribe("rt_no_such_collection").get(timeout=2)
    # The socket stays usable for other subscriptions.
    with Article.objects.all().subscribe() as sub:
        assert sub.get(timeout=5).type == "init"


def test_sync_raw_subscription_and_items_over_the_socket(session, writer):
    items = session.realtime.items(COLLECTION)
    with session.realtime.subscribe(COLLECTION, {"fields": ["id", "title"]}) as sub:
        assert sub.get(timeout=5).items == []
        created = items.create({"title": "over the socket", "status": "published"})
        assert created["title"] == "over the socket"
        event = sub.get(timeout=1.0)
        assert event.type == "create" and event.items == [{"id": created["id"], "title": "over the socket"}]
    read = items.read(query={"filter": {"id": {"_eq": created["id"]}}, "fields": ["title"]})
    assert read == [{"title": "over the socket"}]
    assert Article.objects.using(writer).get(id=created["id"]).status == "published"
    updated = items.update({"views": 5}, id=created["id"])
    assert updated["views"] == 5 and Article.objects.using(writer).get(id=created["id"]).views == 5
    items.delete(id=created["id"])
    assert not Article.objects.using(writer).filter(id=created["id"]).exists()
    with pytest.raises(RealtimeServerError) as refused:
        session.realtime.items("rt_no_such_collection").read()
    version = session.server.version()
    assert refused.value.code == ("FORBIDDEN" if version is not None and version >= "12" else "INVALID_COLLECTION")


def test_sync_origin_is_checked_by_the_server(session, articles):
    version = session.server.version()
    assert version is not None
    session.realtime.settings.origin = "http://elsewhere.example"
    if version >= "12.1":
        with pytest.raises(RealtimeUnavailable) as refused:
            Article.objects.all().subscribe().get(timeout=10)
        assert refused.value.status == 403
    else:  # the Origin check came with Directus 12.1
        with Article.objects.all().subscribe() as sub:
            assert sub.get(timeout=10).type == "init"


def test_sync_without_websockets_enabled_is_a_typed_error(directus_factory):
    server = directus_factory(env={"WEBSOCKETS_ENABLED": "false"})
    with Session(server.url) as s:
        s.auth.login(server.email, server.password)
        with pytest.raises(RealtimeUnavailable) as refused:
            s.realtime.subscribe("directus_users").get(timeout=10)
        assert refused.value.status == 404


def test_sync_expiring_tokens_do_not_end_a_subscription(rt_server, rt_writer):
    with Session(rt_server.url) as s:
        login(s, rt_server)
        listener = Listener(s)
        with Article.objects.filter(status="published").subscribe() as sub:
            assert sub.get(timeout=5).type == "init"
            started = time.monotonic()
            for i in range(6):  # about 10 s: more than three token lifetimes
                time.sleep(1.7)
                Article.objects.using(rt_writer).create(title=f"t{i}", status="published")
                event = sub.get(timeout=1.0)
                assert (event.type, event.items[0].title, event.gap) == ("create", f"t{i}", False)
            assert time.monotonic() - started > 3 * 3
        assert s.realtime.connections == 1
        assert len(listener.of(type="auth", status="ok")) >= 3  # re-authenticated in place
        # ... while the server's 1-second heartbeat pinged the socket, and it answered.
        assert len(listener.of(type="ping")) >= 5


def test_sync_token_expired_from_the_server_is_answered(rt_server, rt_writer):
    # Without renewal ahead of time, the server's TOKEN_EXPIRED is what triggers re-auth.
    with Session(rt_server.url) as s:
        login(s, rt_server)
        s.realtime.settings.renew_early = False
        listener = Listener(s)
        with Article.objects.filter(status="published").subscribe() as sub:
            assert sub.get(timeout=5).type == "init"
            for i in range(4):  # about 8 s
                time.sleep(1.7)
                Article.objects.using(rt_writer).create(title=f"e{i}", status="published")
                # A create made while the socket was public (between TOKEN_EXPIRED and the new
                # auth) is refused to it; the subscription is made again and its init, marked
                # as a gap, holds the item instead of a create event.
                event = sub.get(timeout=3.0)
                while event.type == "init":
                    assert event.gap
                    if any(a.title == f"e{i}" for a in event.items):
                        break
                    event = sub.get(timeout=3.0)
                if event.type == "create":
                    assert event.items[0].title == f"e{i}"
                else:
                    assert event.gap and f"e{i}" in {a.title for a in event.items}
        assert len(listener.of(type="auth", status="error")) >= 2  # TOKEN_EXPIRED pushes
        assert all(m["error"]["code"] == "TOKEN_EXPIRED" for m in listener.of(type="auth", status="error"))
        assert s.realtime.connections == 1


def test_sync_server_restart_reconnects_and_resubscribes(rt_server, rt_writer):
    with Session(rt_server.url) as s:
        login(s, rt_server)
        s.realtime.settings.max_backoff = 1.0
        s.realtime.settings.max_attempts = None
        qs = Article.objects.filter(status="published")
        with qs.subscribe() as sub:
            assert sub.get(timeout=5).gap is False
            downtime = rt_server.restart()
            resumed = sub.get(timeout=30)
            assert (resumed.type, resumed.gap) == ("init", True), downtime
            # One socket before the restart and at least one after it: a socket that the
            # restarting server accepts and then drops makes the client connect once more.
            assert s.realtime.connections >= 2
            Article.objects.using(rt_writer).create(title="after restart", status="published")
            event = sub.get(timeout=1.0)
            assert (event.type, event.items[0].title) == ("create", "after restart")


def test_sync_allowed_origin_is_accepted(rt_server, rt_writer):
    with Session(rt_server.url, static_token=rt_server.token) as s:
        s.realtime.settings.origin = ALLOWED_ORIGIN
        with Article.objects.all().subscribe() as sub:
            assert sub.get(timeout=5).type == "init"


def test_sync_closing_the_session_ends_the_loop(directus_server, admin_token, articles):
    s = Session(directus_server.url, static_token=admin_token)
    seen: list[str] = []

    def consume() -> None:
        for event in Article.objects.using(s).all().subscribe():
            seen.append(event.type)

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    wait_until(lambda: seen == ["init"], 5, "the init event")
    s.close()
    thread.join(5)
    assert not thread.is_alive()


# --------------------------------------------------------------- async


async def test_async_create_update_delete_arrive_as_typed_events(asession, awriter):
    qs = Article.objects.filter(status="published").fields("id", "title")
    async with qs.asubscribe() as sub:
        init = await sub.get(timeout=5)
        assert (init.type, init.items, init.gap) == ("init", [], False)
        created = await Article.objects.using(awriter).acreate(title="new", status="published")
        event = await sub.get(timeout=1.0)
        assert event.type == "create" and event.keys == [created.id]
        assert isinstance(event.items[0], Article) and event.items[0].title == "new"
        with pytest.raises(FieldNotLoaded):
            _ = event.items[0].status
        await Article.objects.using(awriter).filter(id=created.id).aupdate(title="renamed")
        event = await sub.get(timeout=1.0)
        assert (event.type, event.items[0].title) == ("update", "renamed")
        await Article.objects.using(awriter).filter(id=created.id).adelete()
        event = await sub.get(timeout=1.0)
        assert (event.type, event.keys) == ("delete", [created.id])


async def test_async_filter_is_respected(asession, awriter):
    async with Article.objects.filter(status="published").asubscribe() as sub:
        assert (await sub.get(timeout=5)).type == "init"
        await Article.objects.using(awriter).acreate(title="draft", status="draft")
        with pytest.raises(Exception) as nothing:
            await sub.get(timeout=1.0)
        assert type(nothing.value).__name__ == "TimeoutError"
        await Article.objects.using(awriter).acreate(title="shown", status="published")
        event = await sub.get(timeout=1.0)
        assert (event.type, [a.title for a in event.items]) == ("create", ["shown"])


async def _collect(session: AsyncSession, into: list[dict[str, Any]]) -> None:
    with contextlib.suppress(Exception):
        async for message in session.realtime.listen():
            into.append(message)


async def test_async_break_and_cancel_unsubscribe(asession, awriter):
    messages: list[dict[str, Any]] = []
    listener = asyncio.create_task(_collect(asession, messages))
    await await_until(lambda: asession.realtime.connected, 10, "the socket to connect")

    uid = None
    async for event in Article.objects.filter(status="published").asubscribe():
        uid = event.uid
        break
    await await_until(
        lambda: any(m.get("event") == "unsubscribe" and m.get("uid") == uid for m in messages),
        2, "the unsubscribe after break",
    )

    seen: list[SubscriptionEvent[Article]] = []

    async def consume() -> None:
        async for event in Article.objects.all().asubscribe():
            seen.append(event)

    task = asyncio.create_task(consume())
    await await_until(lambda: len(seen) == 1, 5, "the init event")
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    cancelled_uid = seen[0].uid
    await await_until(
        lambda: any(m.get("event") == "unsubscribe" and m.get("uid") == cancelled_uid for m in messages),
        2, "the unsubscribe after cancel",
    )
    await Article.objects.using(awriter).acreate(title="after", status="published")
    await asyncio.sleep(1.0)
    assert not [m for m in messages if m.get("uid") in (uid, cancelled_uid) and m.get("event") == "create"]
    assert len(seen) == 1
    listener.cancel()


async def test_async_twenty_subscriptions_share_one_socket(asession, awriter):
    async with contextlib.AsyncExitStack() as stack:
        subs = [await stack.enter_async_context(Article.objects.filter(views=i).asubscribe())
                for i in range(20)]
        for sub in subs:
            assert (await sub.get(timeout=5)).type == "init"
        await asyncio.gather(*(Article.objects.using(awriter).acreate(title=f"n{i}", views=i)
                               for i in range(20)))
        for i, sub in enumerate(subs):
            event = await sub.get(timeout=2.0)
            assert (event.type, [(a.title, a.views) for a in event.items]) == ("create", [(f"n{i}", i)])
        assert asession.realtime.connections == 1


async def test_async_server_errors_are_typed(asession, articles):
    version = await asession.server.version()
    assert version is not None
    if version >= "12":
        with pytest.raises(SubscriptionError) as refused:
            await asession.realtime.subscribe("rt_no_such_collection").get(timeout=5)
        assert refused.value.code == "FORBIDDEN"
    else:  # Directus 11 does not answer a subscription to a missing collection at all
        with pytest.raises(d.TimeoutError, match="no event on rt_no_such_collection"):
            await asession.realtime.subscribe("rt_no_such_collection").get(timeout=2)
    with pytest.raises(RealtimeServerError):
        await asession.realtime.items("rt_no_such_collection").read()


async def test_async_raw_messages_and_items_over_the_socket(asession, awriter):
    items = asession.realtime.items(COLLECTION)
    created = await items.create({"title": "async socket", "status": "published"})
    assert (await items.read(id=created["id"]))["title"] == "async socket"
    await asession.realtime.send({"type": "ping", "uid": "p1"})
    pong = await asession.realtime.request({"type": "ping"})
    assert pong is None  # a pong carries no data; the uid matched it
    await items.delete(id=created["id"])
    assert not await Article.objects.using(awriter).filter(id=created["id"]).aexists()


async def test_async_expiring_tokens_do_not_end_a_subscription(rt_server, rt_writer):
    async with AsyncSession(rt_server.url) as s:
        await s.auth.login(rt_server.server.admin_email, rt_server.server.admin_password)
        messages: list[dict[str, Any]] = []
        listener = asyncio.create_task(_collect(s, messages))
        async with Article.objects.filter(status="published").asubscribe() as sub:
            assert (await sub.get(timeout=5)).type == "init"
            started = time.monotonic()
            for i in range(6):  # about 10 s: more than three token lifetimes
                await asyncio.sleep(1.7)
                await asyncio.to_thread(
                    Article.objects.using(rt_writer).create, title=f"a{i}", status="published"
                )
                event = await sub.get(timeout=1.0)
                assert (event.type, event.items[0].title, event.gap) == ("create", f"a{i}", False)
            assert time.monotonic() - started > 3 * 3
        assert s.realtime.connections == 1
        assert len([m for m in messages if m.get("type") == "auth" and m.get("status") == "ok"]) >= 3
        listener.cancel()


async def test_async_server_restart_reconnects_and_resubscribes(rt_server, rt_writer):
    async with AsyncSession(rt_server.url) as s:
        await s.auth.login(rt_server.server.admin_email, rt_server.server.admin_password)
        s.realtime.settings.max_backoff = 1.0
        s.realtime.settings.max_attempts = None
        async with Article.objects.filter(status="published").asubscribe() as sub:
            assert (await sub.get(timeout=5)).gap is False
            await asyncio.to_thread(rt_server.restart)
            resumed = await sub.get(timeout=30)
            assert (resumed.type, resumed.gap) == ("init", True)
            # One socket before the restart and at least one after it: a socket that the
            # restarting server accepts and then drops makes the client connect once more.
            assert s.realtime.connections >= 2
            await asyncio.to_thread(
                Article.objects.using(rt_writer).create, title="after restart", status="published"
            )
            event = await sub.get(timeout=1.0)
            assert (event.type, event.items[0].title) == ("create", "after restart")

