"""``directus-orm check``: list where the models and the server's schema disagree."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from directus_orm.schema import check as check_schema

from ._connect import add_connection_args, guarded, open_session, split_list

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check",
        help="report drift between models and the server (exit 1 on drift)",
        description="Compare the Model classes of a module with the server's schema and print "
        "one line per difference; exit 1 if there is any (for CI).",
    )
    parser.add_argument("models", help="a dotted module (app.models) or a .py file")
    parser.add_argument("--ignore", metavar="A,B",
                        help="server collections that need no model")
    parser.add_argument("--only-modelled", action="store_true",
                        help="do not report server collections without a model")
    add_connection_args(parser)
    return parser


@guarded
def run(args: argparse.Namespace) -> int:
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    with open_session(args) as session:
        drift = check_schema(session, args.models, ignore=split_list(args.ignore),
                             only_modelled=args.only_modelled)
    for item in drift:
        print(item)
    if drift:
        print(f"{len(drift)} difference(s) between the models and the server", file=sys.stderr)
        return 1
    print("No drift: the models match the server's schema.")
    return 0
