"""What ``directus-orm serve`` and ``python -m directus_orm.localserver`` do once parsed."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from types import FrameType

from ._common import LocalServerError, log
from .install import DEFAULT_VERSION
from .server import LocalDirectus

__all__ = ["add_server_arguments", "parse_env", "run_command", "serve_forever", "server_from_args"]


def parse_env(pairs: Sequence[str]) -> dict[str, str]:
    """``["KEY=VALUE", ...]`` as a dict; LocalServerError names a malformed pair."""
    env: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise LocalServerError(f"--env expects KEY=VALUE, got {pair!r}")
        env[key] = value
    return env


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve_forever(server: LocalDirectus) -> int:
    """Start ``server``, print where it is and how to log in, run until Ctrl-C or SIGTERM."""
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        try:
            server.start()
        except LocalServerError as exc:
            print(f"could not start Directus: {exc}", file=sys.stderr)
            return 1
        print(f"Directus {server.version} ({server.database}) is running at {server.url}")
        print(f"  admin email:    {server.admin_email}")
        print(f"  admin password: {server.admin_password}")
        print(f"  data:           {server.workdir}" + ("" if server.data_dir else " (a fresh copy)"))
        print(f"  log:            {server.log_path}")
        print("Press Ctrl-C to stop.", flush=True)
        while server.running:
            time.sleep(0.5)
        print(f"Directus exited unexpectedly; last lines of the log:\n{server.log_tail(60)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("stopping Directus ...", file=sys.stderr, flush=True)
        return 0
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)


def run_command(server: LocalDirectus, command: Sequence[str], env: Mapping[str, str] | None = None) -> int:
    """Start ``server``, run ``command`` with ``DIRECTUS_URL/EMAIL/PASSWORD`` set, stop the server."""
    try:
        server.start()
    except LocalServerError as exc:
        print(f"could not start Directus: {exc}", file=sys.stderr)
        return 1
    child: subprocess.Popen[bytes] | None = None

    def forward(signum: int, frame: FrameType | None) -> None:
        if child is not None and child.poll() is None:
            child.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        child_env = dict(os.environ if env is None else env)
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
            log(f"command exited with {code}; server log: {server.log_path}")
        return code if code >= 0 else 128 - code
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()


def add_server_arguments(parser: argparse.ArgumentParser, *, data: bool = True) -> None:
    """The options that pick and configure a local server (shared by every command)."""
    parser.add_argument(
        "--version",
        dest="directus_version",
        default=None,
        metavar="X.Y.Z",
        help=f"Directus version (default: $DIRECTUS_VERSION or {DEFAULT_VERSION})",
    )
    parser.add_argument(
        "--db",
        dest="database",
        default=None,
        choices=["sqlite", "postgres"],
        help="database (default: $DIRECTUS_DB or sqlite); postgres needs directus_orm[postgres]",
    )
    parser.add_argument("--port", type=int, default=None, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Directus setting, e.g. --env ACCESS_TOKEN_TTL=1h (repeatable)",
    )
    if data:
        parser.add_argument(
            "--data",
            default=None,
            metavar="DIR",
            help="keep the database and uploads in DIR across restarts (and the port, unless --port)",
        )


def server_from_args(args: argparse.Namespace, name: str) -> LocalDirectus:
    return LocalDirectus(
        env=parse_env(args.env),
        name=name,
        port=args.port,
        version=args.directus_version,
        database=args.database,
        data_dir=getattr(args, "data", None),
    )
