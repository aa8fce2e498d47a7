"""Golden tests: what relation loading and filtering compile to (fields, deep, filter).

Pure: no session, no server. The integration tests check the same shapes against Directus.
"""

from __future__ import annotations

from typing import Annotated, Any

import pytest

from directus_orm import M2M, FieldError, LookupNotSupported, Model, Q, QueryError
from directus_orm._models.resolver import ModelResolver
from directus_orm._query.filters import compile_filter

from ..models_for_tests import Article, ArticleTag, Author, Heading, Page, Post, Tag, Text


def params(qs: Any) -> dict[str, Any]:
    query = qs.query_params()
    query.pop("limit", None)
    query.pop("meta", None)
    return query


# ------------------------------------------------------------------ declarations


def test_field_kinds_and_junction_names() -> None:
    fields = Article._meta.fields
    assert fields["author"].kind == "m2o" and fields["author"].related is Author
    assert fields["tags"].kind == "m2m" and fields["tags"].related is Tag
    assert fields["tags"].junction_field == "tags_id"  # Directus's default: <far collection>_id
    assert fields["tags"].junction_pk == "id"
    assert Author._meta.fields["articles"].kind == "o2m"
    assert Post._meta.fields["tags"].through is ArticleTag  # named by string, resolved lazily
    blocks = Page._meta.fields["blocks"]
    assert blocks.kind == "m2a" and blocks.targets == (Heading, Text)
    assert Page._meta.fields["parts"].kind == "m2a" and Page._meta.fields["parts"].targets == (Heading,)
    assert [f.name for f in Article._meta.to_many] == ["tags"]


def test_bad_declarations_fail_clearly() -> None:
    class Bad(Model, collection="bad"):
        id: int | None = None
        tags: Annotated[int | None, M2M()] = None

    with pytest.raises(FieldError, match=r"Bad\.tags: M2M\(\) needs a list of one model"):
        _ = Bad._meta.fields


def test_resolver_reports_relation_kinds_for_the_compiler() -> None:
    resolved = ModelResolver(Article).resolve("tags")
    assert (resolved.kind, resolved.junction_field) == ("m2m", "tags_id")
    scope = ModelResolver(Page).resolve("blocks").related
    assert scope is not None
    assert scope.resolve("headings").api_name == "item:headings"
    assert scope.resolve("Text").api_name == "item:texts"
    with pytest.raises(FieldError, match="no scope 'nope'"):
        scope.resolve("nope")


# ------------------------------------------------------------------ fields and deep

