"""The realtime protocol, without I/O: messages, subscription state, and the connection flow.

:class:`RealtimeCore` holds what the socket has said and must say: every
subscription (by ``uid``), pending requests, and an *outbox* of messages to send.
Consumers add and remove subscriptions; the connection flow feeds it what the
server sends. Every change puts the messages it needs into the outbox, and the
driver sends the outbox under the same lock as the change, so messages always
leave in the order their changes were made (an ``unsubscribe`` can never
overtake its ``subscribe``, and nothing but ``auth`` is sent before the socket
is authenticated).

:func:`connection_flow` is the life of the connection, written once as a
generator of steps (connect, receive, refresh the token, sleep) that the sync
driver runs in a thread and the async driver in a task: authenticate with the
session's token, resubscribe everything after a (re)connect, answer ``ping``,
re-authenticate before the token expires and on ``TOKEN_EXPIRED`` (through the
session's single-flight refresh), and reconnect with capped backoff.

Directus 12.4 behaviour this follows (see docs/realtime.md):

- handshake auth: the first message must be ``auth``; an access token can be
  sent again at any time to re-authenticate the open socket;
- when the token expires the server drops the socket to public access, sends
  ``TOKEN_EXPIRED`` and closes it unless an ``auth`` follows in time;
- the server pings every ``WEBSOCKETS_HEARTBEAT_PERIOD`` seconds and closes a
  socket that sent nothing within the next period;
- subscribing again with the same ``uid`` replaces the subscription.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .._core.flow import Refresh, Sleep
from .errors import (
    RealtimeAuthError,
    RealtimeConnectionError,
    RealtimeError,
    RealtimeServerError,
    RealtimeUnavailable,
    SubscriptionError,
)
from .events import SubscriptionEvent

if TYPE_CHECKING:
    from .._core.auth_base import BaseAuth

__all__ = [
    "CLOSED",
    "TIMEOUT",
    "Connect",
    "RealtimeCore",
    "RealtimeSettings",
    "Receive",
    "Sink",
    "SubscriptionSpec",
    "connection_flow",
]

logger = logging.getLogger("directus_orm.realtime")

Sink = Callable[[Any], None]
"""Where a subscription's events (or the error that ends it) are delivered."""


@dataclass
class RealtimeSettings:
    """How ``session.realtime`` connects; change the attributes before the first subscription.

    - ``path``: the server's ``WEBSOCKETS_REST_PATH`` (default ``/websocket``).
    - ``origin``: an ``Origin`` header to send (default none; Directus 12.1+ only
      accepts a foreign origin listed in ``CORS_ORIGIN`` with ``CORS_ENABLED``).
    - ``headers``: extra headers for the upgrade request.
    - ``reconnect``: reconnect after a lost connection (default on), at most
      ``max_attempts`` times in a row (``None``: forever), waiting
      ``backoff * 2**n`` seconds, capped at ``max_backoff``.
    - ``open_timeout``/``auth_timeout``: seconds for the upgrade and for the
      answer to ``auth``.
    - ``ping_interval``: WebSocket-level keepalive pings (seconds, ``None``: off);
      a dead connection is noticed within about twice this.
    - ``renew_early``: send a fresh access token on the open socket shortly before
      the current one expires (default on); off, the socket waits for the server's
      ``TOKEN_EXPIRED`` and then re-authenticates (events in between can be refused,
      and the affected subscriptions start again with a gap).
    """

    path: str = "/websocket"
    origin: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    reconnect: bool = True
    max_attempts: int | None = 10
    backoff: float = 0.5
    max_backoff: float = 10.0
    open_timeout: float = 10.0
    auth_timeout: float = 10.0
    ping_interval: float | None = 20.0
    renew_early: bool = True

    def delay(self, failures: int) -> float:
        """Seconds to wait before reconnect attempt number ``failures`` (1-based), with jitter."""
        base = min(self.max_backoff, self.backoff * 2.0 ** max(failures - 1, 0))
        return float(base * random.uniform(0.8, 1.0))

    def url(self, http_url: str) -> str:
        scheme, _, rest = http_url.partition("://")
        ws_scheme = "wss" if scheme == "https" else "ws"
        path = self.path if self.path.startswith("/") else "/" + self.path
        return f"{ws_scheme}://{rest.rstrip('/')}{path}"


