"""The session drivers: the only place where directus_orm does I/O.

``BaseSession`` holds everything that is not I/O: configuration, the token state,
and :meth:`BaseSession.response_flow`, which decides when to refresh, retry or
give up. :class:`SyncDriver` (``httpx.Client``) and :class:`AsyncDriver`
(``httpx.AsyncClient``) only drive flows: send, sleep, refresh under a lock.
The public ``Session``/``AsyncSession`` add the auth and service facades on top.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import logging
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic_core import to_json
from typing_extensions import Self

from .._core.auth import REFRESH_COOKIE, SESSION_COOKIE, AuthCore, AuthData, AuthMode
from .._core.auth_base import BaseAuth
from .._core.exceptions import (
    AuthenticationError,
    ClientError,
    InvalidCredentials,
    InvalidToken,
    SessionClosed,
    TokenExpired,
    WrongSessionKind,
    convert_transport_error,
    error_from_response,
    parse_retry_after,
)
from .._core.flow import Flow, Refresh, Send, Sleep
from .._core.request import MAX_URL_LENGTH, Call, parse_response
from .._core.storage import BaseStorage
from .._core.values import check_json
from .._core.version import ServerVersion
from . import context, logs

logger = logging.getLogger("directus_orm")
logs.install()


T = TypeVar("T")


_RETRY_STATUSES = frozenset({429, 502, 503, 504})

# Transport errors after which an idempotent read is sent again: the connection failed
# or broke (refused, reset, closed, truncated) or timed out. Not: a malformed URL,
# an unsupported scheme, a proxy refusing the tunnel.
_RETRY_ERRORS = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)


def _without_password(url: str) -> str:
    """``url`` with the password of its user info hidden."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.password is None:
        return url
    netloc = f"{parsed.username or ''}:***@{parsed.hostname or ''}"
    if parsed.port is not None:
        netloc += f":{parsed.port}"
    return urllib.parse.urlunsplit(parsed._replace(netloc=netloc))


class _NoAuthCookies(http.cookiejar.DefaultCookiePolicy):
    """Keep Directus auth cookies out of the client's jar.

    The session reads them from each auth response and sends them itself, so a
    dropped token can never keep authenticating requests through a cookie.
    """

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        if cookie.name in (REFRESH_COOKIE, SESSION_COOKIE):
            return False
        return super().set_ok(cookie, request)


def _cookie_jar() -> http.cookiejar.CookieJar:
    return http.cookiejar.CookieJar(policy=_NoAuthCookies())