GOLDEN: list[tuple[Any, dict[str, Any]]] = [
    # A to-many fetched as keys is complete; a many-to-many's keys are the far keys.
    (lambda: Author.objects.all(), {'fields': ['id', 'name', 'articles'], 'deep': {'articles': {'_limit': -1}}}),
    (lambda: Article.objects.all(),
     {'fields': ['id', 'title', 'author', 'tags', 'tags.id', 'tags.tags_id'], 'deep': {'tags': {'_limit': -1}}}),
    (lambda: Page.objects.all(),
     {'fields': ['id', 'blocks', 'parts', 'blocks.id', 'blocks.collection', 'blocks.item', 'parts.id', 'parts.kind', 'parts.thing'], 'deep': {'blocks': {'_limit': -1}, 'parts': {'_limit': -1}}}),
    # Plain fields on a model whose relations are not fetched: unchanged.
    (lambda: Article.objects.fields("id", "title"), {"fields": ["id", "title"]}),
    # The junction is hidden in paths, and nested lists carry their keys.
    (lambda: Article.objects.fields("id", "tags.label"),
     {"fields": ["id", "tags.tags_id.label", "tags.id", "tags.tags_id.id"], "deep": {"tags": {"_limit": -1}}}),
    # tags.* is every field of Tag, its own many-to-many included (as complete keys).
    (lambda: Article.objects.fields("id", "tags.*"),
     {"fields": ["id", "tags.tags_id.*", "tags.id", "tags.tags_id.articles.id", "tags.tags_id.articles.articles_id"],
      "deep": {"tags": {"_limit": -1, "tags_id": {"articles": {"_limit": -1}}}}}),
    (lambda: Article.objects.fields("id", "tags.tags_id.label"),
     {"fields": ["id", "tags.tags_id.label", "tags.id", "tags.tags_id.id"], "deep": {"tags": {"_limit": -1}}}),
    (lambda: Post.objects.fields("id", "tags.weight"),  # a field of the through model
     {"fields": ["id", "tags.weight", "tags.id", "tags.tags_id"], "deep": {"tags": {"_limit": -1}}}),
    (lambda: Page.objects.fields("id", "blocks.headings.text"),
     {"fields": ["id", "blocks.item:headings.text", "blocks.id", "blocks.collection", "blocks.item:headings.id"],
      "deep": {"blocks": {"_limit": -1}}}),
    (lambda: Page.objects.fields("id", "blocks.*"),
     {"fields": ["id", "blocks.item:headings.*", "blocks.item:texts.*", "blocks.id", "blocks.collection"],
      "deep": {"blocks": {"_limit": -1}}}),
    # select_related: the related row, not its own lists (limit 0, then marked not loaded).
    (lambda: Article.objects.select_related("author"),
     {'fields': ['id', 'title', 'tags', 'author.*', 'tags.id', 'tags.tags_id'], 'deep': {'author': {'articles': {'_limit': 0}}, 'tags': {'_limit': -1}}}),
    (lambda: Article.objects.fields("id").select_related("author", "tags"),
     {"fields": ["id", "author.*", "tags.tags_id.*", "tags.id"],
      "deep": {"author": {"articles": {"_limit": 0}}, "tags": {"_limit": -1, "tags_id": {"articles": {"_limit": 0}}}}}),
    (lambda: Post.objects.select_related("tags"),  # through model: the junction rows too
     {'fields': ['id', 'tags.*', 'tags.tags_id.*'], 'deep': {'tags': {'_limit': -1, 'tags_id': {'articles': {'_limit': 0}}}}}),
    (lambda: Author.objects.select_related("articles__author"),
     {'fields': ['id', 'name', 'articles.*', 'articles.author.*'], 'deep': {'articles': {'_limit': -1, 'author': {'articles': {'_limit': 0}}, 'tags': {'_limit': 0}}}}),
    (lambda: Page.objects.fields("id").select_related("blocks"),
     {"fields": ["id", "blocks.item:headings.*", "blocks.item:texts.*", "blocks.id", "blocks.collection"],
      "deep": {"blocks": {"_limit": -1}}}),
    # prefetch: a nested QuerySet becomes deep; without a slice, every match.
    (lambda: Author.objects.fields("id").prefetch(
        articles=Article.objects.filter(title="x").order_by("-id").fields("id", "title")[2:5]),
     {"fields": ["id", "articles.id", "articles.title"],
      "deep": {"articles": {"_filter": {"title": {"_eq": "x"}}, "_sort": ["-id"], "_limit": 3, "_offset": 2}}}),
    (lambda: Author.objects.fields("id").prefetch(articles=Article.objects.filter(title="x")),
     {"fields": ["id", "articles.*"],
      "deep": {"articles": {"_filter": {"title": {"_eq": "x"}}, "_limit": -1, "tags": {"_limit": 0}}}}),
    (lambda: Article.objects.fields("id").prefetch(
        tags=Tag.objects.filter(Q(label="a") | Q(label="b")).order_by("-label").fields("label")[:2]),
     {"fields": ["id", "tags.tags_id.label", "tags.id", "tags.tags_id.id"],
      "deep": {"tags": {"_filter": {"_or": [{"tags_id": {"label": {"_eq": "a"}}}, {"tags_id": {"label": {"_eq": "b"}}}]},
                        "_sort": ["-tags_id.label"], "_limit": 2}}}),
    (lambda: Author.objects.fields("id").prefetch(articles=Article.objects.fields("id").select_related("tags")),
     {"fields": ["id", "articles.id", "articles.tags.tags_id.*", "articles.tags.id"],
      "deep": {"articles": {"_limit": -1, "tags": {"_limit": -1, "tags_id": {"articles": {"_limit": 0}}}}}}),
    # The plain deep() speaks of the far model through a many-to-many too.
    (lambda: Article.objects.fields("id", "tags.label").deep(tags=Tag.objects.filter(label="x")),
     {"fields": ["id", "tags.tags_id.label", "tags.id", "tags.tags_id.id"],
      "deep": {"tags": {"_filter": {"tags_id": {"label": {"_eq": "x"}}}, "_limit": -1}}}),
    (lambda: Author.objects.deep(articles={"_limit": 5}), {'fields': ['id', 'name', 'articles'], 'deep': {'articles': {'_limit': 5}}}),
    # Counts: checked names, Directus functions.
    (lambda: Article.objects.fields("id", "count(tags)").order_by("-count(tags)"),
     {"fields": ["id", "count(tags)"], "sort": ["-count(tags)"]}),
]


