"""The models of a small publishing app; `directus-orm migrate examples/publishing_models.py`
creates their collections, fields and relations on an empty Directus."""

from __future__ import annotations

import datetime
from typing import Annotated

from directus_orm import M2M, DirectusUser, Model
from directus_orm.schema import FieldOptions


class Author(Model, collection="authors"):
    id: int | None = None
    name: Annotated[str, FieldOptions(max_length=120)]
    email: Annotated[str | None, FieldOptions(unique=True)] = None
    bio: Annotated[str | None, FieldOptions(type="text", note="Shown on the author page")] = None
    user: DirectusUser | str | None = None
    articles: list[Article] | list[int] | None = None


class Tag(Model, collection="tags"):
    id: int | None = None
    label: Annotated[str, FieldOptions(unique=True, max_length=50)]


class Article(Model, collection="articles"):
    id: int | None = None
    title: Annotated[str, FieldOptions(unique=True, max_length=200)]
    body: Annotated[str | None, FieldOptions(type="text")] = None
    status: Annotated[str, FieldOptions(choices=("draft", "published"))] = "draft"
    views: int = 0
    published_at: datetime.datetime | None = None
    author: Annotated[Author | int | None, FieldOptions(on_delete="SET NULL")] = None
    tags: Annotated[list[Tag] | list[int] | None, M2M()] = None
    comments: list[Comment] | list[int] | None = None


class Comment(Model, collection="comments"):
    id: int | None = None
    article: Annotated[Article | int | None, FieldOptions(on_delete="CASCADE")] = None
    name: str
    body: Annotated[str, FieldOptions(type="text")]
    approved: bool = False


class Settings(Model, collection="settings", singleton=True):
    id: int | None = None
    site_name: str = "My site"
    tagline: str | None = None


for _model in (Author, Tag, Article, Comment, Settings):
    _model.model_rebuild()
