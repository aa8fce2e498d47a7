"""The server state each documentation page's examples start from.

A page's examples assume collections that exist on the reader's server (the page says which).
Before a page runs, its entry here creates them with the test schema builder and, where the
page reads existing rows, seeds them; ``Schema.drop()`` removes them after the page. Pages
whose examples create their own collections need nothing here.
"""

from __future__ import annotations

from collections.abc import Callable

from . import schema as f
from .schema import Schema


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


SETUPS: dict[str, Callable[[Schema], None]] = {
    "README.md": articles,
}
