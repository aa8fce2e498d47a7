"""Utilities: hashing (local on Directus 12.1+), random strings, sort, cache, import and export."""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from .._core.exceptions import InvalidPayload, MissingExtraError, RouteNotFound
from .._core.flow import Flow
from .._core.request import Call, path_of
from .._core.version import supports
from .common import _data, _json, _pk
from .imports import ImportMode, ImportResult, import_items_flow
from .multipart import FileSource, MultipartBody, Upload

if TYPE_CHECKING:
    from .._models.queryset import QuerySet
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver


ExportFormat = Literal["csv", "csv_utf8", "json", "xml", "yaml"]


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
        body = yield from self._session.call_flow(
            Call("GET", "/utils/random/string", params={"length": str(length)})
        )
        return str(_data(body))

    def sort(self, collection: str, item: Any, to: Any) -> Flow[None]:
        yield from self._session.response_flow(
            _json("POST", path_of("utils", "sort", collection), {"item": _pk(item), "to": _pk(to)})
        )
        return None

    def revert(self, revision: Any) -> Flow[None]:
        yield from self._session.response_flow(
            Call("POST", path_of("utils", "revert", _pk(revision)))
        )
        return None

    def cache_clear(self, system: bool) -> Flow[None]:
        call = Call("POST", "/utils/cache/clear", params={"system": "true"} if system else None)
        yield from self._session.response_flow(call)
        return None

    def export(
        self, collection: str, query: Mapping[str, Any], format: str, file: Mapping[str, Any] | None
    ) -> Flow[None]:
        body: dict[str, Any] = {"query": dict(query), "format": format}
        if file:
            body["file"] = dict(file)
        yield from self._session.response_flow(
            _json("POST", path_of("utils", "export", collection), body)
        )
        return None

    def import_file(self, collection: str, upload: Upload, background: bool) -> Flow[None]:
        body = MultipartBody([upload])
        content: Any = body.aiter() if self._asynchronous else body
        call = Call("POST", path_of("utils", "import", collection),
                    params={"background": "true"} if background else None,
                    content=content, headers=body.headers())
        yield from self._session.response_flow(call)
        return None

    def _use_remote_hash(self) -> bool:
        """Server-side hashing where the version has it; probe once when the version is unknown."""
        known = self._session.known_server_version
        if known is not None:
            return supports(known, "server_hash")
        return self._remote_hash is not False

    def hash_generate(self, value: str) -> Flow[str]:
        if self._use_remote_hash():
            try:
                body = yield from self._session.call_flow(
                    _json("POST", "/utils/hash/generate", {"string": value})
                )
            except RouteNotFound:
                self._remote_hash = False
            else:
                self._remote_hash = True
                return str(_data(body))
        return local_hash(value)

    def hash_verify(self, value: str, hashed: str) -> Flow[bool]:
        if self._use_remote_hash():
            try:
                body = yield from self._session.call_flow(
                    _json("POST", "/utils/hash/verify", {"string": value, "hash": hashed})
                )
            except RouteNotFound:
                self._remote_hash = False
            except InvalidPayload as error:  # the server's word for what local_verify says
                raise ValueError("not an argon2 hash") from error
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

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = UtilsFlows(session)

    def random_string(self, length: int = 32) -> str:
        """A random string of 1 to 500 characters (generated by the server)."""
        return self._session.run_flow(self._flows.random_string(length))

    def sort(self, collection: str, item: Any, to: Any) -> None:
        """Move ``item`` to the position of item ``to`` (both primary keys) in a
        collection with a ``sort_field``."""
        return self._session.run_flow(self._flows.sort(collection, item, to))

    def revert(self, revision: Any) -> None:
        """Restore an item to a revision's ``data`` (an id or a ``DirectusRevision``)."""
        return self._session.run_flow(self._flows.revert(revision))

    def cache_clear(self, system: bool = False) -> None:
        """Clear the data cache (and the schema/permission cache with ``system``)."""
        return self._session.run_flow(self._flows.cache_clear(system))

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
        return self._session.run_flow(self._flows.export(name, params, format, file))

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
        return self._session.run_flow(self._flows.import_file(collection, upload, background))

    def import_items(
        self,
        batches: Mapping[str, Sequence[Any]],
        *,
        mode: ImportMode = "add",
        dry_run: bool = False,
        dangerously_allow_delete: bool = False,
    ) -> ImportResult:
        """Import items into several collections in one request (``POST /utils/import``).

        ``batches`` maps collection names to items (dicts or model objects).
        ``mode="add"`` creates them (supplied keys are remapped, foreign keys
        follow); ``"merge"`` updates the items whose keys exist. ``dry_run``
        checks without writing (``applied`` is then false).
        """
        return self._session.run_flow(
            import_items_flow(self._session, batches, mode, dry_run, dangerously_allow_delete))

    def hash_generate(self, value: str) -> str:
        """An argon2 hash of ``value``: by the server where ``/utils/hash`` exists,
        else locally with the same parameters (needs ``directus_orm[hash]``)."""
        return self._session.run_flow(self._flows.hash_generate(value))

    def hash_verify(self, value: str, hash: str) -> bool:
        """Whether ``value`` matches ``hash`` (by the server, or locally as above)."""
        return self._session.run_flow(self._flows.hash_verify(value, hash))


class AsyncUtils:
    """``session.utils`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = UtilsFlows(session, asynchronous=True)

    async def random_string(self, length: int = 32) -> str:
        """A random string of 1 to 500 characters."""
        return await self._session.arun_flow(self._flows.random_string(length))

    async def sort(self, collection: str, item: Any, to: Any) -> None:
        """Move ``item`` to the position of item ``to``."""
        return await self._session.arun_flow(self._flows.sort(collection, item, to))

    async def revert(self, revision: Any) -> None:
        """Restore an item to a revision's ``data``."""
        return await self._session.arun_flow(self._flows.revert(revision))

    async def cache_clear(self, system: bool = False) -> None:
        """Clear the data cache (and the system cache with ``system``)."""
        return await self._session.arun_flow(self._flows.cache_clear(system))

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
        return await self._session.arun_flow(self._flows.export(name, params, format, file))

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
        return await self._session.arun_flow(self._flows.import_file(collection, upload, background))

    async def import_items(
        self,
        batches: Mapping[str, Sequence[Any]],
        *,
        mode: ImportMode = "add",
        dry_run: bool = False,
        dangerously_allow_delete: bool = False,
    ) -> ImportResult:
        """Async :meth:`Utils.import_items`."""
        return await self._session.arun_flow(
            import_items_flow(self._session, batches, mode, dry_run, dangerously_allow_delete))

    async def hash_generate(self, value: str) -> str:
        """An argon2 hash of ``value`` (server or local; see :meth:`Utils.hash_generate`)."""
        return await self._session.arun_flow(self._flows.hash_generate(value))

    async def hash_verify(self, value: str, hash: str) -> bool:
        """Whether ``value`` matches ``hash``."""
        return await self._session.arun_flow(self._flows.hash_verify(value, hash))
