"""Authentication state and flows: login, refresh, logout, static tokens.

:class:`AuthCore` holds the token state and builds the calls; it does no I/O.
The public ``session.auth`` objects (:class:`Auth` for ``Session``,
:class:`AsyncAuth` for ``AsyncSession``) only run its flows.

Directus rules this follows (12.x):

- ``expires`` is in milliseconds; refresh tokens rotate on every refresh and the
  old one dies at once, so refreshes are single-flight and the new token is
  written to storage before anything else uses it.
- Modes: ``json`` (tokens in the body), ``cookie`` (refresh token in the
  ``directus_refresh_token`` cookie), ``session`` (one JWT in the
  ``directus_session_token`` cookie, also accepted as a Bearer token).
- The token is always sent as ``Authorization: Bearer``, never in the URL.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from .auth_base import AuthData as AuthData
from .auth_base import AuthMode as AuthMode
from .auth_base import BaseAuth
from .exceptions import AuthenticationError, InvalidCredentials, InvalidToken, convert_transport_error
from .flow import Flow, Send
from .request import Call, parse_response
from .storage import BaseStorage, MemoryStorage

_MODES: tuple[str, ...] = ("json", "cookie", "session")


REFRESH_COOKIE = "directus_refresh_token"


#: The refresh margin is at most this fraction of the access token's lifetime.
MARGIN_FRACTION = 0.25


SESSION_COOKIE = "directus_session_token"


def _redact(token: str | None) -> str:
    return "None" if token is None else "'***'"


class AuthCore(BaseAuth):
    """The built-in auth: email/password login, refresh tokens in a storage, static tokens.

    Token state plus the flows that change it. Pure: all I/O goes through steps.
    """

    def __init__(
        self,
        *,
        mode: AuthMode = "json",
        storage: BaseStorage | None = None,
        prefix: str = "",
        auto_refresh: bool = True,
        refresh_margin: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if mode not in _MODES:
            raise ValueError(f"auth_mode must be one of {_MODES}, not {mode!r}")
        super().__init__()
        self.mode = mode
        self.storage = storage if storage is not None else MemoryStorage()
        self.key = f"{prefix}auth"
        self.auto_refresh = auto_refresh
        self.refresh_margin = refresh_margin
        self.clock = clock
        self.refresh_token: str | None = None
        self.lifetime: float | None = None  # seconds the current access token was issued for
        self._loaded = False

    def __repr__(self) -> str:
        return (
            f"AuthCore(mode={self.mode!r}, access_token={_redact(self.access_token)}, "
            f"refresh_token={_redact(self.refresh_token)}, static={self.static})"
        )

    # ------------------------------------------------------------ state

    def load(self) -> None:
        """Read the stored tokens once (a restarted script resumes its login)."""
        if self._loaded:
            return
        self._loaded = True
        if self.static or self.access_token is not None:
            return
        stored = self.storage.get(self.key)
        if not isinstance(stored, Mapping):
            return
        mode = stored.get("mode")
        if mode in _MODES:
            self.mode = mode
        self.access_token = _str_or_none(stored.get("access_token"))
        self.refresh_token = _str_or_none(stored.get("refresh_token"))
        expires_at = stored.get("expires_at")
        self.expires_at = float(expires_at) if isinstance(expires_at, (int, float)) else None
        lifetime = stored.get("lifetime")
        self.lifetime = float(lifetime) if isinstance(lifetime, (int, float)) else None
        self.generation += 1

    def set_static(self, token: str) -> None:
        """Use a static token: sent as is, never refreshed, never stored."""
        if not token:
            raise ValueError("the static token is empty")
        self.access_token = token
        self.refresh_token = None
        self.expires_at = None
        self.lifetime = None
        self.lost = False
        self.static = True
        self._loaded = True
        self.generation += 1

    def _save(
        self, mode: AuthMode, access: str | None, refresh: str | None, expires: Any
    ) -> AuthData:
        expires_ms = int(expires) if isinstance(expires, (int, float)) else None
        expires_at = self.clock() + expires_ms / 1000 if expires_ms is not None else None
        self.mode = mode
        self.access_token = access
        self.refresh_token = refresh
        self.expires_at = expires_at
        self.lifetime = expires_ms / 1000 if expires_ms is not None else None
        self.static = False
        self.lost = False
        self._loaded = True
        self.generation += 1
        self.storage.set(
            self.key,
            {
                "mode": mode,
                "access_token": access,
                "refresh_token": refresh,
                "expires_at": expires_at,
                "lifetime": self.lifetime,
            },
        )
        return AuthData(mode, access, refresh, expires_ms, expires_at)

    def clear(self) -> None:
        """Forget every token, in memory and in storage (a logout: calls go out anonymously)."""
        self.access_token = None
        self.refresh_token = None
        self.expires_at = None
        self.lifetime = None
        self.lost = False
        self.static = False
        self._loaded = True
        self.generation += 1
        self.storage.delete(self.key)

    @property
    def can_refresh(self) -> bool:
        return not self.static and self.refresh_token is not None

    def should_refresh(self) -> bool:
        """True when the access token expires within ``refresh_margin`` seconds."""
        if not self.auto_refresh or not self.can_refresh:
            return False
        if self.access_token is None or self.expires_at is None:
            return True
        return self.expires_at - self.clock() <= self.margin()

    def margin(self) -> float:
        """``refresh_margin``, but at most a quarter of the token's lifetime: a token issued
        for less than the margin is not refreshed on every request."""
        if self.lifetime is None:
            return self.refresh_margin
        return min(self.refresh_margin, self.lifetime * MARGIN_FRACTION)

    def headers(self) -> dict[str, str]:
        """The headers that authenticate a request (none when logged out)."""
        if self.access_token is None:
            return {}
        return {"Authorization": f"Bearer {self.access_token}"}

    def _mode_body_and_headers(self, mode: AuthMode) -> tuple[dict[str, Any], dict[str, str]]:
        token = self.refresh_token
        if token is None and self.lost:
            raise self.lost_error()
        if token is None:
            raise AuthenticationError(
                "not logged in: there is no refresh token", status=401, code=None
            )
        if mode == "json":
            return {"refresh_token": token, "mode": "json"}, {}
        cookie = REFRESH_COOKIE if mode == "cookie" else SESSION_COOKIE
        return {"mode": mode}, {"Cookie": f"{cookie}={token}"}

    # ------------------------------------------------------------ flows

    def _handle_tokens(self, mode: AuthMode, response: httpx.Response, call: Call) -> AuthData:
        body = parse_response(
            response.status_code, response.content, method=call.method, path=call.path
        )
        data = body.get("data", {}) if isinstance(body, dict) else {}
        access = _str_or_none(data.get("access_token"))
        refresh = _str_or_none(data.get("refresh_token"))
        if mode == "cookie":
            refresh = response.cookies.get(REFRESH_COOKIE) or refresh
        elif mode == "session":
            access = response.cookies.get(SESSION_COOKIE)
            refresh = access
        if access is None:
            raise AuthenticationError(
                f"the server's {mode}-mode answer carried no access token",
                status=response.status_code,
            )
        return self._save(mode, access, refresh, data.get("expires"))

    def login_flow(
        self, email: str, password: str, otp: str | None, mode: AuthMode | None
    ) -> Flow[AuthData]:
        mode = mode or self.mode
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {_MODES}, not {mode!r}")
        body: dict[str, Any] = {"email": email, "password": password, "mode": mode}
        if otp is not None:
            body["otp"] = str(otp)
        call = Call("POST", "/auth/login", json=body, send_json=True, authenticated=False)
        response = yield Send(call)
        response = _raise_transport(response)
        return self._handle_tokens(mode, response, call)

    def refresh_flow(self) -> Flow[AuthData]:
        self.load()  # a new session's first call may be a refresh
        mode = self.mode
        body, headers = self._mode_body_and_headers(mode)
        call = Call("POST", "/auth/refresh", json=body, send_json=True, authenticated=False)
        response = yield Send(call, headers)
        response = _raise_transport(response)
        try:
            return self._handle_tokens(mode, response, call)
        except (InvalidCredentials, InvalidToken):
            # The refresh token is dead (used, logged out, expired, or its rotated
            # successor was lost in transit): drop it rather than keep sending it,
            # and refuse to go on anonymously.
            self.lose()
            raise

    def logout_flow(self) -> Flow[None]:
        self.load()
        if self.refresh_token is None or self.static:
            self.clear()
            return None
        body, headers = self._mode_body_and_headers(self.mode)
        call = Call("POST", "/auth/logout", json=body, send_json=True, authenticated=False)
        try:
            response = yield Send(call, headers)
            response = _raise_transport(response)
            parse_response(response.status_code, response.content, method="POST", path=call.path)
        finally:
            self.clear()
        return None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _raise_transport(result: httpx.Response | httpx.TransportError | None) -> httpx.Response:
    if isinstance(result, httpx.TransportError):
        raise convert_transport_error(result) from result
    assert result is not None
    return result
