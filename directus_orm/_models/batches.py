"""Bulk writes in batches: splitting by count and body size, progress, and the report of a failure."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .._core.exceptions import BatchError, BatchLimitExceeded, QueryError, outcome_unknown
from .._core.flow import Flow
from .._core.request import Call

if TYPE_CHECKING:
    from .._transport.session import BaseSession


#: Largest JSON body sent in one request (Directus refuses over 1 MB by default).
MAX_BODY_BYTES = 900_000


DEFAULT_BATCH_SIZE = 1000


Progress = Callable[[int, int], None]


class ProgressBar:
    """A dependency-free progress bar on stderr: ``bulk_create(objs, progress=True)``."""

    def __init__(self, label: str = "", width: int = 30, stream: Any = None) -> None:
        self.label = label
        self.width = width
        self.stream = stream if stream is not None else sys.stderr

    def __call__(self, done: int, total: int) -> None:
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{self.label}[{bar}] {done}/{total}{end}")
        self.stream.flush()


# ------------------------------------------------------------ batches


def plan_batches(bodies: Sequence[bytes], batch_size: int) -> list[range]:
    """Split items into ranges of at most ``batch_size`` items and ~900 KB."""
    if batch_size < 1:
        raise QueryError("batch_size must be at least 1")
    out: list[range] = []
    start = 0
    size = 2
    for i, body in enumerate(bodies):
        count = i - start
        if count and (count >= batch_size or size + len(body) + 1 > MAX_BODY_BYTES):
            out.append(range(start, i))
            start, size = i, 2
        size += len(body) + 1
    if start < len(bodies):
        out.append(range(start, len(bodies)))
    return out


_LIMIT_RE = re.compile(r"limit of (\d+)")


def run_batches(
    session: BaseSession,
    ranges: list[range],
    send: Callable[[range], Call],
    *,
    what: str,
    on_progress: Progress | None,
    total: int,
    on_done: Callable[[range, Any], None] | None = None,
) -> Flow[list[tuple[range, Any]]]:
    """Send one call per range; split on the server's batch limit; report failures.

    ``on_done(range, response)`` runs after each accepted batch, before the next
    is sent, so the caller's objects reflect every write even if a later one fails.
    A batch whose reply never arrived after its request may have reached the
    server is reported as ``unknown``, never as ``pending`` (see
    :func:`~directus_orm._core.exceptions.outcome_unknown`).
    """
    done: list[tuple[range, Any]] = []
    pending = list(ranges)
    written = 0
    while pending:
        part = pending[0]
        try:
            response = yield from session.response_flow(send(part))
        except BatchLimitExceeded as error:
            match = _LIMIT_RE.search(error.message)
            limit = int(match.group(1)) if match else max(1, len(part) // 2)
            if len(part) <= limit or limit < 1:
                raise _batch_error(what, done, pending, error) from error
            pending[0:1] = [
                range(s, min(s + limit, part.stop)) for s in range(part.start, part.stop, limit)
            ]
            continue
        except Exception as error:
            raise _batch_error(what, done, pending, error) from error
        done.append((part, response))
        pending.pop(0)
        if on_done is not None:
            on_done(part, response)
        written += len(part)
        if on_progress is not None:
            on_progress(written, total)
    return done


def _batch_error(
    what: str, done: list[tuple[range, Any]], pending: list[range], error: Exception
) -> BatchError:
    ranges = [r for r, _ in done]
    written = sum(len(r) for r in ranges)
    first = pending[0]
    unknown: list[range] = []
    if outcome_unknown(error):
        unknown, pending = [first], pending[1:]
        state = (
            f"its reply was lost, so it may or may not be written; "
            f"{len(pending)} later batch(es) not written"
        )
    else:
        state = f"{len(pending)} batch(es) not written, this one first"
    return BatchError(
        f"{what} failed at items {first.start}..{first.stop - 1} after {written} were written "
        f"({state}): {error}",
        done=ranges,
        unknown=unknown,
        pending=pending,
        results=[response for _, response in done],
    )
