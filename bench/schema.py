"""The bench schema and data, created through the Directus API with raw httpx (driver side).

Seeding is not measured. Collections are seeded with ``accountability: null`` (no activity
or revision rows, about twice as fast) and then switched to Directus's default ``"all"``,
so the measured writes pay what a default collection pays.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import common as c
import httpx

#: The driver's own requests (schema, checks) carry this agent; the server-time attribution
#: leaves them out.
ADMIN_AGENT = "directus-orm-bench-admin"


def _pk() -> dict[str, Any]:
    return {
        "field": "id",
        "type": "integer",
        "meta": {"hidden": True, "interface": "input", "readonly": True},
        "schema": {"is_primary_key": True, "has_auto_increment": True},
    }


def _f(name: str, type_: str, *, special: list[str] | None = None, **schema: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"interface": "input"}
    if special:
        meta["special"] = special
    return {"field": name, "type": type_, "meta": meta, "schema": schema}


def article_fields(with_author_fk: bool = True) -> list[dict[str, Any]]:
    fields = [
        _pk(),
        _f("title", "string", is_nullable=False),
        _f("body", "text"),
        _f("views", "integer"),
        _f("score", "integer", default_value=0),
        _f("price", "decimal", numeric_precision=10, numeric_scale=2),
        _f("published", "boolean", special=["cast-boolean"], default_value=False),
        _f("published_at", "timestamp"),
        _f("data", "json", special=["cast-json"]),
    ]
    if with_author_fk:
        fields.append(_f("author", "integer", special=["m2o"]))
    return fields


class Admin:
    """Raw admin calls (static token) for schema, seeding and checks."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.client = httpx.Client(
            base_url=url, timeout=300,
            headers={"Authorization": f"Bearer {token}", "User-Agent": ADMIN_AGENT},
        )

    def close(self) -> None:
        self.client.close()

    def call(self, method: str, path: str, *, json_body: Any = None, params: Any = None) -> Any:
        response = self.client.request(method, path, json=json_body, params=params)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:500]}")
        return response.json() if response.content else None

    def exists(self, collection: str) -> bool:
        return self.client.get(f"/collections/{collection}").status_code == 200

    def drop(self, collection: str) -> None:
        if self.exists(collection):
            self.call("DELETE", f"/collections/{collection}")

    def collection(self, name: str, fields: list[dict[str, Any]], *, hidden: bool = False) -> None:
        self.drop(name)
        self.call(
            "POST",
            "/collections",
            json_body={
                "collection": name,
                "meta": {"accountability": None, "hidden": hidden},
                "schema": {},
                "fields": fields,
            },
        )

    def accountability(self, name: str, value: str | None) -> None:
        self.call("PATCH", f"/collections/{name}", json_body={"meta": {"accountability": value}})

    def m2o(self, collection: str, field: str, related: str) -> None:
        self.call(
            "POST",
            "/relations",
            json_body={
                "collection": collection,
                "field": field,
                "related_collection": related,
                "meta": {"one_field": None, "one_deselect_action": "nullify"},
                "schema": {"on_delete": "SET NULL"},
            },
        )

    def count(self, collection: str, flt: dict[str, Any] | None = None) -> int:
        params: dict[str, str] = {"aggregate[count]": "*"}
        if flt:
            params["filter"] = json.dumps(flt)
        body = self.call("GET", f"/items/{collection}", params=params)
        return int(body["data"][0]["count"])

    def insert(self, collection: str, rows: list[dict[str, Any]], batch: int = c.BATCH) -> list[int]:
        ids: list[int] = []
        for start in range(0, len(rows), batch):
            body = self.call(
                "POST", f"/items/{collection}", json_body=rows[start : start + batch],
                params={"fields": "id"},
            )
            ids.extend(row["id"] for row in body["data"])
        return ids


def login_token(url: str, email: str, password: str) -> str:
    """Give the admin user a fresh static token (every client authenticates with it)."""
    token = "bench-" + secrets.token_hex(20)
    with httpx.Client(base_url=url, timeout=60) as client:
        login = client.post("/auth/login", json={"email": email, "password": password})
        login.raise_for_status()
        access = login.json()["data"]["access_token"]
        client.patch(
            "/users/me", json={"token": token}, headers={"Authorization": f"Bearer {access}"}
        ).raise_for_status()
    return token


def read_schema_ready(admin: Admin) -> bool:
    try:
        return (
            admin.exists(c.ARTICLES)
            and admin.count(c.ARTICLES) == c.N_ARTICLES
            and admin.count(c.JUNCTION) > 0
            and admin.exists(c.MEM)
            and admin.count(c.MEM) == c.N_MEM
        )
    except Exception:
        return False


