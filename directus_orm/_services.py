"""Service endpoints (``session.server``, ``session.users``, ``session.files`` ...), written as flows.

A service's logic lives in a ``*Flows`` class whose methods return flows; the
sync facade runs them with ``session._run`` and the async one awaits
``session._arun``. The facades hold no logic of their own.

Writes return the typed object the server sent back. When the server accepted
a write but the current user may not read its result, Directus answers 204
with no body; those methods then return ``None`` (their return type says so).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import httpx
from typing_extensions import TypeVar, Unpack

from ._exceptions import Forbidden, InviteNotCreated, MissingExtraError, RouteNotFound
from ._files import AssetTransforms, FileSource, MultipartBody, Upload, UploadProgress, asset_params
from ._flow import Flow, Refresh
from ._model import Model
from ._request import Call, path_of
from ._system import (
    DirectusActivity,
    DirectusCollection,
    DirectusComment,
    DirectusField,
    DirectusFile,
    DirectusPreset,
    DirectusRelation,
    DirectusRevision,
    DirectusRole,
    DirectusSettings,
    DirectusUser,
)

if TYPE_CHECKING:
    from ._queryset import QuerySet
    from ._session import AsyncSession, BaseSession, Session

__all__ = [
    "Activity",
    "AssetStream",
    "AsyncActivity",
    "AsyncAssetStream",
    "AsyncCollections",
    "AsyncComments",
    "AsyncFields",
    "AsyncFiles",
    "AsyncPermissions",
    "AsyncPolicies",
    "AsyncPresets",
    "AsyncRelations",
    "AsyncRevisions",
    "AsyncRoles",
    "AsyncSchema",
    "AsyncServer",
    "AsyncSettings",
    "AsyncTfa",
    "AsyncUsers",
    "AsyncUtils",
    "Collections",
    "Comments",
    "ExportFormat",
    "Fields",
    "Files",
    "InviteResult",
    "Permissions",
    "Policies",
    "PolicyGlobals",
    "Presets",
    "Relations",
    "Revisions",
    "Roles",
    "Schema",
    "SchemaDiff",
    "SchemaSnapshot",
    "Server",
    "Settings",
    "Tfa",
    "TfaSecret",
    "Users",
    "Utils",
]

M = TypeVar("M", bound=Model)
U = TypeVar("U", bound=DirectusUser, default=DirectusUser)
F = TypeVar("F", bound=DirectusFile, default=DirectusFile)
S = TypeVar("S", bound=DirectusSettings, default=DirectusSettings)

FieldPaths = Sequence[str] | None
ExportFormat = Literal["csv", "csv_utf8", "json", "xml", "yaml"]


def _data(body: Any) -> Any:
    return body.get("data") if isinstance(body, dict) else body


def _query(fields: FieldPaths) -> dict[str, Any] | None:
    return {"fields": list(fields)} if fields else None


def _one(model: type[M], response: httpx.Response) -> M | None:
    """The typed object of a ``{"data": {...}}`` response, ``None`` for 204 or ``null``."""
    if not response.content:
        return None
    options = model._meta
    obj: M | None = options.validator("one").validate_json(response.content)["data"]
    if obj is not None:
        options.strip((obj,))
    return obj


def _many(model: type[M], response: httpx.Response) -> list[M]:
    if not response.content:
        return []
    options = model._meta
    data = options.validator("list").validate_json(response.content)["data"]
    items: list[M] = list(data or [])
    options.strip(items)
    return items


def _json(method: str, path: str, body: Any, *, query: Mapping[str, Any] | None = None,
          authenticated: bool = True) -> Call:
    return Call(method, path, query=query, json=body, send_json=True,
                authenticated=authenticated)


def _password_flow(session: BaseSession, call: Call) -> Flow[httpx.Response]:
    """Send ``call``, whose body carries the user's password, with the current token.

    Directus answers a wrong password there with 401 ``INVALID_CREDENTIALS``,
    which on an ordinary call means a dead token that the session drops. Here
    it is about the password, so the token is sent as a plain header and kept.
    """
    session._ensure_loaded()
    auth = session._auth
    if auth.should_refresh():
        yield Refresh(auth.generation)
    plain = replace(call, authenticated=False, headers={**call.headers, **auth.headers()})
    return (yield from session._response_flow(plain))


def _pk(value: Any) -> Any:
    """A primary key, or the key of a model object."""
    return value.pk if isinstance(value, Model) else value


# ===================================================================== server


class ServerFlows:
    """``/server``: liveness, project information, health, API specs."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def ping(self) -> Flow[str]:
        # /server/ping ignores tokens; send none, so an expired one never matters.
        call = Call("GET", "/server/ping", authenticated=False)
        response = yield from self._session._response_flow(call)
        return response.text

    def info(self) -> Flow[dict[str, Any]]:
        body = yield from self._session._call_flow(Call("GET", "/server/info"))
        data = _data(body)
        return data if isinstance(data, dict) else {}

    def health(self) -> Flow[dict[str, Any]]:
        body = yield from self._session._call_flow(Call("GET", "/server/health"))
        return body if isinstance(body, dict) else {}

    def specs_oas(self) -> Flow[dict[str, Any]]:
        body = yield from self._session._call_flow(Call("GET", "/server/specs/oas"))
        # Directus 12.4 sends the document itself, not inside {"data": ...}.
        data = body if isinstance(body, dict) and "openapi" in body else _data(body)
        return data if isinstance(data, dict) else {}

    def specs_graphql(self, scope: str = "items") -> Flow[str]:
        path = "/server/specs/graphql" + ("/system" if scope == "system" else "")
        response = yield from self._session._response_flow(Call("GET", path))
        return response.text


class Server:
    """``session.server``: ``ping()``, ``info()``, ``health()``, ``specs()``."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = ServerFlows(session)

    def ping(self) -> str:
        """``"pong"`` when the server is up (needs no login)."""
        return self._session._run(self._flows.ping())

    def info(self) -> dict[str, Any]:
        """Project information; with a login also ``version``, query limits, ..."""
        return self._session._run(self._flows.info())

    def health(self) -> dict[str, Any]:
        """Health checks (needs a login since Directus 12)."""
        return self._session._run(self._flows.health())

    def specs(self) -> dict[str, Any]:
        """The OpenAPI 3 document (``/server/specs/oas``), as the current user may see it."""
        return self._session._run(self._flows.specs_oas())

    def specs_oas(self) -> dict[str, Any]:
        """The OpenAPI document, as the current user may see it (same as :meth:`specs`)."""
        return self._session._run(self._flows.specs_oas())

    def specs_graphql(self, scope: str = "items") -> str:
        """The GraphQL SDL of ``"items"`` or ``"system"``."""
        return self._session._run(self._flows.specs_graphql(scope))


class AsyncServer:
    """``session.server`` on an ``AsyncSession``; the same methods, awaited."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = ServerFlows(session)

    async def ping(self) -> str:
        """``"pong"`` when the server is up (needs no login)."""
        return await self._session._arun(self._flows.ping())

    async def info(self) -> dict[str, Any]:
        """Project information; with a login also ``version``, query limits, ..."""
        return await self._session._arun(self._flows.info())

    async def health(self) -> dict[str, Any]:
        """Health checks (needs a login since Directus 12)."""
        return await self._session._arun(self._flows.health())

    async def specs(self) -> dict[str, Any]:
        """The OpenAPI 3 document (``/server/specs/oas``), as the current user may see it."""
        return await self._session._arun(self._flows.specs_oas())

    async def specs_oas(self) -> dict[str, Any]:
        """The OpenAPI document, as the current user may see it (same as :meth:`specs`)."""
        return await self._session._arun(self._flows.specs_oas())

    async def specs_graphql(self, scope: str = "items") -> str:
        """The GraphQL SDL of ``"items"`` or ``"system"``."""
        return await self._session._arun(self._flows.specs_graphql(scope))


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
        response = yield from self._session._response_flow(
            Call("GET", "/users/me", query=_query(fields))
        )
        obj = _one(model, response)
        if obj is None:
            raise model.DoesNotExist("/users/me returned no user")
        return obj

    def update_me(self, model: type[M], fields: FieldPaths, data: Mapping[str, Any]) -> Flow[M | None]:
        response = yield from self._session._response_flow(
            _json("PATCH", "/users/me", dict(data), query=_query(fields))
        )
        return _one(model, response)

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
        yield from self._session._response_flow(_json("POST", "/users/invite", body))
        if not verify:
            return InviteResult(wanted, verified=False)
        candidates = sorted({e for email in wanted for e in (email, email.lower())})
        query = {"filter": {"email": {"_in": candidates}}, "fields": ["id", "email", "status", "role"],
                 "limit": -1}
        try:
            response = yield from self._session._response_flow(Call("GET", "/users", query=query))
        except Forbidden:
            return InviteResult(wanted, verified=False)
        users = _many(DirectusUser, response)
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
        yield from self._session._response_flow(
            _json("POST", "/users/invite/accept", {"token": token, "password": password},
                  authenticated=False)
        )
        return None

    def register(self, email: str, password: str, extra: Mapping[str, Any]) -> Flow[None]:
        body = {"email": email, "password": password}
        body.update({k: v for k, v in extra.items() if v is not None})
        yield from self._session._response_flow(
            _json("POST", "/users/register", body, authenticated=False)
        )
        return None

    def register_verify(self, token: str) -> Flow[str | None]:
        call = Call("GET", "/users/register/verify-email", params={"token": token},
                    authenticated=False)
        response = yield from self._session._response_flow(call)
        match = re.search(r"/users/([^/?#]+)$", response.headers.get("location", ""))
        return match.group(1) if match else None

    def tfa_generate(self, password: str) -> Flow[TfaSecret]:
        call = _json("POST", "/users/me/tfa/generate", {"password": password})
        response = yield from _password_flow(self._session, call)
        data = _data(response.json()) or {}
        return TfaSecret(secret=str(data.get("secret")), otpauth_url=str(data.get("otpauth_url")))

    def tfa_enable(self, secret: str, otp: str) -> Flow[None]:
        yield from self._session._response_flow(
            _json("POST", "/users/me/tfa/enable", {"secret": secret, "otp": str(otp)})
        )
        return None

    def tfa_disable(self, otp: str) -> Flow[None]:
        yield from self._session._response_flow(
            _json("POST", "/users/me/tfa/disable", {"otp": str(otp)})
        )
        return None

    def tfa_disable_for(self, user: Any) -> Flow[None]:
        yield from self._session._response_flow(
            Call("POST", path_of("users", _pk(user), "tfa", "disable"))
        )
        return None


