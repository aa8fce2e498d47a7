"""The wide-collection workload: a 30-field collection read through a model declaring 5.

    python bench/wide.py [--reps N] [--rows N] [--url URL --email E --password P] [--no-docs]

A read sends only the fields the model declares (as Django selects a model's columns), so
the server reads, serialises and sends, and the client parses, 5 columns instead of 30.
Measured in the same run, interleaved: the raw-httpx floor asking ``*`` and asking the same
5 fields, directus_orm with the 5-field model (its default ``fields``) and with
``.fields("*")`` (what every read sent before). Writes the section between the
``wide-collection`` markers of docs/benchmarks.md (``bench/report.py`` keeps it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
# Run from the repository, the local server harness caches into its .cache folder.
os.environ.setdefault("DIRECTUS_ORM_CACHE", str(ROOT / ".cache"))

from directus_orm import Model, Session  # noqa: E402

COLLECTION = "bench_wide"
ROWS = 20_000
START, END = "<!-- wide-collection:start -->", "<!-- wide-collection:end -->"
DOC = ROOT / "docs" / "benchmarks.md"


class Wide(Model, collection=COLLECTION):
    """Five of the collection's 30 fields."""

    id: int | None = None
    title: str | None = None
    views: int | None = None
    price: float | None = None
    published: bool | None = None


def _fields() -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = [
        {"field": "id", "type": "integer", "meta": {"hidden": True},
         "schema": {"is_primary_key": True, "has_auto_increment": True}},
        {"field": "title", "type": "string", "meta": {}, "schema": {}},
        {"field": "views", "type": "integer", "meta": {}, "schema": {}},
        {"field": "price", "type": "float", "meta": {}, "schema": {}},
        {"field": "published", "type": "boolean", "meta": {"special": ["cast-boolean"]},
         "schema": {}},
    ]
    kinds = ["string", "text", "integer", "float", "boolean", "timestamp"]
    for i in range(25):  # 25 more: 30 in all
        kind = kinds[i % len(kinds)]
        meta: dict[str, Any] = {}
        if kind == "boolean":
            meta["special"] = ["cast-boolean"]
        fields.append({"field": f"extra_{i:02d}_{kind}", "type": kind, "meta": meta, "schema": {}})
    return fields


def _row(n: int, fields: list[dict[str, Any]]) -> dict[str, Any]:
    row: dict[str, Any] = {"title": f"Item {n}", "views": n % 5000, "price": n / 7,
                           "published": n % 2 == 0}
    for f in fields[5:]:
        kind = f["type"]
        row[f["field"]] = {
            "string": f"value {n} of {f['field']}",
            "text": ("lorem ipsum dolor sit amet " * 6) + str(n),
            "integer": n * 3,
            "float": n * 1.5,
            "boolean": n % 3 == 0,
            "timestamp": (dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
                          + dt.timedelta(minutes=n)).isoformat().replace("+00:00", "Z"),
        }[kind]
    return row


def setup(client: httpx.Client, rows: int) -> None:
    have = client.get(f"/items/{COLLECTION}", params={"aggregate[count]": "*"})
    if have.status_code == 200 and int(have.json()["data"][0]["count"]) == rows:
        return
    client.delete(f"/collections/{COLLECTION}")
    fields = _fields()
    client.post("/collections", json={"collection": COLLECTION, "meta": {}, "schema": {},
                                      "fields": fields}).raise_for_status()
    step = 250  # rows of 30 fields: 1,000 would pass the server's 1 MB body limit
    for start in range(0, rows, step):
        batch = [_row(n, fields) for n in range(start, min(rows, start + step))]
        client.post(f"/items/{COLLECTION}", json=batch, params={"fields": "id"}).raise_for_status()


def measure(url: str, token: str, reps: int, rows: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {k: [] for k in
                                     ("floor-star", "floor-5", "orm-5", "orm-star")}
    five = "id,title,views,price,published"
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=300) as client, \
            Session(url, static_token=token) as session:

        def floor(fields: str) -> int:
            r = client.get(f"/items/{COLLECTION}", params={"limit": "-1", "fields": fields})
            r.raise_for_status()
            return len(json.loads(r.content)["data"])

        def orm_five() -> int:
            return len(list(Wide.objects.all()))

        def orm_star() -> int:
            return len(list(Wide.objects.fields("*")))

        calls = {"floor-star": lambda: floor("*"), "floor-5": lambda: floor(five),
                 "orm-5": orm_five, "orm-star": orm_star}
        for name, call in calls.items():  # warm up (and check the row counts)
            assert call() == rows, name
        order = list(calls)
        for rep in range(reps):
            for name in order[rep % len(order):] + order[: rep % len(order)]:
                t0 = time.perf_counter()
                call = calls[name]
                count = call()
                times[name].append(time.perf_counter() - t0)
                assert count == rows
        assert isinstance(session, Session)
    return times


def section(times: dict[str, list[float]], rows: int, reps: int) -> str:
    med = {k: statistics.median(v) for k, v in times.items()}
    floor = med["floor-5"]
    label = {
        "floor-star": 'raw httpx `GET ?fields=*&limit=-1` + `json.loads`',
        "floor-5": "raw httpx `GET ?fields=id,title,views,price,published&limit=-1` + `json.loads`",
        "orm-5": "directus_orm `list(Wide.objects.all())` (the model's 5 fields)",
        "orm-star": 'directus_orm `list(Wide.objects.fields("*"))` (every field, as before)',
    }
    lines = [
        START,
        "## Wide collection: 30 fields, a model declaring 5",
        "",
        f"Generated by `bench/wide.py` ({dt.date.today().isoformat()}, {reps} interleaved "
        f"repetitions, {rows:,} rows, one local Directus 12.4.0 on SQLite). A read without "
        "`fields()` asks for the model's declared fields only.",
        "",
        "| client | call | median | vs floor (5 fields) |",
        "|---|---|---|---|",
    ]
    for key in ("floor-5", "floor-star", "orm-5", "orm-star"):
        lines.append(f"| {key} | {label[key]} | {med[key]:.3f} s | {med[key] / floor:.2f}x |")
    lines += [
        "",
        f"Reading through the 5-field model is **{med['orm-star'] / med['orm-5']:.1f}x faster** "
        f"than reading `*` with the ORM (target: 3x), and {med['floor-star'] / med['orm-5']:.1f}x "
        "faster than the raw floor asking `*`.",
        END,
    ]
    return "\n".join(lines) + "\n"


def write_doc(text: str) -> None:
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if START in doc and END in doc:
        head, rest = doc.split(START, 1)
        tail = rest.split(END, 1)[1].lstrip("\n")
        doc = head + text + ("\n" + tail if tail else "")
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    DOC.write_text(doc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--url", default="")
    parser.add_argument("--email", default="admin@example.com")
    parser.add_argument("--password", default="")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args(argv)
    server = None
    url, email, password = args.url, args.email, args.password
    if not url:
        from directus_orm import localserver

        server = localserver.LocalDirectus(name="bench-wide")
        server.start(timeout=180)
        url, email, password = server.url, server.admin_email, server.admin_password
    try:
        login = httpx.post(f"{url}/auth/login", json={"email": email, "password": password})
        login.raise_for_status()
        token = login.json()["data"]["access_token"]
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                          timeout=300) as client:
            setup(client, args.rows)
        times = measure(url, token, args.reps, args.rows)
    finally:
        if server is not None:
            server.stop()
    text = section(times, args.rows, args.reps)
    print(text)
    out = BENCH / "results"
    out.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (out / f"wide-{stamp}.json").write_text(json.dumps(times, indent=1))
    if not args.no_docs:
        write_doc(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
