"""The authentication a session drives: :class:`BaseAuth`, the pluggable part.

A session asks its auth for the headers of every authenticated request and
drives the auth's *flows* (generators, the same kind the rest of the library is
written in) when a token must be obtained, refreshed or given up. The session
keeps the rules that make this safe, whatever the auth does:

- a refresh is single-flight: however many threads or tasks find the token
  stale, one ``refresh_flow()`` runs (under the session's lock), the others
  reuse its result (``generation`` tells them it changed);
- a request answered ``401 TOKEN_EXPIRED`` is refreshed and retried once;
- a token the server refuses (``INVALID_TOKEN``, ``INVALID_CREDENTIALS``, a
  second ``TOKEN_EXPIRED``) is dropped with :meth:`BaseAuth.lose` and the error
  raised: a request is never retried without its token, and every later
  authenticated call raises ``AuthenticationError`` before sending anything until
  new credentials are set (a login, a static token) or :meth:`BaseAuth.clear`
  (a logout) makes the session anonymous on purpose.

The built-in auth (email/password login, refresh tokens, storage, static
tokens) is :class:`~directus_orm._core.auth.AuthCore`, a ``BaseAuth``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from .exceptions import AuthenticationError, ClientError, convert_transport_error
from .flow import Flow, Send
from .request import Call, parse_response

AuthMode = Literal["json", "cookie", "session"]


@dataclass(frozen=True)
class AuthData:
    """What a login or refresh returned. The repr hides the tokens."""

    mode: AuthMode
    access_token: str | None = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires: int | None
    """Lifetime of the access token in milliseconds, as Directus reports it."""
    expires_at: float | None
    """Epoch seconds at which the access token expires."""


class BaseAuth:
    """How a session authenticates; subclass it to bring your own credentials.

    ``Session(url, auth=MyAuth())`` and ``AsyncSession(url, auth=MyAuth())``
    use it; ``session.auth.core`` is the object. Override what you need:

    - :meth:`new_token` (plain call): return a fresh access token. The default
      :meth:`refresh_flow` calls it whenever there is no token yet or the
      server said ``TOKEN_EXPIRED``. It runs inside the session's refresh (on
      the event loop for an ``AsyncSession``: keep it short, or use a flow);
    - or the flows, which may send requests through the session (sync or
      async alike) with ``yield from self.call(...)``:
      :meth:`refresh_flow` (get a new token), :meth:`login_flow`
      (``session.auth.login(...)``), :meth:`logout_flow`
      (``session.auth.logout()``);
    - :meth:`headers` to authenticate some other way than
      ``Authorization: Bearer``; :meth:`should_refresh` /
      :attr:`can_refresh` to decide when a refresh is due or possible.

    A flow changes the credentials with :meth:`set_token` (or :meth:`clear`),
    which bump :attr:`generation`. The repr never shows a token.
    """

    #: Refresh this many seconds before ``expires_at`` (when it is known).
    refresh_margin: float = 30.0
    #: The mode of ``session.auth.login()``; custom auths rarely need it.
    mode: AuthMode = "json"
    #: ``load()`` has run (the built-in auth reads its storage once).
    _loaded: bool = True

    def __init__(self) -> None:
        self.access_token: str | None = None
        """The token sent as ``Authorization: Bearer`` (``None``: none yet)."""
        self.expires_at: float | None = None
        """Epoch seconds at which ``access_token`` expires (``None``: unknown)."""
        self.static = False
        """A static token (``session.auth.static(token)``): never refreshed."""
        self.generation = 0
        """Bumped on every change of the credentials (single-flight refreshes)."""
        self.lost = False
        """The credentials died (a refused token, a failed refresh): authenticated calls
        raise until new ones are set or :meth:`clear` is called."""

    def __repr__(self) -> str:
        state = "token" if self.access_token is not None else "no token"
        return f"<{type(self).__name__} {state}>"

    # ------------------------------------------------------- the session asks

    def load(self) -> None:
        """Called before the first authenticated request (restore saved state)."""

    def headers(self) -> dict[str, str]:
        """The headers that authenticate a request (none: the request goes without)."""
        if self.access_token is None:
            return {}
        return {"Authorization": f"Bearer {self.access_token}"}

    @property
    def can_refresh(self) -> bool:
        """Whether a new token can be had (after ``TOKEN_EXPIRED``, or to get the first)."""
        return not self.static

    def should_refresh(self) -> bool:
        """Whether to refresh *before* sending: no token yet, or it expires soon."""
        if not self.can_refresh:
            return False
        if self.access_token is None:
            return True
        return self.expires_at is not None and self.expires_at - time.time() <= self.refresh_margin

    # --------------------------------------------------------- state changes

    def set_token(self, token: str, *, expires_at: float | None = None) -> AuthData:
        """Use ``token`` from now on (``expires_at`` in epoch seconds, if known)."""
        if not isinstance(token, str) or not token:
            raise ClientError(f"{type(self).__name__}: the new access token is empty")
        self.access_token = token
        self.expires_at = expires_at
        self.static = False
        self.lost = False
        self.generation += 1
        return AuthData(self.mode, token, None, None, expires_at)

    def set_static(self, token: str) -> None:
        """Use a static token: sent as is, never refreshed."""
        if not token:
            raise ValueError("the static token is empty")
        self.access_token = token
        self.expires_at = None
        self.static = True
        self.lost = False
        self.generation += 1

    def clear(self) -> None:
        """Forget the token (a logout): later calls go out without one, on purpose."""
        self.access_token = None
        self.expires_at = None
        self.static = False
        self.lost = False
        self.generation += 1

    def lose(self) -> None:
        """The credentials died (the server refused the token, a refresh failed): forget
        them, and make every later authenticated call raise until new ones are set.

        A session that never had credentials stays anonymous; one that had them must
        never fall back to anonymous requests on its own.
        """
        had = (
            self.access_token is not None
            or getattr(self, "refresh_token", None) is not None
            or self.lost
        )
        self.clear()
        self.lost = had

    def lost_error(self) -> AuthenticationError:
        """The error of a call made after :meth:`lose` (nothing was sent)."""
        return AuthenticationError(
            "the session lost its credentials (a token refresh failed or the token was refused); "
            "nothing was sent: log in again, set a static token, or call logout() to go on "
            "anonymously",
            status=401,
            code=None,
        )

    # ------------------------------------------------------------- the flows

    def new_token(self) -> str:
        """A fresh access token. Override this, or :meth:`refresh_flow`."""
        raise ClientError(
            f"{type(self).__name__} cannot get a token: override new_token() or refresh_flow()"
        )

    def refresh_flow(self) -> Flow[AuthData]:
        """Get a new token; the session runs it under its single-flight lock."""
        return self.set_token(self.new_token())
        yield  # pragma: no cover - makes this a flow

    def login_flow(
        self, email: str, password: str, otp: str | None, mode: AuthMode | None
    ) -> Flow[AuthData]:
        """``session.auth.login(...)``; a custom auth gets its tokens itself."""
        raise ClientError(
            f"{type(self).__name__} does not log in with a password: it gets its tokens "
            "itself (new_token/refresh_flow)"
        )
        yield  # pragma: no cover - makes this a flow

    def logout_flow(self) -> Flow[None]:
        """``session.auth.logout()``: forget the token."""
        self.clear()
        return None
        yield  # pragma: no cover - makes this a flow

    # -------------------------------------------------------- flow helpers

    def call(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Flow[Any]:
        """A request inside a flow: ``body = yield from self.call("POST", url, json=...)``.

        ``url`` is a Directus path (``/auth/login``) or an absolute URL (an SSO
        broker, a secrets manager). No session token is sent with it; returns
        the decoded JSON body (``None`` for 204); errors raise typed exceptions.
        """
        call = Call(method.upper(), url, json=json, send_json=json is not None,
                    headers=dict(headers or {}), authenticated=False)
        result: httpx.Response | httpx.TransportError | None = yield Send(call)
        if isinstance(result, httpx.TransportError):
            raise convert_transport_error(result) from result
        assert result is not None
        return parse_response(result.status_code, result.content, method=call.method,
                              path=httpx.URL(url).path)
