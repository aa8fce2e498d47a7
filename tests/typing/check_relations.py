# pyright: strict
"""Static typing of relation attributes, checked by mypy --strict and pyright (strict), no plugin.

Never executed. Relation metadata lives in ``Annotated[...]``, so both checkers see the
declared types: a many-to-one is the model or its key, a to-many a list of models or of keys,
a many-to-any a list of the union of the allowed models. ``pk_of`` gives a relation's key
with the key's type; ``related(obj, field, Model)`` is a typed related manager.
"""

from __future__ import annotations

from typing import Annotated, Any

from typing_extensions import assert_type

from directus_orm import (
    M2A,
    M2M,
    DirectusFile,
    DirectusUser,
    Key,
    Model,
    QuerySet,
    RelatedManager,
    pk_of,
    related,
)


class Tag(Model, collection="tags"):
    id: int | None = None
    label: str = ""


class ArticleTag(Model, collection="articles_tags"):
    id: int | None = None
    articles_id: int | None = None
    tags_id: Tag | int | None = None
    weight: int = 0


class Author(Model, collection="authors"):
    id: int | None = None
    name: str = ""
    account: DirectusUser | str | None = None
    photo: DirectusFile | str | None = None
    articles: list[Article] | list[int] | None = None


class Article(Model, collection="articles"):
    id: int | None = None
    title: str
    author: Author | int | None = None
    author_id = Key[int | None]()
    tags: Annotated[list[Tag] | list[int] | None, M2M()] = None
    weighted_tags: Annotated[list[Tag] | list[int] | None, M2M("tags_id", through=ArticleTag)] = None


class Heading(Model, collection="headings"):
    id: int | None = None
    text: str = ""


class Paragraph(Model, collection="paragraphs"):
    id: str | None = None
    body: str = ""


class Page(Model, collection="pages"):
    id: int | None = None
    blocks: list[Heading | Paragraph] | None = None
    sections: Annotated[list[Heading] | None, M2A(item_field="thing")] = None


def check_attributes(article: Article, author: Author, page: Page) -> None:
    assert_type(article.author, Author | int | None)
    assert_type(article.tags, list[Tag] | list[int] | None)
    assert_type(article.weighted_tags, list[Tag] | list[int] | None)
    assert_type(author.articles, list[Article] | list[int] | None)
    assert_type(author.account, DirectusUser | str | None)
    assert_type(author.photo, DirectusFile | str | None)
    assert_type(page.blocks, list[Heading | Paragraph] | None)
    assert_type(page.sections, list[Heading] | None)
    if isinstance(article.author, Author):
        assert_type(article.author.name, str)
    for block in page.blocks or []:
        assert_type(block, Heading | Paragraph)
        if isinstance(block, Paragraph):
            assert_type(block.id, str | None)


def check_keys(article: Article, author: Author) -> None:
    # A declared Key is typed; without one, `<field>_id` exists at run time (Model.__getattr__)
    # and is Any to checkers, as is pk_of() (neither checker can split a key type out of
    # `Author | int | None` without overlapping overloads).
    assert_type(article.author_id, int | None)
    assert_type(Article.author_id, Key[int | None])
    assert_type(author.account_id, Any)
    assert_type(pk_of(author.photo), Any)
    assert_type([pk_of(t) for t in article.tags or []], list[Any])


def check_construction(tag: Tag, author: Author) -> None:
    assert_type(Article(title="x", author=author, tags=[tag]), Article)
    assert_type(Article(title="x", author=3, tags=[1, 2]), Article)
    Article(title="x", author="three")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]
    Article(title="x", tags=[author])  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


def check_managers(article: Article, tag: Tag, heading: Heading) -> None:
    tags = related(article, "tags", Tag)
    assert_type(tags, RelatedManager[Tag])
    assert_type(related(article, "tags"), RelatedManager[Any])
    assert_type(tags.add(tag, 3), None)
    assert_type(tags.remove(tag), None)
    assert_type(tags.set([tag, 4]), None)
    assert_type(tags.clear(), None)
    assert_type(tags.create(label="new"), Tag)
    assert_type(related(article, "weighted_tags", Tag).add(tag, through_defaults={"weight": 2}), None)
    assert_type(related(article, "weighted_tags", Tag).through, list[Any])
    assert_type(related(Page(), "blocks", Heading).add(heading), None)


async def check_async_managers(article: Article, tag: Tag) -> None:
    tags = related(article, "tags", Tag)
    assert_type(await tags.aadd(tag), None)
    assert_type(await tags.aremove(tag), None)
    assert_type(await tags.aset([tag]), None)
    assert_type(await tags.aclear(), None)
    assert_type(await tags.acreate(label="new"), Tag)


def check_loading() -> None:
    qs = Article.objects.select_related("author", "tags")
    assert_type(qs, QuerySet[Article])
    assert_type(qs.fields("*", "author.name", "tags.label"), QuerySet[Article])
    assert_type(Author.objects.prefetch(articles=Article.objects.filter(title="x")[:5]), QuerySet[Author])
    assert_type(Author.objects.prefetch_related("articles"), QuerySet[Author])
    assert_type(qs.filter(tags__label="x", author__name="y"), QuerySet[Article])
    assert_type(qs.get().tags, list[Tag] | list[int] | None)
    for article in qs:
        assert_type(article.author, Author | int | None)


Author.model_rebuild()
