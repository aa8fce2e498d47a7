"""``directus-orm inspect``: write Model classes from a live server's schema."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from directus_orm.schema import inspect as inspect_schema

from ._connect import add_connection_args, fail, guarded, open_session, split_list

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "inspect",
        help="write Model classes from the server's schema",
        description="Read the server's collections, fields and relations and write one Python "
        "module of Model classes (deterministic; passes mypy --strict and ruff format).",
    )
    parser.add_argument("--collections", metavar="A,B", help="only these collections")
    parser.add_argument("--exclude", metavar="X,Y", help="leave these collections out")
    parser.add_argument("--system", action="store_true",
                        help="also the fields added to system collections, as subclasses of "
                        "the system models (class AppUser(DirectusUser))")
    parser.add_argument("--literal-choices", action="store_true",
                        help="type dropdown fields as a Literal of their choices")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    add_connection_args(parser)
    return parser


@guarded
def run(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        only = split_list(args.collections) or None
        source = inspect_schema(
            session, only, exclude=split_list(args.exclude), system=args.system,
            literal_choices=args.literal_choices,
        )
    if args.output:
        try:
            Path(args.output).write_text(source, encoding="utf-8")
        except OSError as exc:
            return fail(f"cannot write {args.output}: {exc}")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(source)
    return 0
