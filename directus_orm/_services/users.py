"""Users: me, invites, registration, two-factor auth, as ``session.users``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypedDict

from typing_extensions import TypeVar

from .._core.exceptions import Forbidden, InviteNotCreated
from .._core.flow import Flow
from .._core.request import Call, path_of
from .._models.hydrate import hydrate_many, hydrate_one
from .._models.model import Model
from .._system.models import (
    DirectusUser,
)
from .common import FieldPaths, _data, _json, _pk, _query

if TYPE_CHECKING:
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver

M = TypeVar("M", bound=Model)


U = TypeVar("U", bound=DirectusUser, default=DirectusUser)


# ====================================================================== users


class TfaSecret(TypedDict):
    """What ``tfa.generate()`` returns: the TOTP secret and its ``otpauth://`` URL."""

    secret: str
    otpauth_url: str


@dataclass(frozen=True)
class InviteResult:
    """What ``invite()`` could establish.

    ``verified`` is true when the users were read back: then ``invited`` lists
    the emails that now belong to users with status ``invited`` (a new invite
    or a resent one) and ``existing`` those of users that already existed with
    another status (Directus leaves them alone and sends nothing). When the
    caller may not read ``directus_users``, ``verified`` is false and nothing
    is known beyond the 204: the server answers the same when it did nothing.
    """

    emails: tuple[str, ...]
    verified: bool
    invited: tuple[str, ...] = ()
    existing: tuple[str, ...] = ()
    users: tuple[DirectusUser, ...] = ()