class Tfa:
    """``session.users.tfa``: two-factor authentication of the current user."""

    def __init__(self, session: Session, flows: UsersFlows) -> None:
        self._session = session
        self._flows = flows

    def generate(self, password: str) -> TfaSecret:
        """A new TOTP secret (local-provider users; wrong password → ``InvalidCredentials``)."""
        return self._session._run(self._flows.tfa_generate(password))

    def enable(self, secret: str, otp: str) -> None:
        """Turn 2FA on with the secret from :meth:`generate` and a current code
        (wrong code → ``InvalidPayload``; needs update permission on directus_users)."""
        return self._session._run(self._flows.tfa_enable(secret, otp))

    def disable(self, otp: str) -> None:
        """Turn 2FA off with a current code."""
        return self._session._run(self._flows.tfa_disable(otp))

    def disable_for(self, user: Any) -> None:
        """Turn another user's 2FA off (admins only; ``user`` is an id or a user object)."""
        return self._session._run(self._flows.tfa_disable_for(user))


class AsyncTfa:
    """``session.users.tfa`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession, flows: UsersFlows) -> None:
        self._session = session
        self._flows = flows

    async def generate(self, password: str) -> TfaSecret:
        """A new TOTP secret (local-provider users; wrong password → ``InvalidCredentials``)."""
        return await self._session._arun(self._flows.tfa_generate(password))

    async def enable(self, secret: str, otp: str) -> None:
        """Turn 2FA on with the secret from :meth:`generate` and a current code."""
        return await self._session._arun(self._flows.tfa_enable(secret, otp))

    async def disable(self, otp: str) -> None:
        """Turn 2FA off with a current code."""
        return await self._session._arun(self._flows.tfa_disable(otp))

    async def disable_for(self, user: Any) -> None:
        """Turn another user's 2FA off (admins only)."""
        return await self._session._arun(self._flows.tfa_disable_for(user))


class Users:
    """``session.users``: the current user, invites, registration, ``tfa``.

    Other users are read and written with the model: ``DirectusUser.objects``.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = UsersFlows(session)
        self.tfa = Tfa(session, self._flows)

    def me(self, model: type[U] = DirectusUser, fields: FieldPaths = None) -> U:  # type: ignore[assignment]
        """The current user as ``model`` (``DirectusUser`` or a subclass with your fields).

        ``fields`` limits what is fetched (default: everything). A user who may
        not read ``directus_users`` gets an object with only ``id`` loaded.
        """
        return self._session._run(self._flows.me(model, fields))

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
        return self._session._run(self._flows.update_me(model, fields, {**(data or {}), **values}))

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
        return self._session._run(self._flows.invite(email_or_emails, role, invite_url, verify))

    def accept_invite(self, token: str, password: str) -> None:
        """Accept an invite (the token from the invite mail) and set the password."""
        return self._session._run(self._flows.accept_invite(token, password))

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
        return self._session._run(self._flows.register(email, password, extra))

    def register_verify(self, token: str) -> str | None:
        """Verify a registration email token; returns the user's id (Directus redirects to it)."""
        return self._session._run(self._flows.register_verify(token))


class AsyncUsers:
    """``session.users`` on an ``AsyncSession``; the same methods, awaited."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = UsersFlows(session)
        self.tfa = AsyncTfa(session, self._flows)

    async def me(self, model: type[U] = DirectusUser, fields: FieldPaths = None) -> U:  # type: ignore[assignment]
        """The current user as ``model`` (``DirectusUser`` or a subclass)."""
        return await self._session._arun(self._flows.me(model, fields))

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
        return await self._session._arun(
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
        return await self._session._arun(
            self._flows.invite(email_or_emails, role, invite_url, verify)
        )

    async def accept_invite(self, token: str, password: str) -> None:
        """Accept an invite and set the password."""
        return await self._session._arun(self._flows.accept_invite(token, password))

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
        return await self._session._arun(self._flows.register(email, password, extra))

    async def register_verify(self, token: str) -> str | None:
        """Verify a registration email token; returns the user's id."""
        return await self._session._arun(self._flows.register_verify(token))


# ====================================================================== files


def _uploads(items: Sequence[FileSource | Upload]) -> list[Upload]:
    return [item if isinstance(item, Upload) else Upload(item) for item in items]


def _match_order(uploads: Sequence[Upload], body: MultipartBody, files: list[F]) -> list[F]:
    """Put the server's answer (in no particular order) back in upload order."""
    if len(files) != len(uploads):
        return files
    pool = list(files)
    ordered: list[F] = []
    for part in body.parts:
        index = next(
            (i for i, f in enumerate(pool)
             if f.__dict__.get("filename_download") == part.filename
             and (part.size is None or f.__dict__.get("filesize") == part.size)),
            None,
        )
        if index is None:
            return files
        ordered.append(pool.pop(index))
    return ordered


