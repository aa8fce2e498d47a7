"""The wire form of the Django vocabulary: chained to-many filters, annotate, distinct,
grouped sorting and slicing, count rewriting, versions, latest, defer and key columns."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from directus_orm import (
    M2M,
    Count,
    LookupNotSupported,
    Model,
    Month,
    QueryError,
    Session,
    Sum,
    Year,
)

BASE = "http://directus.test"


class Tag(Model, collection="tags"):
    id: int | None = None
    label: str = ""


class Comment(Model, collection="comments"):
    id: int | None = None
    score: int | None = None
    text: str | None = None


class Author(Model, collection="authors"):
    id: int | None = None
    name: str = ""


class Article(Model, collection="articles"):
    id: int | None = None
    title: str = ""
    rating: int | None = None
    published_on: datetime | None = None
    author: Author | int | None = None
    tags: Annotated[list[Tag] | list[int] | None, M2M("tags_id")] = None
    comments: list[Comment] | list[int] | None = None


def flt(qs: Any) -> Any:
    return qs.query_params()["filter"]


def test_chained_filters_through_a_to_many_are_separate_somes() -> None:
    qs = Article.objects.filter(tags__label="go").filter(tags__label="rust")
    assert flt(qs) == {"_and": [
        {"tags": {"_some": {"tags_id": {"label": {"_eq": "go"}}}}},
        {"tags": {"_some": {"tags_id": {"label": {"_eq": "rust"}}}}},
    ]}
    same = Article.objects.filter(comments__score__gt=8, comments__text="meh")
    assert flt(same) == {"_and": [{"comments": {"score": {"_gt": 8}}}, {"comments": {"text": {"_eq": "meh"}}}]}
    assert flt(same.filter(comments__score__lt=3)) == {"_and": [
        {"comments": {"score": {"_gt": 8}}}, {"comments": {"text": {"_eq": "meh"}}},
        {"comments": {"_some": {"score": {"_lt": 3}}}},
    ]}
    # exclude() is already a _none: nothing to separate.
    assert flt(Article.objects.filter(tags__label="go").exclude(tags__label="rust")) == {"_and": [
        {"tags": {"tags_id": {"label": {"_eq": "go"}}}},
        {"tags": {"_none": {"tags_id": {"label": {"_eq": "rust"}}}}},
    ]}
    with pytest.raises(LookupNotSupported):
        same.filter(comments__score__lt=3, comments__text="ok").query_params()


def test_annotate_compiles_to_aliases_and_functions() -> None:
    qs = Article.objects.annotate(n=Count("comments"), year=Year("published_on"))
    params = qs.filter(n__gte=2, year=2024).order_by("-n", "year").query_params()
    assert params["alias"] == {"n": "count(comments)", "year": "year(published_on)"}
    assert params["fields"][-2:] == ["n", "year"]
    assert params["filter"] == {"_and": [{"count(comments)": {"_gte": 2}},
                                         {"year(published_on)": {"_eq": 2024}}]}
    assert params["sort"] == ["-count(comments)", "year(published_on)"]
    assert Article.objects.annotate(m=Month("published_on")).exclude(m=1).query_params()["filter"] == {
        "_or": [{"month(published_on)": {"_neq": 1}}, {"month(published_on)": {"_null": True}}]}
    with pytest.raises(QueryError, match="to-many relation"):
        Article.objects.annotate(n=Count("rating"))
    with pytest.raises(QueryError, match="per-item function"):
        Article.objects.annotate(n=Sum("rating"))  # type: ignore[arg-type]
    with pytest.raises(QueryError, match="not a date or time field"):
        Article.objects.annotate(y=Year("tags"))


def test_distinct_values_group_by_their_fields() -> None:
    qs = Article.objects.values("author", "rating").distinct()
    assert qs.query_params()["groupBy"] == ["author", "rating"]
    assert "groupBy" not in Article.objects.distinct().query_params()
    with pytest.raises(QueryError, match="through a relation"):
        Article.objects.values("author__name").distinct().query_params()
    with pytest.raises(QueryError, match="not supported"):
        Article.objects.distinct("title")


def test_version_latest_defer_and_key_columns() -> None:
    assert Article.objects.version("draft").query_params()["version"] == "draft"
    deferred = Article.objects.defer("title", "published_on").query_params()["fields"]
    assert "title" not in deferred and "published_on" not in deferred and "rating" in deferred
    with pytest.raises(QueryError, match="primary key"):
        Article.objects.defer("id")
    assert Article.objects.filter(author_id=7).query_params()["filter"] == {"author": {"_eq": 7}}
    assert Article.objects.order_by("-author_id").query_params()["sort"] == ["-author"]


def test_hash_by_primary_key() -> None:
    a, b = Article(id=1, title="x"), Article(id=1, title="x")
    assert hash(a) == hash(b) and len({a, b}) == 1
    with pytest.raises(TypeError, match="unhashable"):
        hash(Article(title="new"))


class Recorder:
    def __init__(self, answer: Any) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer
        self.session = Session(BASE, static_token="t", transport=httpx.MockTransport(self._handle),
                               retries=0)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=self.answer)

    def params(self, index: int = -1) -> dict[str, Any]:
        pairs = parse_qsl(urlsplit(str(self.requests[index].url)).query, keep_blank_values=True)
        return {k: json.loads(v) if k in ("filter", "aggregate", "alias") else v for k, v in pairs}


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    rec = Recorder({"data": []})
    with rec.session:
        yield rec


def test_count_star_beside_a_field_count_counts_the_key(recorder: Recorder) -> None:
    recorder.answer = {"data": [{"count": {"id": 5, "rating": 3}}]}
    assert Article.objects.aggregate(n=Count(), rated=Count("rating")) == {"n": 5, "rated": 3}
    assert recorder.params()["aggregate"] == {"count": ["id", "rating"]}
    recorder.answer = {"data": [{"count": 5}]}
    assert Article.objects.aggregate(n=Count()) == {"n": 5}
    assert recorder.params()["aggregate"] == {"count": ["*"]}


def test_grouped_order_by_and_slice(recorder: Recorder) -> None:
    recorder.answer = {"data": [{"author": 1, "count": 9}]}
    rows = Article.objects.group_by("author").order_by("-n")[:10].aggregate(n=Count())
    assert rows == [{"author": 1, "n": 9}]
    sent = recorder.params()
    assert (sent["groupBy"], sent["sort"], sent["limit"]) == ("author", "-count", "10")
    recorder.answer = {"data": []}
    Article.objects.group_by("author").order_by("author")[5:8].aggregate(total=Sum("rating"))
    sent = recorder.params()
    assert (sent["sort"], sent["limit"], sent["offset"]) == ("author", "3", "5")
    Article.objects.group_by("author").order_by("-total").aggregate(total=Sum("rating"))
    assert recorder.params()["sort"] == "-sum.rating"
    with pytest.raises(QueryError, match="cannot sort groups by 'title'"):
        Article.objects.group_by("author").order_by("title").aggregate(n=Count())
    with pytest.raises(QueryError, match="once a slice"):
        Article.objects.group_by("author")[:3].order_by("n")


def test_values_through_to_many_are_lists_and_epoch_dates_are_naive(recorder: Recorder) -> None:
    recorder.answer = {"data": [{"id": 1, "tags": [{"tags_id": {"label": "go"}}, {"tags_id": {"label": "rust"}}]}]}
    assert list(Article.objects.values("id", "tags.label")) == [{"id": 1, "tags.label": ["go", "rust"]}]
    recorder.answer = {"data": [{"id": 1, "published_on": 0}, {"id": 2, "published_on": "2024-01-02T03:04:05"}]}
    dates = [a.published_on for a in Article.objects.all()]
    assert dates == [datetime(1970, 1, 1), datetime(2024, 1, 2, 3, 4, 5)]
    assert list(Article.objects.values_list("published_on", flat=True, of=datetime)) == dates


def test_epoch_numbers_follow_the_declared_kind_of_datetime() -> None:
    from pydantic import AwareDatetime

    class Stamped(Model, collection="stamped"):
        id: int | None = None
        naive: datetime | None = None
        aware: AwareDatetime | None = None

    validator = Stamped._meta.validator("list")
    (obj,) = validator.validate_json(b'{"data": [{"id": 1, "naive": 0, "aware": 0}]}')["data"]
    assert obj.naive == datetime(1970, 1, 1)
    assert obj.aware is not None and obj.aware.utcoffset() is not None
    assert obj.aware.replace(tzinfo=None) == datetime(1970, 1, 1)
    (obj,) = validator.validate_json(
        b'{"data": [{"id": 1, "naive": "2024-01-02T03:04:05", "aware": "2024-01-02T03:04:05.000Z"}]}')["data"]
    assert obj.naive is not None and obj.naive.tzinfo is None and obj.aware is not None and obj.aware.tzinfo
