"""What the driver and every worker share: sizes, collection names, row generators, the worker loop.

Standard library only: the peers' workers import this module from their own virtualenvs.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

# ---------------------------------------------------------------- sizes and names

N_ARTICLES = 20_000
N_AUTHORS = 100
N_TAGS = 20
N_INSERT = 10_000
N_SAVE_LOOP = 200  # per-item save() loop: measured on this many, extrapolated per item
N_UPDATE = 5_000  # rows matched by the update-by-query filter (published = true)
N_UPDATE_LOOP = 200  # peers that PATCH one item at a time: measured on this many
N_RELATED = 2_000  # rows matched by the related-read filter (views < 1000)
N_MEM = 100_000
N_MEM_SMALL = 10_000
CPU_ITEMS = 1_000
BATCH = 1_000
N_CONCURRENT = 16
CONCURRENT_SPAN = 125  # items per concurrent query
WAN_RTT = 0.050  # workload 7b: round trip added by the loopback latency proxy (seconds)

ARTICLES = "bench_articles"
AUTHORS = "bench_authors"
TAGS = "bench_tags"
JUNCTION = "bench_articles_tags"
WRITE = "bench_write"
MEM = "bench_mem"

# Workload 2: the filter and the fields (author and tags expanded through the junction).
RELATED_FILTER = {"views": {"_lt": 1000}}
RELATED_FIELDS = ["*", "author.*", "tags.bench_tags_id.*"]
# Workload 4: the filter (5,000 matches) and the field that is set.
UPDATE_FILTER = {"published": {"_eq": True}}
# The scalar fields of an article, for clients that cannot say "*" in a field list.
ARTICLE_SCALARS = [
    "id", "title", "body", "views", "score", "price", "published", "published_at", "data", "author",
]

_LOREM = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut "
    "labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco "
    "laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in "
    "voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat "
    "non proident, sunt in culpa qui officia deserunt mollit anim id est laborum. "
)


def body_text(i: int, length: int = 500) -> str:
    start = (i * 37) % len(_LOREM)
    text = (_LOREM[start:] + _LOREM * 3)[:length]
    return f"#{i} " + text[: length - len(str(i)) - 2]


def timestamp(i: int) -> str:
    # 2024-01-01T00:00:00Z plus i minutes, as Directus writes it.
    seconds = 1_704_067_200 + i * 60
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def article_row(i: int, author_ids: list[int]) -> dict[str, Any]:
    """Article number ``i`` (no tags, no id): ten fields of every common kind."""
    return {
        "title": f"Article {i:05d}: on the {('red', 'green', 'blue', 'grey')[i % 4]} things",
        "body": body_text(i),
        # views < 1000 exactly for i % 10 == 0: 2,000 of 20,000 rows.
        "views": (i % 10) * 1000 + (i // 10) % 1000,
        "score": 0,
        "price": f"{(i % 10_000) / 100:.2f}",
        # 5,000 of 20,000 rows are published: the update-by-query workload.
        "published": i % 4 == 0,
        "published_at": timestamp(i),
        "data": {"k": i, "labels": ["a", "b", str(i % 7)], "nested": {"x": i % 13, "ok": i % 2 == 0}},
        "author": author_ids[i % len(author_ids)] if author_ids else None,
    }


def tag_ids_for(i: int, tag_ids: list[int]) -> list[int]:
    a = tag_ids[i % len(tag_ids)]
    b = tag_ids[(i * 7 + 3) % len(tag_ids)]
    return [a] if a == b else [a, b]


def write_rows(n: int, author_ids: list[int], offset: int = 1_000_000) -> list[dict[str, Any]]:
    """Rows for the insert workload (same shape as the articles, no id, no tags)."""
    return [article_row(offset + i, author_ids) for i in range(n)]


def mem_row(i: int) -> dict[str, Any]:
    return {"title": f"Row {i:06d}", "n": i, "body": body_text(i, 200), "flag": i % 3 == 0}


def concurrent_ranges() -> list[tuple[int, int]]:
    """16 different id ranges (exclusive lower, inclusive upper), 125 rows each."""
    step = N_ARTICLES // N_CONCURRENT
    return [(k * step, k * step + CONCURRENT_SPAN) for k in range(N_CONCURRENT)]


# ---------------------------------------------------------------- worker protocol


class NotSupported(Exception):
    """The client cannot do this workload; the message says why (shown as "n/a (...)")."""


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def serve(handlers: dict[str, Callable[..., dict[str, Any]]]) -> None:
    """The worker loop: one JSON command per stdin line, one JSON answer per stdout line.

    Whatever the client library prints goes to stderr: the real stdout carries only answers.
    """
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        command = json.loads(line)
        op = command.pop("op")
        try:
            handler = handlers.get(op)
            if handler is None:
                raise NotSupported(f"no handler for {op!r}")
            answer = {"ok": True, **handler(**command)}
        except NotSupported as exc:
            answer = {"ok": False, "na": True, "error": str(exc)}
        except Exception as exc:  # report, keep serving
            answer = {
                "ok": False,
                "error": f"{type(exc).__name__}: {exc}"[:600],
                "trace": traceback.format_exc()[-2000:],
            }
        out.write(json.dumps(answer, default=str) + "\n")
        if op == "quit":
            break
