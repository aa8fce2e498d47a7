"""py-directus (async, pydantic), used the way its README shows. Runs in its own venv."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import datetime
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import common as c
import httpx
from py_directus import Directus, F
from py_directus.directus_response import DirectusResponse
from py_directus.models import DirectusModel
from pydantic import ConfigDict


class PdAuthor(DirectusModel):
    id: int | None = None
    name: str | None = None
    email: str | None = None

    model_config = ConfigDict(collection=c.AUTHORS)


class PdArticle(DirectusModel):
    id: int | None = None
    title: str | None = None
    body: str | None = None
    views: int | None = None
    score: int | None = None
    price: Decimal | None = None
    published: bool | None = None
    published_at: datetime | None = None
    data: dict | None = None
    author: PdAuthor | int | None = None
    tags: list[Any] | None = None

    model_config = ConfigDict(collection=c.ARTICLES)


state: dict[str, Any] = {}


def run(coro: Any) -> Any:
    return state["loop"].run_until_complete(coro)


def setup(url: str, token: str, author_ids: list[int], wan_url: str = "", **_: Any) -> dict[str, Any]:
    state["loop"] = asyncio.new_event_loop()
    state["authors"] = author_ids

    async def make(base: str) -> Directus:
        # Its README's `connection=` parameter: the default httpx.AsyncClient() times out after
        # 5 s, which the 5,000-row update exceeds.
        return await Directus(base, token=token, connection=httpx.AsyncClient(timeout=300))

    state["d"] = run(make(url))
    if wan_url:
        state["d-wan"] = run(make(wan_url))
    return {"versions": {"py-directus": version("py-directus"), "pydantic": version("pydantic"),
                         "httpx": httpx.__version__, "python": sys.version.split()[0]}}


def _d() -> Directus:
    return state["d"]


def read_default(**_: Any) -> dict[str, Any]:
    """The README's plain read() of a collection: how many items come back."""
    response = run(_d().collection(c.ARTICLES).read())
    return {"items": len(response.items or [])}


def read_all(variant: str) -> dict[str, Any]:
    if variant == "paged":

        async def pages() -> tuple[int, int]:
            items: list[Any] = []
            requests = 0
            while True:
                response = await (_d().collection(PdArticle).sort("id", asc=True)
                                  .limit(c.BATCH).offset(len(items)).read())
                page = response.items or []
                requests += 1
                items.extend(page)
                if len(page) < c.BATCH:
                    return len(items), requests

        seconds, (count, requests) = c.timed(lambda: run(pages()))
        return {"seconds": seconds, "items": count,
                "note": f"no paging helper: limit/offset loop by the caller, {requests} requests"}
    if variant != "models":
        raise c.NotSupported(variant)

    async def go() -> list[Any]:
        response = await _d().collection(PdArticle).limit(-1).read()
        return response.items

    seconds, items = c.timed(lambda: run(go()))
    assert isinstance(items[0], PdArticle)
    return {"seconds": seconds, "items": len(items),
            "note": "SEARCH; typed (its DirectusModel)"}


def read_related(**_: Any) -> dict[str, Any]:
    async def go() -> list[Any]:
        response = await (
            _d().collection(PdArticle).filter(views__lt=1000).fields(*c.RELATED_FIELDS).limit(-1).read()
        )
        return response.items

    seconds, items = c.timed(lambda: run(go()))
    ok = isinstance(items[0].author, PdAuthor)
    return {"seconds": seconds, "items": len(items),
            "note": "typed; author is its model" + ("" if ok else " (CHECK FAILED)")}


def insert(variant: str, n: int, **_: Any) -> dict[str, Any]:
    rows = c.write_rows(n, state["authors"])
    if variant == "single_call":
        # The README's create(list): one request with all the rows.
        started = time.perf_counter()
        try:
            run(_d().collection(c.WRITE).create(rows))
        except Exception as exc:
            raise c.NotSupported(f"create(all {n:,}) in one call fails: {str(exc)[:160]}") from exc
        return {"seconds": time.perf_counter() - started, "items": n}

    async def go() -> int:
        written = 0
        for start in range(0, len(rows), c.BATCH):
            response = await _d().collection(c.WRITE).create(rows[start : start + c.BATCH])
            written += len(response.items or [])
        return written

    seconds, written = c.timed(lambda: run(go()))
    return {"seconds": seconds, "items": written,
            "note": f"create(list of {c.BATCH}) x{-(-n // c.BATCH)}: chunked by the caller "
                    "(no bulk helper; one call with every row exceeds the 1 MB body limit)"}


def update(value: int, **_: Any) -> dict[str, Any]:
    async def go() -> int:
        found = await _d().collection(c.ARTICLES).filter(published=True).fields("id").limit(-1).read()
        ids = [row["id"] for row in found.items]
        await _d().collection(c.ARTICLES).update(ids, {"score": value})
        return len(ids)

    seconds, count = c.timed(lambda: run(go()))
    return {"seconds": seconds, "items": count,
            "note": "no update by query: read the ids, then update(ids, data) (PATCH keys + data); "
                    "needs connection=httpx.AsyncClient(timeout=...): the default 5 s times out"}


def concurrent(variant: str, wan: bool = False) -> dict[str, Any]:
    if variant != "async":
        raise c.NotSupported(variant)
    ranges = c.concurrent_ranges()
    d = state["d-wan" if wan else "d"]

    async def go() -> int:
        responses = await asyncio.gather(*(
            d.collection(PdArticle).filter(F(id__gt=lo) & F(id__lte=hi)).limit(-1).read()
            for lo, hi in ranges
        ))
        return sum(len(r.items or []) for r in responses)

    seconds, count = c.timed(lambda: run(go()))
    return {"seconds": seconds, "items": count, "note": "typed"}


def cpu(body_path: str, rounds: int, loops: int) -> dict[str, Any]:
    """Its own hydration path on the recorded bytes: DirectusResponse(...).items."""
    body = Path(body_path).read_bytes()

    def hydrate() -> Any:
        response = httpx.Response(200, content=body, headers={"Content-Type": "application/json"})
        return DirectusResponse(response, collection=PdArticle).items

    count = len(hydrate())
    out: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(loops):
            hydrate()
        out.append((time.perf_counter() - started) / loops)
    return {"items": count, "variants": {"py-directus DirectusResponse(...).items": out}}


def quit(**_: Any) -> dict[str, Any]:
    return {}


if __name__ == "__main__":
    c.serve({
        "setup": setup, "read_default": read_default, "read_all": read_all,
        "read_related": read_related, "insert": insert, "update": update,
        "concurrent": concurrent, "cpu": cpu, "quit": quit,
    })