@pytest.mark.parametrize(("shape", "expected"), GOLDEN, ids=[str(i) for i in range(len(GOLDEN))])
def test_golden_fields_and_deep(shape: Any, expected: dict[str, Any]) -> None:
    assert params(shape()) == expected


def test_values_rows_get_complete_lists_but_no_added_paths() -> None:
    assert params(Author.objects.values("id", "articles")) == {
        "fields": ["id", "articles"], "deep": {"articles": {"_limit": -1}}}


def test_select_related_with_no_names_selects_every_relation() -> None:
    assert params(Article.objects.select_related()) == params(Article.objects.select_related("author", "tags"))


@pytest.mark.parametrize(
    ("shape", "error", "match"),
    [
        (lambda: Article.objects.select_related("title"), QueryError, "not a relation"),
        (lambda: Article.objects.select_related("nope"), FieldError, "has no field 'nope'"),
        (lambda: Article.objects.fields("tags.nope"), FieldError, "through the many-to-many 'tags'"),
        (lambda: Page.objects.fields("blocks.nope.text"), FieldError, "name a scope"),
        (lambda: Page.objects.prefetch(blocks=Heading.objects.all()), QueryError, "many-to-any"),
        (lambda: Article.objects.prefetch(author=Author.objects.filter(name="x")), QueryError, "many-to-one"),
        (lambda: Article.objects.prefetch(tags=[1]), QueryError, "takes a QuerySet"),  # type: ignore[arg-type]
        (lambda: Article.objects.order_by("count(nope)"), FieldError, "has no field 'nope'"),
        (lambda: Article.objects.fields("id").deep(tags=Tag.objects.search("x")), QueryError, "search"),
    ],
)
def test_errors_before_any_request(shape: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        shape()


# ------------------------------------------------------------------ filters


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        (lambda: Article.objects.filter(author__name="Ada"), {"author": {"name": {"_eq": "Ada"}}}),
        (lambda: Article.objects.filter(author=Author(id=3)), {"author": {"_eq": 3}}),
        (lambda: Article.objects.filter(tags__label="x"), {"tags": {"tags_id": {"label": {"_eq": "x"}}}}),
        (lambda: Article.objects.exclude(tags__label="x"),
         {"tags": {"_none": {"tags_id": {"label": {"_eq": "x"}}}}}),
        (lambda: Article.objects.filter(tags__some=Q(label="x")),
         {"tags": {"_some": {"tags_id": {"label": {"_eq": "x"}}}}}),
        (lambda: Article.objects.filter(tags__none={"label": "x"}),
         {"tags": {"_none": {"tags_id": {"label": {"_eq": "x"}}}}}),
        (lambda: Author.objects.filter(articles__some=Q(title="x")), {"articles": {"_some": {"title": {"_eq": "x"}}}}),
        (lambda: Author.objects.filter(articles__tags__label="x"),
         {"articles": {"tags": {"tags_id": {"label": {"_eq": "x"}}}}}),
        (lambda: Article.objects.filter(tags__count__gt=2), {"count(tags)": {"_gt": 2}}),
        (lambda: Author.objects.filter(articles__isnull=True), {"count(articles)": {"_eq": 0}}),
        (lambda: Page.objects.filter(blocks__headings__text="x"), {"blocks": {"item:headings": {"text": {"_eq": "x"}}}}),
        (lambda: Page.objects.filter(blocks__collection="texts"), {"blocks": {"collection": {"_eq": "texts"}}}),
        (lambda: Page.objects.filter(blocks__some=Q(Heading__text="x")),
         {"blocks": {"_some": {"item:headings": {"text": {"_eq": "x"}}}}}),
    ],
)
def test_filters_across_relations(shape: Any, expected: dict[str, Any]) -> None:
    assert shape().query_params()["filter"] == expected


def test_some_with_several_conditions_is_sent_as_plain_paths() -> None:
    assert Article.objects.filter(tags__some=Q(label="x", id=1)).query_params()["filter"] == {
        "_and": [{"tags": {"tags_id": {"label": {"_eq": "x"}}}},
                 {"tags": {"tags_id": {"id": {"_eq": 1}}}}]}
    with pytest.raises(LookupNotSupported):
        Article.objects.filter(tags__none=Q(label="x", id=1))
    assert compile_filter(Q(tags__some=Q(label="x") | Q(label="y")), ModelResolver(Article)) == {
        "_or": [{"tags": {"_some": {"tags_id": {"label": {"_eq": "x"}}}}},
                {"tags": {"_some": {"tags_id": {"label": {"_eq": "y"}}}}}]}
