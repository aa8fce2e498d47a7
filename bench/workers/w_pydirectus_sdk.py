"""pydirectus-sdk (sync, httpx), used the way its README shows. Runs in its own venv.

It has dicts only, no paging (no offset; page() is stored but never sent), no update by
query, and a client-side type check before insert/update.
"""

from __future__ import annotations

import logging
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import common as c
import httpx
from pydirectus import Directus

state: dict[str, Any] = {}


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def setup(url: str, token: str, author_ids: list[int], **_: Any) -> dict[str, Any]:
    state["dr"] = Directus(url=url, token=token)
    state["articles"] = state["dr"].collection(c.ARTICLES)
    state["authors"] = author_ids
    return {"versions": {"pydirectus-sdk": version("pydirectus-sdk"), "httpx": httpx.__version__,
                         "python": sys.version.split()[0]}}


def read_default(**_: Any) -> dict[str, Any]:
    """The README's "all items" call."""
    return {"items": len(state["articles"].get_all())}


def read_all(variant: str) -> dict[str, Any]:
    if variant == "paged":
        raise c.NotSupported("no paging: Query has no offset, and page() is stored but never sent")
    if variant != "dicts":
        raise c.NotSupported(variant)
    clt = state["articles"]
    seconds, items = c.timed(lambda: clt.query().limit(-1).fetch())
    return {"seconds": seconds, "items": len(items),
            "note": "its README's get_all() stops at 100; SEARCH; dicts"}


def read_related(**_: Any) -> dict[str, Any]:
    clt = state["articles"]

    def go() -> Any:
        # query(["*", ...]) raises inside its field check, so the fields are listed by name.
        qry = clt.query([*c.ARTICLE_SCALARS, "author.*", "tags.bench_tags_id.*"])
        qry.filter("views").lt(1000)
        return qry.limit(-1).fetch()

    seconds, items = c.timed(go)
    return {"seconds": seconds, "items": len(items),
            "note": 'fields listed by name (query(["*", ...]) raises); dicts'}


def insert(variant: str, n: int, **_: Any) -> dict[str, Any]:
    if variant != "chunks":
        raise c.NotSupported(variant)
    rows = c.write_rows(n, state["authors"])
    clt = state["dr"].collection(c.WRITE)
    capture = _Capture()
    logging.getLogger().addHandler(capture)

    def go() -> int:
        # insert(list) sends one POST with every row it is given (no chunking; all 10,000
        # exceed the 1 MB body limit), so the caller chunks. Its type check runs first.
        written = 0
        for start in range(0, len(rows), c.BATCH):
            result = clt.insert(rows[start : start + c.BATCH])
            if result is None:
                raise c.NotSupported("insert() rejects the rows before sending: " + _why(clt, rows[0]))
            written += len(result)
        return written

    try:
        seconds, written = c.timed(go)
    finally:
        logging.getLogger().removeHandler(capture)
    return {"seconds": seconds, "items": written,
            "note": f"insert(list of {c.BATCH}) x{-(-n // c.BATCH)}, chunked by the caller"}


def _why(clt: Any, row: dict[str, Any]) -> str:
    """Which fields its client-side type check refuses (checked one field at a time)."""
    refused = []
    for name, value in row.items():
        try:
            clt._validate_item({name: value})
        except ValueError:
            field = clt.fields[name]
            refused.append(f"{name} ({field.type}: wants {getattr(field.pytype, '__name__', field.pytype)}, "
                           f"got {type(value).__name__})")
    return "its type check refuses " + ", ".join(refused) if refused else "insert() returned None"


def update(value: int, **_: Any) -> dict[str, Any]:
    clt = state["articles"]

    def read_ids() -> list[Any]:
        qry = clt.query(["id"])
        qry.filter("published").eq(True)
        return [row["id"] for row in qry.limit(-1).fetch()]

    read_seconds, ids = c.timed(read_ids)
    sample = ids[: c.N_UPDATE_LOOP]
    loop_seconds, result = c.timed(lambda: clt.update(sample, [{"score": value}] * len(sample)))
    if result is None:
        raise c.NotSupported("update() rejected the data")
    total = read_seconds + loop_seconds * len(ids) / len(sample)
    return {"seconds": total, "measured_seconds": read_seconds + loop_seconds,
            "measured_items": len(sample), "items": len(sample), "extrapolated": True,
            "note": f"no update by query: update(ids, items) sends one PATCH per item; loop "
                    f"measured on {len(sample)} items, scaled x{len(ids) / len(sample):.0f}"}


def quit(**_: Any) -> dict[str, Any]:
    return {}


if __name__ == "__main__":
    c.serve({
        "setup": setup, "read_default": read_default, "read_all": read_all,
        "read_related": read_related, "insert": insert, "update": update, "quit": quit,
    })