def create_read_schema(admin: Admin, log: Any) -> dict[str, Any]:
    """Authors, tags, articles (M2O author, M2M tags through a junction), the memory table."""
    started = time.perf_counter()
    for name in (c.JUNCTION, c.ARTICLES, c.TAGS, c.AUTHORS, c.MEM, c.WRITE):
        admin.drop(name)
    admin.collection(c.AUTHORS, [_pk(), _f("name", "string", is_nullable=False), _f("email", "string")])
    admin.collection(c.TAGS, [_pk(), _f("label", "string", is_nullable=False)])
    admin.collection(c.ARTICLES, article_fields())
    admin.m2o(c.ARTICLES, "author", c.AUTHORS)
    # M2M: the alias field on articles, a junction with two FKs, two relations with junction_field.
    admin.call(
        "POST",
        f"/fields/{c.ARTICLES}",
        json_body={
            "field": "tags",
            "type": "alias",
            "meta": {"special": ["m2m"], "interface": "list-m2m"},
            "schema": None,
        },
    )
    admin.collection(
        c.JUNCTION,
        [_pk(), _f(f"{c.ARTICLES}_id", "integer"), _f(f"{c.TAGS}_id", "integer")],
        hidden=True,
    )
    admin.call(
        "POST",
        "/relations",
        json_body={
            "collection": c.JUNCTION,
            "field": f"{c.ARTICLES}_id",
            "related_collection": c.ARTICLES,
            "meta": {"one_field": "tags", "junction_field": f"{c.TAGS}_id",
                     "one_deselect_action": "nullify"},
            "schema": {"on_delete": "SET NULL"},
        },
    )
    admin.call(
        "POST",
        "/relations",
        json_body={
            "collection": c.JUNCTION,
            "field": f"{c.TAGS}_id",
            "related_collection": c.TAGS,
            "meta": {"one_field": None, "junction_field": f"{c.ARTICLES}_id",
                     "one_deselect_action": "nullify"},
            "schema": {"on_delete": "SET NULL"},
        },
    )
    admin.collection(
        c.MEM,
        [_pk(), _f("title", "string"), _f("n", "integer"), _f("body", "text"),
         _f("flag", "boolean", special=["cast-boolean"], default_value=False)],
    )
    log(f"schema created in {time.perf_counter() - started:.1f}s")

    started = time.perf_counter()
    author_ids = admin.insert(
        c.AUTHORS,
        [{"name": f"Author {k:03d}", "email": f"author{k}@example.com"} for k in range(c.N_AUTHORS)],
    )
    tag_ids = admin.insert(c.TAGS, [{"label": f"tag-{k:02d}"} for k in range(c.N_TAGS)])
    article_ids: list[int] = []
    for start in range(0, c.N_ARTICLES, c.BATCH):
        rows = [c.article_row(i, author_ids) for i in range(start, min(start + c.BATCH, c.N_ARTICLES))]
        article_ids.extend(admin.insert(c.ARTICLES, rows))
    links = [
        {f"{c.ARTICLES}_id": pk, f"{c.TAGS}_id": t}
        for i, pk in enumerate(article_ids)
        for t in c.tag_ids_for(i, tag_ids)
    ]
    admin.insert(c.JUNCTION, links, batch=10_000)
    log(f"seeded {c.N_ARTICLES:,} articles (+{admin.count(c.JUNCTION):,} junction rows) "
        f"in {time.perf_counter() - started:.1f}s")

    started = time.perf_counter()
    mem_batch = 2_500
    for start in range(0, c.N_MEM, mem_batch):
        admin.call("POST", f"/items/{c.MEM}",
                   json_body=[c.mem_row(i) for i in range(start, start + mem_batch)],
                   params={"fields": "id"})
    log(f"seeded {c.N_MEM:,} rows of {c.MEM} in {time.perf_counter() - started:.1f}s")
    # Measured writes go through Directus's default accountability ("all": activity + revisions).
    admin.accountability(c.ARTICLES, "all")
    return {"author_ids": author_ids, "tag_ids": tag_ids}


def seeded_ids(admin: Admin) -> dict[str, Any]:
    authors = admin.call("GET", f"/items/{c.AUTHORS}", params={"fields": "id", "limit": "-1",
                                                                "sort": "id"})
    tags = admin.call("GET", f"/items/{c.TAGS}", params={"fields": "id", "limit": "-1", "sort": "id"})
    return {"author_ids": [r["id"] for r in authors["data"]], "tag_ids": [r["id"] for r in tags["data"]]}


def reset_write_collection(admin: Admin) -> None:
    """A fresh, empty ``bench_write`` (default accountability) for one timed insert."""
    admin.drop(c.WRITE)
    admin.call(
        "POST",
        "/collections",
        json_body={"collection": c.WRITE, "meta": {"accountability": "all"}, "schema": {},
                   "fields": article_fields()},
    )
    admin.m2o(c.WRITE, "author", c.AUTHORS)
    # A schema change empties the server's schema cache: rebuild it now, outside the timing.
    admin.call("GET", f"/items/{c.WRITE}", params={"limit": "1"})
