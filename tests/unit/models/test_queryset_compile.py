"""Golden tests: the exact Directus query each QuerySet shape compiles to.

``query_params()`` is the structured query and ``explain()`` the request line; both are pure,
so most of these tests need no session at all. The few shapes that only exist on the wire
(aggregates, group_by, values rows) are captured through ``httpx.MockTransport``. The error
tests run with a recording session in scope and check that nothing was sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from directus_orm import (
    Avg,
    Count,
    CountDistinct,
    FieldError,
    LookupNotSupported,
    Max,
    Q,
    QueryError,
    QuerySet,
    Session,
    Sum,
)
from directus_orm._core.request import encode_query

from ..models_for_tests import Author
from ..models_for_tests import PlainArticle as Article
from ..wire import BASE

# ------------------------------------------------------------------ golden table

# What a read asks for when fields() was not called: the model's declared fields.
ARTICLE_FIELDS = ["id", "title", "published", "views", "author", "sub-title"]
AUTHOR_FIELDS = ["id", "name", "articles"]

# (shape, expected query_params(), expected explain()). Keys are compared in order too:
# the order of query_params() is the order of the URL parameters.
GOLDEN: list[tuple[Callable[[], QuerySet[Any]], dict[str, Any], str]] = [
    (
        lambda: Article.objects.all(),
        {"fields": ARTICLE_FIELDS, "limit": 2147483647},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&limit=2147483647",
    ),
    (
        lambda: Article.objects.filter(published=True),
        {"fields": ARTICLE_FIELDS, "filter": {"published": {"_eq": True}}, "limit": 2147483647},
        'GET /items/articles?fields=id,title,published,views,author,sub-title&filter={"published":{"_eq":true}}&limit=2147483647',
    ),
    (
        lambda: Article.objects.filter(published=True, views__gte=3),
        {"fields": ARTICLE_FIELDS, "filter": {"_and": [{"published": {"_eq": True}}, {"views": {"_gte": 3}}]}, "limit": 2147483647},
        'GET /items/articles?fields=id,title,published,views,author,sub-title&filter={"_and":[{"published":{"_eq":true}},{"views":{"_gte":3}}]}&limit=2147483647',
    ),
    (
        lambda: Article.objects.filter(published=True).filter(views__gte=3),
        {"fields": ARTICLE_FIELDS, "filter": {"_and": [{"published": {"_eq": True}}, {"views": {"_gte": 3}}]}, "limit": 2147483647},
        'GET /items/articles?fields=id,title,published,views,author,sub-title&filter={"_and":[{"published":{"_eq":true}},{"views":{"_gte":3}}]}&limit=2147483647',
    ),
    (
        # exclude() on a non-nullable field: a plain negation.
        lambda: Article.objects.exclude(title="x"),
        {"fields": ARTICLE_FIELDS, "filter": {"title": {"_neq": "x"}}, "limit": 2147483647},
        'GET /items/articles?fields=id,title,published,views,author,sub-title&filter={"title":{"_neq":"x"}}&limit=2147483647',
    ),
    (
        # exclude() on a nullable field keeps the NULL rows (Django semantics).
        lambda: Article.objects.exclude(views=5),
        {"fields": ARTICLE_FIELDS, "filter": {"_or": [{"views": {"_neq": 5}}, {"views": {"_null": True}}]}, "limit": 2147483647},
        'GET /items/articles?fields=id,title,published,views,author,sub-title&filter={"_or":[{"views":{"_neq":5}},{"views":{"_null":true}}]}&limit=2147483647',
    ),
    (
        lambda: Article.objects.filter(Q(views__gt=100) | Q(title__icontains="py")),
        {"fields": ARTICLE_FIELDS, "filter": {"_or": [{"views": {"_gt": 100}}, {"title": {"_icontains": "py"}}]}, "limit": 2147483647},
        'GET /items/articles?fields=id,title,published,views,author,sub-title&filter={"_or":[{"views":{"_gt":100}},{"title":{"_icontains":"py"}}]}&limit=2147483647',
    ),
    (
        lambda: Article.objects.filter(~Q(published=True)),
        {"fields": ARTICLE_FIELDS, "filter": {"published": {"_neq": True}}, "limit": 2147483647},
        'GET /items/articles?fields=id,title,published,views,author,sub-title&filter={"published":{"_neq":true}}&limit=2147483647',
    ),
    (
        # A raw Directus filter dict is passed through unchanged.
        lambda: Article.objects.filter({"views": {"_between": [1, 9]}}),
        {"fields": ARTICLE_FIELDS, "filter": {"views": {"_between": [1, 9]}}, "limit": 2147483647},
        'GET /items/articles?fields=id,title,published,views,author,sub-title&filter={"views":{"_between":[1,9]}}&limit=2147483647',
    ),
    (
        # Relation spans, Python names translated to Directus names.
        lambda: Article.objects.filter(author__name="Ada", sub_title="s"),
        {"fields": ARTICLE_FIELDS,
            "filter": {"_and": [{"author": {"name": {"_eq": "Ada"}}}, {"sub-title": {"_eq": "s"}}]},
            "limit": 2147483647,
        },
        'GET /items/articles?fields=id,title,published,views,author,sub-title&filter={"_and":[{"author":{"name":{"_eq":"Ada"}}},{"sub-title":{"_eq":"s"}}]}'
        "&limit=2147483647",
    ),
    (
        lambda: Article.objects.filter(pk=7),
        {"fields": ARTICLE_FIELDS, "filter": {"id": {"_eq": 7}}, "limit": 2147483647},
        'GET /items/articles?fields=id,title,published,views,author,sub-title&filter={"id":{"_eq":7}}&limit=2147483647',
    ),
    (
        # exclude(in=[]) excludes nothing: no filter at all.
        lambda: Article.objects.exclude(id__in=[]),
        {"fields": ARTICLE_FIELDS, "limit": 2147483647},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&limit=2147483647",
    ),
    (
        # An empty in=[] branch of an OR drops out.
        lambda: Article.objects.filter(Q(id__in=[]) | Q(views=1)),
        {"fields": ARTICLE_FIELDS, "filter": {"views": {"_eq": 1}}, "limit": 2147483647},
        'GET /items/articles?fields=id,title,published,views,author,sub-title&filter={"views":{"_eq":1}}&limit=2147483647',
    ),
    (
        lambda: Article.objects.search("py thon"),
        {"fields": ARTICLE_FIELDS, "search": "py thon", "limit": 2147483647},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&search=py thon&limit=2147483647",
    ),
    (
        lambda: Article.objects.fields("id", "author.name", "sub_title"),
        {"fields": ["id", "author.name", "sub-title"], "limit": 2147483647},
        "GET /items/articles?fields=id,author.name,sub-title&limit=2147483647",
    ),
    (
        # author.* holds the author's article keys: asked for complete (Directus stops at 100).
        lambda: Article.objects.fields("*", "author.*"),
        {"fields": ["*", "author.*"], "deep": {"author": {"articles": {"_limit": -1}}}, "limit": 2147483647},
        'GET /items/articles?fields=*,author.*&deep={"author":{"articles":{"_limit":-1}}}&limit=2147483647',
    ),
    (
        # Django's double underscore is accepted for paths too.
        lambda: Article.objects.only("author__name"),
        {"fields": ["author.name"], "limit": 2147483647},
        "GET /items/articles?fields=author.name&limit=2147483647",
    ),
    (
        # A nested list comes complete and with its keys (for writes).
        lambda: Author.objects.fields("id", "articles.title"),
        {"fields": ["id", "articles.title", "articles.id"], "deep": {"articles": {"_limit": -1}}, "limit": 2147483647},
        'GET /items/authors?fields=id,articles.title,articles.id&deep={"articles":{"_limit":-1}}&limit=2147483647',
    ),
    (
        # fields() with nothing resets to the server's default (every field).
        lambda: Article.objects.fields("id").fields(),
        {"fields": ARTICLE_FIELDS, "limit": 2147483647},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&limit=2147483647",
    ),
    (
        lambda: Article.objects.order_by("-id", "author.name", "sub_title"),
        {"fields": ARTICLE_FIELDS, "sort": ["-id", "author.name", "sub-title"], "limit": 2147483647},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&sort=-id,author.name,sub-title&limit=2147483647",
    ),
    (
        lambda: Article.objects.order_by("-author__name"),
        {"fields": ARTICLE_FIELDS, "sort": ["-author.name"], "limit": 2147483647},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&sort=-author.name&limit=2147483647",
    ),
    (
        # order_by() replaces the previous sort.
        lambda: Article.objects.order_by("title").order_by("views"),
        {"fields": ARTICLE_FIELDS, "sort": ["views"], "limit": 2147483647},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&sort=views&limit=2147483647",
    ),
    (
        lambda: Article.objects.order_by("title", "-views").reverse(),
        {"fields": ARTICLE_FIELDS, "sort": ["-title", "views"], "limit": 2147483647},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&sort=-title,views&limit=2147483647",
    ),
    (
        # reverse() without a sort reverses the primary key order.
        lambda: Article.objects.reverse(),
        {"fields": ARTICLE_FIELDS, "sort": ["-id"], "limit": 2147483647},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&sort=-id&limit=2147483647",
    ),
    (
        lambda: Article.objects.order_by("id").reverse().reverse(),
        {"fields": ARTICLE_FIELDS, "sort": ["id"], "limit": 2147483647},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&sort=id&limit=2147483647",
    ),
    (
        lambda: Article.objects.meta("total_count", "filter_count"),
        {"fields": ARTICLE_FIELDS, "meta": ["total_count", "filter_count"], "limit": 2147483647},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&meta=total_count,filter_count&limit=2147483647",
    ),
    (
        lambda: Article.objects.meta("*"),
        {"fields": ARTICLE_FIELDS, "meta": ["*"], "limit": 2147483647},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&meta=*&limit=2147483647",
    ),
    (
        # deep from a nested QuerySet: _filter, _sort, _limit (and _offset).
        lambda: Author.objects.deep(
            articles=Article.objects.filter(views__gt=10).order_by("-views")[2:7]
        ),
        {"fields": AUTHOR_FIELDS,
            "deep": {
                "articles": {
                    "_filter": {"views": {"_gt": 10}},
                    "_sort": ["-views"],
                    "_limit": 5,
                    "_offset": 2,
                }
            },
            "limit": 2147483647,
        },
        'GET /items/authors?fields=id,name,articles&deep={"articles":{"_filter":{"views":{"_gt":10}},"_sort":["-views"],'
        '"_limit":5,"_offset":2}}&limit=2147483647',
    ),
    (
        lambda: Author.objects.deep(articles=Article.objects.fields("id", "title")[:3]),
        {"fields": AUTHOR_FIELDS, "deep": {"articles": {"_fields": ["id", "title"], "_limit": 3}}, "limit": 2147483647},
        'GET /items/authors?fields=id,name,articles&deep={"articles":{"_fields":["id","title"],"_limit":3}}&limit=2147483647',
    ),
    (
        # A raw deep dict is passed through.
        lambda: Author.objects.deep(articles={"_limit": 1}),
        {"fields": AUTHOR_FIELDS, "deep": {"articles": {"_limit": 1}}, "limit": 2147483647},
        'GET /items/authors?fields=id,name,articles&deep={"articles":{"_limit":1}}&limit=2147483647',
    ),
    (
        # Only aliases requested: the primary key is added so Directus answers real rows.
        lambda: Article.objects.alias(headline="title").fields("headline"),
        {"fields": ["headline", "id"], "alias": {"headline": "title"}, "limit": 2147483647},
        'GET /items/articles?fields=headline,id&alias={"headline":"title"}&limit=2147483647',
    ),
    (
        lambda: Article.objects.alias(st="sub_title").fields("id", "st"),
        {"fields": ["id", "st"], "alias": {"st": "sub-title"}, "limit": 2147483647},
        'GET /items/articles?fields=id,st&alias={"st":"sub-title"}&limit=2147483647',
    ),
    (
        lambda: Article.objects.with_params(version="draft", backlink=False),
        {"fields": ARTICLE_FIELDS, "version": "draft", "backlink": False, "limit": 2147483647},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&version=draft&backlink=false&limit=2147483647",
    ),
    # ---- slicing: offset / limit
    (
        lambda: Article.objects.all()[:10],
        {"fields": ARTICLE_FIELDS, "limit": 10},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&limit=10",
    ),
    (
        lambda: Article.objects.all()[10:20],
        {"fields": ARTICLE_FIELDS, "limit": 10, "offset": 10},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&limit=10&offset=10",
    ),
    (
        lambda: Article.objects.all()[5:],
        {"fields": ARTICLE_FIELDS, "limit": 2147483647, "offset": 5},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&limit=2147483647&offset=5",
    ),
    (
        # Slicing a slice: offsets add up, the limit never grows past the outer slice.
        lambda: Article.objects.all()[10:20][2:5],
        {"fields": ARTICLE_FIELDS, "limit": 3, "offset": 12},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&limit=3&offset=12",
    ),
    (
        lambda: Article.objects.all()[10:20][5:100],
        {"fields": ARTICLE_FIELDS, "limit": 5, "offset": 15},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&limit=5&offset=15",
    ),
    (
        lambda: Article.objects.all()[5:][:3],
        {"fields": ARTICLE_FIELDS, "limit": 3, "offset": 5},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&limit=3&offset=5",
    ),
    (
        lambda: Article.objects.all()[10:20][3:],
        {"fields": ARTICLE_FIELDS, "limit": 7, "offset": 13},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&limit=7&offset=13",
    ),
    (
        lambda: Article.objects.all()[10:20][20:30],
        {"fields": ARTICLE_FIELDS, "limit": 0, "offset": 30},
        "GET /items/articles?fields=id,title,published,views,author,sub-title&limit=0&offset=30",
    ),
    (
        # Every part together, in the documented parameter order.
        lambda: Article.objects.filter(published=True)
        .search("x")
        .fields("id", "title")
        .order_by("-id")
        .meta("filter_count")[20:30],
        {
            "fields": ["id", "title"],
            "filter": {"published": {"_eq": True}},
            "search": "x",
            "sort": ["-id"],
            "meta": ["filter_count"],
            "limit": 10,
            "offset": 20,
        },
        'GET /items/articles?fields=id,title&filter={"published":{"_eq":true}}&search=x&sort=-id'
        "&meta=filter_count&limit=10&offset=20",
    ),
    # ---- values / values_list: the fields they fetch
    (
        lambda: Article.objects.values("id", "author.name", "sub_title"),
        {"fields": ["id", "author.name", "sub-title"], "limit": 2147483647},
        "GET /items/articles?fields=id,author.name,sub-title&limit=2147483647",
    ),
    (
        lambda: Article.objects.values(),
        {"limit": 2147483647},
        "GET /items/articles?limit=2147483647",
    ),
    (
        lambda: Article.objects.filter(published=True).values_list("id", flat=True),
        {"fields": ["id"], "filter": {"published": {"_eq": True}}, "limit": 2147483647},
        'GET /items/articles?fields=id&filter={"published":{"_eq":true}}&limit=2147483647',
    ),
    (
        lambda: Article.objects.order_by("views").values_list("id", "author__name")[:5],
        {"fields": ["id", "author.name"], "sort": ["views"], "limit": 5},
        "GET /items/articles?fields=id,author.name&sort=views&limit=5",
    ),
]


@pytest.mark.parametrize(("shape", "params", "explained"), GOLDEN, ids=[g[2] for g in GOLDEN])
def test_golden_query_params_and_explain(
    shape: Callable[[], QuerySet[Any]], params: dict[str, Any], explained: str
) -> None:
    qs = shape()
    got = qs.query_params()
    assert got == params
    assert list(got) == list(params), "parameter order"
    assert qs.explain() == explained
    # str(qs.query) is the same query as JSON.
    assert json.loads(qs.query) == json.loads(json.dumps(params))
    assert repr(qs) == f"<QuerySet {qs.model.__name__}: {explained}>"


def test_chain_methods_never_mutate_the_original() -> None:
    base = Article.objects.filter(published=True)
    before = base.query_params()
    base.order_by("-id")
    base.fields("id")
    base[:3]
    base.exclude(views=1)
    base.meta("total_count")
    base.search("x")
    base.reverse()
    assert base.query_params() == before


def test_the_manager_starts_a_fresh_queryset_each_time() -> None:
    first = Article.objects
    assert first is not Article.objects
    assert type(first) is QuerySet
    assert first.model is Article


# ------------------------------------------------------------------ empty querysets


def test_none_explains_that_no_request_is_sent() -> None:
    qs = Article.objects.filter(published=True).none()
    assert qs.explain() == "(no request: the QuerySet matches nothing)"
    assert Article.objects.none().order_by("id")[:3].explain() == "(no request: the QuerySet matches nothing)"


@pytest.mark.parametrize(
    "shape",
    [
        lambda: Article.objects.filter(id__in=[]),
        lambda: Article.objects.filter(id__in=[]).filter(published=True),
        lambda: Article.objects.filter(Q(id__in=[]) & Q(views=1)),
        lambda: Article.objects.filter(id__in=set()),
        lambda: Article.objects.filter(published=True).filter(author__name__in=[]),
    ],
)
def test_in_empty_list_compiles_to_no_request(shape: Callable[[], QuerySet[Any]]) -> None:
    qs = shape()
    assert qs.query_params() == {"_empty": True}
    assert qs.explain() == "(no request: the QuerySet matches nothing)"


# ------------------------------------------------------------------ recorded requests


class Recorder:
    """A Session over httpx.MockTransport that records requests and answers canned bodies."""

    def __init__(self, answer: Any = None) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer if answer is not None else {"data": [], "meta": {"filter_count": 0}}
        self.session = Session(
            BASE, static_token="t", transport=httpx.MockTransport(self._handle), retries=0
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=self.answer)

    def params(self, index: int = -1) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(str(self.requests[index].url)).query, keep_blank_values=True)


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder()
    with rec.session:
        yield rec


def decoded(params: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params:
        out[key] = json.loads(value) if key in ("filter", "aggregate", "deep", "alias") else value
    return out


def test_evaluation_sends_exactly_query_params(recorder: Recorder) -> None:
    qs = Article.objects.filter(published=True).order_by("-id").fields("id", "title")[5:15]
    assert list(qs) == []
    (request,) = recorder.requests
    assert request.method == "GET"
    assert request.url.path == "/items/articles"
    # A slice has an explicit limit: no filter_count is needed (only limit=-1 can be
    # capped silently by a server-side QUERY_LIMIT_MAX).
    assert recorder.params() == [
        ("fields", "id,title"),
        ("filter", '{"published":{"_eq":true}}'),
        ("sort", "-id"),
        ("limit", "10"),
        ("offset", "5"),
    ]
    assert recorder.params() == [(k, v) for k, v in encode_query(qs.query_params())]
    assert qs.explain().endswith("&limit=10&offset=5")


def test_unsliced_evaluation_asks_for_the_filter_count(recorder: Recorder) -> None:
    qs = Article.objects.filter(published=True)
    assert list(qs) == []
    assert recorder.params() == [
        ("fields", ",".join(ARTICLE_FIELDS)),
        ("filter", '{"published":{"_eq":true}}'),
        ("limit", "2147483647"),
    ]


def test_aggregate_spec(recorder: Recorder) -> None:
    recorder.answer = {"data": [{"count": 4, "sum": {"views": 40}, "avg": {"views": 10.0}}]}
    result = Article.objects.filter(published=True).aggregate(
        n=Count(), total=Sum("views"), mean=Avg("views")
    )
    assert result == {"n": 4, "total": 40, "mean": 10.0}
    assert recorder.params() == [
        ("filter", '{"published":{"_eq":true}}'),
        ("aggregate", '{"count":["*"],"sum":["views"],"avg":["views"]}'),
    ]


def test_aggregate_drops_fields_meta_and_deep(recorder: Recorder) -> None:
    recorder.answer = {"data": [{"max": {"views": 9}}]}
    qs = Article.objects.fields("id").meta("total_count").deep(author={"_limit": 1}).search("s")
    assert qs.aggregate(top=Max("views")) == {"top": 9}
    assert recorder.params() == [("search", "s"), ("aggregate", '{"max":["views"]}')]


def test_aggregate_refuses_a_slice_instead_of_ignoring_it(recorder: Recorder) -> None:
    # Directus cannot aggregate over a window (LIMIT applies to the result rows), so a sliced
    # aggregate is refused before any request rather than summing every row of the collection.
    with pytest.raises(QueryError, match="slice"):
        Article.objects.order_by("-views")[:5].aggregate(total=Sum("views"))
    assert recorder.requests == []


def test_group_by_aggregate_spec(recorder: Recorder) -> None:
    recorder.answer = {
        "data": [
            {"published": True, "author": 1, "count": 3, "countDistinct": {"sub-title": 2}},
            {"published": False, "author": 1, "count": 1, "countDistinct": {"sub-title": 1}},
        ]
    }
    rows = (
        Article.objects.filter(views__gt=0)
        .group_by("published", "author")
        .aggregate(n=Count(), kinds=CountDistinct("sub_title"))
    )
    assert rows == [
        {"published": True, "author": 1, "n": 3, "kinds": 2},
        {"published": False, "author": 1, "n": 1, "kinds": 1},
    ]
    assert recorder.params() == [
        ("filter", '{"views":{"_gt":0}}'),
        ("aggregate", '{"count":["*"],"countDistinct":["sub-title"]}'),
        ("groupBy", "published,author"),
        ("limit", "-1"),
    ]


def test_group_by_on_a_slice_keeps_its_limit(recorder: Recorder) -> None:
    recorder.answer = {"data": []}
    assert Article.objects.all()[:4].group_by("published").aggregate(n=Count()) == []
    assert decoded(recorder.params())["limit"] == "4"


def test_group_by_translates_field_names() -> None:
    grouped = Article.objects.group_by("sub_title", "author")
    assert grouped.fields == ("sub-title", "author")


def test_group_by_through_a_relation_is_refused_before_sending() -> None:
    # Directus 12.4 answers 500 to groupBy=author.name.
    with pytest.raises(QueryError, match="groups only by fields of PlainArticle itself"):
        Article.objects.group_by("author__name")


def test_values_rows_are_shaped_from_the_fetched_fields(recorder: Recorder) -> None:
    recorder.answer = {
        "data": [{"id": 1, "author": {"name": "Ada"}, "sub-title": "s"}],
        "meta": {"filter_count": 1},
    }
    assert list(Article.objects.values("id", "author.name", "sub_title")) == [
        {"id": 1, "author.name": "Ada", "sub_title": "s"}
    ]
    assert decoded(recorder.params())["fields"] == "id,author.name,sub-title"
    assert list(Article.objects.values_list("id", "author__name")) == [(1, "Ada")]
    assert list(Article.objects.values_list("sub_title", flat=True)) == ["s"]
    assert [decoded(recorder.params(i))["fields"] for i in (1, 2)] == ["id,author.name", "sub-title"]


# ------------------------------------------------------------------ empty: no request at all


@pytest.mark.parametrize(
    "evaluate",
    [
        pytest.param(lambda qs: list(qs), id="list"),
        pytest.param(lambda qs: len(qs), id="len"),
        pytest.param(lambda qs: bool(qs), id="bool"),
        pytest.param(lambda qs: qs.count(), id="count"),
        pytest.param(lambda qs: qs.exists(), id="exists"),
        pytest.param(lambda qs: qs.first(), id="first"),
        pytest.param(lambda qs: qs.last(), id="last"),
        pytest.param(lambda qs: qs.get_or_none(), id="get_or_none"),
        pytest.param(lambda qs: list(qs.iterator(chunk_size=2)), id="iterator"),
        pytest.param(lambda qs: list(qs.values("id")), id="values"),
        pytest.param(lambda qs: list(qs.values_list("id", flat=True)), id="values_list"),
        pytest.param(lambda qs: qs.in_bulk([1, 2]), id="in_bulk"),
        pytest.param(lambda qs: qs.group_by("published").aggregate(n=Count()), id="group_by"),
    ],
)
@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda: Article.objects.none(), id="none"),
        pytest.param(lambda: Article.objects.filter(id__in=[]), id="in-empty"),
        pytest.param(lambda: Article.objects.filter(published=True, author__in=[]), id="and-in-empty"),
    ],
)
def test_empty_querysets_send_no_request(
    recorder: Recorder, shape: Callable[[], QuerySet[Any]], evaluate: Callable[[QuerySet[Any]], Any]
) -> None:
    result = evaluate(shape())
    assert result in ([], 0, False, None, {})
    assert recorder.requests == []


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda: Article.objects.none(), id="none"),
        pytest.param(lambda: Article.objects.filter(id__in=[]), id="in-empty"),
    ],
)
def test_get_on_an_empty_queryset_raises_does_not_exist_without_a_request(
    recorder: Recorder, shape: Callable[[], QuerySet[Any]]
) -> None:
    with pytest.raises(Article.DoesNotExist):
        shape().get()
    with pytest.raises(IndexError):
        shape()[0]
    assert recorder.requests == []


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda: Article.objects.none(), id="none"),
        pytest.param(lambda: Article.objects.filter(id__in=[]), id="in-empty"),
    ],
)
def test_page_of_an_empty_queryset_is_empty_without_a_request(
    recorder: Recorder, shape: Callable[[], QuerySet[Any]]
) -> None:
    # none().page(1) and filter(id__in=[]).page(1) are empty pages, with no request sent.
    page = shape().page(1, size=10)
    assert list(page) == []
    assert (page.number, page.size, page.filter_count, page.has_next) == (1, 10, 0, False)
    assert recorder.requests == []


# ------------------------------------------------------------------ errors before any request


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: Article.objects.filter(nope=1), FieldError, r"Article has no field 'nope'"),
        (lambda: Article.objects.exclude(nope=1), FieldError, r"Article has no field 'nope'"),
        (lambda: Article.objects.filter(Q(nope=1) | Q(id=1)), FieldError, r"Article has no field 'nope'"),
        (lambda: Article.objects.filter(author__nope=1), FieldError, r"Author has no field 'nope'"),
        (lambda: Article.objects.fields("id", "author.nope"), FieldError, r"Author has no field 'nope'"),
        (lambda: Article.objects.order_by("-nope"), FieldError, r"Article has no field 'nope'"),
        (lambda: Article.objects.values("nope"), FieldError, r"Article has no field 'nope'"),
        (lambda: Article.objects.values_list("nope", flat=True), FieldError, r"Article has no field"),
        (lambda: Article.objects.group_by("nope"), FieldError, r"Article has no field 'nope'"),
        (lambda: Author.objects.deep(nope={"_limit": 1}), FieldError, r"Author has no field 'nope'"),
        (lambda: Article.objects.alias(x="nope"), FieldError, r"Article has no field 'nope'"),
        (lambda: Article.objects.filter(title__bogus=1), LookupNotSupported, r"bogus"),
        (lambda: Article.objects.filter(title__regex="^a"), LookupNotSupported, r"regex"),
        (lambda: Article.objects.exclude(title__icontains="a"), LookupNotSupported, r"_nicontains"),
        (lambda: Article.objects.all()[-1], QueryError, r"negative indexing"),
        (lambda: Article.objects.all()[-3:], QueryError, r"negative indexing"),
        (lambda: Article.objects.all()[:-1], QueryError, r"negative indexing"),
        (lambda: Article.objects.all()[::2], QueryError, r"step"),
        (lambda: Article.objects.all()[1:9:1], QueryError, r"step"),
        (lambda: Article.objects.all()[:5].filter(id=1), QueryError, r"cannot filter .* slice"),
        (lambda: Article.objects.all()[2:].exclude(id=1), QueryError, r"cannot exclude .* slice"),
        (lambda: Article.objects.all()[:5].order_by("id"), QueryError, r"cannot reorder .* slice"),
        (lambda: Article.objects.all()[:5].search("x"), QueryError, r"cannot search .* slice"),
        (
            lambda: Article.objects.values_list("id", "title", flat=True),  # type: ignore[call-overload]
            QueryError,
            r"flat=True\) takes exactly one field",
        ),
        (lambda: Article.objects.values_list(), QueryError, r"at least one field"),
        (lambda: Article.objects.group_by(), QueryError, r"at least one field"),
        (lambda: Article.objects.meta("bogus"), QueryError, r"unknown meta 'bogus'"),
        (lambda: Article.objects.order_by("?"), QueryError, r"cannot sort by '\?'"),
        (lambda: Article.objects.order_by("-"), QueryError, r"cannot sort by '-'"),
        (lambda: Article.objects.alias(x="author.name"), QueryError, r"cannot contain a period"),
        (lambda: Article.objects.all()["a"], TypeError, r"integers or slices"),
        (lambda: Article.objects.filter(3), TypeError, r"Q\(\) takes"),
    ],
)
def test_errors_are_raised_while_building(
    recorder: Recorder, build: Callable[[], Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        build()
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("run", "match"),
    [
        (lambda: list(Article.objects.iterator(chunk_size=0)), r"chunk_size must be positive"),
        (lambda: Article.objects.page(0), r"page numbers and sizes start at 1"),
        (lambda: Article.objects.page(1, size=0), r"page numbers and sizes start at 1"),
        (lambda: Article.objects.aggregate(), r"needs at least one aggregate"),
        (lambda: Article.objects.aggregate(n="views"), r"is not an aggregate"),
    ],
)
def test_errors_are_raised_before_any_request_at_evaluation(
    recorder: Recorder, run: Callable[[], Any], match: str
) -> None:
    with pytest.raises(QueryError, match=match):
        run()
    assert recorder.requests == []


def test_field_error_lists_the_known_fields() -> None:
    with pytest.raises(FieldError) as info:
        Article.objects.filter(titel="x")
    message = str(info.value)
    for name in ("id", "title", "published", "views", "author", "sub_title"):
        assert name in message


def test_query_errors_are_value_errors() -> None:
    # QueryError derives from ValueError, so generic handlers catch it too.
    with pytest.raises(ValueError):
        Article.objects.all()[-1]