@dataclass(frozen=True)
class SubscriptionSpec:
    """What to subscribe to, and how to turn the server's data into items and keys."""

    collection: str
    query: Mapping[str, Any]
    hydrate: Callable[[bytes, list[Any]], list[Any]]
    """Items from a message's bytes and its parsed ``data`` list."""
    keys: Callable[[list[Any], list[Any]], list[Any]]
    """The primary keys of an event, from its parsed ``data`` and its hydrated items."""
    convert_key: Callable[[Any], Any]
    """A key as the server sends it (deletes send strings) → the model's key type."""


@dataclass(frozen=True)
class Connect:
    """Open the WebSocket; the result is ``None`` or the :class:`RealtimeError` it failed with."""


@dataclass(frozen=True)
class Receive:
    """Wait up to ``timeout`` seconds (``None``: no limit) for one message.

    The result is its text, :data:`TIMEOUT`, or :data:`CLOSED`.
    """

    timeout: float | None


TIMEOUT: Literal["timeout"] = "timeout"
CLOSED: Literal["closed"] = "closed"

RealtimeStep = Connect | Receive | Refresh | Sleep
ConnectionFlow = Generator[RealtimeStep, Any, None]

_SubState = Literal["pending", "sent", "active"]


@dataclass
class _Sub:
    uid: str
    spec: SubscriptionSpec
    sink: Sink
    state: _SubState = "pending"
    gap: bool = False
    """The next ``init`` follows a re-subscription (events may have been missed)."""


@dataclass(frozen=True)
class _AuthSignal:
    ok: bool
    code: str | None = None
    message: str = ""


