"""``directus-orm migrate``: create the collections, fields and relations the models need."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from directus_orm.schema import migrate as migrate_schema

from ._connect import add_connection_args, guarded, open_session, split_list

__all__ = ["add_parser", "run"]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "migrate",
        help="create the missing collections, fields and relations from models",
        description="Plan and apply the schema changes that make the server match the models: "
        "collections, fields, many-to-one, one-to-many, many-to-many (with its junction), "
        "many-to-any and singletons. Nothing is dropped without --allow-delete.",
    )
    parser.add_argument("models", help="a dotted module (app.models) or a .py file")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument("--allow-delete", action="store_true",
                        help="also drop the fields of modelled collections that the models "
                        "lack, and change column types")
    parser.add_argument("--drop", metavar="A,B",
                        help="with --allow-delete: also drop these collections (no model may "
                        "declare them)")
    add_connection_args(parser)
    return parser


@guarded
def run(args: argparse.Namespace) -> int:
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    with open_session(args) as session:
        plan = migrate_schema(session, args.models, dry_run=args.dry_run,
                              allow_delete=args.allow_delete, drop=split_list(args.drop))
    print(plan)
    if plan and args.dry_run:
        print(f"{len(plan)} step(s) planned; run without --dry-run to apply", file=sys.stderr)
    elif plan:
        print(f"{len(plan)} step(s) applied", file=sys.stderr)
    return 0
