"""Streaming multipart bodies for ``POST /files`` and typed ``/assets`` options. No I/O of its own.

Directus reads a multipart upload in order: the metadata fields of a file
(``title``, ``folder``, ``storage`` ...) must come *before* its ``file`` part,
and several files can follow each other, each with the fields sent just
before it. :class:`MultipartBody` writes exactly that, as an iterator of
chunks: a file given as a path or a stream is read 64 KiB at a time while the
request is being sent, never loaded whole. The body can be iterated again (a
path is reopened, a seekable stream rewound), so a request that must be resent
after a token refresh sends the same bytes.
"""

from __future__ import annotations

import json
import mimetypes
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import IO, Any, Literal, TypedDict

CHUNK_SIZE = 64 * 1024


FileSource = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]


"""What can be uploaded: a path, bytes, or a binary stream (anything with ``read()``)."""


UploadProgress = Callable[[int, "int | None"], None]


"""``on_progress(bytes_sent, total)``: file bytes handed to the connection so far, and
the sum of the files' sizes (``None`` when a stream's size cannot be known)."""


AssetFit = Literal["cover", "contain", "inside", "outside"]


AssetFormat = Literal["jpg", "png", "webp", "tiff", "avif", "auto"]


class AssetTransforms(TypedDict, total=False):
    """Options of ``GET /assets/{id}`` (image transforms apply to images only)."""

    key: str
    """A preset from the ``storage_asset_presets`` setting (unknown → ``InvalidQuery``)."""
    width: int
    height: int
    fit: AssetFit
    quality: int
    """1-100."""
    format: AssetFormat
    without_enlargement: bool
    """Never scale an image up (``withoutEnlargement``)."""
    focal_point_x: int
    focal_point_y: int
    transforms: Sequence[Sequence[Any]]
    """Raw sharp operations, e.g. ``[["blur", 5], ["rotate", 90]]``."""
    download: bool
    """Ask for ``Content-Disposition: attachment``."""


_FITS = ("cover", "contain", "inside", "outside")


_FORMATS = ("jpg", "png", "webp", "tiff", "avif", "auto")


_INT_OPTIONS = ("width", "height", "quality", "focal_point_x", "focal_point_y")


_KNOWN = frozenset(AssetTransforms.__annotations__)


def asset_params(options: Mapping[str, Any]) -> dict[str, str]:
    """URL parameters for ``/assets``; raises ``ValueError``/``TypeError`` for bad options."""
    unknown = set(options) - _KNOWN
    if unknown:
        raise TypeError(
            f"unknown asset option(s) {sorted(unknown)}; known: {', '.join(sorted(_KNOWN))}"
        )
    params: dict[str, str] = {}
    for name in _INT_OPTIONS:
        value = options.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"asset option {name} must be a non-negative integer, not {value!r}")
        if name == "quality" and not 1 <= value <= 100:
            raise ValueError(f"asset option quality must be between 1 and 100, not {value}")
        params[name] = str(value)
    fit = options.get("fit")
    if fit is not None:
        if fit not in _FITS:
            raise ValueError(f"asset option fit must be one of {_FITS}, not {fit!r}")
        params["fit"] = fit
    fmt = options.get("format")
    if fmt is not None:
        if fmt not in _FORMATS:
            raise ValueError(f"asset option format must be one of {_FORMATS}, not {fmt!r}")
        params["format"] = fmt
    if options.get("key") is not None:
        params["key"] = str(options["key"])
    if options.get("without_enlargement") is not None:
        params["withoutEnlargement"] = "true" if options["without_enlargement"] else "false"
    if options.get("transforms"):
        params["transforms"] = json.dumps([list(t) for t in options["transforms"]])
    if options.get("download"):
        params["download"] = "true"
    return params


class Upload:
    """One file of an upload: the content and the metadata fields sent before it.

    ``Upload(path_or_bytes_or_stream, filename=..., title=..., folder=...,
    description=..., tags=[...])``: any other keyword is a ``directus_files``
    field (custom fields too); lists and objects are sent as JSON.
    """

    def __init__(
        self,
        source: FileSource,
        *,
        filename: str | None = None,
        title: str | None = None,
        folder: str | None = None,
        storage: str | None = "local",
        content_type: str | None = None,
        **metadata: Any,
    ) -> None:
        self.source = source
        self.filename = filename
        self.title = title
        self.folder = folder
        self.storage = storage
        self.content_type = content_type
        self.metadata: dict[str, Any] = metadata

    def __repr__(self) -> str:
        name = self.filename or getattr(self.source, "name", None) or type(self.source).__name__
        return f"<Upload {name!r}>"

    def fields(self) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        if self.storage is not None:
            out.append(("storage", self.storage))
        if self.title is not None:
            out.append(("title", self.title))
        if self.folder is not None:
            out.append(("folder", self.folder))
        out.extend(self.metadata.items())
        return out


def _field_text(value: Any) -> str:
    # Directus reads "null", "true" and "false" as such and parses JSON for JSON fields.
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, separators=(",", ":"), default=str)
    return str(value)


def _quote(text: str) -> bytes:
    return (
        text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    ).encode("utf-8")


