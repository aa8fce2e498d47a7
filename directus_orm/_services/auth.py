"""The auth facades: ``session.auth`` (login, refresh, logout, password reset), sync and async."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._core.auth import AuthData, AuthMode
from .._core.auth_base import BaseAuth
from .._core.exceptions import AuthenticationError
from .._core.flow import Flow
from .._core.request import Call

if TYPE_CHECKING:
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver


# ---------------------------------------------------------------- facades


class _PasswordBase:
    @staticmethod
    def _request_call(email: str, reset_url: str | None) -> Call:
        body: dict[str, Any] = {"email": email}
        if reset_url is not None:
            body["reset_url"] = reset_url
        return Call("POST", "/auth/password/request", json=body, send_json=True,
                    authenticated=False)

    @staticmethod
    def _reset_call(token: str, password: str) -> Call:
        return Call("POST", "/auth/password/reset", json={"token": token, "password": password},
                    send_json=True, authenticated=False)


class Password(_PasswordBase):
    """``session.auth.password``: request and perform a password reset."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session

    def request(self, email: str, reset_url: str | None = None) -> None:
        """Ask Directus to mail a reset link. The server answers 204 for any email."""
        self._session.run_flow(self._session.call_flow(self._request_call(email, reset_url)))

    def reset(self, token: str, password: str) -> None:
        """Set a new password with the token from the reset mail."""
        self._session.run_flow(self._session.call_flow(self._reset_call(token, password)))


class AsyncPassword(_PasswordBase):
    """``session.auth.password`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session

    async def request(self, email: str, reset_url: str | None = None) -> None:
        """Ask Directus to mail a reset link. The server answers 204 for any email."""
        await self._session.arun_flow(self._session.call_flow(self._request_call(email, reset_url)))

    async def reset(self, token: str, password: str) -> None:
        """Set a new password with the token from the reset mail."""
        await self._session.arun_flow(self._session.call_flow(self._reset_call(token, password)))


class _AuthBase:
    _session: BaseSession

    @property
    def core(self) -> BaseAuth:
        """The session's auth object: the built-in one, or the ``auth=`` you passed."""
        return self._session._auth

    @property
    def token(self) -> str | None:
        """The current access token (``None`` when logged out)."""
        self.core.load()
        return self.core.access_token

    @property
    def mode(self) -> AuthMode:
        return self.core.mode

    @property
    def expires_at(self) -> float | None:
        """Epoch seconds at which the access token expires (``None``: unknown or static)."""
        self.core.load()
        return self.core.expires_at

    def __repr__(self) -> str:
        state = "static token" if self.core.static else (
            "logged in" if self.core.access_token else "logged out")
        return f"<{type(self).__name__} mode={self.core.mode!r} {state}>"

    def _static_flow(self, token: str) -> Flow[str]:
        self.core.set_static(token)
        try:
            body = yield from self._session.call_flow(
                Call("GET", "/users/me", query={"fields": ["id"]}))
        except AuthenticationError:
            self.core.clear()
            raise
        data = body.get("data") if isinstance(body, dict) else None
        user = data.get("id") if isinstance(data, dict) else None
        if not isinstance(user, str):
            # A token of no user (the public role) cannot be a static token.
            self.core.clear()
            raise AuthenticationError("the static token belongs to no user", status=401)
        return user


class Auth(_AuthBase):
    """``session.auth`` on a ``Session``: login, refresh, logout, static tokens."""

    _session: SyncDriver

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self.password = Password(session)

    def login(
        self, email: str, password: str, *, otp: str | None = None, mode: AuthMode | None = None
    ) -> AuthData:
        """Log in with email and password (and ``otp`` when 2FA is on)."""
        return self._session.run_flow(self.core.login_flow(email, password, otp, mode))

    def static(self, token: str) -> str:
        """Use a static token; checks it with ``/users/me`` and returns that user's id."""
        return self._session.run_flow(self._static_flow(token))

    def refresh(self) -> AuthData:
        """Refresh now (normally automatic). Rotates the refresh token."""
        return self._session.refresh_now()

    def logout(self) -> None:
        """Invalidate the refresh token or session on the server and forget the tokens."""
        self._session.run_flow(self.core.logout_flow())


class AsyncAuth(_AuthBase):
    """``session.auth`` on an ``AsyncSession``; the same methods, awaited."""

    _session: AsyncDriver

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self.password = AsyncPassword(session)

    async def login(
        self, email: str, password: str, *, otp: str | None = None, mode: AuthMode | None = None
    ) -> AuthData:
        """Log in with email and password (and ``otp`` when 2FA is on)."""
        return await self._session.arun_flow(self.core.login_flow(email, password, otp, mode))

    async def static(self, token: str) -> str:
        """Use a static token; checks it with ``/users/me`` and returns that user's id."""
        return await self._session.arun_flow(self._static_flow(token))

    async def refresh(self) -> AuthData:
        """Refresh now (normally automatic). Rotates the refresh token."""
        return await self._session.arefresh_now()

    async def logout(self) -> None:
        """Invalidate the refresh token or session on the server and forget the tokens."""
        await self._session.arun_flow(self.core.logout_flow())
