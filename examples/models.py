"""The demo's models: authors and their articles (created by ``seed_demo.py``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from directus_orm import Model, QuerySet


class Author(Model, collection="demo_authors"):
    id: int | None = None
    name: str
    email: str | None = None


class ArticleQuerySet(QuerySet["Article"]):
    """A custom QuerySet: its methods chain like the built-in ones."""

    def published(self) -> ArticleQuerySet:
        return self.filter(published=True)


class Article(Model, collection="demo_articles"):
    objects = ArticleQuerySet.as_manager()

    id: int | None = None
    title: str
    body: str | None = None
    published: bool = False
    views: int = 0
    rating: Decimal | None = None
    status: Literal["draft", "review", "done"] = "draft"
    date_created: datetime | None = None
    author: Author | int | None = None
