"""The server state each documentation page's examples start from.

A page's examples assume collections that exist on the reader's server (the page says which).
Before a page runs, its entry here creates them with the test schema builder and, where the
page reads existing rows, seeds them; ``Schema.drop()`` removes them after the page. An entry
may return a cleanup for what the page creates outside those collections (users, files).
"""

from __future__ import annotations

from collections.abc import Callable

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
    """docs/querying.md: ``authors`` and ``articles`` with every field its model declares."""
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
            f.m2o("author"),
        ],
    )
    s.m2o("articles", "author", "authors")
    s.relation("articles", "user_created", "directus_users")
    authors = s.seed("authors", [{"name": "Ada"}, {"name": "Grace"}])
    s.seed(
        "articles",
        [
            {"title": f"Python {i}" if i % 4 == 0 else f"Article {i}", "published": i % 2 == 0,
             "views": i * 150, "status": "published" if i % 3 == 0 else "draft",
             "author": authors[i % 2]}
            for i in range(1, 21)
        ],
    )


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


SETUPS: dict[str, Callable[[Schema], Cleanup | None]] = {
    "README.md": articles,
    "querying.md": authors_and_articles,
    "writing.md": writing,
    "sessions.md": sessions,
}