class FilesFlows:
    """``/files`` uploads and imports, ``/assets`` downloads."""

    def __init__(self, session: BaseSession, *, asynchronous: bool) -> None:
        self._session = session
        self._asynchronous = asynchronous

    def _upload_call(self, method: str, path: str, body: MultipartBody, fields: FieldPaths) -> Call:
        content: Any = body.aiter() if self._asynchronous else body
        return Call(method, path, query=_query(fields), content=content, headers=body.headers())

    def upload(
        self, model: type[F], uploads: Sequence[Upload], on_progress: UploadProgress | None,
        fields: FieldPaths,
    ) -> Flow[list[F]]:
        body = MultipartBody(uploads, on_progress=on_progress)
        response = yield from self._session._response_flow(
            self._upload_call("POST", "/files", body, fields)
        )
        if not response.content:
            return []
        if len(uploads) == 1:
            one = _one(model, response)
            return [one] if one is not None else []
        return _match_order(uploads, body, _many(model, response))

    def replace(
        self, model: type[F], file: Any, upload: Upload, on_progress: UploadProgress | None,
        fields: FieldPaths,
    ) -> Flow[F | None]:
        body = MultipartBody([upload], on_progress=on_progress)
        response = yield from self._session._response_flow(
            self._upload_call("PATCH", path_of("files", _pk(file)), body, fields)
        )
        return _one(model, response)

    def import_url(
        self, model: type[F], url: str, data: Mapping[str, Any], fields: FieldPaths
    ) -> Flow[F | None]:
        body: dict[str, Any] = {"url": url}
        if data:
            body["data"] = dict(data)
        response = yield from self._session._response_flow(
            _json("POST", "/files/import", body, query=_query(fields))
        )
        return _one(model, response)

    def asset(self, file: Any, transforms: Mapping[str, Any], stream: bool) -> Flow[httpx.Response]:
        call = Call("GET", path_of("assets", _pk(file)), params=asset_params(transforms))
        return (yield from self._session._response_flow(call, stream=stream))

    def zip(self, ids: Sequence[Any] | None, folder: Any) -> Flow[bytes]:
        if folder is not None:
            call = Call("POST", path_of("assets", "folder", _pk(folder)))
        else:
            call = _json("POST", "/assets/files", {"ids": [_pk(i) for i in ids or ()]})
        response = yield from self._session._response_flow(call)
        return response.content


_FILENAME_RE = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", re.IGNORECASE)


class _StreamInfo:
    _response: httpx.Response | None

    @property
    def response(self) -> httpx.Response:
        if self._response is None:
            raise RuntimeError("the asset stream is not open: use `with` or iterate it")
        return self._response

    @property
    def content_type(self) -> str | None:
        """The file's MIME type, as the server sends it."""
        value = self.response.headers.get("content-type")
        return str(value) if value is not None else None

    @property
    def content_length(self) -> int | None:
        """The size in bytes, when the server says (it does for stored files)."""
        value = self.response.headers.get("content-length")
        return int(value) if value and value.isdigit() else None

    @property
    def filename(self) -> str | None:
        """The download name from ``Content-Disposition``."""
        match = _FILENAME_RE.search(self.response.headers.get("content-disposition", ""))
        return match.group(1) if match else None


class AssetStream(_StreamInfo):
    """A streamed ``/assets`` download: ``with session.files.stream(id) as s: for chunk in s``.

    Chunks are read from the connection as you iterate; the file is never held
    whole. Iterating without ``with`` opens the stream and closes it at the end.
    """

    def __init__(self, session: Session, flow: Flow[httpx.Response], chunk_size: int) -> None:
        self._session = session
        self._flow: Flow[httpx.Response] | None = flow
        self._response = None
        self.chunk_size = chunk_size

    def open(self) -> AssetStream:
        """Send the request (errors are raised here) and keep the body unread."""
        if self._response is None:
            if self._flow is None:
                raise RuntimeError("this asset stream was already used")
            flow, self._flow = self._flow, None
            self._response = self._session._run(flow)
        return self

    def close(self) -> None:
        """Close the connection (the rest of the body is not read)."""
        if self._response is not None:
            self._response.close()

    def __enter__(self) -> AssetStream:
        return self.open()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[bytes]:
        opened_here = self._response is None
        self.open()
        try:
            yield from self.response.iter_bytes(self.chunk_size)
        finally:
            if opened_here:
                self.close()


class AsyncAssetStream(_StreamInfo):
    """``async with session.files.stream(id) as s: async for chunk in s`` (or ``async for`` alone)."""

    def __init__(self, session: AsyncSession, flow: Flow[httpx.Response], chunk_size: int) -> None:
        self._session = session
        self._flow: Flow[httpx.Response] | None = flow
        self._response = None
        self.chunk_size = chunk_size

    async def open(self) -> AsyncAssetStream:
        """Send the request (errors are raised here) and keep the body unread."""
        if self._response is None:
            if self._flow is None:
                raise RuntimeError("this asset stream was already used")
            flow, self._flow = self._flow, None
            self._response = await self._session._arun(flow)
        return self

    async def aclose(self) -> None:
        """Close the connection (the rest of the body is not read)."""
        if self._response is not None:
            await self._response.aclose()

    async def __aenter__(self) -> AsyncAssetStream:
        return await self.open()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        opened_here = self._response is None
        await self.open()
        try:
            async for chunk in self.response.aiter_bytes(self.chunk_size):
                yield chunk
        finally:
            if opened_here:
                await self.aclose()


class Files:
    """``session.files``: upload, import and download files.

    Reading and editing file records goes through the model
    (``DirectusFile.objects``, ``obj.save()``, ``obj.delete()``); folders
    through ``DirectusFolder.objects``.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = FilesFlows(session, asynchronous=False)

    def upload(
        self,
        source: FileSource,
        *,
        filename: str | None = None,
        title: str | None = None,
        folder: str | None = None,
        storage: str = "local",
        content_type: str | None = None,
        on_progress: UploadProgress | None = None,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
        **metadata: Any,
    ) -> F | None:
        """Upload one file from a path, bytes or a binary stream; returns its record.

        ``metadata`` are other ``directus_files`` fields (``description``,
        ``tags=[...]``, custom fields), sent before the file part as Directus
        requires. A path or stream is streamed in 64 KiB chunks, never loaded
        whole; ``on_progress(bytes_sent, total)`` is called as it goes.
        ``None`` when the server sent no record back (no read permission).
        """
        upload = Upload(source, filename=filename, title=title, folder=folder, storage=storage,
                        content_type=content_type, **metadata)
        files = self._session._run(self._flows.upload(model, [upload], on_progress, fields))
        return files[0] if files else None

    def upload_many(
        self,
        sources: Sequence[FileSource | Upload],
        *,
        on_progress: UploadProgress | None = None,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
    ) -> list[F]:
        """Upload several files in one request; give ``Upload(...)`` items for per-file
        metadata. The records come back in upload order when they can be told apart
        (by file name and size); the server itself answers in no fixed order."""
        uploads = _uploads(sources)
        return self._session._run(self._flows.upload(model, uploads, on_progress, fields))

    def replace(
        self,
        file: Any,
        source: FileSource,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        on_progress: UploadProgress | None = None,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
        **metadata: Any,
    ) -> F | None:
        """Replace the content of an existing file (multipart ``PATCH /files/{id}``)."""
        upload = Upload(source, filename=filename, storage=None, content_type=content_type,
                        **metadata)
        return self._session._run(self._flows.replace(model, file, upload, on_progress, fields))

    def import_url(
        self,
        url: str,
        *,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
        **data: Any,
    ) -> F | None:
        """Have the server download ``url`` into a new file; ``data`` sets its fields
        (``title``, ``folder`` ...). Unreachable or denied URLs (loopback and private
        addresses by default) raise ``ServiceUnavailable``."""
        return self._session._run(self._flows.import_url(model, url, data, fields))

    def download(self, file: Any, **transforms: Unpack[AssetTransforms]) -> bytes:
        """The file's bytes (``/assets/{id}``), with image transforms if given."""
        response = self._session._run(self._flows.asset(file, transforms, stream=False))
        return response.content

    def stream(
        self, file: Any, *, chunk_size: int = 64 * 1024, **transforms: Unpack[AssetTransforms]
    ) -> AssetStream:
        """The file as a stream of chunks, never held whole (see :class:`AssetStream`)."""
        return AssetStream(self._session, self._flows.asset(file, transforms, stream=True),
                           chunk_size)

    def download_zip(self, files: Sequence[Any]) -> bytes:
        """Several files as one zip archive (``POST /assets/files``)."""
        return self._session._run(self._flows.zip(files, None))

    def download_folder_zip(self, folder: Any) -> bytes:
        """A folder's files as one zip archive (``POST /assets/folder/{id}``)."""
        return self._session._run(self._flows.zip(None, folder))


