"""Create the demo schema (authors, articles) and some data on $DIRECTUS_URL.

Run by ``make demo`` against the local Directus it starts. Safe to run again:
the demo collections are dropped and created anew.
"""

from __future__ import annotations

import random
from typing import Any

from connection import server_from_env
from models import Article, Author

from directus_orm import Forbidden, Session


def field(name: str, type_: str, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"interface": "input"}
    meta.update(extra.pop("meta", {}))
    return {"field": name, "type": type_, "meta": meta, "schema": extra}


def main() -> None:
    url, email, password = server_from_env()
    with Session(url) as s:
        s.auth.login(email, password)
        for name in ("demo_articles", "demo_authors"):
            try:
                s.request("DELETE", f"/collections/{name}")
            except Forbidden:
                pass  # not there yet
        s.request("POST", "/collections", json={
            "collection": "demo_authors", "meta": {}, "schema": {},
            "fields": [field("name", "string", is_nullable=False), field("email", "string")],
        })
        s.request("POST", "/collections", json={
            "collection": "demo_articles", "meta": {}, "schema": {},
            "fields": [
                field("title", "string", is_nullable=False),
                field("body", "text"),
                field("published", "boolean", default_value=False,
                      meta={"special": ["cast-boolean"]}),
                field("views", "integer", default_value=0),
                field("rating", "decimal", numeric_precision=4, numeric_scale=2),
                field("status", "string", default_value="draft"),
                field("date_created", "timestamp", meta={"special": ["date-created"]}),
                field("author", "integer", meta={"special": ["m2o"]}),
            ],
        })
        s.request("POST", "/relations", json={
            "collection": "demo_articles", "field": "author", "related_collection": "demo_authors",
            "schema": {"on_delete": "SET NULL"},
        })

        authors = Author.objects.bulk_create([
            Author(name="Ada Lovelace", email="ada@example.com"),
            Author(name="Grace Hopper", email="grace@example.com"),
            Author(name="Alan Turing"),
        ])
        rng = random.Random(7)
        words = ["Directus", "Python", "ORM", "async", "typed", "fast", "queries", "models"]
        articles = [
            Article(
                title=f"{rng.choice(words).title()} and {rng.choice(words)} #{i}",
                body="Lorem ipsum " * rng.randint(5, 40),
                published=i % 3 != 0,
                views=rng.randint(0, 5000),
                rating=f"{rng.uniform(1, 5):.2f}",
                status=rng.choice(["draft", "review", "done"]),
                author=authors[i % len(authors)].pk,
            )
            for i in range(250)
        ]
        Article.objects.bulk_create(articles, batch_size=100)
        print(f"seeded {len(authors)} authors and {Article.objects.count()} articles at {url}")


if __name__ == "__main__":
    main()
