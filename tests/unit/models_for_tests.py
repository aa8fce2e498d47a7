"""The models the unit tests share."""

from __future__ import annotations

from directus_orm import Model


class Author(Model, collection="authors"):
    id: int | None = None
    name: str = ""


class Article(Model, collection="articles"):
    id: int | None = None
    title: str
    published: bool = False
    author: Author | int | None = None


class Spaced(Model, collection="my articles"):
    id: int | None = None


class Slashed(Model, collection="a/b"):
    id: int | None = None


class Dotted(Model, collection=".."):
    id: int | None = None


class Doc(Model, collection="docs"):
    id: str | None = None
    title: str = ""
