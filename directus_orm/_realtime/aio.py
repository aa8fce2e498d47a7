"""``session.realtime`` of an :class:`~directus_orm.AsyncSession`.

One WebSocket per session, opened on first use by a task that runs
:func:`~directus_orm._realtime.protocol.connection_flow` with the asyncio client
of the ``websockets`` package. ``async for event in qs.asubscribe()`` subscribes
when the loop starts; leaving it (``break``, an exception, task cancellation,
``aclose()``) unsubscribes.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
from collections.abc import AsyncIterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException
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
    from .._transport.session import AsyncDriver

__all__ = ["AsyncRealtime", "AsyncRealtimeItems", "AsyncSubscription"]

T = TypeVar("T")
_END = object()


class AsyncRealtime:
    """The realtime WebSocket of an :class:`~directus_orm.AsyncSession` (``session.realtime``).

    Nothing is opened until the first subscription or request. ``settings``
    (:class:`RealtimeSettings`) says where and how to connect.
    """

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self.settings = RealtimeSettings()
        self._core = RealtimeCore()
        self._lock_: asyncio.Lock | None = None
        self._task: asyncio.Task[None] | None = None
        self._ws: ClientConnection | None = None
        self._ready_: asyncio.Event | None = None
        self._last_error: BaseException | None = None
        self.connections = 0
        """How many sockets were opened so far (a reconnect opens one more)."""

    def __repr__(self) -> str:
        state = "open" if self.connected else "closed"
        return (
            f"<AsyncRealtime {self.settings.url(self._session.url)} {state}, "
            f"{len(self._core.subs)} subscriptions>"
        )

    @property
    def connected(self) -> bool:
        """True while the socket is open and authenticated."""
        return self._core.ready

    def _lock(self) -> asyncio.Lock:
        if self._lock_ is None:
            self._lock_ = asyncio.Lock()
        return self._lock_

    def _ready(self) -> asyncio.Event:
        if self._ready_ is None:
            self._ready_ = asyncio.Event()
        return self._ready_

    # ---------------------------------------------------------- public API

    @overload
    def subscribe(self, target: QuerySet[T]) -> AsyncSubscription[T]: ...
    @overload
    def subscribe(
        self, target: str, query: Mapping[str, Any] | None = None
    ) -> AsyncSubscription[dict[str, Any]]: ...
    def subscribe(
        self, target: QuerySet[Any] | str, query: Mapping[str, Any] | None = None
    ) -> AsyncSubscription[Any]:
        """Subscribe to a QuerySet (typed events) or to a collection with a raw query (dicts).

        Nothing is sent until iteration starts (or ``async with``/``await start()``).
        """
        spec = raw_spec(target, query) if isinstance(target, str) else queryset_spec(target)
        return AsyncSubscription(self, spec)

    async def request(self, message: Mapping[str, Any], timeout: float = 30.0) -> Any:
        """Send ``message`` and return the ``data`` of the answer with the same ``uid``."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Any] = loop.create_future()

        def sink(value: Any) -> None:
            if not answer.done():
                answer.set_result(value)

        await self._wait_ready(timeout)
        async with self._lock():
            uid = self._core.request(message, sink)
            await self._flush()
        try:
            result = await asyncio.wait_for(answer, timeout)
        except builtins.TimeoutError:
            self._core.requests.pop(uid, None)
            raise TimeoutError(f"no answer to the realtime message within {timeout}s") from None
        if isinstance(result, BaseException):
            raise result
        return result

    async def send(self, message: Mapping[str, Any], timeout: float = 30.0) -> None:
        """Send a raw message (connects first)."""
        await self._wait_ready(timeout)
        async with self._lock():
            self._core.send(message)
            await self._flush()

    def items(self, collection: str) -> AsyncRealtimeItems:
        """The items actions over the socket (the server needs ``WEBSOCKETS_REST_ENABLED``)."""
        return AsyncRealtimeItems(self, collection)

    async def listen(self) -> AsyncIterator[dict[str, Any]]:
        """Every message the server sends on this socket, as dicts, until the loop ends."""
        inbox: asyncio.Queue[Any] = asyncio.Queue()
        async with self._lock():
            self._core.listeners.append(inbox.put_nowait)
            self._ensure_running()
        try:
            while True:
                item = await inbox.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            if inbox.put_nowait in self._core.listeners:
                self._core.listeners.remove(inbox.put_nowait)

    async def aclose(self) -> None:
        """Close the socket and end every subscription (their loops stop)."""
        core = self._core
        core.closing = True
        subs = list(core.subs.values())
        core.subs.clear()
        listeners = list(core.listeners)
        core.listeners.clear()
        for sub in subs:
            sub.sink(_END)
        for listener in listeners:
            listener(_END)
        task, ws = self._task, self._ws
        self._task = None
        if ws is not None:
            await ws.close()
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._ws = None
        if self._ready_ is not None:
            self._ready_.clear()

    # ------------------------------------------------------------ internals

    async def _add(self, spec: SubscriptionSpec, sink: Any) -> str:
        async with self._lock():
            uid = self._core.add(spec, sink)
            await self._flush()
            self._ensure_running()
        return uid

    async def _remove(self, uid: str) -> None:
        async with self._lock():
            self._core.remove(uid)
            await self._flush()

    async def _flush(self) -> None:
        texts = self._core.take_outbox()
        ws = self._ws
        if ws is None:
            return
        for text in texts:
            try:
                await ws.send(text)
            except (ConnectionClosed, OSError):
                return  # the reader sees the close and reconnects

    def _ensure_running(self) -> None:
        if self._task is None:
            self._core.closing = False
            self._last_error = None
            self._task = asyncio.get_running_loop().create_task(self._drive(), name="directus-realtime")

    async def _wait_ready(self, timeout: float) -> None:
        if self._core.ready:
            return
        async with self._lock():
            self._ensure_running()
        try:
            await asyncio.wait_for(self._wait_ready_or_stop(), timeout)
        except builtins.TimeoutError:
            raise RealtimeConnectionError(f"the realtime socket is not connected after {timeout}s") from None
        if not self._core.ready:
            raise self._last_error or RealtimeConnectionError("the realtime socket is not connected")

    async def _wait_ready_or_stop(self) -> None:
        ready = asyncio.ensure_future(self._ready().wait())
        task = self._task
        waiters: set[asyncio.Future[Any]] = {ready}
        if task is not None:
            waiters.add(task)
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()

    async def _drive(self) -> None:
        flow = connection_flow(self._core, self._session._auth, self.settings)
        value: Any = None
        while True:
            async with self._lock():
                try:
                    step = flow.send(value)
                except StopIteration:
                    await self._stopped(None)
                    return
                except Exception as error:  # a bug or a hydration failure: end it visibly
                    wrapped = error if isinstance(error, DirectusORMError) else RealtimeError(
                        f"the realtime connection failed: {type(error).__name__}: {error}"
                    )
                    self._core.fail_all(wrapped)
                    await self._stopped(wrapped)
                    return
                await self._flush()
                if self._core.ready:
                    self._ready().set()
                else:
                    self._ready().clear()
            value = await self._execute(step)

    async def _stopped(self, error: BaseException | None) -> None:
        if self._task is asyncio.current_task():
            self._task = None
        self._ready().clear()
        self._last_error = error
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()

    async def _execute(self, step: RealtimeStep) -> Any:
        settings = self.settings
        if isinstance(step, Receive):
            ws = self._ws
            if ws is None:
                return CLOSED
            try:
                if step.timeout is None:
                    data = await ws.recv()
                else:
                    data = await asyncio.wait_for(ws.recv(), step.timeout)
            except builtins.TimeoutError:
                return TIMEOUT
            except (ConnectionClosed, OSError):
                if self._ws is ws:
                    self._ws = None
                return CLOSED
            return data.decode() if isinstance(data, bytes) else data
        if isinstance(step, Connect):
            url = settings.url(self._session.url)
            try:
                ws = await connect(
                    url,
                    origin=Origin(settings.origin) if settings.origin else None,
                    additional_headers=settings.headers or None,
                    user_agent_header=USER_AGENT,
                    open_timeout=settings.open_timeout,
                    ping_interval=settings.ping_interval,
                    ping_timeout=settings.ping_interval,
                )
            except (WebSocketException, OSError, builtins.TimeoutError) as error:
                return connect_error(error, url)
            if self._core.closing:
                await ws.close()
                return RealtimeConnectionError("closed")
            self._ws = ws
            self.connections += 1
            return None
        if isinstance(step, Refresh):
            try:
                await self._session._refresh_if_stale(step.generation)
            except DirectusORMError as error:
                return error
            return None
        if isinstance(step, Sleep):
            await asyncio.sleep(step.seconds)
            return None
        raise AssertionError(f"unknown step {step!r}")


