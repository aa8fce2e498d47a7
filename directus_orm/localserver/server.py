"""``LocalDirectus``: a real Directus on a loopback port, on SQLite or PostgreSQL.

Every (version, database) pair has one template made once by ``directus bootstrap`` (schema and
admin user) and cached; a server starts from a copy of it, so a start takes seconds. A server's
folder (database, uploads, logs) is a fresh one under ``<cache>/runs/`` unless ``data_dir`` names
a folder to keep: then the database, uploads, secret and port survive restarts.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from ._common import LocalServerError, cache_dir, file_lock, log, run_logged, tail
from .install import check_version, default_version, directus_cli, ensure_directus
from .node import node_bin, node_env
from .postgres import DATABASE, PG_USER, PostgresCluster

__all__ = [
    "ADMIN_EMAIL",
    "ADMIN_PASSWORD",
    "DATABASES",
    "LocalDirectus",
    "default_database",
    "ping",
    "template",
]

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "dev-Directus-orm-4fJ9q2"
#: The databases a local server can run on.
DATABASES = ("sqlite", "postgres")
_KEEP_RUNS = 20
_DATA_META = "directus-orm-server.json"


def default_database() -> str:
    """``$DIRECTUS_DB`` when set (``sqlite`` or ``postgres``), else ``sqlite``."""
    return check_database(os.environ.get("DIRECTUS_DB") or "sqlite")


def check_database(database: str) -> str:
    aliases = {"sqlite3": "sqlite", "pg": "postgres", "postgresql": "postgres"}
    database = aliases.get(database.lower(), database.lower())
    if database not in DATABASES:
        raise LocalServerError(f"the database is one of {', '.join(DATABASES)}, got {database!r}")
    return database


# -- templates --------------------------------------------------------------------------------
def _template_dir(version: str, database: str) -> Path:
    return cache_dir() / "templates" / f"{version}-{database}"


def _template_meta(version: str, database: str) -> dict[str, str]:
    return {
        "directus": version,
        "database": database,
        "admin_email": ADMIN_EMAIL,
        "admin_password_sha256": hashlib.sha256(ADMIN_PASSWORD.encode()).hexdigest(),
    }


def _template_ok(folder: Path, version: str, database: str) -> bool:
    try:
        return bool(json.loads((folder / "template.json").read_text()) == _template_meta(version, database))
    except (OSError, ValueError):
        return False


def _database_env(workdir: Path, database: str, cluster: PostgresCluster | None) -> dict[str, str]:
    if database == "sqlite":
        return {"DB_CLIENT": "sqlite3", "DB_FILENAME": str(workdir / "data.db")}
    assert cluster is not None
    return {
        "DB_CLIENT": "pg",
        "DB_HOST": str(cluster.socket_dir),
        "DB_PORT": "5432",
        "DB_DATABASE": DATABASE,
        "DB_USER": PG_USER,
        "DB_PASSWORD": "",
    }


def _server_env(workdir: Path, extra: Mapping[str, str]) -> dict[str, str]:
    env = node_env()
    env.update(
        {
            "SECRET": secrets.token_hex(48),
            "TELEMETRY": "false",
            "STORAGE_LOCAL_ROOT": str(workdir / "uploads"),
            "EXTENSIONS_PATH": str(workdir / "extensions"),
            "LOG_LEVEL": "info",
            # Node 22's on-disk compile cache: Directus loads ~0.5 s faster on later starts.
            "NODE_COMPILE_CACHE": str(cache_dir() / "node-compile-cache"),
            # Directus answers 503 "under pressure" when its event loop lags (> 500 ms), which
            # happens on a busy 2-core machine: tests would flake. Callers can turn it back on.
            "PRESSURE_LIMITER_ENABLED": "false",
            # Realtime subscriptions (/websocket). Clients that send no Origin header (Python,
            # servers) are accepted; a browser page on another origin also needs CORS_ENABLED=true
            # and its origin in CORS_ORIGIN (Directus 12.1+ checks it on the upgrade).
            "WEBSOCKETS_ENABLED": "true",
        }
    )
    env.update(extra)
    return env


def _prepare_workdir(workdir: Path) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "uploads").mkdir(exist_ok=True)
    (workdir / "extensions").mkdir(exist_ok=True)
    # Directus looks for "package extensions" in the package.json of its working folder and
    # warns with a long stack trace when there is none.
    package = workdir / "package.json"
    if not package.exists():
        package.write_text('{"name":"directus-run","private":true}\n')


def template(version: str | None = None, database: str | None = None) -> Path:
    """The cached template folder of a (version, database) pair, made once.

    It holds ``data.db`` (SQLite) or ``pgdata/`` (a stopped PostgreSQL cluster with the
    ``directus`` database): Directus' schema and the admin user, as ``directus bootstrap`` made them.
    """
    version = check_version(version or default_version())
    database = check_database(database or default_database())
    folder = _template_dir(version, database)
    if _template_ok(folder, version, database):
        return folder
    ensure_directus(version)
    with file_lock(cache_dir() / "template.lock"):
        if _template_ok(folder, version, database):
            return folder
        started = time.monotonic()
        log(f"bootstrapping the Directus {version} template database on {database} ...")
        folder.parent.mkdir(parents=True, exist_ok=True)
        build = Path(tempfile.mkdtemp(prefix="build-", dir=folder.parent))
        cluster: PostgresCluster | None = None
        try:
            _prepare_workdir(build)
            if database == "postgres":
                cluster = PostgresCluster(build / "pgdata", log_path=build / "postgres.log", durable=True)
                cluster.initdb()
                cluster.start()
                cluster.create_database()
            env = _server_env(build, {"ADMIN_EMAIL": ADMIN_EMAIL, "ADMIN_PASSWORD": ADMIN_PASSWORD})
            env.update(_database_env(build, database, cluster))
            run_logged(
                [str(node_bin()), str(directus_cli(version)), "bootstrap"],
                cwd=build,
                env=env,
                log_path=build / "bootstrap.log",
                timeout=300,
                what=f"directus {version} bootstrap on {database}",
            )
            query = f"SELECT status FROM directus_users WHERE email = '{ADMIN_EMAIL}'"
            if cluster is not None:
                status = cluster.psql(query).strip()
                cluster.stop()
            else:
                with contextlib.closing(sqlite3.connect(build / "data.db")) as conn:
                    rows = conn.execute(query).fetchall()
                status = rows[0][0] if len(rows) == 1 else repr(rows)
                leftovers = [p.name for p in build.glob("data.db-*")]
                if leftovers:
                    raise LocalServerError(f"bootstrap left SQLite side files behind: {leftovers}")
            if status != "active":
                raise LocalServerError(f"bootstrap made no active admin user {ADMIN_EMAIL}: {status}")
            (build / "template.json").write_text(json.dumps(_template_meta(version, database)))
            build.chmod(0o755)
            shutil.rmtree(folder, ignore_errors=True)
            build.rename(folder)
        finally:
            if cluster is not None:
                cluster.stop()
            shutil.rmtree(build, ignore_errors=True)
        log(f"template {folder.name} ready in {time.monotonic() - started:.1f}s")
    return folder


# -- helpers ----------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As Node binds: connections of the previous run in TIME_WAIT do not block the port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def ping(url: str, timeout: float = 2.0) -> bool:
    """True when ``GET <url>/server/ping`` answers ``pong``."""
    try:
        with _NO_PROXY_OPENER.open(f"{url}/server/ping", timeout=timeout) as response:
            return bool(response.read().decode(errors="replace").strip() == "pong")
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _prune_runs(runs_dir: Path) -> None:
    """Delete old run folders, keeping the newest ones and any whose server still runs."""
    if not runs_dir.is_dir():
        return
    runs = sorted(
        (p for p in runs_dir.iterdir() if p.is_dir()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for run in runs[_KEEP_RUNS:]:
        try:
            pid = int((run / "server.pid").read_text())
        except (OSError, ValueError):
            pid = 0
        if pid and _pid_alive(pid):
            continue
        shutil.rmtree(run, ignore_errors=True)


def _die_with_parent() -> None:  # runs in the child between fork and exec
    """Ask Linux to SIGKILL the server when the Python process that started it dies."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


