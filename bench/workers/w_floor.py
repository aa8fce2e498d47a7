"""The floor: raw httpx and json.loads, no models. Runs in the project venv."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import common as c
import httpx

state: dict[str, Any] = {}


def setup(url: str, token: str, author_ids: list[int], wan_url: str = "", **_: Any) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    state["client"] = httpx.Client(base_url=url, headers=headers, timeout=300)
    state["loop"] = asyncio.new_event_loop()
    state["aclient"] = httpx.AsyncClient(base_url=url, headers=headers, timeout=300)
    if wan_url:
        state["client-wan"] = httpx.Client(base_url=wan_url, headers=headers, timeout=300)
        state["aclient-wan"] = httpx.AsyncClient(base_url=wan_url, headers=headers, timeout=300)
    state["authors"] = author_ids
    return {"versions": {"httpx": httpx.__version__, "python": sys.version.split()[0]}}


def _get(path: str, params: dict[str, str], wan: bool = False) -> Any:
    response = state["client-wan" if wan else "client"].get(path, params=params)
    response.raise_for_status()
    return json.loads(response.content)


def read_all(variant: str) -> dict[str, Any]:
    path = f"/items/{c.ARTICLES}"
    if variant == "limit-1":
        seconds, body = c.timed(lambda: _get(path, {"limit": "-1"}))
        return {"seconds": seconds, "items": len(body["data"]), "note": "1 request"}
    if variant == "paged":

        def paged() -> tuple[int, int]:
            items: list[Any] = []
            requests = 0
            while True:
                page = _get(path, {"limit": str(c.BATCH), "offset": str(len(items)), "sort": "id"})
                requests += 1
                items.extend(page["data"])
                if len(page["data"]) < c.BATCH:
                    return len(items), requests

        seconds, (count, requests) = c.timed(paged)
        return {"seconds": seconds, "items": count,
                "note": f"offset paging, sort=id, {requests} requests (stops on a short page)"}
    raise c.NotSupported(variant)


def read_related(**_: Any) -> dict[str, Any]:
    params = {
        "filter": json.dumps(c.RELATED_FILTER),
        "fields": ",".join(c.RELATED_FIELDS),
        "limit": "-1",
    }
    seconds, body = c.timed(lambda: _get(f"/items/{c.ARTICLES}", params))
    return {"seconds": seconds, "items": len(body["data"]), "note": "1 request"}


def insert(n: int, **_: Any) -> dict[str, Any]:
    rows = c.write_rows(n, state["authors"])
    client: httpx.Client = state["client"]

    def run() -> int:
        written = 0
        for start in range(0, len(rows), c.BATCH):
            body = json.dumps(rows[start : start + c.BATCH], separators=(",", ":")).encode()
            response = client.post(
                f"/items/{c.WRITE}", content=body, headers={"Content-Type": "application/json"}
            )
            response.raise_for_status()
            written += len(json.loads(response.content)["data"])
        return written

    seconds, written = c.timed(run)
    return {"seconds": seconds, "items": written,
            "note": f"{-(-n // c.BATCH)} requests; the server answers with the created rows"}


def update(value: int, **_: Any) -> dict[str, Any]:
    payload = {"query": {"filter": c.UPDATE_FILTER, "limit": -1}, "data": {"score": value}}

    def run() -> int:
        body = json.dumps(payload).encode()
        response = state["client"].patch(
            f"/items/{c.ARTICLES}", content=body, params={"fields": "id"},
            headers={"Content-Type": "application/json"},
        )
        response.raise_for_status()
        return len(json.loads(response.content)["data"])

    seconds, count = c.timed(run)
    return {"seconds": seconds, "items": count, "note": "1 request, ?fields=id"}


def _range_params(lo: int, hi: int) -> dict[str, str]:
    flt = {"_and": [{"id": {"_gt": lo}}, {"id": {"_lte": hi}}]}
    return {"filter": json.dumps(flt), "limit": "-1"}


def concurrent(variant: str, wan: bool = False) -> dict[str, Any]:
    ranges = c.concurrent_ranges()
    path = f"/items/{c.ARTICLES}"
    if variant == "sync":

        def run_sync() -> int:
            return sum(len(_get(path, _range_params(lo, hi), wan)["data"]) for lo, hi in ranges)

        seconds, count = c.timed(run_sync)
        return {"seconds": seconds, "items": count, "note": ""}

    aclient: httpx.AsyncClient = state["aclient-wan" if wan else "aclient"]

    async def one(lo: int, hi: int) -> int:
        response = await aclient.get(path, params=_range_params(lo, hi))
        response.raise_for_status()
        return len(json.loads(response.content)["data"])

    async def run_async() -> int:
        return sum(await asyncio.gather(*(one(lo, hi) for lo, hi in ranges)))

    loop: asyncio.AbstractEventLoop = state["loop"]
    seconds, count = c.timed(lambda: loop.run_until_complete(run_async()))
    return {"seconds": seconds, "items": count, "note": ""}


def quit(**_: Any) -> dict[str, Any]:
    return {}


if __name__ == "__main__":
    c.serve({
        "setup": setup, "read_all": read_all, "read_related": read_related, "insert": insert,
        "update": update, "concurrent": concurrent, "quit": quit,
    })
