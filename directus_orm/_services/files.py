"""Files: uploads (multipart, streamed), imports, assets and their transformations."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, overload

import httpx
from typing_extensions import TypeVar, Unpack

from .._core.exceptions import RecordNotReturned
from .._core.flow import Flow
from .._core.request import Call, path_of
from .._models.hydrate import hydrate_one
from .._system.models import (
    DirectusFile,
)
from .common import FieldPaths, _json, _pk, _query
from .multipart import AssetTransforms, FileSource, MultipartBody, Upload, UploadProgress, asset_params

if TYPE_CHECKING:
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver


F = TypeVar("F", bound=DirectusFile, default=DirectusFile)


# ====================================================================== files


def _uploads(items: Sequence[FileSource | Upload]) -> list[Upload]:
    return [item if isinstance(item, Upload) else Upload(item) for item in items]


def _offset_progress(report: UploadProgress, before: int, total: int | None) -> UploadProgress:
    """One file's progress as part of several: bytes of the files before it are added."""

    def progress(sent: int, _file_total: int | None) -> None:
        report(before + sent, total)

    return progress


def _required(record: F | None, require: bool) -> F | None:
    if record is None and require:
        raise RecordNotReturned(
            "the file was written, but the server sent no record back (the user may not "
            "read it); without require=True the call returns None"
        )
    return record


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
        if len(uploads) == 1:
            body = MultipartBody(uploads, on_progress=on_progress)
            response = yield from self._session.response_flow(
                self._upload_call("POST", "/files", body, fields)
            )
            one = hydrate_one(model, response.content) if response.content else None
            return [one] if one is not None else []
        # One request per file: with several files in one body, Directus answers as soon as
        # the files whose parts have arrived are saved, so a part that arrives after the first
        # save (a streamed body, a slower database) is left out of the answer.
        bodies = [MultipartBody([upload]) for upload in uploads]
        sizes = [b.file_size for b in bodies]
        total = None if any(size is None for size in sizes) else sum(size or 0 for size in sizes)
        done = 0
        out: list[F] = []
        for body, size in zip(bodies, sizes, strict=True):
            if on_progress is not None:
                body.on_progress = _offset_progress(on_progress, done, total)
            response = yield from self._session.response_flow(
                self._upload_call("POST", "/files", body, fields)
            )
            one = hydrate_one(model, response.content) if response.content else None
            if one is not None:
                out.append(one)
            done += size or 0
        return out

    def replace(
        self, model: type[F], file: Any, upload: Upload, on_progress: UploadProgress | None,
        fields: FieldPaths,
    ) -> Flow[F | None]:
        body = MultipartBody([upload], on_progress=on_progress)
        response = yield from self._session.response_flow(
            self._upload_call("PATCH", path_of("files", _pk(file)), body, fields)
        )
        return hydrate_one(model, response.content)

    def import_url(
        self, model: type[F], url: str, data: Mapping[str, Any], fields: FieldPaths
    ) -> Flow[F | None]:
        body: dict[str, Any] = {"url": url}
        if data:
            body["data"] = dict(data)
        response = yield from self._session.response_flow(
            _json("POST", "/files/import", body, query=_query(fields))
        )
        return hydrate_one(model, response.content)

    def asset(self, file: Any, transforms: Mapping[str, Any], stream: bool) -> Flow[httpx.Response]:
        call = Call("GET", path_of("assets", _pk(file)), params=asset_params(transforms))
        return (yield from self._session.response_flow(call, stream=stream))

    def zip(self, ids: Sequence[Any] | None, folder: Any) -> Flow[bytes]:
        if folder is not None:
            call = Call("POST", path_of("assets", "folder", _pk(folder)))
        else:
            call = _json("POST", "/assets/files", {"ids": [_pk(i) for i in ids or ()]})
        response = yield from self._session.response_flow(call)
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

    def __init__(self, session: SyncDriver, flow: Flow[httpx.Response], chunk_size: int) -> None:
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
            self._response = self._session.run_flow(flow)
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

    def __init__(self, session: AsyncDriver, flow: Flow[httpx.Response], chunk_size: int) -> None:
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
            self._response = await self._session.arun_flow(flow)
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

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = FilesFlows(session, asynchronous=False)

    @overload
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
        require: Literal[True],
        **metadata: Any,
    ) -> F: ...
    @overload
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
        require: bool = False,
        **metadata: Any,
    ) -> F | None: ...
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
        require: bool = False,
        **metadata: Any,
    ) -> F | None:
        """Upload one file from a path, bytes or a binary stream; returns its record.

        ``metadata`` are other ``directus_files`` fields (``description``,
        ``tags=[...]``, custom fields), sent before the file part as Directus
        requires. A path or stream is streamed in 64 KiB chunks, never loaded
        whole; ``on_progress(bytes_sent, total)`` is called as it goes.
        ``None`` when the server sent no record back (no read permission);
        with ``require=True`` that raises :class:`~directus_orm.RecordNotReturned`
        instead, and the return type is the record (``DirectusFile``, not ``| None``).
        """
        upload = Upload(source, filename=filename, title=title, folder=folder, storage=storage,
                        content_type=content_type, **metadata)
        files = self._session.run_flow(self._flows.upload(model, [upload], on_progress, fields))
        return _required(files[0] if files else None, require)

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
        return self._session.run_flow(self._flows.upload(model, uploads, on_progress, fields))

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
        return self._session.run_flow(self._flows.replace(model, file, upload, on_progress, fields))

    @overload
    def import_url(
        self,
        url: str,
        *,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
        require: Literal[True],
        **data: Any,
    ) -> F: ...
    @overload
    def import_url(
        self,
        url: str,
        *,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
        require: bool = False,
        **data: Any,
    ) -> F | None: ...
    def import_url(
        self,
        url: str,
        *,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
        require: bool = False,
        **data: Any,
    ) -> F | None:
        """Have the server download ``url`` into a new file; ``data`` sets its fields
        (``title``, ``folder`` ...). Unreachable or denied URLs (loopback and private
        addresses by default) raise ``ServiceUnavailable``."""
        return _required(self._session.run_flow(self._flows.import_url(model, url, data, fields)),
                         require)

    def download(self, file: Any, **transforms: Unpack[AssetTransforms]) -> bytes:
        """The file's bytes (``/assets/{id}``), with image transforms if given."""
        response = self._session.run_flow(self._flows.asset(file, transforms, stream=False))
        return response.content

    def stream(
        self, file: Any, *, chunk_size: int = 64 * 1024, **transforms: Unpack[AssetTransforms]
    ) -> AssetStream:
        """The file as a stream of chunks, never held whole (see :class:`AssetStream`)."""
        return AssetStream(self._session, self._flows.asset(file, transforms, stream=True),
                           chunk_size)

    def download_zip(self, files: Sequence[Any]) -> bytes:
        """Several files as one zip archive (``POST /assets/files``)."""
        return self._session.run_flow(self._flows.zip(files, None))

    def download_folder_zip(self, folder: Any) -> bytes:
        """A folder's files as one zip archive (``POST /assets/folder/{id}``)."""
        return self._session.run_flow(self._flows.zip(None, folder))


