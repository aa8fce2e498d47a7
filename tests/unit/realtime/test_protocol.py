"""The realtime protocol without a socket: the connection flow driven step by step.

What goes out (the outbox) and what the subscriptions receive, for every turn of a
connection's life: handshake, subscribe, ping, re-authentication, token expiry,
reconnect with resubscription, refusals, giving up.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from directus_orm import (
    FieldNotLoaded,
    Model,
    QueryError,
    RealtimeAuthError,
    RealtimeConnectionError,
    RealtimeSettings,
    RealtimeUnavailable,
    SubscriptionError,
    SubscriptionEvent,
)
from directus_orm._core.auth import AuthCore
from directus_orm._core.flow import Refresh, Sleep
from directus_orm._realtime.protocol import (
    CLOSED,
    TIMEOUT,
    Connect,
    RealtimeCore,
    Receive,
    connection_flow,
    jwt_times,
)
from directus_orm._realtime.query import queryset_spec, raw_spec


class Article(Model, collection="articles"):
    id: int | None = None
    title: str
    status: str = "draft"


NOW = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def jwt(iat: float, exp: float, who: str = "a") -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part({'iat': int(iat), 'exp': int(exp), 'id': who})}.sig"


def logged_in(clock: Clock, lifetime: float = 900.0) -> AuthCore:
    auth = AuthCore(refresh_margin=0.5, clock=clock)
    auth._save("json", jwt(clock.now, clock.now + lifetime), "refresh-1", int(lifetime * 1000))
    return auth


def sent(core: RealtimeCore) -> list[dict[str, Any]]:
    return [json.loads(text) for text in core.take_outbox()]


class Harness:
    """A flow plus what its subscriptions received."""

    def __init__(self, auth: AuthCore, clock: Clock, settings: RealtimeSettings | None = None) -> None:
        self.core = RealtimeCore()
        self.auth = auth
        self.clock = clock
        self.flow = connection_flow(self.core, auth, settings or RealtimeSettings(), clock)
        self.received: list[Any] = []

    def subscribe(self, spec: Any = None) -> str:
        return self.core.add(spec or raw_spec("articles", {"fields": ["id", "title"]}), self.received.append)

    def step(self, value: Any = None) -> Any:
        return self.flow.send(value)

    def open(self) -> Any:
        """Answer a ``Connect`` step, then authenticate; returns the step after the ``auth`` answer."""
        receive = self.step(None)
        assert isinstance(receive, Receive)
        assert [m["type"] for m in sent(self.core)] == ["auth"]
        return self.step('{"type":"auth","status":"ok"}')


def start(harness: Harness) -> None:
    assert isinstance(next(harness.flow), Connect)


def test_nothing_but_auth_leaves_before_the_socket_is_authenticated():
    clock = Clock()
    h = Harness(logged_in(clock), clock)
    uid = h.subscribe()  # before the socket exists: no race with the handshake
    assert sent(h.core) == []
    start(h)
    assert isinstance(h.step(None), Receive)
    auth = sent(h.core)
    assert auth == [{"type": "auth", "access_token": h.auth.access_token}]
    after = h.step('{"type":"auth","status":"ok"}')
    assert isinstance(after, Receive)
    assert sent(h.core) == [
        {"type": "subscribe", "collection": "articles", "uid": uid, "query": {"fields": ["id", "title"]}}
    ]
    h.step(json.dumps({"type": "subscription", "event": "init", "data": [{"id": 1, "title": "a"}], "uid": uid}))
    assert h.received == [SubscriptionEvent("init", [{"id": 1, "title": "a"}], [], uid)]


def test_ping_is_answered_and_unknown_messages_are_ignored():
    clock = Clock()
    h = Harness(logged_in(clock), clock)
    start(h)
    h.open()
    h.step('{"type":"ping"}')
    assert sent(h.core) == [{"type": "pong"}]
    h.step('{"type":"something-new"}')
    h.step("not json")
    assert sent(h.core) == [] and h.received == []


def test_events_are_typed_hydrated_and_empty_ones_dropped():
    clock = Clock()
    h = Harness(logged_in(clock), clock)
    qs = Article.objects.filter(status="published").fields("id", "title")
    uid = h.subscribe(queryset_spec(qs))
    start(h)
    h.open()
    subscribe = sent(h.core)[0]
    assert subscribe["query"] == {"fields": ["id", "title"], "filter": {"status": {"_eq": "published"}}, "limit": -1}
    h.step(json.dumps({"type": "subscription", "event": "init", "data": [{"id": 1, "title": "a"}], "uid": uid}))
    h.step(json.dumps({"type": "subscription", "event": "create", "data": [], "uid": uid}))
    h.step(json.dumps({"type": "subscription", "event": "update", "data": [{"id": 2, "title": "b"}], "uid": uid}))
    h.step(json.dumps({"type": "subscription", "event": "delete", "data": ["2", "7"], "uid": uid}))
    h.step(json.dumps({"type": "subscription", "event": "create", "data": [{"id": 9}], "uid": "other"}))
    init, update, delete = h.received
    assert (init.type, init.keys, update.type, update.keys) == ("init", [1], "update", [2])
    assert isinstance(update.items[0], Article) and update.items[0].title == "b"
    with pytest.raises(FieldNotLoaded):
        _ = update.items[0].status
    assert (delete.type, delete.items, delete.keys) == ("delete", [], [2, 7])


def test_values_rows_ask_for_the_key_and_report_it():
    clock = Clock()
    h = Harness(logged_in(clock), clock)
    uid = h.subscribe(queryset_spec(Article.objects.values("title")))
    start(h)
    h.open()
    assert sent(h.core)[0]["query"]["fields"] == ["title", "id"]
    h.step(json.dumps({"type": "subscription", "event": "create", "data": [{"id": "4", "title": "x"}], "uid": uid}))
    assert h.received == [SubscriptionEvent("create", [{"title": "x"}], [4], uid)]


def test_querysets_that_cannot_be_subscriptions_are_refused():
    for qs in (Article.objects.all()[:5], Article.objects.none(), Article.objects.meta("total_count")):
        with pytest.raises(QueryError):
            queryset_spec(qs)


def test_a_refused_subscription_ends_with_a_typed_error():
    clock = Clock()
    h = Harness(logged_in(clock), clock)
    uid = h.subscribe(raw_spec("missing", None))
    start(h)
    h.open()
    error = {"type": "subscribe", "status": "error", "uid": uid,
             "error": {"code": "FORBIDDEN", "message": "You don't have permission to access this."}}
    h.step(json.dumps(error))
    [refusal] = h.received
    assert isinstance(refusal, SubscriptionError)
    assert (refusal.code, refusal.uid) == ("FORBIDDEN", uid)
    assert uid not in h.core.subs


def test_unsubscribe_follows_subscribe_and_is_only_sent_for_what_the_server_has():
    clock = Clock()
    h = Harness(logged_in(clock), clock)
    early = h.subscribe()
    h.core.remove(early)  # never reached the server: nothing to undo
    assert sent(h.core) == []
    start(h)
    h.open()
    assert sent(h.core) == []
    uid = h.subscribe()
    h.core.remove(uid)
    assert [m["type"] for m in sent(h.core)] == ["subscribe", "unsubscribe"]


def test_the_token_is_renewed_on_the_open_socket_before_it_expires():
    clock = Clock()
    auth = logged_in(clock, lifetime=3)
    h = Harness(auth, clock)
    start(h)
    receive = h.open()
    assert isinstance(receive, Receive) and receive.timeout == pytest.approx(2.0)  # 1 s before exp
    clock.now += 2.0
    refresh = h.step(TIMEOUT)
    assert isinstance(refresh, Refresh) and refresh.generation == auth.generation
    auth._save("json", jwt(clock.now, clock.now + 3, "b"), "refresh-2", 3000)  # what the session does
    h.step(None)
    assert sent(h.core) == [{"type": "auth", "access_token": auth.access_token}]
    h.step('{"type":"auth","status":"ok"}')
    assert h.received == []  # no gap: the subscriptions were never dropped


def test_token_expired_refreshes_and_resubscribes_what_the_server_dropped():
    clock = Clock()
    auth = logged_in(clock, lifetime=3)
    h = Harness(auth, clock)
    uid = h.subscribe()
    start(h)
    h.open()
    sent(h.core)
    h.step(json.dumps({"type": "subscription", "event": "init", "data": [], "uid": uid}))
    expired = {"type": "auth", "status": "error", "error": {"code": "TOKEN_EXPIRED", "message": "Token expired."}}
    refresh = h.step(json.dumps(expired))
    assert isinstance(refresh, Refresh)
    auth._save("json", jwt(clock.now, clock.now + 3, "b"), "refresh-2", 3000)
    h.step(None)
    # An event dispatched while the socket was public: refused, so subscribed again later.
    forbidden = {"type": "subscribe", "status": "error", "uid": uid,
                 "error": {"code": "FORBIDDEN", "message": "no"}}
    h.step(json.dumps(forbidden))
    assert sent(h.core) == [{"type": "auth", "access_token": auth.access_token}]
    h.step('{"type":"auth","status":"ok"}')
    assert [m["type"] for m in sent(h.core)] == ["subscribe"]
    h.step(json.dumps({"type": "subscription", "event": "init", "data": [], "uid": uid}))
    assert [(e.type, e.gap) for e in h.received] == [("init", False), ("init", True)]


def test_an_expired_static_token_ends_the_subscriptions():
    clock = Clock()
    auth = AuthCore(clock=clock)
    auth.set_static("static-token")
    h = Harness(auth, clock)
    h.subscribe()
    start(h)
    h.open()
    expired = {"type": "auth", "status": "error", "error": {"code": "TOKEN_EXPIRED", "message": "x"}}
    with pytest.raises(StopIteration):
        h.step(json.dumps(expired))
    [error] = h.received
    assert isinstance(error, RealtimeAuthError) and error.code == "TOKEN_EXPIRED"


def test_a_refused_handshake_is_an_auth_error():
    clock = Clock()
    h = Harness(logged_in(clock), clock)
    h.subscribe()
    start(h)
    h.step(None)
    refused = {"type": "auth", "status": "error", "error": {"code": "AUTH_FAILED", "message": "no"}}
    with pytest.raises(StopIteration):
        h.step(json.dumps(refused))
    [error] = h.received
    assert isinstance(error, RealtimeAuthError) and error.code == "AUTH_FAILED"
    assert "refresh" not in str(error) and h.auth.access_token not in str(error)


def test_a_lost_connection_reconnects_and_resubscribes_with_a_gap():
    clock = Clock()
    h = Harness(logged_in(clock), clock, RealtimeSettings(backoff=0.5, max_backoff=2.0))
    uid = h.subscribe()
    start(h)
    h.open()
    sent(h.core)
    h.step(json.dumps({"type": "subscription", "event": "init", "data": [], "uid": uid}))
    pause = h.step(CLOSED)
    assert isinstance(pause, Sleep) and pause.seconds == 0
    delays = []
    step = h.step(None)
    for _ in range(4):  # the server is restarting: refused, refused, ...
        assert isinstance(step, Connect)
        sleep = h.step(RealtimeConnectionError("refused"))
        assert isinstance(sleep, Sleep)
        delays.append(sleep.seconds)
        step = h.step(None)
    assert all(0.4 <= d <= 2.0 for d in delays) and delays[-1] >= 1.6  # capped backoff
    assert isinstance(step, Connect)
    h.step(None)
    assert [m["type"] for m in sent(h.core)] == ["auth"]
    h.step('{"type":"auth","status":"ok"}')
    assert sent(h.core)[0]["uid"] == uid  # the same uid again
    h.step(json.dumps({"type": "subscription", "event": "init", "data": [{"id": 3}], "uid": uid}))
    assert [(e.type, e.gap) for e in h.received] == [("init", False), ("init", True)]


def test_reconnecting_gives_up_after_max_attempts():
    clock = Clock()
    h = Harness(logged_in(clock), clock, RealtimeSettings(max_attempts=2))
    h.subscribe()
    start(h)
    h.open()
    h.step(CLOSED)
    assert isinstance(h.step(None), Connect)
    assert isinstance(h.step(RealtimeConnectionError("refused")), Sleep)
    assert isinstance(h.step(None), Connect)
    assert isinstance(h.step(RealtimeConnectionError("refused")), Sleep)
    assert isinstance(h.step(None), Connect)
    with pytest.raises(StopIteration):
        h.step(RealtimeConnectionError("refused"))
    [error] = h.received
    assert isinstance(error, RealtimeConnectionError) and "2 reconnect attempts" in str(error)


def test_a_first_connection_that_fails_is_not_retried():
    clock = Clock()
    h = Harness(logged_in(clock), clock)
    h.subscribe()
    start(h)
    with pytest.raises(StopIteration):
        h.step(RealtimeUnavailable("HTTP 404", status=404))
    [error] = h.received
    assert isinstance(error, RealtimeUnavailable) and error.status == 404


def test_without_a_token_the_socket_is_public():
    clock = Clock()
    h = Harness(AuthCore(clock=clock), clock)
    h.subscribe()
    start(h)
    assert isinstance(h.step(None), Receive)
    assert [m["type"] for m in sent(h.core)] == ["subscribe"]


def test_a_session_that_lost_its_login_does_not_open_a_public_socket():
    clock = Clock()
    auth = logged_in(clock)
    auth.lose()  # a refresh failed: the tokens are gone, the session must not go anonymous
    h = Harness(auth, clock)
    h.subscribe()
    start(h)
    with pytest.raises(StopIteration):
        h.step(None)
    assert sent(h.core) == []
    [error] = h.received
    assert isinstance(error, RealtimeAuthError) and "lost its credentials" in str(error)


def test_websocket_urls_and_jwt_times():
    settings = RealtimeSettings()
    assert settings.url("http://127.0.0.1:8055/") == "ws://127.0.0.1:8055/websocket"
    assert RealtimeSettings(path="rt").url("https://cms.example.com") == "wss://cms.example.com/rt"
    assert jwt_times(jwt(100, 103)) == (100.0, 103.0)
    assert jwt_times("not-a-jwt") == (None, None)


def test_a_subscription_refused_while_the_token_was_expired_is_sent_again_without_gap():
    clock = Clock()
    auth = logged_in(clock, lifetime=3)
    h = Harness(auth, clock)
    start(h)
    h.open()
    uid = h.subscribe()  # sent at once, but the token expires before the server reads it
    assert [m["type"] for m in sent(h.core)] == ["subscribe"]
    expired = {"type": "auth", "status": "error", "error": {"code": "TOKEN_EXPIRED", "message": "x"}}
    assert isinstance(h.step(json.dumps(expired)), Refresh)
    auth._save("json", jwt(clock.now, clock.now + 3, "b"), "refresh-2", 3000)
    h.step(None)
    h.step(json.dumps({"type": "subscribe", "status": "error", "uid": uid,
                       "error": {"code": "FORBIDDEN", "message": "public"}}))
    assert h.received == []
    h.step('{"type":"auth","status":"ok"}')
    assert [m["type"] for m in sent(h.core)] == ["auth", "subscribe"]
    h.step(json.dumps({"type": "subscription", "event": "init", "data": [], "uid": uid}))
    assert [(e.type, e.gap) for e in h.received] == [("init", False)]


def test_a_handshake_refused_for_a_token_that_ran_out_refreshes_and_reconnects():
    """Directus 11 answers an expired token with a bare AUTH_FAILED and closes the socket."""
    clock = Clock()
    auth = logged_in(clock, lifetime=60.0)
    h = Harness(auth, clock)
    uid = h.subscribe()
    start(h)
    h.open()
    sent(h.core)
    h.step(json.dumps({"type": "subscription", "event": "init", "data": [], "uid": uid}))
    clock.now += 57.0  # 3 s left: not yet due for a refresh, but it runs out on the way
    assert isinstance(h.step(CLOSED), Sleep)  # the server restarts
    assert isinstance(h.step(None), Connect)
    h.step(None)
    old = auth.access_token
    assert sent(h.core) == [{"type": "auth", "access_token": old}]
    refused = {"type": "auth", "status": "error", "error": {"code": "AUTH_FAILED",
                                                            "message": "Authentication handshake failed."}}
    refresh = h.step(json.dumps(refused))
    assert isinstance(refresh, Refresh)
    auth._save("json", jwt(clock.now, clock.now + 60, "b"), "refresh-2", 60_000)
    step = h.step(None)
    while not isinstance(step, Connect):  # a short pause, then a new socket
        step = h.step(None)
    h.step(None)
    assert sent(h.core) == [{"type": "auth", "access_token": auth.access_token}]
    assert auth.access_token != old
    h.step('{"type":"auth","status":"ok"}')
    assert [type(e).__name__ for e in h.received if isinstance(e, Exception)] == []