class BaseSession:
    """What ``Session`` and ``AsyncSession`` share: settings, tokens, and the flow.

    **Parameters** (all keyword-only but ``url``):

    - ``url``: the Directus base URL (``https://cms.example.com``).
    - ``auth_mode``: ``"json"`` (default), ``"cookie"`` or ``"session"``.
    - ``static_token``: a static token to send (not validated until used; call
      ``session.auth.static(token)`` to check it now).
    - ``auth``: your own :class:`BaseAuth` (a token provider, an SSO broker)
      instead of the built-in one; then ``auth_mode``, ``static_token``,
      ``storage``, ``storage_prefix``, ``auto_refresh`` and ``refresh_margin``
      (settings of the built-in auth) must stay unset.
    - ``storage`` / ``storage_prefix``: where tokens are kept (default: memory).
    - ``auto_refresh`` and ``refresh_margin``: refresh when fewer than
      ``refresh_margin`` seconds of the access token remain (default 30).
    - ``params`` / ``headers``: extra query parameters and headers on every request.
    - ``timeout``, ``verify``: passed to httpx (timeouts and TLS checks are on by default).
    - ``transport``: any httpx transport (for example ``httpx.MockTransport``).
    - ``retries``: how often an idempotent read is retried on connection errors,
      429 and 502/503/504 (default 3). Writes are never retried automatically.
    - ``max_url_length``: longer reads are sent as ``SEARCH`` (default 8000).
    """

    _auth: BaseAuth

    def __init__(
        self,
        url: str,
        *,
        auth_mode: AuthMode = "json",
        static_token: str | None = None,
        auth: BaseAuth | None = None,
        storage: BaseStorage | None = None,
        storage_prefix: str = "",
        auto_refresh: bool = True,
        refresh_margin: float = 30.0,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout = 30.0,
        verify: bool | str = True,
        retries: int = 3,
        backoff: float = 0.25,
        max_backoff: float = 8.0,
        max_url_length: int = MAX_URL_LENGTH,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"the Directus URL must start with http:// or https://, not {url!r}")
        self.url = url.rstrip("/")
        if auth is not None:
            _check_custom_auth(
                auth, auth_mode=auth_mode, static_token=static_token, storage=storage,
                storage_prefix=storage_prefix, auto_refresh=auto_refresh,
                refresh_margin=refresh_margin,
            )
            self._auth = auth
        else:
            self._auth = AuthCore(
                mode=auth_mode,
                storage=storage,
                prefix=storage_prefix,
                auto_refresh=auto_refresh,
                refresh_margin=refresh_margin,
            )
            if static_token is not None:
                self._auth.set_static(static_token)
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_url_length = max_url_length
        self._load_lock = threading.Lock()
        self._query_limit_max: int | None = None
        self._server_version: ServerVersion | None = None
        self._server_version_read = False
        self._closed = False

    @property
    def query_limit_max(self) -> int | None:
        """The server's ``QUERY_LIMIT_MAX``, once a refused limit has revealed it (else ``None``)."""
        return self._query_limit_max

    def learn_query_limit(self, cap: int) -> None:
        """Remember the server's ``QUERY_LIMIT_MAX``: reads page with it from now on."""
        self._query_limit_max = cap

    @property
    def known_server_version(self) -> ServerVersion | None:
        """The server's Directus version once ``session.server.version()`` has read it (else ``None``)."""
        return self._server_version

    def server_version_flow(self) -> Flow[ServerVersion | None]:
        """The server's version: read once from ``/server/info`` and remembered (``None``
        when the server does not show it to this user: Directus shows it to admins only)."""
        if self._server_version_read:
            return self._server_version
        body = yield from self.call_flow(Call("GET", "/server/info"))
        data = body.get("data") if isinstance(body, dict) else None
        raw = data.get("version") if isinstance(data, dict) else None
        version: ServerVersion | None = None
        if isinstance(raw, str):
            try:
                version = ServerVersion.parse(raw)
            except ValueError:
                version = None
        self.learn_server_version(version)
        return version

    @property
    def server_version_read(self) -> bool:
        """Whether ``/server/info`` was asked for the version already (it may have been hidden)."""
        return self._server_version_read

    def learn_server_version(self, version: ServerVersion | None) -> None:
        """Remember the server's version (``None``: hidden from this user): version-dependent
        features adapt to it from now on."""
        self._server_version = version
        self._server_version_read = True

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {_without_password(self.url)} auth={self._auth.mode}>"

    def _check_open(self) -> None:
        if self._closed:
            raise SessionClosed(
                f"this {type(self).__name__} is closed (its `with` block ended or close() was "
                "called): open a new one"
            )

    # -------------------------------------------------------------- flows

    def _ensure_loaded(self) -> None:
        if not self._auth._loaded:
            with self._load_lock:
                self._auth.load()

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        seconds = parse_retry_after(retry_after)
        if seconds is not None:
            return min(seconds, 60.0)
        return float(min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1)))

    def response_flow(self, call: Call, *, stream: bool = False) -> Flow[httpx.Response]:
        """Send ``call``: refresh, authenticate, retry reads; return a 2xx response.

        Error statuses raise typed errors. A 401 ``TOKEN_EXPIRED`` is answered by
        one refresh and one retry; ``INVALID_TOKEN``/``INVALID_CREDENTIALS`` on an
        authenticated call drop the token (never a silent anonymous retry).
        """
        auth = self._auth
        attempt = 0
        if call.authenticated:
            self._ensure_loaded()
        expired: TokenExpired | None = None
        while True:
            if call.authenticated and auth.lost:
                raise auth.lost_error()
            asked = call.authenticated and auth.should_refresh()
            if asked:
                yield Refresh(auth.generation)
            generation = auth.generation
            headers = auth.headers() if call.authenticated else {}
            if (asked or expired is not None) and not headers:
                # The refresh (ours, or one that ran meanwhile) left no token:
                # never send the request without one.
                raise expired or AuthenticationError(
                    "there is no access token after the refresh; the request was not sent",
                    status=401, method=call.method, path=call.path,
                )
            started = time.perf_counter()
            result = yield Send(call, headers, stream)
            if isinstance(result, httpx.TransportError):
                if call.idempotent and attempt < self.retries and isinstance(result, _RETRY_ERRORS):
                    attempt += 1
                    yield Sleep(self._backoff(attempt, None))
                    continue
                raise convert_transport_error(result) from result
            assert result is not None
            status = result.status_code
            logger.debug(
                "%s %s -> %s in %.1f ms",
                call.method,
                call.path,
                status,
                (time.perf_counter() - started) * 1000,
            )
            if status < 400:
                return result
            if stream:
                result.read()
            retry_after = result.headers.get("retry-after")
            if call.idempotent and status in _RETRY_STATUSES and attempt < self.retries:
                attempt += 1
                yield Sleep(self._backoff(attempt, retry_after))
                continue
            error = error_from_response(
                status, result.content, method=call.method, path=call.path,
                retry_after=retry_after,
            )
            if call.authenticated and headers:
                if isinstance(error, TokenExpired) and auth.can_refresh and expired is None:
                    expired = error
                    yield Refresh(generation)
                    continue
                about_password = call.checks_password and isinstance(error, InvalidCredentials)
                dead = isinstance(error, (InvalidToken, InvalidCredentials, TokenExpired))
                if dead and not about_password:
                    if auth.generation == generation:
                        auth.lose()
            raise error

    def call_flow(self, call: Call) -> Flow[Any]:
        """Send ``call`` and return its decoded JSON body (``None`` for 204)."""
        response = yield from self.response_flow(call)
        return parse_response(
            response.status_code, response.content, method=call.method, path=call.path
        )

    def _build_request(self, client: httpx.Client | httpx.AsyncClient, step: Send) -> httpx.Request:
        call = step.call
        headers = dict(call.headers)
        headers.update(step.headers)
        content = call.content
        if call.send_json or call.json is not None:
            content = to_json(call.json)
            headers["Content-Type"] = "application/json"
        params: list[tuple[str, str | int | float | bool | None]] = list(call.url_params())
        return client.build_request(
            call.method,
            call.path,
            params=params or None,
            content=content,
            files=call.files,
            data=call.data,
            headers=headers,
        )

    # ---------------------------------------------------------- context

    def _enter_context(self) -> None:
        self._check_open()
        context.push(self)

    def _exit_context(self) -> None:
        context.pop(self)

    # ------------------------------------------------------------ raw API

    @staticmethod
    def _raw_call(
        method: str,
        path: str,
        query: Mapping[str, Any] | None,
        params: Mapping[str, str] | None,
        json_body: Any,
    ) -> Call:
        if not path.startswith("/"):
            path = "/" + path
        if json_body is not None:
            check_json(json_body)
        return Call(
            method.upper(),
            path,
            query=query,
            params=params,
            json=json_body,
            send_json=json_body is not None,
        )


