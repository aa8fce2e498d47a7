"""``directus-orm``: one command, subcommands registered from :data:`SUBCOMMANDS`.

Each subcommand is a module ``directus_orm.cli.<name>`` with
``add_parser(subparsers) -> argparse.ArgumentParser`` and ``run(args) -> int``.
Exit codes: 0 success, 1 a failure or (``check``) drift, 2 a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

SUBCOMMANDS: tuple[str, ...] = ("inspect", "check", "migrate", "serve")
"""Subcommand modules, in the order ``--help`` lists them."""


def _modules() -> list[ModuleType]:
    return [importlib.import_module(f"directus_orm.cli.{name}") for name in SUBCOMMANDS]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="directus-orm",
        description="Tools for directus_orm: generate models from a Directus server, "
        "check them against it, create and migrate its schema from models.",
    )
    from directus_orm import __version__

    parser.add_argument("--version", action="version", version=f"directus-orm {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _modules():
        command = module.add_parser(sub)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "_run", None)
    if run is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
