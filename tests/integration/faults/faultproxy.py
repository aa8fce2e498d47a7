"""A loopback HTTP proxy that injects network faults in front of a real Directus.

The proxy runs its own asyncio loop in a background thread, so blocking and asyncio tests use
it alike. It speaks HTTP/1.1 to the client with h11 (sans-IO, already a dependency of httpx) and
forwards every request to the upstream server with httpx. Faults are chosen per request by
method, path and ordinal::

    proxy = FaultProxy("http://127.0.0.1:8055").start()
    proxy.add("drop_after", "POST", r"/items/notes", nth=3)   # the 3rd POST: server commits,
                                                                # the client gets no reply
    Session(proxy.url, ...)

Kinds of fault (``before``: the server never sees the request; ``after``: the server has
answered, so a write is committed, and the reply is lost or spoiled on its way back):

==============  ==================================================================
``drop_before`` close the connection (FIN) once the request arrived; nothing forwarded
``reset_before`` reset the connection (RST) once the request arrived; nothing forwarded
``status_before`` answer ``status`` (502/503/504/429) with an HTML body; nothing forwarded
``delay``       wait ``delay`` seconds, then forward normally
``drop_after``  forward, then close the connection without a reply
``reset_mid``   forward, send the status line, headers and half the body, then RST
``truncate``    forward, send the headers (full ``Content-Length``) and half the body, then FIN
``status_after`` forward, then answer ``status`` with an HTML body instead of the reply
``hook_after``  forward, call ``hook()`` (e.g. kill the server), then close without a reply
==============  ==================================================================

When the upstream cannot be reached, the proxy answers ``502`` with an HTML body, as nginx does.
"""

from __future__ import annotations

import asyncio
import re
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import h11
import httpx

KINDS = frozenset(
    {
        "drop_before",
        "reset_before",
        "status_before",
        "delay",
        "drop_after",
        "reset_mid",
        "truncate",
        "status_after",
        "hook_after",
    }
)
AFTER = frozenset({"drop_after", "reset_mid", "truncate", "status_after", "hook_after"})
"""Faults that strike after the server processed the request (a write is committed)."""

_HOP_BY_HOP = {
    b"connection",
    b"keep-alive",
    b"transfer-encoding",
    b"content-length",
    b"content-encoding",
    b"host",
    b"accept-encoding",
    b"proxy-connection",
    b"te",
    b"upgrade",
}

