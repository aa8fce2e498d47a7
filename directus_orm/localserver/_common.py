"""Shared helpers of the local server harness: the cache folder, locks, logs (stdlib only)."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import subprocess
import sys
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from directus_orm import DirectusORMError

__all__ = [
    "LocalServerError",
    "cache_dir",
    "file_lock",
    "log",
    "package_version",
    "run_logged",
    "tail",
]


class LocalServerError(DirectusORMError, RuntimeError):
    """Installing or starting a local Directus (or its PostgreSQL) failed; the message says why."""


def cache_dir() -> Path:
    """Where Node.js, Directus, template databases and server runs are kept.

    ``$DIRECTUS_ORM_CACHE`` when set (the project's own ``.cache`` folder in a checkout), else
    ``$XDG_CACHE_HOME/directus-orm``, else ``~/.cache/directus-orm``. Read on every call, so a
    change of the variable applies to servers started afterwards.
    """
    explicit = os.environ.get("DIRECTUS_ORM_CACHE")
    if explicit:
        return Path(explicit).expanduser().absolute()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return (base / "directus-orm").absolute()


def log(message: str) -> None:
    print(f"[directus-orm localserver] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``fcntl`` lock on ``path`` (waits if another process holds it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"waiting for {path.name}: another process is installing...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def package_version(package_dir: Path) -> str | None:
    """The ``version`` of an npm package folder, or None when it is missing or unreadable."""
    try:
        data = json.loads((package_dir / "package.json").read_text())
    except (OSError, ValueError):
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, str) else None


def tail(path: Path, lines: int) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "".join(deque(handle, maxlen=lines))
    except OSError:
        return f"(no log at {path})"


def run_logged(
    cmd: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log_path: Path,
    timeout: float,
    what: str,
) -> None:
    """Run ``cmd`` with its output in ``log_path``; raise LocalServerError with the log's tail."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as out:
        out.write(f"\n$ {' '.join(cmd)}  (cwd={cwd})\n".encode())
        out.flush()
        try:
            result = subprocess.run(
                list(cmd),
                cwd=cwd,
                env=dict(env),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise LocalServerError(
                f"{what} timed out after {timeout:.0f}s; log {log_path}:\n{tail(log_path, 60)}"
            ) from None
    if result.returncode != 0:
        raise LocalServerError(
            f"{what} failed (exit {result.returncode}); log {log_path}:\n{tail(log_path, 60)}"
        )