class AsyncFiles:
    """``session.files`` on an ``AsyncSession``; the same methods, awaited."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = FilesFlows(session, asynchronous=True)

    async def upload(
        self,
        source: FileSource,
        *,
        filename: str | None = None,
        title: str | None = None,
        folder: str | None = None,
        storage: str = "local",
        content_type: str | None = None,
        on_progress: UploadProgress | None = None,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
        **metadata: Any,
    ) -> F | None:
        """Upload one file; see :meth:`Files.upload`."""
        upload = Upload(source, filename=filename, title=title, folder=folder, storage=storage,
                        content_type=content_type, **metadata)
        files = await self._session._arun(self._flows.upload(model, [upload], on_progress, fields))
        return files[0] if files else None

    async def upload_many(
        self,
        sources: Sequence[FileSource | Upload],
        *,
        on_progress: UploadProgress | None = None,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
    ) -> list[F]:
        """Upload several files in one request; see :meth:`Files.upload_many`."""
        uploads = _uploads(sources)
        return await self._session._arun(self._flows.upload(model, uploads, on_progress, fields))

    async def replace(
        self,
        file: Any,
        source: FileSource,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        on_progress: UploadProgress | None = None,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
        **metadata: Any,
    ) -> F | None:
        """Replace the content of an existing file."""
        upload = Upload(source, filename=filename, storage=None, content_type=content_type,
                        **metadata)
        return await self._session._arun(
            self._flows.replace(model, file, upload, on_progress, fields)
        )

    async def import_url(
        self,
        url: str,
        *,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
        **data: Any,
    ) -> F | None:
        """Have the server download ``url`` into a new file; see :meth:`Files.import_url`."""
        return await self._session._arun(self._flows.import_url(model, url, data, fields))

    async def download(self, file: Any, **transforms: Unpack[AssetTransforms]) -> bytes:
        """The file's bytes, with image transforms if given."""
        response = await self._session._arun(self._flows.asset(file, transforms, stream=False))
        return response.content

    def stream(
        self, file: Any, *, chunk_size: int = 64 * 1024, **transforms: Unpack[AssetTransforms]
    ) -> AsyncAssetStream:
        """The file as an async stream of chunks (see :class:`AsyncAssetStream`)."""
        return AsyncAssetStream(self._session, self._flows.asset(file, transforms, stream=True),
                                chunk_size)

    async def download_zip(self, files: Sequence[Any]) -> bytes:
        """Several files as one zip archive."""
        return await self._session._arun(self._flows.zip(files, None))

    async def download_folder_zip(self, folder: Any) -> bytes:
        """A folder's files as one zip archive."""
        return await self._session._arun(self._flows.zip(None, folder))


# ========================================== comments, activity, revisions, presets


def _qs_all(qs: QuerySet[M], session: BaseSession) -> Flow[list[M]]:
    return qs._all_flow(session)


class HistoryFlows:
    """Comments, activity and revisions of items; presets."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def create(self, model: type[M], data: Mapping[str, Any]) -> Flow[M | None]:
        response = yield from self._session._response_flow(
            _json("POST", path_of(model._meta.endpoint), dict(data))
        )
        return _one(model, response)

    def update(self, model: type[M], key: Any, data: Mapping[str, Any]) -> Flow[M | None]:
        response = yield from self._session._response_flow(
            _json("PATCH", path_of(model._meta.endpoint, _pk(key)), dict(data))
        )
        return _one(model, response)

    def delete(self, model: type[M], keys: Any) -> Flow[None]:
        if isinstance(keys, (list, tuple)):
            call = _json("DELETE", path_of(model._meta.endpoint), [_pk(k) for k in keys])
        else:
            call = Call("DELETE", path_of(model._meta.endpoint, _pk(keys)))
        yield from self._session._response_flow(call)
        return None

    def get(self, model: type[M], key: Any) -> Flow[M]:
        return (yield from model.objects.filter(pk=_pk(key))._get_flow(self._session, (), {}))

    def of_item(
        self, model: type[M], collection: str | None, item: Any, extra: Mapping[str, Any],
        sort: str, limit: int | None,
    ) -> Flow[list[M]]:
        lookups: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
        if collection is not None:
            lookups["collection"] = collection
        if item is not None:
            lookups["item"] = str(_pk(item))
        qs = model.objects.filter(**lookups).order_by(sort)
        if limit is not None:
            qs = qs[:limit]
        return (yield from _qs_all(qs, self._session))


class Comments:
    """``session.comments``: comments on items (``/comments``, Directus 11.1+)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = HistoryFlows(session)

    def create(self, collection: str, item: Any, comment: str) -> DirectusComment | None:
        """Comment on an item (the item's key may be a number; it is stored as a string)."""
        data = {"collection": collection, "item": str(_pk(item)), "comment": comment}
        return self._session._run(self._flows.create(DirectusComment, data))

    def list(self, collection: str, item: Any) -> list[DirectusComment]:
        """The comments of one item, oldest first."""
        return self._session._run(
            self._flows.of_item(DirectusComment, collection, item, {}, "date_created", None)
        )

    def update(self, comment: Any, text: str) -> DirectusComment | None:
        """Change a comment's text (``comment`` is its id or the object)."""
        return self._session._run(self._flows.update(DirectusComment, comment, {"comment": text}))

    def delete(self, comment: Any) -> None:
        """Delete one comment, or several (a list of ids or objects)."""
        return self._session._run(self._flows.delete(DirectusComment, comment))


class AsyncComments:
    """``session.comments`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = HistoryFlows(session)

    async def create(self, collection: str, item: Any, comment: str) -> DirectusComment | None:
        """Comment on an item."""
        data = {"collection": collection, "item": str(_pk(item)), "comment": comment}
        return await self._session._arun(self._flows.create(DirectusComment, data))

    async def list(self, collection: str, item: Any) -> list[DirectusComment]:
        """The comments of one item, oldest first."""
        return await self._session._arun(
            self._flows.of_item(DirectusComment, collection, item, {}, "date_created", None)
        )

    async def update(self, comment: Any, text: str) -> DirectusComment | None:
        """Change a comment's text."""
        return await self._session._arun(
            self._flows.update(DirectusComment, comment, {"comment": text})
        )

    async def delete(self, comment: Any) -> None:
        """Delete one comment, or several."""
        return await self._session._arun(self._flows.delete(DirectusComment, comment))


class Activity:
    """``session.activity``: the read-only activity log (``DirectusActivity.objects`` for more)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = HistoryFlows(session)

    def list(
        self,
        collection: str | None = None,
        item: Any = None,
        *,
        action: str | None = None,
        user: Any = None,
        limit: int | None = 100,
    ) -> list[DirectusActivity]:
        """Activity, newest first, optionally of one collection, item, action or user."""
        extra = {"action": action, "user": _pk(user)}
        return self._session._run(
            self._flows.of_item(DirectusActivity, collection, item, extra, "-id", limit)
        )

    def get(self, id: int) -> DirectusActivity:
        """One activity entry (``DirectusActivity.DoesNotExist`` if there is none)."""
        return self._session._run(self._flows.get(DirectusActivity, id))


class AsyncActivity:
    """``session.activity`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = HistoryFlows(session)

    async def list(
        self,
        collection: str | None = None,
        item: Any = None,
        *,
        action: str | None = None,
        user: Any = None,
        limit: int | None = 100,
    ) -> list[DirectusActivity]:
        """Activity, newest first."""
        extra = {"action": action, "user": _pk(user)}
        return await self._session._arun(
            self._flows.of_item(DirectusActivity, collection, item, extra, "-id", limit)
        )

    async def get(self, id: int) -> DirectusActivity:
        """One activity entry."""
        return await self._session._arun(self._flows.get(DirectusActivity, id))


class Revisions:
    """``session.revisions``: item revisions (read-only) and ``revert()``."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = HistoryFlows(session)
        self._utils = UtilsFlows(session)

    def list(
        self, collection: str | None = None, item: Any = None, *, limit: int | None = 100
    ) -> list[DirectusRevision]:
        """Revisions, newest first, optionally of one collection or item."""
        return self._session._run(
            self._flows.of_item(DirectusRevision, collection, item, {}, "-id", limit)
        )

    def get(self, id: int) -> DirectusRevision:
        """One revision (``DirectusRevision.DoesNotExist`` if there is none)."""
        return self._session._run(self._flows.get(DirectusRevision, id))

    def revert(self, revision: Any) -> None:
        """Restore the item to this revision's ``data`` (same as ``utils.revert``)."""
        return self._session._run(self._utils.revert(revision))


class AsyncRevisions:
    """``session.revisions`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = HistoryFlows(session)
        self._utils = UtilsFlows(session)

    async def list(
        self, collection: str | None = None, item: Any = None, *, limit: int | None = 100
    ) -> list[DirectusRevision]:
        """Revisions, newest first."""
        return await self._session._arun(
            self._flows.of_item(DirectusRevision, collection, item, {}, "-id", limit)
        )

    async def get(self, id: int) -> DirectusRevision:
        """One revision."""
        return await self._session._arun(self._flows.get(DirectusRevision, id))

    async def revert(self, revision: Any) -> None:
        """Restore the item to this revision's ``data``."""
        return await self._session._arun(self._utils.revert(revision))