_REASONS = {429: "Too Many Requests", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def html_page(status: int) -> bytes:
    reason = _REASONS.get(status, "Error")
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()


@dataclass
class Rule:
    """Inject ``kind`` into the ``nth`` (1-based) .. ``nth + times - 1`` matching requests."""

    kind: str
    method: str | None
    path: re.Pattern[str]
    nth: int = 1
    times: int = 1
    status: int = 502
    delay: float = 0.0
    retry_after: str | None = None
    hook: Callable[[], None] | None = None
    seen: int = 0
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and bool(self.path.fullmatch(path))


@dataclass(frozen=True)
class Injected:
    kind: str
    method: str
    path: str
    ordinal: int


@dataclass
class _Exchange:
    method: str
    target: str
    headers: list[tuple[bytes, bytes]]
    body: bytes = b""
    keep_alive: bool = True
    log: list[tuple[str, str]] = field(default_factory=list)


class FaultProxy:
    """See the module docstring. ``start()`` it, point a session at ``url``, ``add()`` faults."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self.injected: list[Injected] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request received
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._client: httpx.AsyncClient | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    # ------------------------------------------------------------------ control (any thread)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(
        self,
        kind: str,
        method: str | None,
        path: str,
        *,
        nth: int = 1,
        times: int = 1,
        status: int = 502,
        delay: float = 0.0,
        retry_after: str | None = None,
        hook: Callable[[], None] | None = None,
    ) -> Rule:
        """Inject ``kind`` into requests whose method is ``method`` (None: any) and whose path
        (without the query string) fully matches the regular expression ``path``."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(KINDS)}")
        rule = Rule(
            kind, method, re.compile(path), nth=nth, times=times, status=status, delay=delay,
            retry_after=retry_after, hook=hook,
        )
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Forget the rules and the request log (the injected-fault log is kept)."""
        with self._lock:
            self._rules.clear()
            self.requests.clear()

    def count(self, method: str, path: str) -> int:
        """How many requests with this method and a path matching ``path`` were received."""
        pattern = re.compile(path)
        with self._lock:
            return sum(1 for m, p in self.requests if m == method and pattern.fullmatch(p))

    def _pick(self, method: str, path: str) -> Rule | None:
        with self._lock:
            self.requests.append((method, path))
            chosen = None
            for rule in self._rules:
                if not rule.matches(method, path):
                    continue
                rule.seen += 1
                if chosen is None and rule.nth <= rule.seen < rule.nth + rule.times:
                    chosen = rule
                    rule.fired += 1
                    self.injected.append(Injected(rule.kind, method, path, rule.seen))
            return chosen

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FaultProxy:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._open())
            except BaseException as exc:  # reported to the starting thread
                errors.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._shutdown())
                loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        ready.wait(10)
        if errors:
            raise errors[0]
        return self

    def close(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def _open(self) -> None:
        self._client = httpx.AsyncClient(base_url=self.upstream, timeout=60.0, trust_env=False)
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        if self._server is not None:
            await self._server.wait_closed()
        if self._client is not None:
            await self._client.aclose()
        await asyncio.sleep(0)

    # ------------------------------------------------------------------ one client connection

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        conn = h11.Connection(h11.SERVER)
        try:
            while True:
                exchange = await self._read_request(conn, reader)
                if exchange is None:
                    break
                path = exchange.target.split("?", 1)[0]
                rule = self._pick(exchange.method, path)
                kind = rule.kind if rule else None
                if rule is not None and kind == "delay":
                    await asyncio.sleep(rule.delay)
                if kind == "drop_before":
                    await self._close(writer)
                    return
                if kind == "reset_before":
                    self._reset(writer)
                    return
                if rule is not None and kind == "status_before":
                    await self._send_status(conn, writer, rule)
                else:
                    status, headers, content = await self._forward(exchange)
                    if rule is not None and kind == "hook_after" and rule.hook is not None:
                        await asyncio.get_running_loop().run_in_executor(None, rule.hook)
                    if kind in ("drop_after", "hook_after"):
                        await self._close(writer)
                        return
                    if rule is not None and kind == "status_after":
                        await self._send_status(conn, writer, rule)
                    elif kind in ("reset_mid", "truncate"):
                        head = conn.send(h11.Response(status_code=status, headers=headers))
                        if content:
                            writer.write(head + content[: max(1, len(content) // 2)])
                        else:  # a 204: cut the head itself
                            writer.write(head[: len(head) // 2])
                        await writer.drain()
                        if kind == "reset_mid":
                            self._reset(writer)
                        else:
                            await self._close(writer)
                        return
                    else:
                        await self._send(conn, writer, exchange, status, headers, content)
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                    break
                conn.start_next_cycle()
        except (h11.RemoteProtocolError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            if not writer.transport.is_closing():
                await self._close(writer)

    async def _read_request(
        self, conn: h11.Connection, reader: asyncio.StreamReader
    ) -> _Exchange | None:
        exchange: _Exchange | None = None
        body = bytearray()
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = await reader.read(65536)
                conn.receive_data(data)
                continue
            if isinstance(event, h11.Request):
                exchange = _Exchange(
                    method=event.method.decode(),
                    target=event.target.decode(),
                    headers=list(event.headers),
                )
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                assert exchange is not None
                exchange.body = bytes(body)
                return exchange
            elif isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
                return None

    async def _forward(self, exchange: _Exchange) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        assert self._client is not None
        headers = [(k, v) for k, v in exchange.headers if k.lower() not in _HOP_BY_HOP]
        try:
            request = self._client.build_request(
                exchange.method, exchange.target, headers=headers, content=exchange.body
            )
            response = await self._client.send(request)
        except httpx.TransportError:
            return 502, [(b"content-type", b"text/html")], html_page(502)
        out = [
            (k.encode(), v.encode())
            for k, v in response.headers.multi_items()
            if k.lower().encode() not in _HOP_BY_HOP
        ]
        return response.status_code, out, response.content

    async def _send(
        self,
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        exchange: _Exchange,
        status: int,
        headers: list[tuple[bytes, bytes]],
        content: bytes,
    ) -> None:
        bodyless = status in (204, 304) or 100 <= status < 200 or exchange.method == "HEAD"
        if not bodyless:
            headers = [*headers, (b"content-length", str(len(content)).encode())]
        data = conn.send(h11.Response(status_code=status, headers=headers))
        if not bodyless and content:
            data += conn.send(h11.Data(data=content))
        data += conn.send(h11.EndOfMessage())
        writer.write(data)
        await writer.drain()

    async def _send_status(self, conn: h11.Connection, writer: asyncio.StreamWriter, rule: Rule) -> None:
        page = html_page(rule.status)
        headers = [(b"content-type", b"text/html"), (b"content-length", str(len(page)).encode())]
        if rule.retry_after is not None:
            headers.append((b"retry-after", rule.retry_after.encode()))
        data = conn.send(h11.Response(status_code=rule.status, headers=headers))
        data += conn.send(h11.Data(data=page)) + conn.send(h11.EndOfMessage())
        writer.write(data)
        await writer.drain()

    @staticmethod
    async def _close(writer: asyncio.StreamWriter) -> None:
        writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionError, OSError):
            pass

    @staticmethod
    def _reset(writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
