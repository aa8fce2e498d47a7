"""Shares (``/shares``): links to one item for people without an account, as ``session.shares``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .._core.exceptions import QueryError
from .._core.flow import Flow
from .._core.request import Call, path_of
from .._models.hydrate import hydrate_one
from .._query.filters import serialize_value
from .._system.models import DirectusShare
from .common import _data, _json, _pk

if TYPE_CHECKING:
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver


@dataclass(frozen=True)
class ShareToken:
    """What ``POST /shares/auth`` returned: a token scoped to the shared item.

    The repr hides the tokens. Use it as ``Session(url, static_token=t.access_token)``
    until it expires (``expires`` milliseconds).
    """

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires: int | None


class SharesFlows:
    """The ``/shares`` commands as flows."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    def create(self, collection: str, item: Any, data: dict[str, Any]) -> Flow[DirectusShare | None]:
        if not collection or item is None:
            raise QueryError("a share needs a collection and an item")
        body = {"collection": collection, "item": str(_pk(item)),
                **{k: serialize_value(v) if isinstance(v, datetime) else _pk(v)
                   for k, v in data.items() if v is not None}}
        response = yield from self._session.response_flow(_json("POST", "/shares", body))
        return hydrate_one(DirectusShare, response.content)

    def info(self, share: Any) -> Flow[DirectusShare]:
        response = yield from self._session.response_flow(
            Call("GET", path_of("shares", "info", str(_pk(share))), authenticated=False))
        found = hydrate_one(DirectusShare, response.content)
        if found is None:
            raise DirectusShare.DoesNotExist(f"no share {_pk(share)!r}")
        return found

    def auth(self, share: Any, password: str | None) -> Flow[ShareToken]:
        body: dict[str, Any] = {"share": str(_pk(share))}
        if password is not None:
            body["password"] = password
        answer = yield from self._session.call_flow(
            _json("POST", "/shares/auth", body, authenticated=False))
        data = _data(answer) or {}
        return ShareToken(str(data.get("access_token") or ""), data.get("refresh_token"),
                          data.get("expires"))


class Shares:
    """``session.shares``: create a share, read its public info, log in with it."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = SharesFlows(session)

    def create(
        self,
        collection: str,
        item: Any,
        *,
        name: str | None = None,
        password: str | None = None,
        role: Any = None,
        max_uses: int | None = None,
        date_start: datetime | None = None,
        date_end: datetime | None = None,
    ) -> DirectusShare | None:
        """Share ``item`` of ``collection`` (``role`` limits what the share may read).

        The password reads back masked. ``None`` when the user may not read the share.
        """
        data = {"name": name, "password": password, "role": role, "max_uses": max_uses,
                "date_start": date_start, "date_end": date_end}
        return self._session.run_flow(self._flows.create(collection, item, data))

    def info(self, share: Any) -> DirectusShare:
        """The public facts of a share (``GET /shares/info/{id}``), asked without a token."""
        return self._session.run_flow(self._flows.info(share))

    def auth(self, share: Any, password: str | None = None) -> ShareToken:
        """Log in with a share (``POST /shares/auth``): a token scoped to the shared item.

        A wrong password raises ``InvalidCredentials``. The session's own login is
        not changed.
        """
        return self._session.run_flow(self._flows.auth(share, password))


class AsyncShares:
    """``session.shares`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = SharesFlows(session)

    async def create(
        self,
        collection: str,
        item: Any,
        *,
        name: str | None = None,
        password: str | None = None,
        role: Any = None,
        max_uses: int | None = None,
        date_start: datetime | None = None,
        date_end: datetime | None = None,
    ) -> DirectusShare | None:
        """Async :meth:`Shares.create`."""
        data = {"name": name, "password": password, "role": role, "max_uses": max_uses,
                "date_start": date_start, "date_end": date_end}
        return await self._session.arun_flow(self._flows.create(collection, item, data))

    async def info(self, share: Any) -> DirectusShare:
        """Async :meth:`Shares.info`."""
        return await self._session.arun_flow(self._flows.info(share))

    async def auth(self, share: Any, password: str | None = None) -> ShareToken:
        """Async :meth:`Shares.auth`."""
        return await self._session.arun_flow(self._flows.auth(share, password))
