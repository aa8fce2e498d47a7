"""The models the unit tests share: one small blog, declared once.

``Article`` has a many-to-many ``tags`` (its junction rows as dicts), ``Post`` the same through a
model (``ArticleTag``), ``Page`` two many-to-anys. ``PlainArticle`` is the same ``articles``
collection without to-many fields, for the tests of filters, shapes and the wire format, where
a many-to-many would add its keys to every query.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, PrivateAttr

from directus_orm import M2A, M2M, Key, Model


class Tag(Model, collection="tags"):
    id: int | None = None
    label: str = ""
    articles: Annotated[list[Article] | list[int] | None, M2M("articles_id")] = None


class ArticleTag(Model, collection="articles_tags"):
    id: int | None = None
    articles_id: int | None = None
    tags_id: Tag | int | None = None
    weight: int = 0


class Author(Model, collection="authors"):
    id: int | None = None
    name: str = ""
    articles: list[Article] | list[int] | None = None


class Article(Model, collection="articles"):
    id: int | None = None
    title: str = ""
    author: Author | int | None = None
    author_id = Key[int | None]()
    tags: Annotated[list[Tag] | list[int] | None, M2M()] = None


class PlainArticle(Model, collection="articles"):
    id: int | None = None
    title: str
    published: bool = False
    views: int | None = None
    author: Author | int | None = None
    sub_title: str | None = Field(default=None, alias="sub-title")


class Post(Model, collection="posts"):
    id: int | None = None
    tags: Annotated[list[Tag] | list[int] | None, M2M("tags_id", through="ArticleTag")] = None


class Heading(Model, collection="headings"):
    id: int | None = None
    text: str = ""


class Text(Model, collection="texts"):
    id: int | None = None
    body: str = ""


class Page(Model, collection="pages"):
    id: int | None = None
    blocks: list[Heading | Text] | None = None
    parts: Annotated[list[Heading] | None, M2A(item_field="thing", collection_field="kind")] = None


Author.model_rebuild()
Tag.model_rebuild()


class Doc(Model, collection="docs"):
    """Keys of any kind (the path tests use string keys such as ``"../users"``)."""

    id: int | str | None = None
    title: str = ""
    data: dict[str, Any] | None = None


class WithPrivate(Model, collection="docs"):
    id: int | None = None
    title: str
    data: dict[str, Any] | None = None
    _cache: int = PrivateAttr(default=0)


class Spaced(Model, collection="my articles"):
    id: int | None = None


class Slashed(Model, collection="a/b"):
    id: int | None = None


class Dotted(Model, collection=".."):
    id: int | None = None