class LocalDirectus:
    """A Directus server on a loopback port, on a copy of the cached template database.

    - ``version``: the Directus version (default ``$DIRECTUS_VERSION`` or 12.4.0), installed on
      first use; ``database``: ``"sqlite"`` or ``"postgres"`` (default ``$DIRECTUS_DB`` or SQLite).
    - ``env`` adds or overrides server environment variables (``ACCESS_TOKEN_TTL=3s``, ...).
    - ``port``: a fixed port (default: a free one).
    - ``data_dir``: a folder to keep the database, uploads and secret in across restarts (and the
      port, unless another is given). Without it the server runs in a fresh folder under
      ``<cache>/runs/`` which stays after ``stop()`` for its logs (the newest few are kept).
    """

    def __init__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        name: str = "main",
        port: int | None = None,
        version: str | None = None,
        database: str | None = None,
        data_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "server"
        self.extra_env: dict[str, str] = dict(env or {})
        self.requested_port = port
        self.version = check_version(version or default_version())
        self.database = check_database(database or default_database())
        self.data_dir = Path(data_dir).expanduser().absolute() if data_dir is not None else None
        self.admin_email = ADMIN_EMAIL
        self.admin_password = ADMIN_PASSWORD
        self.workdir: Path | None = None
        self.postgres: PostgresCluster | None = None
        self._port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None
        self._secret = ""
        self.start_seconds: float | None = None

    # -- attributes that only make sense once started ------------------------------------------
    @property
    def port(self) -> int:
        if not self._port:
            raise LocalServerError("LocalDirectus has not been started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self._pid is None:
            raise LocalServerError("LocalDirectus has not been started")
        return self._pid

    @property
    def log_path(self) -> Path:
        if self.workdir is None:
            raise LocalServerError("LocalDirectus has not been started")
        return self.workdir / "directus.log"

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite database file of a started SQLite server (None on PostgreSQL)."""
        if self.workdir is None or self.database != "sqlite":
            return None
        return self.workdir / "data.db"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 200) -> str:
        if self.workdir is None:
            return "(server not started)"
        return tail(self.log_path, lines)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, timeout: float = 120.0, *, seed: Path | None = None) -> LocalDirectus:
        """Install what is missing, start the server and wait until ``/server/ping`` answers.

        ``seed`` starts a fresh server from that database (a SQLite file or a stopped PostgreSQL
        data folder) instead of the template. Raises LocalServerError (with the end of the
        server log) if it dies or the deadline passes; installing is not part of the timeout.
        """
        if self._proc is not None:
            raise LocalServerError("LocalDirectus is already started")
        template_dir = template(self.version, self.database)
        deadline = time.monotonic() + timeout
        saved = self._prepare(template_dir, seed)
        try:
            if self.database == "postgres":
                assert self.workdir is not None
                self.postgres = PostgresCluster(
                    self.workdir / "pgdata",
                    log_path=self.workdir / "postgres.log",
                    durable=self.data_dir is not None,
                )
                self.postgres.start()
            self._boot(deadline, saved)
        except BaseException:
            self.stop()
            raise
        log(
            f"Directus {self.version} on {self.database} '{self.name}' ready at {self.url} "
            f"(pid {self.pid}, {self.start_seconds:.1f}s, log {self.log_path})"
        )
        return self

    def _prepare(self, template_dir: Path, seed: Path | None) -> dict[str, object]:
        """Make the server's folder; return what a kept folder remembers (port, secret)."""
        if self.data_dir is None:
            runs = cache_dir() / "runs"
            runs.mkdir(parents=True, exist_ok=True)
            _prune_runs(runs)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            self.workdir = Path(tempfile.mkdtemp(prefix=f"{self.name}-{stamp}-", dir=runs))
            saved: dict[str, object] = {}
        else:
            self.workdir = self.data_dir
            self.workdir.mkdir(parents=True, exist_ok=True)
            saved = self._read_meta()
        workdir = self.workdir
        _prepare_workdir(workdir)
        source = seed or template_dir / ("data.db" if self.database == "sqlite" else "pgdata")
        if self.database == "sqlite":
            if not (workdir / "data.db").exists():
                shutil.copyfile(source, workdir / "data.db")
        elif not (workdir / "pgdata" / "PG_VERSION").exists():
            PostgresCluster(workdir / "pgdata", log_path=workdir / "postgres.log").copy_from(source)
        self._secret = str(saved.get("secret") or secrets.token_hex(48))
        return saved

    def _read_meta(self) -> dict[str, object]:
        assert self.data_dir is not None
        path = self.data_dir / _DATA_META
        if not path.exists():
            if any(p.name not in {"uploads", "extensions", "package.json"} for p in self.data_dir.iterdir()):
                raise LocalServerError(
                    f"{self.data_dir} is not empty and was not made by a local Directus; "
                    f"pick an empty or new folder"
                )
            return {}
        try:
            meta = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise LocalServerError(f"cannot read {path}: {exc}") from None
        if not isinstance(meta, dict):
            raise LocalServerError(f"{path} is not a JSON object")
        if meta.get("directus") != self.version or meta.get("database") != self.database:
            raise LocalServerError(
                f"{self.data_dir} holds a Directus {meta.get('directus')} database on "
                f"{meta.get('database')}, not {self.version} on {self.database}; start it with "
                f"that version and database, or use another folder"
            )
        return meta

    def _write_meta(self) -> None:
        assert self.data_dir is not None
        path = self.data_dir / _DATA_META
        meta = {
            "directus": self.version,
            "database": self.database,
            "port": self._port,
            "secret": self._secret,
        }
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the secret
        with os.fdopen(fd, "w") as handle:
            json.dump(meta, handle)
        tmp.replace(path)

    def _boot(self, deadline: float, saved: Mapping[str, object]) -> None:
        remembered = saved.get("port")
        fixed = self.requested_port
        if fixed is None and isinstance(remembered, int):
            if _port_free(remembered):
                fixed = remembered  # a kept folder comes back on its port when it can
            else:
                log(f"port {remembered} of {self.data_dir} is taken now; using another one")
        attempts = 1 if fixed else 3
        for attempt in range(1, attempts + 1):
            self._port = fixed or _free_port()
            started = time.monotonic()
            self._spawn()
            try:
                self._wait_ready(deadline)
            except LocalServerError:
                in_use = "EADDRINUSE" in self.log_tail(100)
                self._terminate()
                if in_use and attempt < attempts:
                    log(f"port {self._port} was taken, retrying with another one")
                    continue
                raise
            self.start_seconds = time.monotonic() - started
            break
        if self.data_dir is not None:
            self._write_meta()

    def _spawn(self) -> None:
        assert self.workdir is not None
        port = self._port
        env = _server_env(
            self.workdir,
            {"PORT": str(port), "HOST": "127.0.0.1", "PUBLIC_URL": f"http://127.0.0.1:{port}",
             "SECRET": self._secret},
        )
        env.update(_database_env(self.workdir, self.database, self.postgres))
        env.update(self.extra_env)
        with open(self.log_path, "ab") as out:
            out.write(f"--- directus {self.version} start on port {port} at {time.ctime()}\n".encode())
            out.flush()
            on_main_thread = threading.current_thread() is threading.main_thread()
            self._proc = subprocess.Popen(
                [str(node_bin()), str(directus_cli(self.version)), "start"],
                cwd=self.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                # PDEATHSIG fires when the *thread* that forked exits, so only from the main one.
                preexec_fn=_die_with_parent if sys.platform == "linux" and on_main_thread else None,
            )
        self._pid = self._proc.pid
        (self.workdir / "server.pid").write_text(str(self._proc.pid))
        atexit.register(self.stop)

    def _wait_ready(self, deadline: float) -> None:
        assert self._proc is not None
        while True:
            code = self._proc.poll()
            if code is not None:
                raise LocalServerError(
                    f"Directus exited with code {code} before answering /server/ping.\n"
                    f"--- last 100 lines of {self.log_path}:\n{self.log_tail(100)}"
                )
            if ping(self.url, timeout=2.0):
                return
            if time.monotonic() > deadline:
                raise LocalServerError(
                    f"Directus did not answer {self.url}/server/ping in time.\n"
                    f"--- last 100 lines of {self.log_path}:\n{self.log_tail(100)}"
                )
            time.sleep(0.2)

    def _terminate(self) -> None:
        proc = self._proc
        if proc is None:
            return
        self._proc = None
        if proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
                with contextlib.suppress(ProcessLookupError):
                    # The server leads its own process group (start_new_session), and is not
                    # reaped yet, so this group id cannot belong to anyone else.
                    os.killpg(proc.pid, sig)
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        else:
            proc.wait()
        if self.workdir is not None:
            (self.workdir / "server.pid").unlink(missing_ok=True)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and its PostgreSQL. Safe to call more than once."""
        self._terminate()
        if self.postgres is not None:
            self.postgres.stop()
        atexit.unregister(self.stop)

    def __enter__(self) -> LocalDirectus:
        if self._proc is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._port else "not started"
        return f"LocalDirectus(name={self.name!r}, {self.version}, {self.database}, {where})"
