"""The server a test run talks to, and the bookkeeping that keeps tests apart (no pytest here).

:class:`DirectusServer` is either a local Directus this package booted (``local`` is set) or an
already running one (``--directus-url``). :class:`Snapshot` records a server's own collections
and their rows before a test; :meth:`Snapshot.restore` drops the collections the test created
and deletes the rows it added.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from directus_orm import DirectusError, DirectusORMError, Session

if TYPE_CHECKING:
    from directus_orm.localserver import LocalDirectus

__all__ = ["DirectusServer", "IsolationError", "Snapshot", "drop_collections"]


class IsolationError(DirectusORMError):
    """What a test created could not be removed after it (the message lists what is left)."""


@dataclass
class DirectusServer:
    """A Directus server for tests: where it is and how to log in as its admin.

    ``token`` is a static token of the admin user: on a server the plugin booted, set on first
    use (a server started for a rate-limiter test sees no request it did not make); for an
    external one ``$DIRECTUS_TOKEN``, or ``None`` when only email and password are known.
    """

    url: str
    email: str | None
    password: str | None
    static_token: str | None = field(default=None, repr=False)
    env: dict[str, str] = field(default_factory=dict)
    local: LocalDirectus | None = field(default=None, repr=False)

    @property
    def token(self) -> str | None:
        """A static admin token (see the class docstring)."""
        if self.static_token is None and self.local is not None:
            token = "pytest-" + secrets.token_urlsafe(24)
            with Session(self.url) as session:
                session.auth.login(self.local.admin_email, self.local.admin_password)
                session.request("PATCH", "/users/me", json={"token": token})
            self.static_token = token
        return self.static_token

    @property
    def external(self) -> bool:
        """True for a server the plugin did not start (``--directus-url``)."""
        return self.local is None

    @property
    def name(self) -> str:
        """The local server's name (its run folder's prefix), ``"external"`` otherwise."""
        return self.local.name if self.local is not None else "external"

    @property
    def version(self) -> str | None:
        """The Directus version of a local server (``None``: external, ask ``/server/info``)."""
        return self.local.version if self.local is not None else None

    @property
    def database(self) -> str | None:
        """``"sqlite"`` or ``"postgres"`` for a local server (``None``: external)."""
        return self.local.database if self.local is not None else None

    @property
    def sqlite_path(self) -> Path | None:
        """The database file of a local SQLite server."""
        return self.local.sqlite_path if self.local is not None else None

    @property
    def log_path(self) -> Path | None:
        """The server's log file (``None`` for an external server)."""
        return self.local.log_path if self.local is not None else None

    def log_tail(self, lines: int = 200) -> str:
        """The end of the server's log, for failure reports."""
        if self.local is None:
            return "(external server: no log available)"
        return self.local.log_tail(lines)

    def session(self) -> Session:
        """A new admin ``Session`` (not entered: use ``with server.session() as s:``)."""
        token = self.token
        session = Session(self.url, static_token=token)
        if token is None:
            assert self.email is not None and self.password is not None
            try:
                session.auth.login(self.email, self.password)
            except BaseException:
                session.close()
                raise
        return session

    def stop(self) -> None:
        """Stop a local server (nothing for an external one)."""
        if self.local is not None:
            self.local.stop()

    @classmethod
    def start_local(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        name: str = "pytest",
        version: str | None = None,
        timeout: float = 180.0,
    ) -> DirectusServer:
        """Boot a local Directus (installed into the cache folder on first use)."""
        from directus_orm.localserver import LocalDirectus

        local = LocalDirectus(env=env, name=name, version=version)
        local.start(timeout=timeout)
        return cls(local.url, local.admin_email, local.admin_password, None, dict(env or {}), local)


def _user_collections(session: Session) -> dict[str, tuple[str | None, bool]]:
    """The server's own collections (with a table): name -> (primary key field, singleton)."""
    collections = session.request("GET", "/collections")["data"]
    fields = session.request("GET", "/fields")["data"]
    keys = {
        f["collection"]: f["field"]
        for f in fields
        if (f.get("schema") or {}).get("is_primary_key")
    }
    return {
        c["collection"]: (keys.get(c["collection"]), bool((c.get("meta") or {}).get("singleton")))
        for c in collections
        if not c["collection"].startswith("directus_") and c.get("schema") is not None
    }


def _keys(session: Session, collection: str, pk: str) -> set[Any]:
    rows = session.request("GET", f"/items/{collection}", query={"fields": [pk], "limit": -1})["data"]
    return {row[pk] for row in rows} if isinstance(rows, list) else set()


def drop_collections(session: Session, names: Iterable[str]) -> None:
    """Delete collections (junctions and dependants in any order: failures are retried)."""
    left = list(dict.fromkeys(names))
    errors: dict[str, Exception] = {}
    while left:
        failed: list[str] = []
        for name in left:
            try:
                # Directus 12.4 on SQLite can hang deleting a collection with relations right
                # after a schema change cleared its cache; reading the relations refills it.
                session.request("GET", f"/relations/{name}")
                session.request("DELETE", f"/collections/{name}")
            except DirectusError as exc:
                if exc.status == 403 and not _exists(session, name):
                    continue  # already gone
                failed.append(name)
                errors[name] = exc
        if len(failed) == len(left):
            detail = "; ".join(f"{n}: {errors[n]}" for n in failed)
            raise IsolationError(f"could not drop collections after the test: {detail}")
        left = failed


def _exists(session: Session, name: str) -> bool:
    return name in {c["collection"] for c in session.request("GET", "/collections")["data"]}


@dataclass
class Snapshot:
    """The server's own collections and their primary keys, before a test."""

    collections: dict[str, tuple[str | None, bool]]
    keys: dict[str, set[Any]]

    @classmethod
    def take(cls, session: Session) -> Snapshot:
        collections = _user_collections(session)
        keys = {
            name: _keys(session, name, pk)
            for name, (pk, singleton) in collections.items()
            if pk is not None and not singleton
        }
        return cls(collections, keys)

    def restore(self, session: Session) -> None:
        """Drop the collections created since, then delete the rows added to the others."""
        now = _user_collections(session)
        drop_collections(session, [name for name in now if name not in self.collections])
        added = {
            name: sorted(_keys(session, name, pk) - self.keys[name], key=str)
            for name, (pk, _) in now.items()
            if name in self.keys and pk is not None
        }
        left = {name: keys for name, keys in added.items() if keys}
        while left:  # rows that others still reference go in a later pass
            failed: dict[str, list[Any]] = {}
            for name, keys in left.items():
                try:
                    session.request("DELETE", f"/items/{name}", json=keys)
                except DirectusError:
                    failed[name] = keys
            if len(failed) == len(left):
                detail = ", ".join(f"{name}: {len(keys)} rows" for name, keys in failed.items())
                raise IsolationError(f"could not delete the rows the test added ({detail})")
            left = failed
