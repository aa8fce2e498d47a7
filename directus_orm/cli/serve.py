"""``directus-orm serve``: a local Directus for development, until Ctrl-C.

    directus-orm serve                          # a fresh server on a free port
    directus-orm serve --data .directus --port 8055   # keeps the database and uploads
    directus-orm serve --version 11.17.4 --db postgres --env ACCESS_TOKEN_TTL=1h

Node.js 22 and Directus are installed on first use into the user's cache folder
(``$DIRECTUS_ORM_CACHE``, else ``~/.cache/directus-orm``) and reused; ``--db postgres`` needs
``pip install 'directus_orm[postgres]'``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from directus_orm.localserver import LocalServerError
from directus_orm.localserver.commands import add_server_arguments, serve_forever, server_from_args

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="run a local Directus (installed on first use) until Ctrl-C",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_server_arguments(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        server = server_from_args(args, "serve")
    except LocalServerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return serve_forever(server)
