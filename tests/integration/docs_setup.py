"""The server state each documentation page's examples start from.

A page's examples assume collections that exist on the reader's server (the page says which).
Before a page runs, its entry here creates them with the test schema builder and, where the
page reads existing rows, seeds them; ``Schema.drop()`` removes them after the page. An entry
may return a cleanup for what the page creates outside those collections (users, files).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

from directus_orm import Session

from . import schema as f
from .schema import Schema

Cleanup = Callable[[], None]


def delete_users(session: Session, *emails: str) -> Cleanup:
    def cleanup() -> None:
        users = session.request("GET", "/users", query={"filter": {"email": {"_in": list(emails)}},
                                                        "fields": ["id"]})["data"]
        if users:
            session.request("DELETE", "/users", json=[u["id"] for u in users])

    cleanup()  # left over by an interrupted run
    return cleanup


def articles(s: Schema) -> None:
    """README: ``articles`` with 50 rows (the tour reads ``pk=42``)."""
    s.collection(
        "articles",
        [
            f.string("title", nullable=False),
            f.string("status"),
            f.boolean("published"),
            f.integer("views", default=0),
            f.timestamp("date_created", special=["date-created"]),
        ],
    )
    s.seed(
        "articles",
        [
            {"title": f"Article {i}", "status": "draft" if i % 3 else "published",
             "published": i % 2 == 0, "views": i * 100}
            for i in range(1, 51)
        ],
    )


def authors_and_articles(s: Schema) -> None:
    """docs/querying.md: ``authors``, ``articles``, ``comments`` and ``tags`` with every field its
    models declare."""
    s.collection("authors", [f.string("name", nullable=False)])
    s.collection(
        "articles",
        [
            f.string("title", nullable=False),
            f.boolean("published"),
            f.integer("views", default=0),
            f.decimal("rating", 3, 1),
            f.string("status"),
            f.json_("data"),
            f.timestamp("date_created", special=["date-created"]),
            f.m2o_uuid("user_created", special="user-created"),
            f.string("sub-title"),
            f.timestamp("published_on"),
            f.m2o("author"),
        ],
    )
    s.m2o("articles", "author", "authors")
    s.collection("comments", [f.text("text"), f.integer("score", default=0), f.m2o("article")])
    s.m2o("comments", "article", "articles", one_field="comments")
    s.collection("tags", [f.string("label")])
    s.m2m("articles", "tags", "tags", junction="articles_tags")
    s.relation("articles", "user_created", "directus_users")
    authors = s.seed("authors", [{"name": "Ada"}, {"name": "Grace"}])
    s.seed(
        "articles",
        [
            {"title": f"Python {i}" if i % 4 == 0 else f"Article {i}", "published": i % 2 == 0,
             "views": i * 150, "status": "published" if i % 3 == 0 else "draft",
             "author": authors[i % 2], "published_on": f"202{i % 5}-0{1 + i % 9}-1{i % 10}T10:00:00"}
            for i in range(1, 21)
        ],
    )
    s.seed("comments", [{"text": "meh" if i % 3 else "great", "score": i, "article": 1 + i % 4}
                        for i in range(10)])
    s.seed("tags", [{"label": label} for label in ("go", "rust", "python")])
    s.seed("articles_tags", [{"articles_id": 1 + i % 5, "tags_id": 1 + i % 3} for i in range(8)])


def writing(s: Schema) -> None:
    """docs/writing.md: ``articles`` (``slug`` unique) and the ``site_settings`` singleton."""
    s.collection(
        "articles",
        [
            f.string("title", nullable=False),
            f.string("slug", unique=True),
            f.string("status"),
            f.integer("views", default=0),
            f.boolean("featured"),
            f.timestamp("date_created", special=["date-created"]),
        ],
    )
    s.collection("site_settings", [f.string("site_name")], singleton=True)


def sessions(s: Schema) -> Cleanup:
    """docs/sessions.md: ``articles`` with views; the page creates the user robot@example.com."""
    s.collection("articles", [f.string("title"), f.integer("views", default=0)])
    s.seed("articles", [{"title": f"#{i}", "views": i * 5} for i in range(10)])
    return delete_users(s.session, "robot@example.com")


def png(size: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain-colour PNG image (the asset transforms need a real image)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\0" + bytes(rgb) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
            + chunk(b"IEND", b""))


def services(s: Schema) -> Cleanup:
    """docs/services.md: ``articles`` with 20 rows, a ``level`` field on ``directus_users``, the
    files the page uploads in the current folder. Cleanup removes the files, folders, comments,
    presets and collections the page creates, the field, and restores the project name."""
    api = s.session
    s.collection("articles", [f.string("title"), f.integer("views", default=0)])
    s.seed("articles", [{"title": f"#{i}"} for i in range(1, 21)])
    try:  # left over by an interrupted run
        api.request("DELETE", "/fields/directus_users/level")
    except Exception:
        pass
    api.request("POST", "/fields/directus_users", json=f.integer("level"))
    Path("report.pdf").write_bytes(b"%PDF-1.4\n% a report\n" * 100)
    Path("photo.png").write_bytes(png(400, (30, 120, 200)))
    Path("photo-v2.png").write_bytes(png(400, (200, 120, 30)))
    Path("a.png").write_bytes(png(16, (0, 0, 0)))
    Path("big.iso").write_bytes(bytes(range(256)) * 8192)  # 2 MiB
    settings = api.request("GET", "/settings", query={"fields": ["project_name"]})["data"]

    def ids(endpoint: str) -> set[str]:
        return {str(row["id"]) for row in api.request("GET", endpoint, query={"fields": ["id"], "limit": -1})["data"]}

    before = {endpoint: ids(endpoint) for endpoint in ("/files", "/folders", "/comments", "/presets",
                                            "/shares", "/flows", "/versions")}

    def cleanup() -> None:
        for endpoint, old in before.items():
            new = sorted(ids(endpoint) - old)
            if new:
                api.request("DELETE", endpoint, json=new)
        for name in ("posts", "writers"):
            try:
                api.request("DELETE", f"/collections/{name}")
            except Exception:
                pass
        api.request("DELETE", "/fields/directus_users/level")
        api.request("PATCH", "/settings", json={"project_name": settings["project_name"]})

    return cleanup


def relations(s: Schema) -> Cleanup:
    """docs/relations.md: the four kinds of relation, with Ada (1, 300 articles, an owner and an
    avatar), Grace (2), the tags python, go, rust, sql (article 1 has python and sql) and a page
    with a heading and a text."""
    api = s.session
    s.collection("tags", [f.string("label")])
    s.collection("authors", [f.string("name"), f.m2o_uuid("owner"), f.m2o_uuid("avatar", special="file")])
    s.collection("articles", [f.string("title"), f.boolean("published"), f.integer("views", default=0),
                              f.m2o("author")])
    s.m2o("articles", "author", "authors", one_field="articles")
    s.relation("authors", "owner", "directus_users")
    s.relation("authors", "avatar", "directus_files")
    s.m2m("articles", "tags", "tags", junction="articles_tags",
          junction_fields=[f.integer("weight", default=0)])
    s.collection("headings", [f.string("text")])
    s.collection("texts", [f.text("body")])
    s.collection("pages", [f.string("name")])
    s.m2a("pages", "blocks", ["headings", "texts"], junction="pages_blocks")

    me = api.request("GET", "/users/me", query={"fields": ["id"]})["data"]["id"]
    avatar = api.files.upload(png(32, (90, 90, 90)), filename="ada.png", title="Ada's portrait")
    assert avatar is not None
    s.seed("authors", [{"name": "Ada", "owner": me, "avatar": avatar.id}, {"name": "Grace"}])
    s.seed("articles", [{"title": f"Article {i}", "published": i % 2 == 0, "views": i * 10,
                         "author": 1 if i <= 300 else 2} for i in range(1, 306)])
    s.seed("tags", [{"label": label} for label in ("python", "go", "rust", "sql")])
    s.seed("articles_tags", [{"articles_id": 1, "tags_id": 1, "weight": 2},
                             {"articles_id": 1, "tags_id": 4, "weight": 1}])
    s.seed("headings", [{"text": "Welcome"}])
    s.seed("texts", [{"body": "Hello"}])
    s.seed("pages", [{"name": "home"}])
    s.seed("pages_blocks", [{"pages_id": 1, "item": "1", "collection": "headings"},
                            {"pages_id": 1, "item": "1", "collection": "texts"}])

    def cleanup() -> None:
        api.request("DELETE", f"/files/{avatar.id}")

    return cleanup


def realtime(s: Schema) -> None:
    """docs/realtime.md: ``articles`` with a status, three rows (the server has WebSockets on)."""
    s.collection("articles", [f.string("title"), f.string("status")])
    s.seed("articles", [{"title": f"#{i}", "status": "published" if i % 2 else "draft"} for i in range(1, 4)])


def schema_tools(s: Schema) -> None:
    """docs/schema.md: its examples create ``authors`` and ``articles`` with ``migrate``; they
    are dropped after the page (articles first)."""
    for name in ("articles", "authors"):
        try:  # left over by an interrupted run
            s.session.request("DELETE", f"/collections/{name}")
        except Exception:
            pass
    s.collections += ["authors", "articles"]


def nothing(s: Schema) -> None:
    """Pages whose examples need no collections of their own."""


SETUPS: dict[str, Callable[[Schema], Cleanup | None]] = {
    "README.md": articles,
    "querying.md": authors_and_articles,
    "writing.md": writing,
    "sessions.md": sessions,
    "services.md": services,
    "relations.md": relations,
    "realtime.md": realtime,
    "schema.md": schema_tools,
    "reliability.md": nothing,
    "testing.md": nothing,
}
