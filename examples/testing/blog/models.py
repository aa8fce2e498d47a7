"""The blog's models; `directus-orm migrate blog.models` (or the tests' `directus_schema`)
creates their collections."""

from __future__ import annotations

from directus_orm import Model


class Author(Model, collection="blog_authors"):
    id: int | None = None
    name: str


class Article(Model, collection="blog_articles"):
    id: int | None = None
    title: str
    published: bool = False
    views: int = 0
    author: Author | int | None = None