class RealtimeCore:
    """The socket's state: subscriptions, requests, listeners and the outbox. No I/O."""

    def __init__(self) -> None:
        self.subs: dict[str, _Sub] = {}
        self.requests: dict[str, Sink] = {}
        self.listeners: list[Sink] = []
        self.outbox: list[str] = []
        self.ready = False
        """Authenticated (or public) on an open socket: messages other than ``auth`` may go."""
        self.connected = False
        self.closing = False
        self._counter = 0

    # ------------------------------------------------------------ consumers

    def _uid(self, prefix: str) -> str:
        self._counter += 1
        return f"{prefix}{self._counter}"

    def add(self, spec: SubscriptionSpec, sink: Sink) -> str:
        """Register a subscription (before anything is sent, so no event can be missed)."""
        uid = self._uid("sub")
        sub = _Sub(uid, spec, sink)
        self.subs[uid] = sub
        if self.ready:
            self._send_subscribe(sub)
        return uid

    def remove(self, uid: str) -> None:
        """Forget a subscription and unsubscribe on the server if it was subscribed there."""
        sub = self.subs.pop(uid, None)
        if sub is not None and self.ready and sub.state != "pending":
            self._send({"type": "unsubscribe", "uid": uid})

    def request(self, message: Mapping[str, Any], sink: Sink) -> str:
        """Send a message that the server answers with the same ``uid`` (items actions)."""
        uid = str(message.get("uid") or self._uid("req"))
        self.requests[uid] = sink
        self.send({**message, "uid": uid})
        return uid

    def send(self, message: Mapping[str, Any]) -> None:
        if not self.ready:
            raise RealtimeConnectionError("the realtime socket is not connected")
        self._send(message)

    def take_outbox(self) -> list[str]:
        out, self.outbox = self.outbox, []
        return out

    def _send(self, message: Mapping[str, Any]) -> None:
        self.outbox.append(json.dumps(message, separators=(",", ":"), default=str))

    def _send_subscribe(self, sub: _Sub) -> None:
        message: dict[str, Any] = {
            "type": "subscribe",
            "collection": sub.spec.collection,
            "uid": sub.uid,
        }
        if sub.spec.query:
            message["query"] = dict(sub.spec.query)
        self._send(message)
        sub.state = "sent"

    # ---------------------------------------------------------- connection

    def on_connected(self) -> None:
        self.connected = True
        self.ready = False
        self.outbox.clear()

    def send_auth(self, token: str) -> None:
        self._send({"type": "auth", "access_token": token})

    def on_ready(self) -> None:
        """Authenticated: send every subscription that is not (or no longer) on the server."""
        self.ready = True
        for sub in list(self.subs.values()):
            if sub.state == "pending":
                self._send_subscribe(sub)

    def on_unauthenticated(self) -> None:
        """The token expired: nothing but ``auth`` may go until the socket is authenticated again."""
        self.ready = False

    def on_disconnected(self) -> None:
        """The socket is gone: every subscription must be made again, with a gap."""
        self.connected = False
        self.ready = False
        self.outbox.clear()
        for sub in self.subs.values():
            if sub.state == "active":
                sub.gap = True
            sub.state = "pending"

    def fail_all(self, error: BaseException) -> None:
        """End every subscription, request and listener with ``error``."""
        subs, self.subs = list(self.subs.values()), {}
        requests, self.requests = list(self.requests.values()), {}
        for sub in subs:
            sub.sink(error)
        for sink in requests:
            sink(error)
        for listener in self.listeners:
            listener(error)

    # ------------------------------------------------------------ incoming

    def receive(self, text: str) -> _AuthSignal | None:
        """Handle one message from the server; an ``auth`` answer is returned to the flow."""
        raw = text.encode()
        try:
            message = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(message, dict):
            return None
        for listener in self.listeners:
            listener(message)
        kind = message.get("type")
        uid = message.get("uid")
        uid = str(uid) if uid is not None else None
        if kind == "ping":
            self._send({"type": "pong"})
            return None
        if kind == "auth":
            if message.get("status") == "ok":
                return _AuthSignal(True)
            code, text_ = _error_of(message)
            return _AuthSignal(False, code, text_)
        if kind == "subscription" and uid is not None:
            self._on_subscription(uid, message, raw)
            return None
        if message.get("status") == "error":
            code, text_ = _error_of(message)
            if uid is not None and uid in self.subs and kind in ("subscribe", "unsubscribe"):
                self._on_subscription_error(uid, code, text_)
            elif uid is not None and uid in self.requests:
                self.requests.pop(uid)(RealtimeServerError(text_, code=code, uid=uid))
            return None
        if uid is not None and uid in self.requests:
            self.requests.pop(uid)(message.get("data"))
        return None

    def _on_subscription(self, uid: str, message: dict[str, Any], raw: bytes) -> None:
        sub = self.subs.get(uid)
        if sub is None:  # an unsubscribe confirmation, or an event for a closed subscription
            return
        event = message.get("event")
        data = message.get("data")
        spec = sub.spec
        if event == "init":
            items = spec.hydrate(raw, data) if isinstance(data, list) else []
            gap, sub.gap, sub.state = sub.gap, False, "active"
            keys = spec.keys(data, items) if isinstance(data, list) else []
            sub.sink(SubscriptionEvent("init", items, keys, uid, gap))
        elif event in ("create", "update"):
            items = spec.hydrate(raw, data) if isinstance(data, list) else []
            if items and isinstance(data, list):
                sub.sink(SubscriptionEvent(event, items, spec.keys(data, items), uid))
        elif event == "delete":
            keys = data if isinstance(data, list) else [data]
            sub.sink(SubscriptionEvent("delete", [], [spec.convert_key(k) for k in keys], uid))

    def _on_subscription_error(self, uid: str, code: str | None, message: str) -> None:
        sub = self.subs[uid]
        if not self.ready and sub.state != "pending":
            # Sent while the socket was dropped to public access (expired token):
            # subscribe again once authenticated; the next init reports any gap.
            sub.gap = sub.gap or sub.state == "active"
            sub.state = "pending"
            return
        del self.subs[uid]
        sub.sink(SubscriptionError(message, code=code, uid=uid))


