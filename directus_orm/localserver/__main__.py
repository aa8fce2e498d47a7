"""``python -m directus_orm.localserver``: install, serve, or run a command against a local Directus.

    python -m directus_orm.localserver install [--version X.Y.Z] [--db sqlite|postgres]
    python -m directus_orm.localserver serve [--port N] [--env KEY=VALUE ...] [--data DIR]
    python -m directus_orm.localserver run [--env KEY=VALUE ...] -- <command...>
    python -m directus_orm.localserver node-bin          # Node 22's bin folder (installed if needed)
    python -m directus_orm.localserver npm -- <args...>  # npm on Node 22 with the machine's settings
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Sequence

from ._common import LocalServerError
from .commands import add_server_arguments, run_command, serve_forever, server_from_args
from .install import check_version, default_version, ensure_directus
from .node import ensure_node, node_bin, npm, npm_env
from .server import check_database, default_database, template


def _cmd_install(version: str | None, database: str | None) -> int:
    started = time.monotonic()
    version = check_version(version or default_version())
    database = check_database(database or default_database())
    package = ensure_directus(version)
    folder = template(version, database)
    print(f"node:     {node_bin()}")
    print(f"directus: {package} ({version})")
    print(f"template: {folder} ({database})")
    print(f"checked in {time.monotonic() - started:.2f}s", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m directus_orm.localserver", description=__doc__)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    sub = parser.add_subparsers(dest="command", required=True)
    install = sub.add_parser("install", help="install Node 22 + Directus and build the template database")
    install.add_argument("--version", dest="directus_version", default=None)
    install.add_argument("--db", dest="database", default=None, choices=["sqlite", "postgres"])
    sub.add_parser("node-bin", help="install Node 22 if needed and print its bin folder")
    npm_parser = sub.add_parser("npm", help="run npm with Node 22 and the machine's npm settings")
    npm_parser.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- npm arguments ...")
    serve = sub.add_parser("serve", help="run a server until Ctrl-C / SIGTERM")
    add_server_arguments(serve)
    run = sub.add_parser("run", help="start a server, run a command against it, stop the server")
    add_server_arguments(run)
    run.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- command ...")
    args = parser.parse_args(argv)

    try:
        if args.command == "install":
            return _cmd_install(args.directus_version, args.database)
        if args.command == "node-bin":
            print(ensure_node().parent)
            return 0
        if args.command == "npm":
            ensure_node()
            npm_args = [a for i, a in enumerate(args.argv) if i or a != "--"]
            return subprocess.run([npm(), *npm_args], env=npm_env(), check=False).returncode
        if args.command == "serve":
            return serve_forever(server_from_args(args, "serve"))
        command: list[str] = list(args.argv)
        if command and command[0] == "--":
            command = command[1:]
        if not command:
            parser.error("run needs a command after --")
        return run_command(server_from_args(args, "run"), command)
    except LocalServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
