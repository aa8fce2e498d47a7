"""Django semantics against a real Directus: to-many filters, counts, annotations, grouping.

The module schema: authors, articles (a rating that may be NULL, a ``dateTime``,
a many-to-one author, a many-to-many to tags, a one-to-many of comments).
Every expectation is computed in Python from the seeded rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

import pytest
from pydantic import AwareDatetime

from directus_orm import (
    M2M,
    Count,
    FieldNotLoaded,
    Key,
    LookupNotSupported,
    Model,
    Month,
    Q,
    QueryError,
    Sum,
    Year,
    related,
)

from . import schema as f
from .schema import Schema

N = 60
TAGS = ["go", "rust", "py"]
AUTHORS = ["Ada", "Bob", "Cy"]


class SAuthor(Model, collection="t13_authors"):
    id: int | None = None
    name: str
    articles: list[SArticle] | list[int] | None = None


class STag(Model, collection="t13_tags"):
    id: int | None = None
    label: str


class SComment(Model, collection="t13_comments"):
    id: int | None = None
    score: int | None = None
    text: str | None = None
    article: SArticle | int | None = None


class SArticle(Model, collection="t13_articles"):
    id: int | None = None
    title: str
    rating: int | None = None
    published_on: datetime | None = None
    stamped_at: AwareDatetime | None = None
    author: SAuthor | int | None = None
    author_id = Key[int | None]()
    tags: Annotated[list[STag] | list[int] | None, M2M("t13_tags_id")] = None
    comments: list[SComment] | list[int] | None = None


SAuthor.model_rebuild()
SComment.model_rebuild()


def tags_of(i: int) -> list[str]:
    return [label for k, label in enumerate(TAGS) if i % (k + 2) == 0]


def comments_of(i: int) -> list[tuple[int, str]]:
    return [((i * 7 + k) % 11, "meh" if (i + k) % 3 == 0 else "ok") for k in range(i % 4)]


def published_on(i: int) -> datetime:
    if i == 0:
        return datetime(1970, 1, 1)  # comes back from the server as the number 0
    return datetime(2020 + i % 4, 1 + i % 12, 1 + i % 28, 10, 30)


def author_of(i: int) -> int:
    """Index into AUTHORS: 30, 20 and 10 articles."""
    return 0 if i % 2 == 0 else (1 if i % 3 else 2)


def rating_of(i: int) -> int | None:
    return None if i % 4 == 0 else i % 6


@pytest.fixture(scope="module")
def seeded(module_session) -> Iterator[dict[str, Any]]:
    b = Schema(module_session)
    b.collection("t13_authors", [f.string("name", nullable=False)])
    b.collection("t13_articles", [f.string("title", nullable=False), f.integer("rating"),
                                  f.datetime_("published_on"), f.timestamp("stamped_at"),
                                  f.m2o("author")])
    b.m2o("t13_articles", "author", "t13_authors", one_field="articles")
    b.collection("t13_tags", [f.string("label", nullable=False)])
    b.m2m("t13_articles", "tags", "t13_tags", junction="t13_articles_tags")
    b.collection("t13_comments", [f.integer("score"), f.string("text"), f.m2o("article")])
    b.m2o("t13_comments", "article", "t13_articles", one_field="comments")
    author_ids = b.seed("t13_authors", [{"name": name} for name in AUTHORS])
    tag_ids = dict(zip(TAGS, b.seed("t13_tags", [{"label": t} for t in TAGS]), strict=True))
    rows = []
    for i in range(N):
        rows.append({
            "title": f"A{i:02d}",
            "rating": rating_of(i),
            "published_on": published_on(i).isoformat(),
            "stamped_at": published_on(i).isoformat() + "Z",
            "author": author_ids[author_of(i)],
            "tags": {"create": [{"t13_tags_id": tag_ids[t]} for t in tags_of(i)]},
        })
    article_ids = b.seed("t13_articles", rows)
    b.seed("t13_comments", [
        {"score": score, "text": text, "article": article_ids[i]}
        for i in range(N) for score, text in comments_of(i)
    ])
    index = {pk: i for i, pk in enumerate(article_ids)}
    try:
        yield {"articles": article_ids, "index": index, "authors": author_ids, "tags": tag_ids}
    finally:
        b.drop()


def ids(qs: Any) -> set[int]:
    return {obj.id for obj in qs}


def where(seeded: dict[str, Any], test: Any) -> set[int]:
    return {pk for pk, i in seeded["index"].items() if test(i)}


# ---------------------------------------------------------------- to-many filters


def test_chained_filters_test_separate_related_items(session, seeded):
    both = SArticle.objects.filter(tags__label="go").filter(tags__label="rust")
    expected = where(seeded, lambda i: "go" in tags_of(i) and "rust" in tags_of(i))
    assert expected and ids(both) == expected
    assert both.count() == len(expected)
    # One filter() call: the same related item (a tag labelled both: none).
    assert ids(SArticle.objects.filter(Q(tags__label="go"), Q(tags__label="rust"))) == set()
    go_not_rust = SArticle.objects.filter(tags__label="go").exclude(tags__label="rust")
    assert ids(go_not_rust) == where(seeded, lambda i: "go" in tags_of(i) and "rust" not in tags_of(i))
    three = SArticle.objects.filter(tags__label="go").filter(tags__label="rust").filter(tags__label="py")
    assert ids(three) == where(seeded, lambda i: len(tags_of(i)) == 3)


def test_one_call_tests_the_same_comment_chained_calls_do_not(session, seeded):
    same = where(seeded, lambda i: any(s > 8 and t == "meh" for s, t in comments_of(i)))
    apart = where(seeded, lambda i: any(s > 8 for s, _ in comments_of(i))
                  and any(t == "meh" for _, t in comments_of(i)))
    assert same and apart > same
    assert ids(SArticle.objects.filter(comments__score__gt=8, comments__text="meh")) == same
    assert ids(SArticle.objects.filter(comments__score__gt=8).filter(comments__text="meh")) == apart
    # A group on one item, chained with a condition on any other item.
    group_and_low = where(seeded, lambda i: any(s > 8 and t == "meh" for s, t in comments_of(i))
                          and any(s < 3 for s, _ in comments_of(i)))
    qs = SArticle.objects.filter(comments__score__gt=8, comments__text="meh").filter(
        comments__score__lt=3)
    assert ids(qs) == group_and_low
    with pytest.raises(LookupNotSupported, match="several conditions"):
        SArticle.objects.filter(comments__score__gt=8, comments__text="meh").filter(
            comments__score__lt=3, comments__text="ok").count()


def test_some_of_several_conditions_is_one_item(session, seeded):
    same = where(seeded, lambda i: any(s > 8 and t == "meh" for s, t in comments_of(i)))
    assert ids(SArticle.objects.filter(comments__some=Q(score__gt=8, text="meh"))) == same
    assert SArticle.objects.filter(comments__some=Q(score__gt=8, text="meh")).count() == len(same)
    with pytest.raises(LookupNotSupported):
        SArticle.objects.filter(comments__none=Q(score__gt=8, text="meh"))


# ------------------------------------------------------------------ counts, dates


def test_count_of_items_and_of_a_field_in_one_aggregate(session, seeded):
    mine = SArticle.objects.filter(id__in=seeded["articles"])
    rated = sum(rating_of(i) is not None for i in range(N))
    assert mine.aggregate(n=Count(), rated=Count("rating")) == {"n": N, "rated": rated}
    assert mine.aggregate(rated=Count("rating"), n=Count()) == {"rated": rated, "n": N}
    assert mine.aggregate(n=Count()) == {"n": N}


def test_epoch_datetime_hydrates_naive_like_the_others(session, seeded, directus_server):
    first = SArticle.objects.get(pk=seeded["articles"][0])
    assert first.published_on == datetime(1970, 1, 1) and first.published_on.tzinfo is None
    dates = [a.published_on for a in SArticle.objects.filter(id__in=seeded["articles"])]
    assert all(d is not None and d.tzinfo is None for d in dates)
    assert sorted(d for d in dates if d is not None)[0] == datetime(1970, 1, 1)  # comparable
    raw = session.request("GET", f"/items/t13_articles/{seeded['articles'][0]}",
                          query={"fields": ["published_on", "stamped_at"]})
    vendor = directus_server.database or session.schema.snapshot()["vendor"]
    if vendor == "postgres":  # the database's own date types: ISO strings
        assert raw["data"] == {"published_on": "1970-01-01T00:00:00", "stamped_at": "1970-01-01T00:00:00.000Z"}
    else:  # SQLite keeps the number it was sent
        assert raw["data"] == {"published_on": 0, "stamped_at": 0}
    # A timestamp field comes back aware ("...Z"): declared AwareDatetime, its epoch is too.
    stamps = [a.stamped_at for a in SArticle.objects.filter(id__in=seeded["articles"][:3])]
    assert all(t is not None and t.utcoffset() == timedelta(0) for t in stamps)
    assert min(t for t in stamps if t is not None) == datetime(1970, 1, 1, tzinfo=timezone.utc)


# ----------------------------------------------------------- values through to-many


def test_values_through_to_many_relations_are_lists(session, seeded):
    mine = SArticle.objects.filter(id__in=seeded["articles"]).order_by("id")
    rows = list(mine.values("id", "tags.label", "comments.score")[:8])
    assert [r["id"] for r in rows] == seeded["articles"][:8]
    for r in rows:
        i = seeded["index"][r["id"]]
        assert sorted(r["tags.label"]) == sorted(tags_of(i))
        assert sorted(r["comments.score"]) == sorted(s for s, _ in comments_of(i))
    flat = list(mine.values_list("tags__label", flat=True)[:4])
    assert [sorted(v) for v in flat] == [sorted(tags_of(i)) for i in range(4)]


def test_values_list_flat_with_a_type(session, seeded):
    mine = SArticle.objects.filter(id__in=seeded["articles"]).order_by("id")
    dates = list(mine.values_list("published_on", flat=True, of=datetime)[:3])
    assert dates == [published_on(i) for i in range(3)]
    with pytest.raises(QueryError, match="flat=True"):
        mine.values_list("id", "title", of=int)  # type: ignore[call-overload]


# ------------------------------------------------------------------ related managers


def test_add_skips_existing_links_and_remove_removes_the_link(session, seeded):
    article = SArticle.objects.get(pk=seeded["articles"][1])  # tagged with nothing
    tags = seeded["tags"]
    manager = related(article, "tags", STag)
    manager.add(tags["go"], tags["rust"])
    manager.add(tags["go"], tags["rust"], tags["py"], tags["py"])
    junction = session.items("t13_articles_tags")
    rows = junction.read_many(query={"filter": {"t13_articles_id": {"_eq": article.id}}}).data
    assert sorted(r["t13_tags_id"] for r in rows) == sorted(tags.values())
    # A duplicate made behind the ORM's back: remove() still removes the link.
    junction.create_one({"t13_articles_id": article.id, "t13_tags_id": tags["go"]})
    manager.remove(tags["go"])
    rows = junction.read_many(query={"filter": {"t13_articles_id": {"_eq": article.id}}}).data
    assert sorted(r["t13_tags_id"] for r in rows) == sorted([tags["rust"], tags["py"]])
    manager.clear()
    assert SArticle.objects.get(pk=article.id).tags == []


# ---------------------------------------------------------------------- grouping


def test_group_by_through_a_relation_is_refused_before_sending(session, seeded):
    with pytest.raises(QueryError, match="through a relation"):
        SArticle.objects.group_by("author__name")
    raw = {"aggregate": {"count": ["*"]}, "groupBy": ["author.name"]}
    with pytest.raises(Exception, match=r"500|INTERNAL"):  # what the server would answer
        session.request("GET", "/items/t13_articles", query=raw)


def test_grouped_order_by_and_slicing_on_the_server(session, seeded):
    mine = SArticle.objects.filter(id__in=seeded["articles"])
    per_author = Counter(seeded["authors"][author_of(i)] for i in range(N))
    ranked = sorted(per_author.items(), key=lambda kv: -kv[1])
    top = mine.group_by("author").order_by("-n")[:2].aggregate(n=Count())
    assert [(r["author"], r["n"]) for r in top] == ranked[:2]
    bottom = mine.group_by("author").order_by("n")[:1].aggregate(n=Count())
    assert [(r["author"], r["n"]) for r in bottom] == ranked[-1:]
    # Count() beside Count("rating") counts the key; sorting by it still works.
    both = mine.group_by("author").order_by("-n").aggregate(n=Count(), rated=Count("rating"))
    assert [(r["author"], r["n"]) for r in both] == ranked
    by_key = mine.group_by("author").order_by("-author")[1:].aggregate(n=Count(), rated=Count("rating"))
    assert [r["author"] for r in by_key] == sorted(per_author, reverse=True)[1:]
    rated = Counter(seeded["authors"][author_of(i)]
                    for i in range(N) if rating_of(i) is not None)
    assert {r["author"]: (r["n"], r["rated"]) for r in by_key} == {
        a: (per_author[a], rated[a]) for a in sorted(per_author, reverse=True)[1:]}
    years = mine.group_by("year(published_on)").order_by("-year(published_on)").aggregate(n=Count())
    expected = Counter(published_on(i).year for i in range(N))
    assert [(r["year(published_on)"], r["n"]) for r in years] == sorted(expected.items(), reverse=True)
    with pytest.raises(QueryError, match="cannot sort groups by 'title'"):
        mine.group_by("author").order_by("title").aggregate(n=Count())


def test_distinct_values(session, seeded):
    mine = SArticle.objects.filter(id__in=seeded["articles"])
    authors = mine.values_list("author", flat=True).distinct().order_by("author")
    assert list(authors) == sorted(set(seeded["authors"]))
    assert authors.count() == 3
    pairs = mine.values("author", "rating").distinct()
    expected = {(seeded["authors"][author_of(i)], rating_of(i))
                for i in range(N)}
    assert {(r["author"], r["rating"]) for r in pairs} == expected
    assert len(list(mine.distinct())) == N  # model rows are one per item already
    with pytest.raises(QueryError, match="through a relation"):
        mine.values("author__name").distinct().count()


# ---------------------------------------------------------------------- annotate


class SArticleStats(SArticle):
    """The typed way to read annotations: declare them on a subclass."""

    n_comments: int | None = None
    year: int | None = None


def test_annotate_counts_and_date_parts(session, seeded):
    mine = SArticle.objects.filter(id__in=seeded["articles"]).order_by("id")
    qs = mine.annotate(n_comments=Count("comments"), year=Year("published_on"), month=Month("published_on"))
    for article in qs:
        i = seeded["index"][article.id]
        assert article.n_comments == len(comments_of(i))
        assert (article.year, article.month) == (published_on(i).year, published_on(i).month)
    typed = list(SArticleStats.objects.filter(id__in=seeded["articles"]).order_by("id").annotate(
        n_comments=Count("comments"), year=Year("published_on")))
    assert [(a.n_comments, a.year) for a in typed] == [
        (len(comments_of(i)), published_on(i).year) for i in range(N)]
    # values() names annotations; filter() and order_by() take them.
    rows = list(qs.filter(n_comments__gte=2).order_by("-n_comments", "id").values("id", "n_comments"))
    expected = sorted((pk for pk, i in seeded["index"].items() if len(comments_of(i)) >= 2),
                      key=lambda pk: (-len(comments_of(seeded["index"][pk])), pk))
    assert [r["id"] for r in rows] == expected
    assert all(r["n_comments"] == len(comments_of(seeded["index"][r["id"]])) for r in rows)
    assert qs.filter(year=2021).count() == sum(published_on(i).year == 2021 for i in range(N))
    assert ids(qs.exclude(n_comments=0)) == where(seeded, lambda i: comments_of(i))
    with pytest.raises(QueryError, match="to-many relation"):
        mine.annotate(n=Count("rating"))
    with pytest.raises(QueryError, match="per-item function"):
        mine.annotate(n=Sum("rating"))  # type: ignore[arg-type]


# ------------------------------------------------------------- the rest of Django


def test_latest_and_earliest(session, seeded):
    mine = SArticle.objects.filter(id__in=seeded["articles"])
    by_date = sorted(range(N), key=lambda i: (published_on(i), i))
    assert mine.latest("published_on", "id").id == seeded["articles"][by_date[-1]]
    assert mine.earliest("published_on").id == seeded["articles"][0]
    with pytest.raises(SArticle.DoesNotExist):
        mine.filter(title="nope").latest("published_on")
    with pytest.raises(QueryError, match="need a field"):
        mine.latest()


def test_defer_leaves_fields_unloaded(session, seeded):
    article = SArticle.objects.defer("title", "published_on").get(pk=seeded["articles"][3])
    assert article.rating == rating_of(3)
    with pytest.raises(FieldNotLoaded):
        _ = article.title
    article.refresh_from_db(["title"])
    assert article.title == "A03"


def test_filter_by_the_key_of_a_many_to_one(session, seeded):
    ada = seeded["authors"][0]
    mine = SArticle.objects.filter(id__in=seeded["articles"])
    assert ids(mine.filter(author_id=ada)) == where(seeded, lambda i: author_of(i) == 0)
    assert ids(mine.filter(author_id__in=seeded["authors"][1:])) == where(seeded, lambda i: author_of(i) > 0)
    assert set(mine.values_list("author_id", flat=True)) == set(seeded["authors"])


def test_models_are_hashable_by_primary_key(session, seeded):
    a = SArticle.objects.get(pk=seeded["articles"][5])
    again = SArticle.objects.get(pk=seeded["articles"][5])
    assert {a, again} == {a} and {a: 1}[again] == 1
    with pytest.raises(TypeError, match="unhashable"):
        hash(SArticle(title="new"))


# -------------------------------------------------------------------------- async


async def test_the_vocabulary_on_an_async_session(asession, seeded):
    mine = SArticle.objects.filter(id__in=seeded["articles"])
    top = await mine.group_by("author").order_by("-n")[:1].aaggregate(n=Count())
    assert top == [{"author": seeded["authors"][0], "n": 30}]
    latest = await mine.alatest("published_on", "id")
    assert latest.id == seeded["articles"][max(range(N), key=lambda i: (published_on(i), i))]
    with pytest.raises(SArticle.DoesNotExist):
        await mine.filter(title="nope").aearliest("id")
    both = await mine.filter(tags__label="go").filter(tags__label="rust").alist()
    assert {a.id for a in both} == where(seeded, lambda i: "go" in tags_of(i) and "rust" in tags_of(i))
    counted = await mine.annotate(n=Count("comments")).filter(n=3).alist()
    assert {a.id for a in counted} == where(seeded, lambda i: len(comments_of(i)) == 3)
    assert await mine.aaggregate(n=Count(), rated=Count("rating")) == {
        "n": N, "rated": sum(rating_of(i) is not None for i in range(N))}
    article = await SArticle.objects.aget(pk=seeded["articles"][7])  # not tagged
    manager = related(article, "tags", STag)
    await manager.aadd(seeded["tags"]["go"])
    await manager.aadd(seeded["tags"]["go"])
    assert (await SArticle.objects.aget(pk=article.id)).tags == [seeded["tags"]["go"]]
    await manager.aremove(seeded["tags"]["go"])
    assert (await SArticle.objects.aget(pk=article.id)).tags == []
