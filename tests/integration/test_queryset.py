"""The QuerySet read path against a real Directus: every lookup, spans, paging, iteration.

Expected results are computed in Python from the seeded rows, so each query is
checked against what it should match, not against a recorded answer.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any, Literal

import pytest
from pydantic import Field

import directus_orm as d
from directus_orm import Avg, Count, Max, Min, Model, Q, QuerySet, Sum

from . import schema as f
from .schema import Schema

N_ARTICLES = 1150
AUTHORS = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra"]
STATUSES = ["draft", "published", "archived"]


class Author(Model, collection="t3_authors"):
    id: int | None = None
    name: str
    email: str | None = None
    articles: list[Article] | list[int] | None = None


class Article(Model, collection="t3_articles"):
    id: int | None = None
    title: str
    body: str | None = None
    published: bool = False
    views: int | None = None
    rating: Decimal | None = None
    status: Literal["draft", "published", "archived"] = "draft"
    published_at: datetime | None = None
    data: dict[str, Any] | None = None
    author: Author | int | None = None
    sub_title: str | None = Field(default=None, alias="sub-title")


Author.model_rebuild()


def article_row(i: int, author_ids: list[int]) -> dict[str, Any]:
    return {
        "title": f"Article {i:04d}" + (" Python" if i % 7 == 0 else ""),
        "body": None if i % 11 == 0 else ("" if i % 13 == 0 else f"Body of {i}"),
        "published": i % 2 == 0,
        "views": None if i % 17 == 0 else i,
        "rating": f"{(i % 50) / 10:.2f}",
        "status": STATUSES[i % 3],
        "published_at": datetime(2020 + i % 5, 1 + i % 12, 1 + i % 28, tzinfo=timezone.utc)
        .isoformat()
        .replace("+00:00", "Z"),
        "data": {"n": i},
        "author": author_ids[i % len(author_ids)] if i % 19 else None,
        "sub-title": f"sub {i}",
    }


@pytest.fixture(scope="module")
def seeded(module_session) -> Iterator[dict[str, Any]]:
    builder = Schema(module_session)
    builder.collection("t3_authors", [f.string("name", nullable=False), f.string("email")])
    builder.collection(
        "t3_articles",
        [
            f.string("title", nullable=False),
            f.text("body"),
            f.boolean("published"),
            f.integer("views"),
            f.decimal("rating", 5, 2),
            f.string("status"),
            f.timestamp("published_at"),
            f.json_("data"),
            f.m2o("author"),
            f.string("sub-title"),
        ],
    )
    builder.m2o("t3_articles", "author", "t3_authors", one_field="articles")
    author_ids = builder.seed(
        "t3_authors",
        [{"name": n, "email": None if i == 3 else f"a{i}@example.com"} for i, n in enumerate(AUTHORS)],
    )
    rows = [article_row(i, author_ids) for i in range(N_ARTICLES)]
    ids = builder.seed("t3_articles", rows)
    by_id = {pk: {**row, "id": pk} for pk, row in zip(ids, rows)}
    authors = dict(zip(author_ids, AUTHORS))
    try:
        yield {"rows": by_id, "authors": authors, "ids": ids}
    finally:
        builder.drop()


def ids_of(qs: QuerySet[Article]) -> set[int]:
    return {a.id for a in qs.fields("id") if a.id is not None}


def expect(seeded: dict[str, Any], predicate) -> set[int]:
    return {pk for pk, row in seeded["rows"].items() if predicate(row)}


def author_name(seeded: dict[str, Any], row: dict[str, Any]) -> str | None:
    return seeded["authors"].get(row["author"]) if row["author"] else None


# (lookups, Python predicate over a seeded row). Each is checked with filter() and exclude().
LOOKUP_CASES: list[tuple[dict[str, Any], Any]] = [
    ({"status": "draft"}, lambda r: r["status"] == "draft"),
    ({"status__exact": "published"}, lambda r: r["status"] == "published"),
    ({"views": None}, lambda r: r["views"] is None),
    ({"views__in": [1, 2, 3, 500]}, lambda r: r["views"] in (1, 2, 3, 500)),
    ({"views__gt": 1000}, lambda r: r["views"] is not None and r["views"] > 1000),
    ({"views__gte": 1000}, lambda r: r["views"] is not None and r["views"] >= 1000),
    ({"views__lt": 10}, lambda r: r["views"] is not None and r["views"] < 10),
    ({"views__lte": 10}, lambda r: r["views"] is not None and r["views"] <= 10),
    ({"views__range": (100, 200)}, lambda r: r["views"] is not None and 100 <= r["views"] <= 200),
    ({"title__contains": "Python"}, lambda r: "Python" in r["title"]),
    ({"title__icontains": "python"}, lambda r: "python" in r["title"].lower()),
    ({"title__startswith": "Article 01"}, lambda r: r["title"].startswith("Article 01")),
    ({"title__istartswith": "article 01"}, lambda r: r["title"].startswith("Article 01")),
    ({"title__endswith": "Python"}, lambda r: r["title"].endswith("Python")),
    ({"title__iendswith": "PYTHON"}, lambda r: r["title"].endswith("Python")),
    ({"body__isnull": True}, lambda r: r["body"] is None),
    ({"body__isnull": False}, lambda r: r["body"] is not None),
    ({"body__empty": True}, lambda r: not r["body"]),
    ({"published": True}, lambda r: r["published"] is True),
    ({"rating__gte": Decimal("4.5")}, lambda r: float(r["rating"]) >= 4.5),
    ({"published_at__year": 2022}, lambda r: r["published_at"].startswith("2022")),
    ({"published_at__month__gte": 11}, lambda r: int(r["published_at"][5:7]) >= 11),
    (
        {"published_at__gte": datetime(2023, 6, 1, tzinfo=timezone.utc)},
        lambda r: r["published_at"] >= "2023-06-01",
    ),
    ({"sub_title": "sub 5"}, lambda r: r["sub-title"] == "sub 5"),
]


@pytest.mark.parametrize(("lookups", "predicate"), LOOKUP_CASES, ids=lambda v: str(v) if isinstance(v, dict) else "")
def test_lookup_filter_and_exclude(session, seeded, lookups, predicate):
    matched = expect(seeded, predicate)
    assert matched, "the seed data must exercise the lookup"
    assert ids_of(Article.objects.filter(**lookups)) == matched
    if any(key.endswith("__icontains") for key in lookups):
        # Directus 12.4 refuses _nicontains: the ORM says so before any request.
        with pytest.raises(d.LookupNotSupported, match="_nicontains"):
            Article.objects.exclude(**lookups)
        return
    # Django semantics: exclude() is the exact complement, NULL rows included.
    assert ids_of(Article.objects.exclude(**lookups)) == set(seeded["rows"]) - matched


def test_relation_span_and_negation(session, seeded):
    def turing(r):
        return author_name(seeded, r) == "Alan Turing"

    qs = Article.objects.filter(author__name__icontains="turing")
    assert ids_of(qs) == expect(seeded, turing)
    assert ids_of(Article.objects.exclude(author__name="Alan Turing")) == expect(
        seeded, lambda r: not turing(r)
    )


def test_q_objects_or_and_not(session, seeded):
    qs = Article.objects.filter(Q(views__lt=20) | Q(title__icontains="python"), ~Q(status="draft"))
    assert ids_of(qs) == expect(
        seeded,
        lambda r: ((r["views"] is not None and r["views"] < 20) or "Python" in r["title"])
        and r["status"] != "draft",
    )


def test_raw_filter_dict(session, seeded):
    qs = Article.objects.filter({"views": {"_between": [10, 12]}})
    assert ids_of(qs) == expect(seeded, lambda r: r["views"] in (10, 11, 12))


def test_some_and_none_on_one_to_many(session, seeded):
    popular = {r["author"] for r in seeded["rows"].values() if r["views"] and r["views"] > 1140}
    some = {a.id for a in Author.objects.filter(articles__some=Q(views__gt=1140))}
    assert some == popular
    none = {a.id for a in Author.objects.filter(articles__none=Q(views__gt=1140))}
    assert none == set(seeded["authors"]) - popular


def test_regex_is_refused_before_any_request(session):
    with pytest.raises(d.LookupNotSupported):
        Article.objects.filter(title__regex="^A")


def test_unknown_field_and_lookup_raise_before_any_request():
    with pytest.raises(d.FieldError, match="Article"):
        Article.objects.filter(nope=1)
    with pytest.raises(d.LookupNotSupported, match="bogus"):
        Article.objects.filter(title__bogus=1)
    with pytest.raises(d.FieldError):
        Article.objects.order_by("-nope")
    with pytest.raises(d.FieldError):
        Article.objects.fields("id", "author.nope")


@pytest.mark.smoke
def test_iterating_returns_everything_past_100_and_1000(session, seeded):
    articles = list(Article.objects.all())
    assert len(articles) == N_ARTICLES
    assert {a.id for a in articles} == set(seeded["rows"])
    first = articles[0]
    assert isinstance(first, Article) and isinstance(first.rating, Decimal)
    assert first.data == {"n": seeded["rows"][first.id]["data"]["n"]}
    assert first.sub_title == seeded["rows"][first.id]["sub-title"]


@pytest.mark.smoke
def test_sort_and_slices(session, seeded):
    views = sorted((r["views"] for r in seeded["rows"].values() if r["views"] is not None), reverse=True)
    top = Article.objects.filter(views__isnull=False).order_by("-views")[:5]
    assert [a.views for a in top] == views[:5]
    window = Article.objects.filter(views__isnull=False).order_by("-views")[5:8]
    assert [a.views for a in window] == views[5:8]
    assert Article.objects.filter(views__isnull=False).order_by("-views")[2].views == views[2]
    with pytest.raises(IndexError):
        Article.objects.filter(views__gt=10**6)[0]
    by_author = list(Article.objects.filter(author__isnull=False).order_by("author.name", "id")[:3])
    assert all(author_name(seeded, seeded["rows"][a.id]) == "Ada Lovelace" for a in by_author)
    asc = list(Article.objects.order_by("id")[:3])
    assert [a.id for a in asc] == sorted(seeded["ids"])[:3]
    assert [a.id for a in Article.objects.order_by("id").reverse()[:1]] == [max(seeded["ids"])]


@pytest.mark.smoke
def test_paging_with_counts(session, seeded):
    qs = Article.objects.filter(published=True).order_by("id")
    matching = sorted(expect(seeded, lambda r: r["published"]))
    page = qs.page(3, size=100)
    assert [a.id for a in page] == matching[200:300]
    assert page.total_count == N_ARTICLES and page.filter_count == len(matching)
    assert page.has_next and page.has_previous
    last = qs.page(page.num_pages, size=100)
    assert not last.has_next and len(last) == len(matching) - 100 * (page.num_pages - 1)


def test_meta_counts_after_evaluation(session, seeded):
    qs = Article.objects.filter(status="archived").meta("total_count", "filter_count")
    items = list(qs)
    assert qs.total_count == N_ARTICLES
    assert qs.filter_count == len(items) == len(expect(seeded, lambda r: r["status"] == "archived"))


def test_count_exists_first_last_get(session, seeded):
    assert Article.objects.count() == N_ARTICLES
    assert Article.objects.filter(published=True).count() == len(expect(seeded, lambda r: r["published"]))
    assert Article.objects.filter(views__gt=10**6).exists() is False
    assert Article.objects.filter(views=5).exists() is True
    assert Article.objects.first().id == min(seeded["ids"])
    assert Article.objects.last().id == max(seeded["ids"])
    pk = seeded["ids"][42]
    assert Article.objects.get(pk=pk).title == seeded["rows"][pk]["title"]
    assert Article.objects.get(id=pk).id == pk


def test_get_on_a_missing_key_raises_does_not_exist(session, seeded):
    with pytest.raises(Article.DoesNotExist) as info:
        Article.objects.get(pk=10**9)
    assert isinstance(info.value, d.ObjectDoesNotExist)
    assert Article.objects.get_or_none(pk=10**9) is None
    with pytest.raises(Article.MultipleObjectsReturned):
        Article.objects.get(status="draft")


@pytest.mark.smoke
def test_search(session, seeded):
    found = ids_of(Article.objects.search("python"))
    assert found >= expect(seeded, lambda r: "Python" in r["title"])
    assert Article.objects.search("python").count() == len(found)


def test_partial_fields_are_models_and_refuse_unloaded_reads(session, seeded):
    article = Article.objects.fields("id", "title").order_by("id").first()
    assert isinstance(article, Article)
    assert article.title == seeded["rows"][article.id]["title"]
    with pytest.raises(d.FieldNotLoaded, match="views"):
        _ = article.views
    assert article.loaded_fields == {"id", "title"}


def test_related_fields_are_hydrated(session, seeded):
    pk = next(pk for pk, r in seeded["rows"].items() if r["author"])
    article = Article.objects.fields("id", "title", "author.name").get(pk=pk)
    assert isinstance(article.author, Author)
    assert article.author.name == seeded["authors"][seeded["rows"][pk]["author"]]
    with pytest.raises(d.FieldNotLoaded):
        _ = article.author.email
    plain = Article.objects.fields("id", "author").get(pk=pk)
    assert plain.author == seeded["rows"][pk]["author"]


def test_values_and_values_list(session, seeded):
    pk = seeded["ids"][0]
    row = Article.objects.filter(pk=pk).values("id", "title", "author.name")[0]
    assert row == {
        "id": pk,
        "title": seeded["rows"][pk]["title"],
        "author.name": author_name(seeded, seeded["rows"][pk]),
    }
    titles = list(Article.objects.filter(views__lt=3).order_by("views").values_list("views", flat=True))
    assert titles == [0, 1, 2] if 0 in {r["views"] for r in seeded["rows"].values()} else [1, 2]
    pairs = list(Article.objects.filter(pk=pk).values_list("id", "status"))
    assert pairs == [(pk, seeded["rows"][pk]["status"])]


@pytest.mark.smoke
def test_aggregate_and_group_by(session, seeded):
    views = [r["views"] for r in seeded["rows"].values() if r["views"] is not None]
    result = Article.objects.aggregate(n=Count(), total=Sum("views"), top=Max("views"), low=Min("views"))
    assert result == {"n": N_ARTICLES, "total": sum(views), "top": max(views), "low": min(views)}
    avg = Article.objects.filter(status="draft").aggregate(avg=Avg("views"))["avg"]
    drafts = [r["views"] for r in seeded["rows"].values() if r["status"] == "draft" and r["views"] is not None]
    assert avg == pytest.approx(sum(drafts) / len(drafts))
    groups = Article.objects.group_by("status").aggregate(n=Count())
    assert {g["status"]: g["n"] for g in groups} == {
        s: len(expect(seeded, lambda r, s=s: r["status"] == s)) for s in STATUSES
    }


def test_in_bulk(session, seeded):
    wanted = seeded["ids"][:3] + [10**9]
    found = Article.objects.in_bulk(wanted)
    assert set(found) == set(seeded["ids"][:3])
    assert all(isinstance(a, Article) for a in found.values())


def test_search_fallback_for_a_5000_element_in_list(session, seeded):
    keys = list(range(1, 5001))
    qs = Article.objects.filter(id__in=keys)
    assert len(qs.explain()) > 8000  # far too long for a URL
    assert ids_of(qs) == {pk for pk in seeded["ids"] if pk <= 5000}


def test_none_and_empty_in_send_nothing(session, seeded):
    assert list(Article.objects.none()) == []
    assert list(Article.objects.filter(id__in=[])) == []
    assert Article.objects.filter(id__in=[]).count() == 0
    assert ids_of(Article.objects.exclude(id__in=[])) == set(seeded["rows"])


def test_deep_limits_a_nested_list(session, seeded):
    authors = list(
        Author.objects.fields("id", "articles.id", "articles.views").deep(
            articles=Article.objects.filter(views__isnull=False).order_by("-views")[:2]
        )
    )
    for author in authors:
        assert isinstance(author.articles, list) and len(author.articles) <= 2
        own = sorted(
            (r["views"] for r in seeded["rows"].values() if r["author"] == author.id and r["views"] is not None),
            reverse=True,
        )
        assert [a.views for a in author.articles] == own[:2]


def test_alias(session, seeded):
    pk = seeded["ids"][1]
    row = Article.objects.filter(pk=pk).alias(headline="title").values("headline")[0]
    assert row == {"headline": seeded["rows"][pk]["title"]}


def test_custom_queryset_and_manager(session, seeded):
    class ArticleQuerySet(QuerySet["Published"]):
        def popular(self) -> ArticleQuerySet:
            return self.filter(views__gte=1100)

    class Published(Model, collection="t3_articles"):
        objects = ArticleQuerySet.as_manager()
        id: int | None = None
        views: int | None = None

    got = {a.id for a in Published.objects.popular()}
    assert got == expect(seeded, lambda r: r["views"] is not None and r["views"] >= 1100)


def test_sync_method_on_async_session_names_the_right_method(directus_server, admin_token):
    async_session = d.AsyncSession(directus_server.url, static_token=admin_token)
    with pytest.raises(d.WrongSessionKind, match="aget"):
        Article.objects.using(async_session).get(pk=1)
    with pytest.raises(d.WrongSessionKind, match="async for"):
        list(Article.objects.using(async_session))


def test_no_session_is_a_clear_error():
    with pytest.raises(d.NoSessionError):
        Article.objects.count()


def test_iterator_streams_5000_items_with_constant_memory(session, schema):
    name = schema.collection("t3_stream", [f.string("title"), f.integer("n"), f.text("payload")])
    rows = [{"title": f"row {i}", "n": i, "payload": "x" * 200} for i in range(5000)]
    schema.seed(name, rows)

    class Row(Model, collection=name):
        id: int | None = None
        title: str
        n: int
        payload: str

    tracemalloc.start()
    count = 0
    seen = -1
    for row in Row.objects.iterator(chunk_size=250):
        assert row.n > seen  # keyset order: ascending primary key
        seen = row.n
        count += 1
    _, iter_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 5000

    tracemalloc.start()
    everything = list(Row.objects.all())
    _, list_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(everything) == 5000
    # The iterator holds one chunk at a time: a fraction of the whole list.
    assert iter_peak < list_peak / 3

    sliced = [r.n for r in Row.objects.filter(n__gte=100).iterator(chunk_size=7)][:5]
    assert sliced == [100, 101, 102, 103, 104]
    assert len(list(Row.objects.order_by("-n").iterator(chunk_size=999))) == 5000
    assert [r.n for r in Row.objects.order_by("title")[10:13].iterator(chunk_size=2)] == sorted(
        range(5000), key=lambda i: f"row {i}"
    )[10:13]


@pytest.mark.smoke
async def test_async_twins(asession, seeded):
    pk = seeded["ids"][7]
    article = await Article.objects.aget(pk=pk)
    assert article.title == seeded["rows"][pk]["title"]
    assert await Article.objects.acount() == N_ARTICLES
    assert await Article.objects.filter(views__gt=10**6).aexists() is False
    first = await Article.objects.afirst()
    assert first is not None and first.id == min(seeded["ids"])
    last = await Article.objects.alast()
    assert last is not None and last.id == max(seeded["ids"])
    everything = [a async for a in Article.objects.all()]
    assert len(everything) == N_ARTICLES
    streamed = [a.id async for a in Article.objects.aiterator(chunk_size=400)]
    assert sorted(streamed) == sorted(seeded["ids"])
    page = await Article.objects.order_by("id").apage(2, size=50)
    assert [a.id for a in page] == sorted(seeded["ids"])[50:100]
    assert (await Article.objects.aaggregate(n=Count()))["n"] == N_ARTICLES
    assert set(await Article.objects.ain_bulk(seeded["ids"][:2])) == set(seeded["ids"][:2])
    with pytest.raises(Article.DoesNotExist):
        await Article.objects.aget(pk=10**9)
    assert await Article.objects.aget_or_none(pk=10**9) is None
    groups = await Article.objects.group_by("status").aaggregate(n=Count())
    assert sum(g["n"] for g in groups) == N_ARTICLES
    with pytest.raises(d.WrongSessionKind, match="count"):
        Article.objects.count()


def test_a_server_with_query_limit_max_still_returns_everything(directus_factory):
    server = directus_factory(env={"QUERY_LIMIT_MAX": "50"})
    with d.Session(server.url) as s:
        s.auth.login(server.email, server.password)
        builder = Schema(s)
        builder.collection("t3_capped", [f.integer("n")])
        try:
            builder.seed("t3_capped", [{"n": i} for i in range(130)])

            class Capped(Model, collection="t3_capped"):
                id: int | None = None
                n: int

            # limit=-1 would be capped to 50 silently; the QuerySet learns the cap and pages.
            assert sorted(c.n for c in Capped.objects.all()) == list(range(130))
            assert s._query_limit_max == 50
            assert [c.n for c in Capped.objects.order_by("n")[10:130]] == list(range(10, 130))
            assert [c.n for c in Capped.objects.order_by("-n").iterator(chunk_size=1000)] == list(range(129, -1, -1))
            assert Capped.objects.count() == 130
            assert Capped.objects.filter(n__lt=120).update(n=-1) == 120
            assert Capped.objects.filter(n=-1).count() == 120
            assert Capped.objects.filter(n=-1).delete() == 120
        finally:
            builder.drop()

    with d.Session(server.url) as s:  # a fresh session learns the cap from the iterator too
        s.auth.login(server.email, server.password)
        builder = Schema(s)
        builder.collection("t3_capped2", [f.integer("n")])
        try:
            builder.seed("t3_capped2", [{"n": i} for i in range(75)])

            class Capped2(Model, collection="t3_capped2"):
                id: int | None = None
                n: int

            assert [c.n for c in Capped2.objects.iterator(chunk_size=500)] == list(range(75))
            assert s._query_limit_max == 50
        finally:
            builder.drop()