def _check_custom_auth(auth: BaseAuth, **settings: Any) -> None:
    if not isinstance(auth, BaseAuth):
        raise ClientError(f"auth must be a BaseAuth, not {type(auth).__name__}")
    defaults = {"auth_mode": "json", "static_token": None, "storage": None,
                "storage_prefix": "", "auto_refresh": True, "refresh_margin": 30.0}
    clashing = [name for name, value in settings.items() if value != defaults[name]]
    if clashing:
        raise ClientError(
            f"{', '.join(clashing)} configure the built-in auth; with auth="
            f"{type(auth).__name__}() leave them out (configure your auth object instead)"
        )


def _client_kwargs(
    session: BaseSession,
    params: Mapping[str, str] | None,
    headers: Mapping[str, str] | None,
    timeout: float | httpx.Timeout,
    verify: bool | str,
) -> dict[str, Any]:
    base_headers = {"User-Agent": "directus_orm/0.1", "Accept": "application/json"}
    base_headers.update(headers or {})
    return {
        "base_url": session.url,
        "params": dict(params or {}),
        "headers": base_headers,
        "timeout": timeout,
        "verify": verify,
        "cookies": _cookie_jar(),
    }


class SyncDriver(BaseSession):
    """Drives flows with blocking I/O over one ``httpx.Client``."""

    def __init__(
        self,
        url: str,
        *,
        auth_mode: AuthMode = "json",
        static_token: str | None = None,
        auth: BaseAuth | None = None,
        storage: BaseStorage | None = None,
        storage_prefix: str = "",
        auto_refresh: bool = True,
        refresh_margin: float = 30.0,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout = 30.0,
        verify: bool | str = True,
        transport: httpx.BaseTransport | None = None,
        retries: int = 3,
        backoff: float = 0.25,
        max_backoff: float = 8.0,
        max_url_length: int = MAX_URL_LENGTH,
    ) -> None:
        super().__init__(
            url, auth_mode=auth_mode, static_token=static_token, auth=auth, storage=storage,
            storage_prefix=storage_prefix, auto_refresh=auto_refresh,
            refresh_margin=refresh_margin, retries=retries, backoff=backoff,
            max_backoff=max_backoff, max_url_length=max_url_length,
        )
        self.client = httpx.Client(
            transport=transport, **_client_kwargs(self, params, headers, timeout, verify)
        )
        self._refresh_lock = threading.Lock()

    def run_flow(self, flow: Flow[T]) -> T:
        """Drive a flow with blocking I/O and return its result."""
        self._check_open()
        value: httpx.Response | httpx.TransportError | None = None
        while True:
            try:
                step = flow.send(value)
            except StopIteration as stop:
                result: T = stop.value
                return result
            value = None
            if isinstance(step, Send):
                request = self._build_request(self.client, step)
                try:
                    value = self.client.send(request, stream=step.stream)
                except httpx.TransportError as error:
                    value = error
            elif isinstance(step, Refresh):
                self._refresh_if_stale(step.generation)
            else:
                time.sleep(step.seconds)

    def _refresh_if_stale(self, generation: int) -> None:
        with self._refresh_lock:
            if self._auth.generation == generation:
                self.run_flow(self._auth.refresh_flow())

    def refresh_now(self) -> AuthData:
        """Refresh the tokens now, under the session's single-flight lock."""
        self._ensure_loaded()
        with self._refresh_lock:
            return self.run_flow(self._auth.refresh_flow())

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> Any:
        """Call any Directus endpoint; returns the decoded JSON body (``None`` for 204).

        ``query`` is a structured Directus query (``{"filter": {...}}``), encoded
        for the URL; ``params`` are raw URL parameters.
        """
        return self.run_flow(self.call_flow(self._raw_call(method, path, query, params, json)))

    def close(self) -> None:
        """Close the connection pool. Tokens stay in storage; the session cannot be used again."""
        self._closed = True
        self.client.close()

    def __enter__(self) -> Self:
        self._enter_context()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._exit_context()
        self.close()


