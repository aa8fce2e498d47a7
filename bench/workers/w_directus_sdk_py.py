"""directus-sdk-py (sync, requests), used the way its README shows. Runs in its own venv.

It has no models (dicts only), no paging helper, no update by query and no async API.
"""

from __future__ import annotations

import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import common as c
from directus_sdk_py import DirectusClient

state: dict[str, Any] = {}


def setup(url: str, token: str, author_ids: list[int], **_: Any) -> dict[str, Any]:
    state["client"] = DirectusClient(url=url, token=token)
    state["authors"] = author_ids
    return {"versions": {"directus-sdk-py": version("directus-sdk-py"),
                         "requests": version("requests"), "python": sys.version.split()[0]}}


def _cl() -> DirectusClient:
    return state["client"]


def read_default(**_: Any) -> dict[str, Any]:
    return {"items": len(_cl().get_items(c.ARTICLES))}


def read_all(variant: str) -> dict[str, Any]:
    if variant == "paged":

        def pages() -> tuple[int, int]:
            items: list[Any] = []
            requests = 0
            while True:
                query = {"query": {"limit": c.BATCH, "offset": len(items), "sort": ["id"]}}
                page = _cl().get_items(c.ARTICLES, query)
                requests += 1
                items.extend(page)
                if len(page) < c.BATCH:
                    return len(items), requests

        seconds, (count, requests) = c.timed(pages)
        return {"seconds": seconds, "items": count,
                "note": f"no paging helper: limit/offset loop by the caller, {requests} requests"}
    if variant != "dicts":
        raise c.NotSupported(variant)
    seconds, items = c.timed(lambda: _cl().get_items(c.ARTICLES, {"query": {"limit": -1}}))
    return {"seconds": seconds, "items": len(items),
            "note": "SEARCH; dicts, no models"}


def read_related(**_: Any) -> dict[str, Any]:
    query = {"query": {"filter": c.RELATED_FILTER, "fields": c.RELATED_FIELDS, "limit": -1}}
    seconds, items = c.timed(lambda: _cl().get_items(c.ARTICLES, query))
    return {"seconds": seconds, "items": len(items), "note": "dicts"}


def insert(variant: str, n: int, **_: Any) -> dict[str, Any]:
    rows = c.write_rows(n, state["authors"])
    if variant == "single_call":
        started = time.perf_counter()
        try:
            _cl().create_item(c.WRITE, rows)
        except Exception as exc:
            raise c.NotSupported(f"create_item(all {n:,}) in one call fails: {str(exc)[:160]}") from exc
        return {"seconds": time.perf_counter() - started, "items": n}
    seconds, _ = c.timed(lambda: _cl().bulk_insert(c.WRITE, rows))
    return {"seconds": seconds, "items": n,
            "note": f"bulk_insert(name, items): its default interval=100, {-(-n // 100)} POSTs"}


def update(value: int, **_: Any) -> dict[str, Any]:
    query = {"query": {"filter": c.UPDATE_FILTER, "fields": ["id"], "limit": -1}}

    def read_ids() -> list[Any]:
        return [row["id"] for row in _cl().get_items(c.ARTICLES, query)]

    read_seconds, ids = c.timed(read_ids)
    sample = ids[: c.N_UPDATE_LOOP]

    def loop() -> None:
        for pk in sample:
            _cl().update_item(c.ARTICLES, pk, {"score": value})

    loop_seconds, _ = c.timed(loop)
    total = read_seconds + loop_seconds * len(ids) / len(sample)
    return {"seconds": total, "measured_seconds": read_seconds + loop_seconds,
            "measured_items": len(sample), "items": len(sample), "extrapolated": True,
            "note": f"no update by query or many: one PATCH per item; loop measured on "
                    f"{len(sample)} items, scaled x{len(ids) / len(sample):.0f}"}


def quit(**_: Any) -> dict[str, Any]:
    return {}


if __name__ == "__main__":
    c.serve({
        "setup": setup, "read_default": read_default, "read_all": read_all,
        "read_related": read_related, "insert": insert, "update": update, "quit": quit,
    })