class _Part:
    """One file part: where its bytes come from, its name and size."""

    def __init__(self, upload: Upload) -> None:
        source = upload.source
        self.path: str | None = None
        self.data: bytes | None = None
        self.stream: IO[bytes] | None = None
        self.start: int | None = None
        self.size: int | None = None
        name = upload.filename
        if isinstance(source, (str, os.PathLike)):
            self.path = os.fspath(source)
            self.size = os.stat(self.path).st_size
            name = name or os.path.basename(self.path)
        elif isinstance(source, (bytes, bytearray, memoryview)):
            self.data = bytes(source)
            self.size = len(self.data)
        elif hasattr(source, "read"):
            self.stream = source
            stream_name = getattr(source, "name", None)
            if not name and isinstance(stream_name, str):
                name = os.path.basename(stream_name)
            try:
                self.start = source.tell()
                end = source.seek(0, os.SEEK_END)
                source.seek(self.start)
                self.size = end - self.start
            except (OSError, AttributeError, ValueError):
                self.start = None
        else:
            raise TypeError(
                f"cannot upload a {type(source).__name__}: give a path, bytes or a binary stream"
            )
        self.filename = name or "file"
        self.content_type = (
            upload.content_type
            or mimetypes.guess_type(self.filename)[0]
            or "application/octet-stream"
        )
        self.used = False

    def chunks(self) -> Iterator[bytes]:
        if self.data is not None:
            view = memoryview(self.data)
            for start in range(0, len(view), CHUNK_SIZE):
                yield bytes(view[start : start + CHUNK_SIZE])
            return
        if self.path is not None:
            with open(self.path, "rb") as handle:
                yield from iter(lambda: handle.read(CHUNK_SIZE), b"")
            return
        assert self.stream is not None
        if self.used:
            if self.start is None:
                raise RuntimeError(
                    "the upload must be sent again (after a token refresh) but its stream "
                    "cannot be rewound; give a path, bytes or a seekable stream"
                )
            self.stream.seek(self.start)
        self.used = True
        while True:
            chunk = self.stream.read(CHUNK_SIZE)
            if not chunk:
                return
            yield bytes(chunk)


class MultipartBody:
    """A ``multipart/form-data`` body: each file's fields, then the file part.

    Iterate it (sync) or ``aiter()`` it (async) to get the chunks; iterating
    again starts over. ``on_progress`` is called as the file bytes are sent.
    """

    def __init__(
        self,
        uploads: Sequence[Upload],
        *,
        extra_fields: Sequence[tuple[str, Any]] = (),
        on_progress: UploadProgress | None = None,
        file_field: str = "file",
    ) -> None:
        if not uploads:
            raise ValueError("nothing to upload")
        self.boundary = "directus-orm-" + secrets.token_hex(16)
        self.on_progress = on_progress
        self._pieces: list[tuple[bytes, _Part | None]] = []
        head = b""
        for name, value in extra_fields:
            head += self._field(name, value)
        for upload in uploads:
            part = _Part(upload)
            for name, value in upload.fields():
                head += self._field(name, value)
            head += (
                f"--{self.boundary}\r\n".encode()
                + b'Content-Disposition: form-data; name="' + _quote(file_field)
                + b'"; filename="' + _quote(part.filename) + b'"\r\n'
                + f"Content-Type: {part.content_type}\r\n\r\n".encode()
            )
            self._pieces.append((head, part))
            head = b"\r\n"
        self._pieces.append((head + f"--{self.boundary}--\r\n".encode(), None))
        self.parts = [p for _, p in self._pieces if p is not None]

    def _field(self, name: str, value: Any) -> bytes:
        return (
            f"--{self.boundary}\r\n".encode()
            + b'Content-Disposition: form-data; name="' + _quote(name) + b'"\r\n\r\n'
            + _field_text(value).encode("utf-8")
            + b"\r\n"
        )

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def file_size(self) -> int | None:
        """The sum of the files' sizes, or ``None`` if one is unknown."""
        sizes = [p.size for p in self.parts]
        return None if any(s is None for s in sizes) else sum(s or 0 for s in sizes)

    @property
    def content_length(self) -> int | None:
        """The exact body length, or ``None`` (sent chunked) if a stream's size is unknown."""
        size = self.file_size
        if size is None:
            return None
        return size + sum(len(head) for head, _ in self._pieces)

    def headers(self) -> dict[str, str]:
        out = {"Content-Type": self.content_type}
        length = self.content_length
        if length is not None:
            out["Content-Length"] = str(length)
        return out

    def __iter__(self) -> Iterator[bytes]:
        total = self.file_size
        sent = 0
        progress = self.on_progress
        for head, part in self._pieces:
            yield head
            if part is None:
                continue
            for chunk in part.chunks():
                yield chunk
                # Resumed: the connection asked for more, so this chunk went out.
                sent += len(chunk)
                if progress is not None:
                    progress(sent, total)

    def aiter(self) -> _AsyncBody:
        """The same chunks for an ``httpx.AsyncClient`` (files are read in 64 KiB steps)."""
        return _AsyncBody(self)


class _AsyncBody:
    """An async view of a :class:`MultipartBody` (re-iterable, like the body)."""

    def __init__(self, body: MultipartBody) -> None:
        self.body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.body:
            yield chunk
