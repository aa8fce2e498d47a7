"""``session.realtime`` of a blocking :class:`~directus_orm.Session`.

One WebSocket per session, opened on first use by a background thread that
runs :func:`~directus_orm._realtime.protocol.connection_flow` with the blocking
client of the ``websockets`` package. Subscriptions are iterators fed through
queues; leaving the loop (``break``, an exception, ``close()``) unsubscribes.
"""

from __future__ import annotations

import builtins
import queue
import threading
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from .._core.exceptions import DirectusORMError, TimeoutError
from .._core.flow import Refresh, Sleep
from ._ws import USER_AGENT, connect_error
from .errors import RealtimeConnectionError, RealtimeError
from .events import SubscriptionEvent
from .protocol import (
    CLOSED,
    TIMEOUT,
    Connect,
    RealtimeCore,
    RealtimeSettings,
    RealtimeStep,
    Receive,
    SubscriptionSpec,
    connection_flow,
)
from .query import queryset_spec, raw_spec

if TYPE_CHECKING:
    from .._models.queryset import QuerySet
    from .._transport.session import SyncDriver

__all__ = ["Realtime", "RealtimeItems", "Subscription"]

T = TypeVar("T")
_END = object()


class Realtime:
    """The realtime WebSocket of a :class:`~directus_orm.Session` (``session.realtime``).

    Nothing is opened until the first subscription or request. ``settings``
    (:class:`RealtimeSettings`) says where and how to connect.
    """

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self.settings = RealtimeSettings()
        self._core = RealtimeCore()
        self._lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._ws: ClientConnection | None = None
        self._wake = threading.Event()
        self._ready = threading.Event()
        self._last_error: BaseException | None = None
        self.connections = 0
        """How many sockets were opened so far (a reconnect opens one more)."""

    def __repr__(self) -> str:
        state = "open" if self.connected else "closed"
        url = self.settings.url(self._session.url)
        return f"<Realtime {url} {state}, {len(self._core.subs)} subscriptions>"

    @property
    def connected(self) -> bool:
        """True while the socket is open and authenticated."""
        return self._core.ready

    # ---------------------------------------------------------- public API

    @overload
    def subscribe(self, target: QuerySet[T]) -> Subscription[T]: ...
    @overload
    def subscribe(
        self, target: str, query: Mapping[str, Any] | None = None
    ) -> Subscription[dict[str, Any]]: ...
    def subscribe(
        self, target: QuerySet[Any] | str, query: Mapping[str, Any] | None = None
    ) -> Subscription[Any]:
        """Subscribe to a QuerySet (typed events) or to a collection with a raw query (dicts).

        Nothing is sent until iteration starts (or ``with``/``start()``).
        """
        spec = raw_spec(target, query) if isinstance(target, str) else queryset_spec(target)
        return Subscription(self, spec)

    def request(self, message: Mapping[str, Any], timeout: float = 30.0) -> Any:
        """Send ``message`` and return the ``data`` of the answer with the same ``uid``.

        An answer with ``status: "error"`` raises :class:`RealtimeServerError`.
        """
        answer: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._wait_ready(timeout)
        with self._lock:
            uid = self._core.request(message, answer.put)
            self._flush()
        try:
            result = answer.get(timeout=timeout)
        except queue.Empty:
            with self._lock:
                self._core.requests.pop(uid, None)
            raise TimeoutError(f"no answer to the realtime message within {timeout}s") from None
        if isinstance(result, BaseException):
            raise result
        return result

    def send(self, message: Mapping[str, Any], timeout: float = 30.0) -> None:
        """Send a raw message (connects first)."""
        self._wait_ready(timeout)
        with self._lock:
            self._core.send(message)
            self._flush()

    def items(self, collection: str) -> RealtimeItems:
        """The items actions over the socket (the server needs ``WEBSOCKETS_REST_ENABLED``)."""
        return RealtimeItems(self, collection)

    def listen(self) -> Iterator[dict[str, Any]]:
        """Every message the server sends on this socket, as dicts, until the loop ends."""
        inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
        with self._lock:
            self._core.listeners.append(inbox.put)
            self._ensure_running()
        try:
            while True:
                item = inbox.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            with self._lock:
                if inbox.put in self._core.listeners:
                    self._core.listeners.remove(inbox.put)

    def close(self) -> None:
        """Close the socket and end every subscription (their loops stop)."""
        with self._lock:
            core = self._core
            core.closing = True
            thread, ws = self._thread, self._ws
            subs = list(core.subs.values())
            core.subs.clear()
            listeners = list(core.listeners)
            core.listeners.clear()
        for sub in subs:
            sub.sink(_END)
        for listener in listeners:
            listener(_END)
        self._wake.set()
        if ws is not None:
            ws.close()
        if thread is not None and thread is not threading.current_thread():
            thread.join(10.0)

    # ------------------------------------------------------------ internals

    def _add(self, spec: SubscriptionSpec, sink: Any) -> str:
        with self._lock:
            uid = self._core.add(spec, sink)
            self._flush()
            self._ensure_running()
        return uid

    def _remove(self, uid: str) -> None:
        with self._lock:
            self._core.remove(uid)
            self._flush()

    def _flush(self) -> None:
        """Send the outbox (lock held, so messages leave in the order they were made)."""
        texts = self._core.take_outbox()
        ws = self._ws
        if ws is None:
            return
        for text in texts:
            try:
                ws.send(text)
            except (ConnectionClosed, OSError):
                return  # the reader sees the close and reconnects

    def _ensure_running(self) -> None:
        if self._thread is None:
            self._core.closing = False
            self._wake.clear()
            self._last_error = None
            self._thread = threading.Thread(target=self._drive, name="directus-realtime", daemon=True)
            self._thread.start()

    def _wait_ready(self, timeout: float) -> None:
        with self._lock:
            if self._core.ready:
                return
            self._ensure_running()
            thread = self._thread
        if not self._ready.wait(timeout):
            error = self._last_error
            if error is not None:
                raise error
            alive = thread is not None and thread.is_alive()
            raise RealtimeConnectionError(
                "the realtime socket is not connected" + (f" after {timeout}s" if alive else "")
            )

    def _drive(self) -> None:
        flow = connection_flow(self._core, self._session._auth, self.settings)
        value: Any = None
        while True:
            with self._lock:
                try:
                    step = flow.send(value)
                except StopIteration:
                    self._stopped(None)
                    return
                except BaseException as error:  # a bug or a hydration failure: end it visibly
                    wrapped = error if isinstance(error, DirectusORMError) else RealtimeError(
                        f"the realtime connection failed: {type(error).__name__}: {error}"
                    )
                    self._core.fail_all(wrapped)
                    self._stopped(wrapped)
                    return
                self._flush()
                if self._core.ready:
                    self._ready.set()
                else:
                    self._ready.clear()
            value = self._execute(step)

    def _stopped(self, error: BaseException | None) -> None:
        """The flow ended (lock held)."""
        self._thread = None
        self._ready.clear()
        self._last_error = error
        ws, self._ws = self._ws, None
        if ws is not None:
            ws.close()

    def _execute(self, step: RealtimeStep) -> Any:
        settings = self.settings
        if isinstance(step, Receive):
            ws = self._ws
            if ws is None:
                return CLOSED
            try:
                data = ws.recv(step.timeout)
                return data.decode() if isinstance(data, bytes) else data
            except builtins.TimeoutError:
                return TIMEOUT
            except (ConnectionClosed, OSError):
                with self._lock:
                    if self._ws is ws:
                        self._ws = None
                return CLOSED
        if isinstance(step, Connect):
            url = settings.url(self._session.url)
            try:
                ws = connect(
                    url,
                    origin=Origin(settings.origin) if settings.origin else None,
                    additional_headers=settings.headers or None,
                    user_agent_header=USER_AGENT,
                    open_timeout=settings.open_timeout,
                    ping_interval=settings.ping_interval,
                    ping_timeout=settings.ping_interval,
                )
                ws.__enter__()  # the context-manager use: no legacy-call warning
            except (WebSocketException, OSError, builtins.TimeoutError) as error:
                return connect_error(error, url)
            with self._lock:
                if self._core.closing:
                    ws.close()
                    return RealtimeConnectionError("closed")
                self._ws = ws
            self.connections += 1
            return None
        if isinstance(step, Refresh):
            try:
                self._session._refresh_if_stale(step.generation)
            except DirectusORMError as error:
                return error
            return None
        if isinstance(step, Sleep):
            self._wake.wait(step.seconds)
            return None
        raise AssertionError(f"unknown step {step!r}")