class UsersFlows:
    """``/users/me``, invites, registration and two-factor authentication."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def me(self, model: type[M], fields: FieldPaths) -> Flow[M]:
        response = yield from self._session.response_flow(
            Call("GET", "/users/me", query=_query(fields))
        )
        obj = hydrate_one(model, response.content)
        if obj is None:
            raise model.DoesNotExist("/users/me returned no user")
        return obj

    def update_me(self, model: type[M], fields: FieldPaths, data: Mapping[str, Any]) -> Flow[M | None]:
        response = yield from self._session.response_flow(
            _json("PATCH", "/users/me", dict(data), query=_query(fields))
        )
        return hydrate_one(model, response.content)

    def invite(
        self, emails: str | Sequence[str], role: Any, invite_url: str | None, verify: bool
    ) -> Flow[InviteResult]:
        wanted = (emails,) if isinstance(emails, str) else tuple(emails)
        if not wanted:
            raise ValueError("invite() needs at least one email")
        body: dict[str, Any] = {"email": wanted[0] if isinstance(emails, str) else list(wanted),
                                "role": _pk(role)}
        if invite_url is not None:
            body["invite_url"] = invite_url
        yield from self._session.response_flow(_json("POST", "/users/invite", body))
        if not verify:
            return InviteResult(wanted, verified=False)
        candidates = sorted({e for email in wanted for e in (email, email.lower())})
        query = {"filter": {"email": {"_in": candidates}}, "fields": ["id", "email", "status", "role"],
                 "limit": -1}
        try:
            response = yield from self._session.response_flow(Call("GET", "/users", query=query))
        except Forbidden:
            return InviteResult(wanted, verified=False)
        users = hydrate_many(DirectusUser, response.content)
        by_email = {(u.email or "").lower(): u for u in users}
        missing = [e for e in wanted if e.lower() not in by_email]
        if missing:
            raise InviteNotCreated(
                f"Directus answered 204 to the invite, but no user exists for {missing}: "
                "it answers 204 even when the invite is forbidden (create permission on "
                "directus_users is needed) and then creates nothing",
                missing,
            )
        invited = tuple(e for e in wanted if by_email[e.lower()].status == "invited")
        existing = tuple(e for e in wanted if e not in invited)
        return InviteResult(wanted, True, invited, existing,
                            tuple(by_email[e.lower()] for e in wanted))

    def accept_invite(self, token: str, password: str) -> Flow[None]:
        yield from self._session.response_flow(
            _json("POST", "/users/invite/accept", {"token": token, "password": password},
                  authenticated=False)
        )
        return None

    def register(self, email: str, password: str, extra: Mapping[str, Any]) -> Flow[None]:
        body = {"email": email, "password": password}
        body.update({k: v for k, v in extra.items() if v is not None})
        yield from self._session.response_flow(
            _json("POST", "/users/register", body, authenticated=False)
        )
        return None

    def register_verify(self, token: str) -> Flow[str | None]:
        call = Call("GET", "/users/register/verify-email", params={"token": token},
                    authenticated=False)
        response = yield from self._session.response_flow(call)
        match = re.search(r"/users/([^/?#]+)$", response.headers.get("location", ""))
        return match.group(1) if match else None

    def tfa_generate(self, password: str) -> Flow[TfaSecret]:
        call = replace(_json("POST", "/users/me/tfa/generate", {"password": password}), checks_password=True)
        response = yield from self._session.response_flow(call)
        data = _data(response.json()) or {}
        return TfaSecret(secret=str(data.get("secret")), otpauth_url=str(data.get("otpauth_url")))

    def tfa_enable(self, secret: str, otp: str) -> Flow[None]:
        yield from self._session.response_flow(
            _json("POST", "/users/me/tfa/enable", {"secret": secret, "otp": str(otp)})
        )
        return None

    def tfa_disable(self, otp: str) -> Flow[None]:
        yield from self._session.response_flow(
            _json("POST", "/users/me/tfa/disable", {"otp": str(otp)})
        )
        return None

    def tfa_disable_for(self, user: Any) -> Flow[None]:
        yield from self._session.response_flow(
            Call("POST", path_of("users", _pk(user), "tfa", "disable"))
        )
        return None


class Tfa:
    """``session.users.tfa``: two-factor authentication of the current user."""

    def __init__(self, session: SyncDriver, flows: UsersFlows) -> None:
        self._session = session
        self._flows = flows

    def generate(self, password: str) -> TfaSecret:
        """A new TOTP secret (local-provider users; wrong password → ``InvalidCredentials``)."""
        return self._session.run_flow(self._flows.tfa_generate(password))

    def enable(self, secret: str, otp: str) -> None:
        """Turn 2FA on with the secret from :meth:`generate` and a current code
        (wrong code → ``InvalidPayload``; needs update permission on directus_users)."""
        return self._session.run_flow(self._flows.tfa_enable(secret, otp))

    def disable(self, otp: str) -> None:
        """Turn 2FA off with a current code."""
        return self._session.run_flow(self._flows.tfa_disable(otp))

    def disable_for(self, user: Any) -> None:
        """Turn another user's 2FA off (admins only; ``user`` is an id or a user object)."""
        return self._session.run_flow(self._flows.tfa_disable_for(user))


class AsyncTfa:
    """``session.users.tfa`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver, flows: UsersFlows) -> None:
        self._session = session
        self._flows = flows

    async def generate(self, password: str) -> TfaSecret:
        """A new TOTP secret (local-provider users; wrong password → ``InvalidCredentials``)."""
        return await self._session.arun_flow(self._flows.tfa_generate(password))

    async def enable(self, secret: str, otp: str) -> None:
        """Turn 2FA on with the secret from :meth:`generate` and a current code."""
        return await self._session.arun_flow(self._flows.tfa_enable(secret, otp))

    async def disable(self, otp: str) -> None:
        """Turn 2FA off with a current code."""
        return await self._session.arun_flow(self._flows.tfa_disable(otp))

    async def disable_for(self, user: Any) -> None:
        """Turn another user's 2FA off (admins only)."""
        return await self._session.arun_flow(self._flows.tfa_disable_for(user))