class Presets:
    """``session.presets``: bookmarks and layout presets (``/presets``)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = HistoryFlows(session)

    def create(self, **data: Any) -> DirectusPreset | None:
        """Create a preset (``collection``, ``bookmark``, ``layout``, ``layout_query`` ...);
        ``user=None, role=None`` makes it global."""
        return self._session._run(self._flows.create(DirectusPreset, data))

    def list(self, collection: str | None = None) -> list[DirectusPreset]:
        """Presets (of one collection), by id."""
        return self._session._run(
            self._flows.of_item(DirectusPreset, collection, None, {}, "id", None)
        )

    def get(self, id: int) -> DirectusPreset:
        """One preset."""
        return self._session._run(self._flows.get(DirectusPreset, id))

    def update(self, preset: Any, **data: Any) -> DirectusPreset | None:
        """Change a preset's fields."""
        return self._session._run(self._flows.update(DirectusPreset, preset, data))

    def delete(self, preset: Any) -> None:
        """Delete one preset, or several (a list)."""
        return self._session._run(self._flows.delete(DirectusPreset, preset))


class AsyncPresets:
    """``session.presets`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = HistoryFlows(session)

    async def create(self, **data: Any) -> DirectusPreset | None:
        """Create a preset."""
        return await self._session._arun(self._flows.create(DirectusPreset, data))

    async def list(self, collection: str | None = None) -> list[DirectusPreset]:
        """Presets (of one collection), by id."""
        return await self._session._arun(
            self._flows.of_item(DirectusPreset, collection, None, {}, "id", None)
        )

    async def get(self, id: int) -> DirectusPreset:
        """One preset."""
        return await self._session._arun(self._flows.get(DirectusPreset, id))

    async def update(self, preset: Any, **data: Any) -> DirectusPreset | None:
        """Change a preset's fields."""
        return await self._session._arun(self._flows.update(DirectusPreset, preset, data))

    async def delete(self, preset: Any) -> None:
        """Delete one preset, or several."""
        return await self._session._arun(self._flows.delete(DirectusPreset, preset))


# =================================================================== settings


class SettingsFlows:
    """``/settings``: the project settings singleton."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def read(self, model: type[M], fields: FieldPaths) -> Flow[M]:
        response = yield from self._session._response_flow(
            Call("GET", "/settings", query=_query(fields))
        )
        obj = _one(model, response)
        if obj is None:
            raise model.DoesNotExist("/settings returned nothing")
        return obj

    def update(self, model: type[M], data: Mapping[str, Any], fields: FieldPaths) -> Flow[M | None]:
        response = yield from self._session._response_flow(
            _json("PATCH", "/settings", dict(data), query=_query(fields))
        )
        return _one(model, response)


class Settings:
    """``session.settings``: ``read()`` and ``update(...)`` of the project settings."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = SettingsFlows(session)

    def read(self, model: type[S] = DirectusSettings, fields: FieldPaths = None) -> S:  # type: ignore[assignment]
        """The settings as ``model`` (``DirectusSettings`` or a subclass)."""
        return self._session._run(self._flows.read(model, fields))

    def update(
        self,
        data: Mapping[str, Any] | None = None,
        /,
        *,
        model: type[S] = DirectusSettings,  # type: ignore[assignment]
        fields: FieldPaths = None,
        **values: Any,
    ) -> S | None:
        """PATCH the settings (``update(public_registration=True)``); returns them."""
        return self._session._run(self._flows.update(model, {**(data or {}), **values}, fields))


class AsyncSettings:
    """``session.settings`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = SettingsFlows(session)

    async def read(self, model: type[S] = DirectusSettings, fields: FieldPaths = None) -> S:  # type: ignore[assignment]
        """The settings as ``model``."""
        return await self._session._arun(self._flows.read(model, fields))

    async def update(
        self,
        data: Mapping[str, Any] | None = None,
        /,
        *,
        model: type[S] = DirectusSettings,  # type: ignore[assignment]
        fields: FieldPaths = None,
        **values: Any,
    ) -> S | None:
        """PATCH the settings; returns them."""
        return await self._session._arun(
            self._flows.update(model, {**(data or {}), **values}, fields)
        )


# ====================================================== collections, fields, relations


def _field_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(spec)
    # SQLite: a timestamp or json field created inside POST /collections without a
    # meta object fails validation; an empty meta is harmless everywhere.
    if out.get("meta") is None and out.get("type") != "alias":
        out["meta"] = {}
    return out


class SchemaFlows:
    """``/collections``, ``/fields``, ``/relations`` and ``/schema``."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    # collections
    def collections(self) -> Flow[list[DirectusCollection]]:
        response = yield from self._session._response_flow(Call("GET", "/collections"))
        return _many(DirectusCollection, response)

    def collection(self, name: str) -> Flow[DirectusCollection]:
        response = yield from self._session._response_flow(Call("GET", path_of("collections", name)))
        obj = _one(DirectusCollection, response)
        if obj is None:
            raise DirectusCollection.DoesNotExist(f"no collection {name!r}")
        return obj

    def create_collection(
        self, name: str, fields: Sequence[Mapping[str, Any]], meta: Mapping[str, Any] | None,
        schema: Mapping[str, Any] | None,
    ) -> Flow[DirectusCollection | None]:
        body: dict[str, Any] = {"collection": name, "meta": dict(meta) if meta is not None else None,
                                "schema": dict(schema) if schema is not None else None}
        if fields:
            body["fields"] = [_field_spec(f) for f in fields]
        response = yield from self._session._response_flow(_json("POST", "/collections", body))
        return _one(DirectusCollection, response)

    def update_collection(self, name: str, meta: Mapping[str, Any]) -> Flow[DirectusCollection | None]:
        response = yield from self._session._response_flow(
            _json("PATCH", path_of("collections", name), {"meta": dict(meta)})
        )
        return _one(DirectusCollection, response)

    def delete_collection(self, name: str) -> Flow[None]:
        yield from self._session._response_flow(Call("DELETE", path_of("collections", name)))
        return None

    # fields
    def fields(self, collection: str | None) -> Flow[list[DirectusField]]:
        path = path_of("fields", collection) if collection else "/fields"
        response = yield from self._session._response_flow(Call("GET", path))
        return _many(DirectusField, response)

    def field(self, collection: str, field: str) -> Flow[DirectusField]:
        response = yield from self._session._response_flow(
            Call("GET", path_of("fields", collection, field))
        )
        obj = _one(DirectusField, response)
        if obj is None:
            raise DirectusField.DoesNotExist(f"no field {collection}.{field}")
        return obj

    def create_field(self, collection: str, spec: Mapping[str, Any]) -> Flow[DirectusField | None]:
        response = yield from self._session._response_flow(
            _json("POST", path_of("fields", collection), dict(spec))
        )
        return _one(DirectusField, response)

    def update_field(
        self, collection: str, field: str, spec: Mapping[str, Any]
    ) -> Flow[DirectusField | None]:
        response = yield from self._session._response_flow(
            _json("PATCH", path_of("fields", collection, field), dict(spec))
        )
        return _one(DirectusField, response)

    def delete_field(self, collection: str, field: str) -> Flow[None]:
        yield from self._session._response_flow(Call("DELETE", path_of("fields", collection, field)))
        return None

    # relations
    def relations(self, collection: str | None) -> Flow[list[DirectusRelation]]:
        path = path_of("relations", collection) if collection else "/relations"
        response = yield from self._session._response_flow(Call("GET", path))
        return _many(DirectusRelation, response)

    def relation(self, collection: str, field: str) -> Flow[DirectusRelation]:
        response = yield from self._session._response_flow(
            Call("GET", path_of("relations", collection, field))
        )
        obj = _one(DirectusRelation, response)
        if obj is None:
            raise DirectusRelation.DoesNotExist(f"no relation on {collection}.{field}")
        return obj

    def create_relation(self, spec: Mapping[str, Any]) -> Flow[DirectusRelation | None]:
        response = yield from self._session._response_flow(_json("POST", "/relations", dict(spec)))
        return _one(DirectusRelation, response)

    def update_relation(
        self, collection: str, field: str, spec: Mapping[str, Any]
    ) -> Flow[DirectusRelation | None]:
        response = yield from self._session._response_flow(
            _json("PATCH", path_of("relations", collection, field), dict(spec))
        )
        return _one(DirectusRelation, response)

    def delete_relation(self, collection: str, field: str) -> Flow[None]:
        yield from self._session._response_flow(
            Call("DELETE", path_of("relations", collection, field))
        )
        return None

    # schema
    def snapshot(self) -> Flow[SchemaSnapshot]:
        body = yield from self._session._call_flow(Call("GET", "/schema/snapshot"))
        data: SchemaSnapshot = _data(body)
        return data

    def diff(self, snapshot: Mapping[str, Any], force: bool, mode: str | None) -> Flow[SchemaDiff | None]:
        params: dict[str, str] = {}
        if force:
            params["force"] = "true"
        if mode is not None:
            params["mode"] = mode
        call = Call("POST", "/schema/diff", params=params or None, json=dict(snapshot),
                    send_json=True)
        response = yield from self._session._response_flow(call)
        if response.status_code == 204 or not response.content:
            return None
        diff: SchemaDiff = response.json().get("data")
        return diff

    def apply(self, diff: Mapping[str, Any], force: bool) -> Flow[None]:
        call = Call("POST", "/schema/apply", params={"force": "true"} if force else None,
                    json=dict(diff), send_json=True)
        yield from self._session._response_flow(call)
        return None