def _error_of(message: Mapping[str, Any]) -> tuple[str | None, str]:
    error = message.get("error")
    if isinstance(error, dict):
        code = error.get("code")
        return (str(code) if code is not None else None), str(error.get("message") or "")
    return None, str(error or "")


def jwt_times(token: str) -> tuple[float | None, float | None]:
    """``(iat, exp)`` of a JWT, read without verifying it (``None`` when absent)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None, None
    if not isinstance(claims, dict):
        return None, None
    iat, exp = claims.get("iat"), claims.get("exp")
    return (
        float(iat) if isinstance(iat, (int, float)) else None,
        float(exp) if isinstance(exp, (int, float)) else None,
    )


def _reauth_at(token: str | None, clock: Callable[[], float]) -> float | None:
    """When to re-authenticate: a third of the token's lifetime (1 to 30 s) before it expires."""
    if token is None:
        return None
    iat, exp = jwt_times(token)
    if exp is None:
        return None
    lifetime = exp - iat if iat is not None else 60.0
    lead = max(1.0, min(30.0, lifetime / 3))
    return max(clock(), exp - lead)


def connection_flow(
    core: RealtimeCore,
    auth: BaseAuth,
    settings: RealtimeSettings,
    clock: Callable[[], float] = time.time,
) -> ConnectionFlow:
    """The life of one realtime connection, reconnects included; returns when it ends for good."""
    failures = 0
    connected_once = False
    while not core.closing:
        result = yield Connect()
        if isinstance(result, RealtimeError):
            failures += 1
            transient = not isinstance(result, RealtimeUnavailable) or (result.status or 0) >= 500
            if (
                not connected_once
                or not transient
                or not settings.reconnect
                or (settings.max_attempts is not None and failures > settings.max_attempts)
            ):
                if connected_once and transient:
                    result = RealtimeConnectionError(
                        f"the realtime connection was lost and {failures - 1} reconnect attempts "
                        f"failed: {result}"
                    )
                logger.warning("realtime: giving up: %s", result)
                core.fail_all(result)
                return
            delay = settings.delay(failures)
            logger.info("realtime: reconnect attempt %d failed (%s); next in %.1f s", failures, result, delay)
            yield Sleep(delay)
            continue
        core.on_connected()
        logger.debug("realtime: socket open, %d subscriptions", len(core.subs))
        try:
            lost = yield from _session(core, auth, settings, clock)
        except RealtimeError as error:
            core.on_disconnected()
            core.fail_all(error)
            return
        if lost is None:  # authenticated at least once on this connection
            connected_once = True
            failures = 0
        core.on_disconnected()
        if core.closing:
            return
        logger.info("realtime: connection lost (%s); reconnecting", lost or "closed by the server")
        if not settings.reconnect:
            core.fail_all(RealtimeConnectionError("the realtime connection was lost"))
            return
        if lost is not None:  # closed during the handshake
            failures += 1
            if not connected_once or (
                settings.max_attempts is not None and failures > settings.max_attempts
            ):
                core.fail_all(RealtimeConnectionError(f"the realtime connection failed: {lost}"))
                return
        yield Sleep(settings.delay(max(failures, 1)) if lost is not None else 0.0)