class Subscription(Generic[T]):
    """A live subscription: iterate it for :class:`SubscriptionEvent` objects.

    ``for event in qs.subscribe(): ...`` subscribes when the loop starts and
    unsubscribes when it ends (``break``, an exception, ``close()``, the
    session closing). ``with qs.subscribe() as sub:`` subscribes at once;
    ``sub.get(timeout=...)`` waits for one event.
    """

    def __init__(self, realtime: Realtime, spec: SubscriptionSpec) -> None:
        self._realtime = realtime
        self.spec = spec
        self.uid: str | None = None
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("live" if self.uid else "not started")
        return f"<Subscription {self.spec.collection} {state}>"

    @property
    def collection(self) -> str:
        return self.spec.collection

    def start(self) -> Subscription[T]:
        """Subscribe now (iteration does it on its own)."""
        if self._closed:
            raise RealtimeError("this subscription is closed; call subscribe() again")
        if self.uid is None:
            self.uid = self._realtime._add(self.spec, self._queue.put)
        return self

    def get(self, timeout: float | None = None) -> SubscriptionEvent[T]:
        """The next event; raises TimeoutError after ``timeout`` seconds without one.

        Raises the error that ended the subscription (:class:`SubscriptionError`,
        :class:`RealtimeConnectionError`, ...), or RealtimeError once it is closed.
        """
        if not self._closed:
            self.start()
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no event on {self.spec.collection} within {timeout}s") from None
        if item is _END:
            self._queue.put(_END)
            raise RealtimeError("this subscription is closed")
        if isinstance(item, BaseException):
            self.close()
            self._queue.put(_END)
            raise item
        event: SubscriptionEvent[T] = item
        return event

    def __iter__(self) -> Iterator[SubscriptionEvent[T]]:
        self.start()
        try:
            while True:
                item = self._queue.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.close()

    def close(self) -> None:
        """Unsubscribe (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self.uid is not None:
            self._realtime._remove(self.uid)
        self._queue.put(_END)

    def __enter__(self) -> Subscription[T]:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class RealtimeItems:
    """``session.realtime.items("articles")``: the items actions over the socket (dicts in, dicts out)."""

    def __init__(self, realtime: Realtime, collection: str) -> None:
        self._realtime = realtime
        self.collection = collection

    def _call(self, action: str, fields: dict[str, Any]) -> Any:
        message = {"type": "items", "collection": self.collection, "action": action}
        message.update({k: v for k, v in fields.items() if v is not None})
        return self._realtime.request(message)

    def create(
        self, data: Mapping[str, Any] | list[Mapping[str, Any]], query: Mapping[str, Any] | None = None
    ) -> Any:
        return self._call("create", {"data": data, "query": query})

    def read(
        self, *, id: Any = None, ids: list[Any] | None = None, query: Mapping[str, Any] | None = None
    ) -> Any:
        return self._call("read", {"id": id, "ids": ids, "query": query})

    def update(
        self,
        data: Mapping[str, Any],
        *,
        id: Any = None,
        ids: list[Any] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        return self._call("update", {"data": data, "id": id, "ids": ids, "query": query})

    def delete(
        self, *, id: Any = None, ids: list[Any] | None = None, query: Mapping[str, Any] | None = None
    ) -> Any:
        return self._call("delete", {"id": id, "ids": ids, "query": query})
