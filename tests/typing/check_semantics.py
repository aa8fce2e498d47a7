# pyright: strict
"""Static typing of the vocabulary added for Django semantics and the new services.

Never executed; checked by mypy --strict and pyright (strict), like check_models.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from typing_extensions import assert_type

from directus_orm import (
    AsyncSession,
    Count,
    DirectusFile,
    DirectusShare,
    DirectusVersion,
    Expanded,
    Extension,
    GroupedQuerySet,
    ImportResult,
    Model,
    QuerySet,
    Session,
    ShareToken,
    VersionComparison,
    Year,
)


class Author(Model, collection="authors"):
    id: int | None = None
    name: str = ""


class Article(Model, collection="articles"):
    id: int | None = None
    title: str
    published_on: datetime | None = None
    author: Author | int | None = None
    writer = Expanded[Author | None]("author")


class ArticleStats(Article):
    """Annotations are typed by declaring them."""

    n_comments: int = 0
    year: int | None = None


def check_queryset_vocabulary() -> None:
    qs = Article.objects
    assert_type(qs.values_list("published_on", flat=True, of=datetime), QuerySet[datetime | None])
    assert_type(qs.values_list("title", flat=True, of=str), QuerySet[str | None])
    assert_type(qs.values_list("title", flat=True), QuerySet[Any])
    assert_type(qs.values_list("id", "title"), QuerySet[tuple[Any, ...]])
    assert_type(qs.values("id").distinct(), QuerySet[dict[str, Any]])
    assert_type(qs.distinct(), QuerySet[Article])
    assert_type(qs.defer("title"), QuerySet[Article])
    assert_type(qs.version("draft"), QuerySet[Article])
    assert_type(qs.annotate(n=Count("comments"), year=Year("published_on")), QuerySet[Article])
    assert_type(qs.latest("published_on"), Article)
    assert_type(qs.earliest("published_on"), Article)
    grouped = qs.group_by("author").order_by("-n")[:10]
    assert_type(grouped, GroupedQuerySet)
    assert_type(grouped.aggregate(n=Count()), list[dict[str, Any]])
    stats = ArticleStats.objects.annotate(n_comments=Count("comments")).get(pk=1)
    assert_type(stats.n_comments, int)
    assert_type(stats.year, int | None)


def check_model_vocabulary(article: Article) -> None:
    assert_type(article.writer, Author | None)
    assert_type(hash(article), int)
    assert_type(article.save(version="draft"), bool)


def check_services(s: Session) -> None:
    assert_type(s.files.upload(b"x", filename="x.txt", require=True), DirectusFile)
    assert_type(s.files.upload(b"x", filename="x.txt"), DirectusFile | None)
    assert_type(s.files.import_url("https://example.com/x.png", require=True), DirectusFile)
    assert_type(s.versions.create("articles", 1, "draft"), DirectusVersion)
    assert_type(s.versions.list("articles"), list[DirectusVersion])
    assert_type(s.versions.compare("id"), VersionComparison)
    assert_type(s.versions.save("id", title="x"), dict[str, Any])
    assert_type(s.versions.promote("id"), Any)
    assert_type(s.shares.create("articles", 1), DirectusShare | None)
    assert_type(s.shares.info("id"), DirectusShare)
    assert_type(s.shares.auth("id", "pw"), ShareToken)
    assert_type(s.flows.trigger("id", {"a": 1}), Any)
    assert_type(s.extensions.list(), list[Extension])
    assert_type(s.utils.import_items({"articles": [{"title": "x"}]}), ImportResult)


async def check_async_services(s: AsyncSession) -> None:
    assert_type(await s.files.upload(b"x", filename="x.txt", require=True), DirectusFile)
    assert_type(await s.versions.list("articles"), list[DirectusVersion])
    assert_type(await s.shares.auth("id"), ShareToken)
    assert_type(await s.extensions.list(), list[Extension])
    assert_type(await s.utils.import_items({"articles": []}, dry_run=True), ImportResult)
    assert_type(await Article.objects.alatest("published_on"), Article)