def _fresh_token(auth: BaseAuth, sent: str | None, clock: Callable[[], float]) -> Generator[
    RealtimeStep, Any, str | None
]:
    """The session's access token, refreshed (single-flight) when stale or equal to ``sent``."""
    token = auth.access_token
    if auth.can_refresh:
        _, exp = jwt_times(token) if token else (None, None)
        stale = token is None or token == sent or (exp is not None and exp - clock() < 1.5)
        if stale or auth.should_refresh():
            result = yield Refresh(auth.generation)
            if isinstance(result, BaseException):
                raise RealtimeAuthError(
                    f"the access token could not be refreshed: {type(result).__name__}: {result}",
                    code="TOKEN_EXPIRED",
                ) from result
        token = auth.access_token
    return token


def _session(
    core: RealtimeCore,
    auth: BaseAuth,
    settings: RealtimeSettings,
    clock: Callable[[], float],
) -> Generator[RealtimeStep, Any, str | None]:
    """One open socket: handshake, then messages until it closes.

    Returns ``None`` when the socket closed after authenticating, or a reason
    when it closed during the handshake. Raises RealtimeAuthError when the
    server refused the token.
    """
    if auth.can_refresh and auth.should_refresh():
        token = yield from _fresh_token(auth, None, clock)
    else:
        token = auth.access_token
    if token is None and auth.lost:
        # A session that lost its login never goes on anonymously (not even a socket).
        raise RealtimeAuthError(str(auth.lost_error()), code="INVALID_CREDENTIALS")
    if token is None:
        core.on_ready()  # public access
        sent: str | None = None
    else:
        core.send_auth(token)
        sent = token
        deadline = clock() + settings.auth_timeout
        while True:
            text = yield Receive(max(0.0, deadline - clock()))
            if text == TIMEOUT:
                return "no answer to the auth message"
            if text == CLOSED:
                return "closed during the auth handshake"
            signal = core.receive(text)
            if signal is None:
                continue
            if not signal.ok:
                _, exp = jwt_times(token)
                if auth.can_refresh and exp is not None and exp - clock() < settings.auth_timeout:
                    # The token ran out on the way (Directus 11 answers a bare AUTH_FAILED, and
                    # closes): refresh it and authenticate again on a new socket.
                    yield from _fresh_token(auth, token, clock)
                    return "the access token expired during the handshake"
                raise RealtimeAuthError(
                    f"the server refused the socket's authentication: {signal.message}",
                    code=signal.code,
                )
            core.on_ready()
            break
    reauth = _reauth_at(sent, clock) if auth.can_refresh and settings.renew_early else None
    waiting_since: float | None = None  # an auth sent, not yet answered
    while True:
        timeout = None
        if reauth is not None and waiting_since is None:
            timeout = max(0.0, reauth - clock())
        elif waiting_since is not None:
            timeout = max(0.0, waiting_since + settings.auth_timeout - clock())
        text = yield Receive(timeout)
        if text == CLOSED:
            return None
        if text == TIMEOUT:
            if waiting_since is not None:
                raise RealtimeAuthError("the server did not answer the re-authentication")
            sent = yield from _fresh_token(auth, sent, clock)
            if sent is None:
                raise RealtimeAuthError("the session has no access token any more", code="TOKEN_EXPIRED")
            core.send_auth(sent)
            waiting_since = clock()
            continue
        signal = core.receive(text)
        if signal is None:
            continue
        if signal.ok:
            waiting_since = None
            core.on_ready()
            reauth = _reauth_at(sent, clock) if auth.can_refresh and settings.renew_early else None
        elif signal.code == "TOKEN_EXPIRED":
            logger.info("realtime: the server reported TOKEN_EXPIRED; authenticating again")
            core.on_unauthenticated()
            if not auth.can_refresh:
                raise RealtimeAuthError(
                    "the access token expired and the session cannot refresh it", code="TOKEN_EXPIRED"
                )
            sent = yield from _fresh_token(auth, sent, clock)
            if sent is None:
                raise RealtimeAuthError("the session has no access token any more", code="TOKEN_EXPIRED")
            core.send_auth(sent)
            waiting_since = clock()
        else:
            raise RealtimeAuthError(
                f"the server refused the socket's authentication: {signal.message}", code=signal.code
            )