class AsyncFiles:
    """``session.files`` on an ``AsyncSession``; the same methods, awaited."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = FilesFlows(session, asynchronous=True)

    @overload
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
        require: Literal[True],
        **metadata: Any,
    ) -> F: ...
    @overload
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
        require: bool = False,
        **metadata: Any,
    ) -> F | None: ...
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
        require: bool = False,
        **metadata: Any,
    ) -> F | None:
        """Upload one file; see :meth:`Files.upload`."""
        upload = Upload(source, filename=filename, title=title, folder=folder, storage=storage,
                        content_type=content_type, **metadata)
        files = await self._session.arun_flow(self._flows.upload(model, [upload], on_progress, fields))
        return _required(files[0] if files else None, require)

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
        return await self._session.arun_flow(self._flows.upload(model, uploads, on_progress, fields))

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
        return await self._session.arun_flow(
            self._flows.replace(model, file, upload, on_progress, fields)
        )

    @overload
    async def import_url(
        self,
        url: str,
        *,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
        require: Literal[True],
        **data: Any,
    ) -> F: ...
    @overload
    async def import_url(
        self,
        url: str,
        *,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
        require: bool = False,
        **data: Any,
    ) -> F | None: ...
    async def import_url(
        self,
        url: str,
        *,
        model: type[F] = DirectusFile,  # type: ignore[assignment]
        fields: FieldPaths = None,
        require: bool = False,
        **data: Any,
    ) -> F | None:
        """Have the server download ``url`` into a new file; see :meth:`Files.import_url`."""
        return _required(await self._session.arun_flow(self._flows.import_url(model, url, data, fields)),
                         require)

    async def download(self, file: Any, **transforms: Unpack[AssetTransforms]) -> bytes:
        """The file's bytes, with image transforms if given."""
        response = await self._session.arun_flow(self._flows.asset(file, transforms, stream=False))
        return response.content

    def stream(
        self, file: Any, *, chunk_size: int = 64 * 1024, **transforms: Unpack[AssetTransforms]
    ) -> AsyncAssetStream:
        """The file as an async stream of chunks (see :class:`AsyncAssetStream`)."""
        return AsyncAssetStream(self._session, self._flows.asset(file, transforms, stream=True),
                                chunk_size)

    async def download_zip(self, files: Sequence[Any]) -> bytes:
        """Several files as one zip archive."""
        return await self._session.arun_flow(self._flows.zip(files, None))

    async def download_folder_zip(self, folder: Any) -> bytes:
        """A folder's files as one zip archive."""
        return await self._session.arun_flow(self._flows.zip(None, folder))