class AsyncSubscription(Generic[T]):
    """A live subscription: ``async for`` it for :class:`SubscriptionEvent` objects.

    ``async for event in qs.asubscribe(): ...`` subscribes when the loop starts
    and unsubscribes when it ends (``break``, an exception, cancellation,
    ``aclose()``, the session closing). ``async with qs.asubscribe() as sub:``
    subscribes at once; ``await sub.get(timeout=...)`` waits for one event.
    """

    def __init__(self, realtime: AsyncRealtime, spec: SubscriptionSpec) -> None:
        self._realtime = realtime
        self.spec = spec
        self.uid: str | None = None
        self._queue: asyncio.Queue[Any] | None = None
        self._closed = False

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("live" if self.uid else "not started")
        return f"<AsyncSubscription {self.spec.collection} {state}>"

    @property
    def collection(self) -> str:
        return self.spec.collection

    def _inbox(self) -> asyncio.Queue[Any]:
        if self._queue is None:
            self._queue = asyncio.Queue()
        return self._queue

    async def start(self) -> AsyncSubscription[T]:
        """Subscribe now (iteration does it on its own)."""
        if self._closed:
            raise RealtimeError("this subscription is closed; call asubscribe() again")
        if self.uid is None:
            self.uid = await self._realtime._add(self.spec, self._inbox().put_nowait)
        return self

    async def get(self, timeout: float | None = None) -> SubscriptionEvent[T]:
        """The next event; raises TimeoutError after ``timeout`` seconds without one."""
        if not self._closed:
            await self.start()
        inbox = self._inbox()
        try:
            item = await asyncio.wait_for(inbox.get(), timeout)
        except builtins.TimeoutError:
            raise TimeoutError(f"no event on {self.spec.collection} within {timeout}s") from None
        if item is _END:
            inbox.put_nowait(_END)
            raise RealtimeError("this subscription is closed")
        if isinstance(item, BaseException):
            await self.aclose()
            raise item
        event: SubscriptionEvent[T] = item
        return event

    async def __aiter__(self) -> AsyncIterator[SubscriptionEvent[T]]:
        await self.start()
        inbox = self._inbox()
        try:
            while True:
                item = await inbox.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Unsubscribe (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self.uid is not None:
            await self._realtime._remove(self.uid)
        self._inbox().put_nowait(_END)

    async def __aenter__(self) -> AsyncSubscription[T]:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class AsyncRealtimeItems:
    """``session.realtime.items("articles")``: the items actions over the socket (dicts)."""

    def __init__(self, realtime: AsyncRealtime, collection: str) -> None:
        self._realtime = realtime
        self.collection = collection

    async def _call(self, action: str, fields: dict[str, Any]) -> Any:
        message = {"type": "items", "collection": self.collection, "action": action}
        message.update({k: v for k, v in fields.items() if v is not None})
        return await self._realtime.request(message)

    async def create(
        self, data: Mapping[str, Any] | list[Mapping[str, Any]], query: Mapping[str, Any] | None = None
    ) -> Any:
        return await self._call("create", {"data": data, "query": query})

    async def read(
        self, *, id: Any = None, ids: list[Any] | None = None, query: Mapping[str, Any] | None = None
    ) -> Any:
        return await self._call("read", {"id": id, "ids": ids, "query": query})

    async def update(
        self,
        data: Mapping[str, Any],
        *,
        id: Any = None,
        ids: list[Any] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> Any:
        return await self._call("update", {"data": data, "id": id, "ids": ids, "query": query})

    async def delete(
        self, *, id: Any = None, ids: list[Any] | None = None, query: Mapping[str, Any] | None = None
    ) -> Any:
        return await self._call("delete", {"id": id, "ids": ids, "query": query})