class SchemaSnapshot(TypedDict):
    """``GET /schema/snapshot``: the data model, to diff against another server."""

    version: int
    directus: str
    vendor: str
    collections: list[dict[str, Any]]
    fields: list[dict[str, Any]]
    systemFields: list[dict[str, Any]]
    relations: list[dict[str, Any]]


class SchemaDiff(TypedDict):
    """``POST /schema/diff``: what ``apply()`` would change, and the hash it was made against."""

    hash: str
    diff: dict[str, list[dict[str, Any]]]


class Collections:
    """``session.collections``: list, create, change and delete collections.

    ``DirectusCollection.objects`` reads them with a QuerySet (filtered in
    Python: ``/collections`` ignores query parameters).
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    def list(self) -> list[DirectusCollection]:
        """Every collection the current user may see, system ones included."""
        return self._session._run(self._flows.collections())

    def get(self, name: str) -> DirectusCollection:
        """One collection (unknown or hidden → ``Forbidden``)."""
        return self._session._run(self._flows.collection(name))

    def create(
        self,
        name: str,
        fields: Sequence[Mapping[str, Any]] = (),
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
        folder: bool = False,
    ) -> DirectusCollection | None:
        """Create a collection with its fields (Directus field objects:
        ``{"field", "type", "meta", "schema"}``).

        Without a primary key field Directus adds an auto-increment ``id``.
        ``meta`` defaults to ``{}`` (a collection the app shows); pass
        ``folder=True`` for a folder (no table). Fields get an empty ``meta``
        when they have none (SQLite needs one for timestamp and json fields).
        The Core license allows 25 collections.
        """
        table = None if folder else (schema if schema is not None else {})
        return self._session._run(
            self._flows.create_collection(name, fields, meta if meta is not None else {}, table)
        )

    def update(self, name: str, meta: Mapping[str, Any]) -> DirectusCollection | None:
        """Change a collection's ``meta`` (``{"note": ..., "versioning": True}``)."""
        return self._session._run(self._flows.update_collection(name, meta))

    def delete(self, name: str) -> None:
        """Drop a collection, its table and its data."""
        return self._session._run(self._flows.delete_collection(name))


class AsyncCollections:
    """``session.collections`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    async def list(self) -> list[DirectusCollection]:
        """Every collection the current user may see."""
        return await self._session._arun(self._flows.collections())

    async def get(self, name: str) -> DirectusCollection:
        """One collection."""
        return await self._session._arun(self._flows.collection(name))

    async def create(
        self,
        name: str,
        fields: Sequence[Mapping[str, Any]] = (),
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
        folder: bool = False,
    ) -> DirectusCollection | None:
        """Create a collection with its fields; see :meth:`Collections.create`."""
        table = None if folder else (schema if schema is not None else {})
        return await self._session._arun(
            self._flows.create_collection(name, fields, meta if meta is not None else {}, table)
        )

    async def update(self, name: str, meta: Mapping[str, Any]) -> DirectusCollection | None:
        """Change a collection's ``meta``."""
        return await self._session._arun(self._flows.update_collection(name, meta))

    async def delete(self, name: str) -> None:
        """Drop a collection, its table and its data."""
        return await self._session._arun(self._flows.delete_collection(name))


