"""``directus-orm``: one command, a subcommand per task.

Each subcommand is a module with ``add_parser(subparsers)`` (registers its parser) and
``run(args) -> int`` (does the work, returns the exit code); ``COMMANDS`` lists them.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

__all__ = ["COMMANDS", "main"]

#: subcommand name -> module (imported only when needed, so ``--help`` stays fast)
COMMANDS: dict[str, str] = {
    "serve": "directus_orm.cli.serve",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="directus-orm", description="directus_orm command line")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    modules = {name: importlib.import_module(path) for name, path in COMMANDS.items()}
    for module in modules.values():
        module.add_parser(subparsers)
    args = parser.parse_args(argv)
    code = modules[args.command].run(args)
    return int(code)