class AsyncDriver(BaseSession):
    """Drives flows with asyncio I/O over one ``httpx.AsyncClient``."""

    def __init__(
        self,
        url: str,
        *,
        auth_mode: AuthMode = "json",
        static_token: str | None = None,
        auth: BaseAuth | None = None,
        storage: BaseStorage | None = None,
        storage_prefix: str = "",
        auto_refresh: bool = True,
        refresh_margin: float = 30.0,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | httpx.Timeout = 30.0,
        verify: bool | str = True,
        transport: httpx.AsyncBaseTransport | None = None,
        retries: int = 3,
        backoff: float = 0.25,
        max_backoff: float = 8.0,
        max_url_length: int = MAX_URL_LENGTH,
    ) -> None:
        super().__init__(
            url, auth_mode=auth_mode, static_token=static_token, auth=auth, storage=storage,
            storage_prefix=storage_prefix, auto_refresh=auto_refresh,
            refresh_margin=refresh_margin, retries=retries, backoff=backoff,
            max_backoff=max_backoff, max_url_length=max_url_length,
        )
        self.client = httpx.AsyncClient(
            transport=transport, **_client_kwargs(self, params, headers, timeout, verify)
        )
        self._refresh_lock: asyncio.Lock | None = None

    async def arun_flow(self, flow: Flow[T]) -> T:
        """Drive a flow with asyncio I/O and return its result."""
        self._check_open()
        value: httpx.Response | httpx.TransportError | None = None
        while True:
            try:
                step = flow.send(value)
            except StopIteration as stop:
                result: T = stop.value
                return result
            value = None
            if isinstance(step, Send):
                request = self._build_request(self.client, step)
                try:
                    value = await self.client.send(request, stream=step.stream)
                except httpx.TransportError as error:
                    value = error
            elif isinstance(step, Refresh):
                await self._refresh_if_stale(step.generation)
            else:
                await asyncio.sleep(step.seconds)

    def _lock(self) -> asyncio.Lock:
        if self._refresh_lock is None:
            self._refresh_lock = asyncio.Lock()
        return self._refresh_lock

    async def _refresh_if_stale(self, generation: int) -> None:
        async with self._lock():
            if self._auth.generation == generation:
                await self.arun_flow(self._auth.refresh_flow())

    async def arefresh_now(self) -> AuthData:
        """Refresh the tokens now, under the session's single-flight lock."""
        self._ensure_loaded()
        async with self._lock():
            return await self.arun_flow(self._auth.refresh_flow())

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> Any:
        """Call any Directus endpoint; returns the decoded JSON body (``None`` for 204)."""
        return await self.arun_flow(
            self.call_flow(self._raw_call(method, path, query, params, json))
        )

    async def aclose(self) -> None:
        """Close the connection pool. Tokens stay in storage; the session cannot be used again."""
        self._closed = True
        await self.client.aclose()

    async def __aenter__(self) -> Self:
        self._enter_context()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._exit_context()
        await self.aclose()


def sync_session(explicit: BaseSession | None, method: str, hint: str = "") -> SyncDriver:
    """The session a blocking ``method`` runs on; names the async twin otherwise."""
    session = explicit or context.get_current_session()
    if not isinstance(session, SyncDriver):
        raise WrongSessionKind(
            f"{method}() blocks and needs a Session; on an AsyncSession use "
            f"`await ...a{method}()`{hint}"
        )
    return session


def async_session(explicit: BaseSession | None, method: str) -> AsyncDriver:
    """The session an ``a``-prefixed ``method`` runs on; names the sync twin otherwise."""
    session = explicit or context.get_current_session()
    if not isinstance(session, AsyncDriver):
        raise WrongSessionKind(
            f"a{method}() is for an AsyncSession; on a Session call {method}()"
        )
    return session