def _spec(field: str | None, type: str | None, meta: Mapping[str, Any] | None,
          schema: Mapping[str, Any] | None, unset_schema: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if field is not None:
        out["field"] = field
    if type is not None:
        out["type"] = type
    if meta is not None:
        out["meta"] = dict(meta)
    if schema is not None:
        out["schema"] = dict(schema)
    elif unset_schema:
        out["schema"] = None
    return out


class Fields:
    """``session.fields``: list, create, change and delete fields."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    def list(self, collection: str | None = None) -> list[DirectusField]:
        """The fields of one collection, or of all."""
        return self._session._run(self._flows.fields(collection))

    def get(self, collection: str, field: str) -> DirectusField:
        """One field (unknown → ``Forbidden``)."""
        return self._session._run(self._flows.field(collection, field))

    def create(
        self,
        collection: str,
        field: str,
        type: str,
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusField | None:
        """Add a field: ``create("articles", "views", "integer", schema={"default_value": 0})``.
        Alias fields (``type="alias"``, o2m/m2m sides) get ``schema=None``."""
        spec = _spec(field, type, meta if meta is not None else {},
                     schema if schema is not None or type == "alias" else {}, type == "alias")
        return self._session._run(self._flows.create_field(collection, spec))

    def update(
        self,
        collection: str,
        field: str,
        *,
        type: str | None = None,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusField | None:
        """Change a field's type, ``meta`` or ``schema`` (only what is given)."""
        spec = _spec(None, type, meta, schema, False)
        return self._session._run(self._flows.update_field(collection, field, spec))

    def delete(self, collection: str, field: str) -> None:
        """Drop a field and its data."""
        return self._session._run(self._flows.delete_field(collection, field))


class AsyncFields:
    """``session.fields`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    async def list(self, collection: str | None = None) -> list[DirectusField]:
        """The fields of one collection, or of all."""
        return await self._session._arun(self._flows.fields(collection))

    async def get(self, collection: str, field: str) -> DirectusField:
        """One field."""
        return await self._session._arun(self._flows.field(collection, field))

    async def create(
        self,
        collection: str,
        field: str,
        type: str,
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusField | None:
        """Add a field; see :meth:`Fields.create`."""
        spec = _spec(field, type, meta if meta is not None else {},
                     schema if schema is not None or type == "alias" else {}, type == "alias")
        return await self._session._arun(self._flows.create_field(collection, spec))

    async def update(
        self,
        collection: str,
        field: str,
        *,
        type: str | None = None,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusField | None:
        """Change a field's type, ``meta`` or ``schema``."""
        spec = _spec(None, type, meta, schema, False)
        return await self._session._arun(self._flows.update_field(collection, field, spec))

    async def delete(self, collection: str, field: str) -> None:
        """Drop a field and its data."""
        return await self._session._arun(self._flows.delete_field(collection, field))


def _relation(collection: str, field: str, related: str | None, meta: Mapping[str, Any] | None,
              schema: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"collection": collection, "field": field,
                           "related_collection": related}
    if meta is not None:
        out["meta"] = dict(meta)
    if schema is not None:
        out["schema"] = dict(schema)
    return out


class Relations:
    """``session.relations``: list, create, change and delete relations."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    def list(self, collection: str | None = None) -> list[DirectusRelation]:
        """The relations of one collection (its many side), or all."""
        return self._session._run(self._flows.relations(collection))

    def get(self, collection: str, field: str) -> DirectusRelation:
        """The relation on ``collection.field`` (none → ``Forbidden``)."""
        return self._session._run(self._flows.relation(collection, field))

    def create(
        self,
        collection: str,
        field: str,
        related_collection: str | None,
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusRelation | None:
        """Relate ``collection.field`` (the foreign key) to ``related_collection``.

        ``meta={"one_field": "<alias on the other side>"}`` adds the one-to-many
        side; ``schema={"on_delete": "SET NULL"}`` shapes the foreign key;
        ``related_collection=None`` with ``meta.one_allowed_collections`` is a
        many-to-any.
        """
        spec = _relation(collection, field, related_collection, meta, schema)
        return self._session._run(self._flows.create_relation(spec))

    def update(
        self,
        collection: str,
        field: str,
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusRelation | None:
        """Change a relation's ``meta`` or ``schema``."""
        spec = {k: dict(v) for k, v in (("meta", meta), ("schema", schema)) if v is not None}
        return self._session._run(self._flows.update_relation(collection, field, spec))

    def delete(self, collection: str, field: str) -> None:
        """Remove the relation (the field stays)."""
        return self._session._run(self._flows.delete_relation(collection, field))


class AsyncRelations:
    """``session.relations`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    async def list(self, collection: str | None = None) -> list[DirectusRelation]:
        """The relations of one collection, or all."""
        return await self._session._arun(self._flows.relations(collection))

    async def get(self, collection: str, field: str) -> DirectusRelation:
        """The relation on ``collection.field``."""
        return await self._session._arun(self._flows.relation(collection, field))

    async def create(
        self,
        collection: str,
        field: str,
        related_collection: str | None,
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusRelation | None:
        """Relate ``collection.field`` to ``related_collection``; see :meth:`Relations.create`."""
        spec = _relation(collection, field, related_collection, meta, schema)
        return await self._session._arun(self._flows.create_relation(spec))

    async def update(
        self,
        collection: str,
        field: str,
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusRelation | None:
        """Change a relation's ``meta`` or ``schema``."""
        spec = {k: dict(v) for k, v in (("meta", meta), ("schema", schema)) if v is not None}
        return await self._session._arun(self._flows.update_relation(collection, field, spec))

    async def delete(self, collection: str, field: str) -> None:
        """Remove the relation."""
        return await self._session._arun(self._flows.delete_relation(collection, field))


class Schema:
    """``session.schema``: snapshot the data model, diff it against this server, apply.

    Admins only (others get ``Forbidden``).
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    def snapshot(self) -> SchemaSnapshot:
        """This server's collections, fields and relations."""
        return self._session._run(self._flows.snapshot())

    def diff(
        self,
        snapshot: Mapping[str, Any],
        *,
        force: bool = False,
        mode: Literal["mirror", "merge"] | None = None,
    ) -> SchemaDiff | None:
        """What applying ``snapshot`` here would change, or ``None`` when nothing
        (Directus answers 204). ``force`` diffs across Directus versions or
        database vendors; ``mode="merge"`` only adds (12.2+)."""
        return self._session._run(self._flows.diff(snapshot, force, mode))

    def apply(self, diff: Mapping[str, Any], *, force: bool = False) -> None:
        """Apply a diff from :meth:`diff`. A diff made before the schema changed
        raises ``InvalidPayload`` (hash mismatch) unless ``force``."""
        return self._session._run(self._flows.apply(diff, force))


class AsyncSchema:
    """``session.schema`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    async def snapshot(self) -> SchemaSnapshot:
        """This server's collections, fields and relations."""
        return await self._session._arun(self._flows.snapshot())

    async def diff(
        self,
        snapshot: Mapping[str, Any],
        *,
        force: bool = False,
        mode: Literal["mirror", "merge"] | None = None,
    ) -> SchemaDiff | None:
        """What applying ``snapshot`` here would change, or ``None``."""
        return await self._session._arun(self._flows.diff(snapshot, force, mode))

    async def apply(self, diff: Mapping[str, Any], *, force: bool = False) -> None:
        """Apply a diff from :meth:`diff`."""
        return await self._session._arun(self._flows.apply(diff, force))


# ====================================================================== utils

# The parameters of Directus' argon2 hashes (node-argon2 defaults, no HASH_* set):
# argon2id, v=19, m=65536 KiB, t=3, p=4, 32-byte hash, 16-byte salt.
ARGON2_PARAMETERS: Mapping[str, int] = {
    "time_cost": 3, "memory_cost": 65536, "parallelism": 4, "hash_len": 32, "salt_len": 16,
}
_HASH_EXTRA = (
    "Directus 12.1 removed /utils/hash/*, so directus_orm computes argon2 hashes "
    "locally; that needs argon2-cffi: pip install 'directus_orm[hash]'"
)


def _argon2() -> Any:
    try:
        return importlib.import_module("argon2")
    except ImportError as error:
        raise MissingExtraError(_HASH_EXTRA) from error


def local_hash(value: str) -> str:
    """An argon2id hash of ``value`` with the parameters Directus uses."""
    argon2 = _argon2()
    hasher = argon2.PasswordHasher(type=argon2.Type.ID, **ARGON2_PARAMETERS)
    return str(hasher.hash(value))


def local_verify(value: str, hashed: str) -> bool:
    """Whether ``value`` matches the argon2 hash (its own parameters are used)."""
    argon2 = _argon2()
    try:
        return bool(argon2.PasswordHasher().verify(hashed, value))
    except argon2.exceptions.InvalidHashError as error:
        raise ValueError("not an argon2 hash") from error
    except argon2.exceptions.VerificationError:
        return False


class UtilsFlows:
    """``/utils``: random strings, sorting, revert, cache, import/export, hashes."""

    def __init__(self, session: BaseSession, *, asynchronous: bool = False) -> None:
        self._session = session
        self._asynchronous = asynchronous
        # None: not tried yet; False: the server has no /utils/hash (Directus >= 12.1).
        self._remote_hash: bool | None = None

    def random_string(self, length: int) -> Flow[str]:
        body = yield from self._session._call_flow(
            Call("GET", "/utils/random/string", params={"length": str(length)})
        )
        return str(_data(body))

    def sort(self, collection: str, item: Any, to: Any) -> Flow[None]:
        yield from self._session._response_flow(
            _json("POST", path_of("utils", "sort", collection), {"item": _pk(item), "to": _pk(to)})
        )
        return None

    def revert(self, revision: Any) -> Flow[None]:
        yield from self._session._response_flow(
            Call("POST", path_of("utils", "revert", _pk(revision)))
        )
        return None

    def cache_clear(self, system: bool) -> Flow[None]:
        call = Call("POST", "/utils/cache/clear", params={"system": "true"} if system else None)
        yield from self._session._response_flow(call)
        return None

    def export(
        self, collection: str, query: Mapping[str, Any], format: str, file: Mapping[str, Any] | None
    ) -> Flow[None]:
        body: dict[str, Any] = {"query": dict(query), "format": format}
        if file:
            body["file"] = dict(file)
        yield from self._session._response_flow(
            _json("POST", path_of("utils", "export", collection), body)
        )
        return None

    def import_file(self, collection: str, upload: Upload, background: bool) -> Flow[None]:
        body = MultipartBody([upload])
        content: Any = body.aiter() if self._asynchronous else body
        call = Call("POST", path_of("utils", "import", collection),
                    params={"background": "true"} if background else None,
                    content=content, headers=body.headers())
        yield from self._session._response_flow(call)
        return None

    def hash_generate(self, value: str) -> Flow[str]:
        if self._remote_hash is not False:
            try:
                body = yield from self._session._call_flow(
                    _json("POST", "/utils/hash/generate", {"string": value})
                )
            except RouteNotFound:
                self._remote_hash = False
            else:
                self._remote_hash = True
                return str(_data(body))
        return local_hash(value)

    def hash_verify(self, value: str, hashed: str) -> Flow[bool]:
        if self._remote_hash is not False:
            try:
                body = yield from self._session._call_flow(
                    _json("POST", "/utils/hash/verify", {"string": value, "hash": hashed})
                )
            except RouteNotFound:
                self._remote_hash = False
            else:
                self._remote_hash = True
                return bool(_data(body))
        return local_verify(value, hashed)


def _export_args(
    target: str | QuerySet[Any], query: Mapping[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    if isinstance(target, str):
        out = dict(query or {})
        out.setdefault("limit", -1)
        return target, out
    params = target.query_params()
    if params.pop("_empty", False):
        raise ValueError("this QuerySet matches nothing: there is nothing to export")
    params.update(query or {})
    return target.model._meta.collection, params


class Utils:
    """``session.utils``: random strings, manual sort, revert, cache, import/export, hashes."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = UtilsFlows(session)

    def random_string(self, length: int = 32) -> str:
        """A random string of 1 to 500 characters (generated by the server)."""
        return self._session._run(self._flows.random_string(length))

    def sort(self, collection: str, item: Any, to: Any) -> None:
        """Move ``item`` to the position of item ``to`` (both primary keys) in a
        collection with a ``sort_field``."""
        return self._session._run(self._flows.sort(collection, item, to))

    def revert(self, revision: Any) -> None:
        """Restore an item to a revision's ``data`` (an id or a ``DirectusRevision``)."""
        return self._session._run(self._flows.revert(revision))

    def cache_clear(self, system: bool = False) -> None:
        """Clear the data cache (and the schema/permission cache with ``system``)."""
        return self._session._run(self._flows.cache_clear(system))

    def export(
        self,
        collection: str | QuerySet[Any],
        query: Mapping[str, Any] | None = None,
        format: ExportFormat = "csv",
        *,
        file: Mapping[str, Any] | None = None,
    ) -> None:
        """Start an export of ``collection`` (or of a QuerySet's matches) to a file.

        Directus answers 204 at once and exports **in the background**: the file
        appears later in ``directus_files`` (``file`` sets its fields, e.g.
        ``{"title": ..., "folder": ...}``) together with a notification. Even a
        failing export (a bad ``format``) answers 204; this call cannot know.
        """
        name, params = _export_args(collection, query)
        return self._session._run(self._flows.export(name, params, format, file))

    def import_file(
        self,
        collection: str,
        file: FileSource,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        background: bool = False,
    ) -> None:
        """Import items from a CSV or JSON file (path, bytes or stream) into ``collection``.

        The type comes from the file name (``.csv``/``.json``) or
        ``content_type``; other types raise ``UnsupportedMediaType``. With
        ``background`` the server answers at once and imports later.
        """
        upload = Upload(file, filename=filename, storage=None, content_type=content_type)
        return self._session._run(self._flows.import_file(collection, upload, background))

    def hash_generate(self, value: str) -> str:
        """An argon2 hash of ``value``: by the server where ``/utils/hash`` exists,
        else locally with the same parameters (needs ``directus_orm[hash]``)."""
        return self._session._run(self._flows.hash_generate(value))

    def hash_verify(self, value: str, hash: str) -> bool:
        """Whether ``value`` matches ``hash`` (by the server, or locally as above)."""
        return self._session._run(self._flows.hash_verify(value, hash))


class AsyncUtils:
    """``session.utils`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = UtilsFlows(session, asynchronous=True)

    async def random_string(self, length: int = 32) -> str:
        """A random string of 1 to 500 characters."""
        return await self._session._arun(self._flows.random_string(length))

    async def sort(self, collection: str, item: Any, to: Any) -> None:
        """Move ``item`` to the position of item ``to``."""
        return await self._session._arun(self._flows.sort(collection, item, to))

    async def revert(self, revision: Any) -> None:
        """Restore an item to a revision's ``data``."""
        return await self._session._arun(self._flows.revert(revision))

    async def cache_clear(self, system: bool = False) -> None:
        """Clear the data cache (and the system cache with ``system``)."""
        return await self._session._arun(self._flows.cache_clear(system))

    async def export(
        self,
        collection: str | QuerySet[Any],
        query: Mapping[str, Any] | None = None,
        format: ExportFormat = "csv",
        *,
        file: Mapping[str, Any] | None = None,
    ) -> None:
        """Start a background export; see :meth:`Utils.export`."""
        name, params = _export_args(collection, query)
        return await self._session._arun(self._flows.export(name, params, format, file))

    async def import_file(
        self,
        collection: str,
        file: FileSource,
        *,
        filename: str | None = None,
        content_type: str | None = None,
        background: bool = False,
    ) -> None:
        """Import items from a CSV or JSON file; see :meth:`Utils.import_file`."""
        upload = Upload(file, filename=filename, storage=None, content_type=content_type)
        return await self._session._arun(self._flows.import_file(collection, upload, background))

    async def hash_generate(self, value: str) -> str:
        """An argon2 hash of ``value`` (server or local; see :meth:`Utils.hash_generate`)."""
        return await self._session._arun(self._flows.hash_generate(value))

    async def hash_verify(self, value: str, hash: str) -> bool:
        """Whether ``value`` matches ``hash``."""
        return await self._session._arun(self._flows.hash_verify(value, hash))


# ===================================================== permissions, policies, roles


class PermissionAccess(TypedDict, total=False):
    """One action's access in ``permissions.me()``: ``full``, ``partial`` or ``none``."""

    access: Literal["full", "partial", "none"]
    fields: list[str]
    presets: dict[str, Any]


class ItemAccess(TypedDict, total=False):
    """One action in ``permissions.item()``."""

    access: bool
    presets: dict[str, Any]
    fields: list[str]


class PolicyGlobals(TypedDict, total=False):
    """``policies.globals()``: the current user's combined access flags (without a
    login Directus sends only ``app_access``)."""

    app_access: bool
    admin_access: bool
    enforce_tfa: bool


class AccessFlows:
    """``/permissions/me``, ``/policies/me/globals``, ``/roles/me``."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def get(self, path: str) -> Flow[Any]:
        body = yield from self._session._call_flow(Call("GET", path))
        return _data(body)


class Permissions:
    """``session.permissions``: what the current user may do. Permission rows:
    ``DirectusPermission.objects``."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = AccessFlows(session)

    def me(self) -> dict[str, dict[str, PermissionAccess]]:
        """``{collection: {action: {"access": "full"|"partial"|"none", "fields": [...]}}}``."""
        data = self._session._run(self._flows.get("/permissions/me"))
        return dict(data or {})

    def item(self, collection: str, key: Any) -> dict[str, ItemAccess]:
        """``{"update": {"access": bool}, "delete": ..., "share": ...}`` for one item."""
        data = self._session._run(self._flows.get(path_of("permissions", "me", collection, _pk(key))))
        return dict(data or {})


class AsyncPermissions:
    """``session.permissions`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = AccessFlows(session)

    async def me(self) -> dict[str, dict[str, PermissionAccess]]:
        """What the current user may do, per collection and action."""
        data = await self._session._arun(self._flows.get("/permissions/me"))
        return dict(data or {})

    async def item(self, collection: str, key: Any) -> dict[str, ItemAccess]:
        """What the current user may do with one item."""
        data = await self._session._arun(
            self._flows.get(path_of("permissions", "me", collection, _pk(key)))
        )
        return dict(data or {})


class Policies:
    """``session.policies``: the current user's access flags. Policy rows:
    ``DirectusPolicy.objects``."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = AccessFlows(session)

    def globals(self) -> PolicyGlobals:
        """``{"app_access", "admin_access", "enforce_tfa"}`` of the current user."""
        data: PolicyGlobals = self._session._run(self._flows.get("/policies/me/globals"))
        return data


class AsyncPolicies:
    """``session.policies`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = AccessFlows(session)

    async def globals(self) -> PolicyGlobals:
        """The current user's access flags."""
        data: PolicyGlobals = await self._session._arun(self._flows.get("/policies/me/globals"))
        return data


class RolesFlows:
    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def me(self, fields: FieldPaths) -> Flow[list[DirectusRole]]:
        response = yield from self._session._response_flow(
            Call("GET", "/roles/me", query=_query(fields))
        )
        return _many(DirectusRole, response)


class Roles:
    """``session.roles``: the current user's roles. Role rows: ``DirectusRole.objects``."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._flows = RolesFlows(session)

    def me(self, fields: FieldPaths = None) -> list[DirectusRole]:
        """The current user's role and the roles it inherits (``/roles/me``)."""
        return self._session._run(self._flows.me(fields))


class AsyncRoles:
    """``session.roles`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._flows = RolesFlows(session)

    async def me(self, fields: FieldPaths = None) -> list[DirectusRole]:
        """The current user's role and the roles it inherits."""
        return await self._session._arun(self._flows.me(fields))