class Users:
    """``session.users``: the current user, invites, registration, ``tfa``.

    Other users are read and written with the model: ``DirectusUser.objects``.
    """

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = UsersFlows(session)
        self.tfa = Tfa(session, self._flows)

    def me(self, model: type[U] = DirectusUser, fields: FieldPaths = None) -> U:  # type: ignore[assignment]
        """The current user as ``model`` (``DirectusUser`` or a subclass with your fields).

        ``fields`` limits what is fetched (default: everything). A user who may
        not read ``directus_users`` gets an object with only ``id`` loaded.
        """
        return self._session.run_flow(self._flows.me(model, fields))

    def update_me(
        self,
        data: Mapping[str, Any] | None = None,
        /,
        *,
        model: type[U] = DirectusUser,  # type: ignore[assignment]
        fields: FieldPaths = None,
        **values: Any,
    ) -> U | None:
        """PATCH the current user with ``data`` and/or keyword values; returns the
        updated user (``None`` if the server sent none back)."""
        return self._session.run_flow(self._flows.update_me(model, fields, {**(data or {}), **values}))

    def invite(
        self,
        email_or_emails: str | Sequence[str],
        role: Any,
        invite_url: str | None = None,
        *,
        verify: bool = True,
    ) -> InviteResult:
        """Invite users by email into ``role`` (an id or a ``DirectusRole``).

        Directus answers 204 even when the invite is forbidden and nothing was
        created, so with ``verify`` (default) the users are read back: a missing
        one raises :class:`InviteNotCreated`; if the caller may not read users,
        the result says ``verified=False``. ``invite_url`` must be in the
        server's ``USER_INVITE_URL_ALLOW_LIST``.
        """
        return self._session.run_flow(self._flows.invite(email_or_emails, role, invite_url, verify))

    def accept_invite(self, token: str, password: str) -> None:
        """Accept an invite (the token from the invite mail) and set the password."""
        return self._session.run_flow(self._flows.accept_invite(token, password))

    def register(
        self,
        email: str,
        password: str,
        *,
        verification_url: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> None:
        """Public registration (the ``public_registration`` setting; else ``Forbidden``).

        Directus answers 204 whether or not an account was created (it never
        tells whether an email is taken); with ``public_registration_verify_email``
        the new user is ``unverified`` until :meth:`register_verify`.
        """
        extra = {"verification_url": verification_url, "first_name": first_name,
                 "last_name": last_name}
        return self._session.run_flow(self._flows.register(email, password, extra))

    def register_verify(self, token: str) -> str | None:
        """Verify a registration email token; returns the user's id (Directus redirects to it)."""
        return self._session.run_flow(self._flows.register_verify(token))


class AsyncUsers:
    """``session.users`` on an ``AsyncSession``; the same methods, awaited."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = UsersFlows(session)
        self.tfa = AsyncTfa(session, self._flows)

    async def me(self, model: type[U] = DirectusUser, fields: FieldPaths = None) -> U:  # type: ignore[assignment]
        """The current user as ``model`` (``DirectusUser`` or a subclass)."""
        return await self._session.arun_flow(self._flows.me(model, fields))

    async def update_me(
        self,
        data: Mapping[str, Any] | None = None,
        /,
        *,
        model: type[U] = DirectusUser,  # type: ignore[assignment]
        fields: FieldPaths = None,
        **values: Any,
    ) -> U | None:
        """PATCH the current user; returns the updated user (``None`` if none came back)."""
        return await self._session.arun_flow(
            self._flows.update_me(model, fields, {**(data or {}), **values})
        )

    async def invite(
        self,
        email_or_emails: str | Sequence[str],
        role: Any,
        invite_url: str | None = None,
        *,
        verify: bool = True,
    ) -> InviteResult:
        """Invite users by email; see :meth:`Users.invite` for the 204 caveat."""
        return await self._session.arun_flow(
            self._flows.invite(email_or_emails, role, invite_url, verify)
        )

    async def accept_invite(self, token: str, password: str) -> None:
        """Accept an invite and set the password."""
        return await self._session.arun_flow(self._flows.accept_invite(token, password))

    async def register(
        self,
        email: str,
        password: str,
        *,
        verification_url: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
    ) -> None:
        """Public registration; see :meth:`Users.register`."""
        extra = {"verification_url": verification_url, "first_name": first_name,
                 "last_name": last_name}
        return await self._session.arun_flow(self._flows.register(email, password, extra))

    async def register_verify(self, token: str) -> str | None:
        """Verify a registration email token; returns the user's id."""
        return await self._session.arun_flow(self._flows.register_verify(token))
