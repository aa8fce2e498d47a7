"""Connection options shared by the subcommands, and the error report."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from directus_orm import DirectusORMError, Session

__all__ = ["CommandError", "add_connection_args", "fail", "guarded", "open_session", "split_list"]


class CommandError(Exception):
    """A usage problem the command reports in one line (exit code 1)."""


def add_connection_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "connection",
        "Also read from DIRECTUS_URL, DIRECTUS_TOKEN, DIRECTUS_EMAIL and DIRECTUS_PASSWORD.",
    )
    group.add_argument("--url", help="the Directus server, e.g. http://127.0.0.1:8055")
    group.add_argument("--token", help="a static token (instead of --email/--password)")
    group.add_argument("--email", help="log in with this email")
    group.add_argument("--password", help="and this password")


def split_list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def fail(message: str) -> int:
    print(f"directus-orm: error: {message}", file=sys.stderr)
    return 1


def open_session(args: argparse.Namespace) -> Session:
    """A logged-in ``Session`` from the flags or the environment (``CommandError`` when
    something is missing)."""
    url = args.url or os.environ.get("DIRECTUS_URL")
    token = args.token or os.environ.get("DIRECTUS_TOKEN")
    email = args.email or os.environ.get("DIRECTUS_EMAIL")
    password = args.password or os.environ.get("DIRECTUS_PASSWORD")
    if not url:
        raise CommandError("no server: pass --url or set DIRECTUS_URL")
    if not token and not (email and password):
        raise CommandError(
            "no credentials: pass --token (or DIRECTUS_TOKEN), or --email and --password "
            "(or DIRECTUS_EMAIL and DIRECTUS_PASSWORD)"
        )
    session = Session(url, static_token=token) if token else Session(url)
    if not token:
        assert email is not None and password is not None
        try:
            session.auth.login(email, password)
        except BaseException:
            session.close()
            raise
    return session


def guarded(body: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn the library's errors into a one-line message and exit code 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return body(args)
        except CommandError as exc:
            return fail(str(exc))
        except DirectusORMError as exc:
            return fail(f"{type(exc).__name__}: {exc}")

    return run
