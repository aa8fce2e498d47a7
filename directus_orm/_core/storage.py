"""Token storage: where a session keeps its access and refresh tokens.

A storage maps string keys to JSON-compatible values. Sessions store one value,
under ``"<prefix>auth"``, so several sessions can share one storage by using
different prefixes. Implement :class:`BaseStorage` for your own backend
(a keyring, Redis, a database row).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import filelock


class BaseStorage(ABC):
    """Key-value store for authentication data. Values are JSON-compatible."""

    @abstractmethod
    def get(self, key: str) -> Any | None:
        """Return the value stored under ``key``, or ``None``."""

    @abstractmethod
    def set(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key``, replacing any previous value."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Forget ``key``; no error when it is absent."""


class MemoryStorage(BaseStorage):
    """Keeps tokens in process memory (the default). Lost when the process ends."""

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}

    def get(self, key: str) -> Any | None:
        return self._data.get(key)

    def set(self, key: str, value: Any) -> None:
        self._data[key] = value

    def delete(self, key: str) -> None:
        self._data.pop(key, None)

    def __repr__(self) -> str:
        return f"MemoryStorage(keys={sorted(self._data)!r})"


class FileStorage(BaseStorage):
    """Keeps tokens in a JSON file so a restarted script needs no new login.

    The file is created with mode 0600 and every write replaces it atomically
    (write to a temporary file in the same folder, then rename), so a crash
    never leaves a half-written token behind. Refresh tokens rotate on every
    refresh, so an atomic write is what keeps a restarted script logged in.

    Every read-modify-write holds an OS file lock (on ``<path>.lock``, through the
    ``filelock`` package), so processes sharing one file with different prefixes
    never lose each other's updates. A leading ``~`` is the user's home folder.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser()
        self._lock = threading.Lock()
        self._file_lock = filelock.FileLock(str(self.path) + ".lock", timeout=30)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self._file_lock:
            yield

    def _read(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(raw)
        except ValueError:  # includes UnicodeDecodeError: a damaged file counts as empty
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tokens-", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> Any | None:
        with self._lock:  # a rename is atomic: a reader never sees half a file
            return self._read().get(key)

    def set(self, key: str, value: Any) -> None:
        with self._locked():
            data = self._read()
            data[key] = value
            self._write(data)

    def delete(self, key: str) -> None:
        if not self.path.exists():
            return
        with self._locked():
            data = self._read()
            if key in data:
                del data[key]
                self._write(data)

    def __repr__(self) -> str:
        return f"FileStorage({str(self.path)!r})"
