# pyright: strict
"""Static typing contract of the public API, checked by mypy --strict and pyright (strict).

Never executed (pytest does not collect it: no ``test_`` prefix). Every ``assert_type`` is a
checker-enforced assertion; every negative check carries an ignore comment for each checker,
and an unneeded ignore is itself an error (mypy ``warn_unused_ignores`` in strict mode,
pyright ``reportUnnecessaryTypeIgnoreComment``), so a check that stops failing fails the build.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from typing_extensions import Self, assert_type

from directus_orm import (
    Count,
    GroupedQuerySet,
    Model,
    MultipleObjectsReturned,
    ObjectDoesNotExist,
    Page,
    Q,
    QuerySet,
    QuerySetManager,
)


class Author(Model, collection="authors"):
    id: int | None = None
    name: str = ""


class Article(Model, collection="articles"):
    id: int | None = None
    title: str
    published: bool = False
    author: Author | int | None = None


class ArticleQuerySet(QuerySet["Post"]):
    """A custom QuerySet: its methods chain and keep the subclass type."""

    def published(self) -> Self:
        return self.filter(published=True)

    def by_title(self, title: str) -> Self:
        return self.filter(title=title)


class Post(Model, collection="posts"):
    objects = ArticleQuerySet.as_manager()

    id: int | None = None
    title: str
    published: bool = False


def check_querysets() -> None:
    qs = Article.objects
    assert_type(qs, QuerySet[Article])
    assert_type(qs.filter(published=True), QuerySet[Article])
    assert_type(qs.filter(Q(title="x") | Q(title="y")), QuerySet[Article])
    assert_type(qs.filter({"title": {"_eq": "x"}}), QuerySet[Article])
    assert_type(qs.exclude(published=True), QuerySet[Article])
    assert_type(qs.order_by("-id", "title"), QuerySet[Article])
    assert_type(qs.fields("id", "author.name"), QuerySet[Article])
    assert_type(qs.all(), QuerySet[Article])
    assert_type(qs.none(), QuerySet[Article])
    assert_type(qs.search("x").reverse().meta("filter_count"), QuerySet[Article])
    assert_type(qs.deep(author=Author.objects.fields("id")), QuerySet[Article])
    assert_type(qs[1:3], QuerySet[Article])
    assert_type(qs[1:3][:1], QuerySet[Article])

    assert_type(qs[0], Article)
    assert_type(qs.get(), Article)
    assert_type(qs.get(id=1), Article)
    assert_type(qs.first(), Article | None)
    assert_type(qs.last(), Article | None)
    assert_type(qs.get_or_none(id=1), Article | None)
    assert_type(qs.count(), int)
    assert_type(qs.exists(), bool)
    assert_type(qs.page(1), Page[Article])
    assert_type(qs.page(1).items, list[Article])
    assert_type(qs.in_bulk([1, 2]), dict[Any, Article])
    assert_type(qs.iterator(), Iterator[Article])
    assert_type(list(qs), list[Article])

    for article in qs:
        assert_type(article, Article)
    for article in qs.iterator(chunk_size=10):
        assert_type(article, Article)
    for article in qs.page(2, size=10):
        assert_type(article, Article)

    assert_type(qs.values("id"), QuerySet[dict[str, Any]])
    assert_type(qs.values("id")[0], dict[str, Any])
    assert_type(qs.values_list("id", flat=True), QuerySet[Any])
    assert_type(qs.values_list("id", "title"), QuerySet[tuple[Any, ...]])

    assert_type(qs.aggregate(n=Count()), dict[str, Any])
    assert_type(qs.group_by("published"), GroupedQuerySet)
    assert_type(qs.group_by("published").aggregate(n=Count()), list[dict[str, Any]])

    related = Author.objects.filter(name="Ada")
    assert_type(related, QuerySet[Author])
    assert_type(related.first(), Author | None)


async def check_async() -> None:
    qs = Article.objects.filter(published=True)
    assert_type(await qs.aget(), Article)
    assert_type(await qs.aget(id=1), Article)
    assert_type(await qs.afirst(), Article | None)
    assert_type(await qs.alast(), Article | None)
    assert_type(await qs.aget_or_none(id=1), Article | None)
    assert_type(await qs.acount(), int)
    assert_type(await qs.aexists(), bool)
    assert_type(await qs.apage(1), Page[Article])
    assert_type(await qs.alist(), list[Article])
    assert_type(await qs.aaggregate(n=Count()), dict[str, Any])
    assert_type(qs.aiterator(), AsyncIterator[Article])
    async for article in qs:
        assert_type(article, Article)
    async for article in qs.aiterator():
        assert_type(article, Article)
    async for article in qs.aiterator(chunk_size=5):
        assert_type(article, Article)


def check_custom_queryset() -> None:
    # Model declares ``objects = Manager()`` without an annotation, so a subclass's
    # ``objects = ArticleQuerySet.as_manager()`` keeps its own type in both checkers.
    assert_type(Post.objects, ArticleQuerySet)
    assert_type(ArticleQuerySet.as_manager(), QuerySetManager[ArticleQuerySet])


def check_custom_queryset_chains(posts: ArticleQuerySet) -> None:
    assert_type(ArticleQuerySet(Post), ArticleQuerySet)
    assert_type(posts.published(), ArticleQuerySet)
    assert_type(posts.published().by_title("x").filter(id=1), ArticleQuerySet)
    assert_type(posts.filter(id=1).exclude(title="y").published(), ArticleQuerySet)
    assert_type(posts.order_by("-id")[:5], ArticleQuerySet)
    assert_type(posts.published().get(), Post)
    assert_type(posts.published().first(), Post | None)
    assert_type(posts.values("id"), QuerySet[dict[str, Any]])
    for post in posts.published():
        assert_type(post, Post)


def check_exceptions() -> None:
    assert_type(Article.DoesNotExist, type[ObjectDoesNotExist])
    assert_type(Article.MultipleObjectsReturned, type[MultipleObjectsReturned])
    try:
        Article.objects.get(id=1)
    except Article.DoesNotExist as missing:
        assert_type(missing, ObjectDoesNotExist)
    except Article.MultipleObjectsReturned as many:
        assert_type(many, MultipleObjectsReturned)


def check_construction(article: Article) -> None:
    assert_type(Article(title="x"), Article)
    assert_type(Article(title="x", author=Author(name="Ada")).author, Author | int | None)
    assert_type(article.title, str)
    assert_type(article.pk, Any)
    Article(title=1)  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def check_instance_access(article: Article) -> None:
    # ``article.objects`` raises AttributeError at run time; Manager.__get__ takes
    # ``instance: None`` only, so both checkers reject it too.
    article.objects  # type: ignore[arg-type]  # pyright: ignore[reportAttributeAccessIssue, reportUnknownMemberType]  # noqa: B018
