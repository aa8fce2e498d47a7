"""Golden tests for the filter compiler: lookups and Q trees -> Directus filter JSON.

The shapes the negation rules produce (``_or`` with ``_null``, ``_none``, ``count()``)
were run against a Directus 12.4.0 server while this compiler was written; these
tests pin the JSON.
"""

from __future__ import annotations

import difflib
import enum
import json
import math
import uuid
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from directus_orm._core.exceptions import FieldError, LookupNotSupported, QueryError
from directus_orm._query.filters import (
    EmptyResultSet,
    FieldResolver,
    ResolvedField,
    compile_chain,
    compile_filter,
    serialize_value,
)
from directus_orm._query.q import Q
from directus_orm._query.variables import CURRENT_ROLES, CURRENT_USER, NOW, now

# ------------------------------------------------------------------ fake models


class FakeResolver:
    """A model's fields by Python name; mirrors what the model layer provides."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.fields: dict[str, ResolvedField] = {}

    @property
    def model_name(self) -> str:
        return self.name

    def resolve(self, name: str) -> ResolvedField:
        if name in self.fields:
            return self.fields[name]
        close = difflib.get_close_matches(name, list(self.fields), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise FieldError(f"{self.name} has no field {name!r}{hint}")


ARTICLE = FakeResolver("Article")
AUTHOR = FakeResolver("Author")
PUBLISHER = FakeResolver("Publisher")
TAG = FakeResolver("Tag")
COMMENT = FakeResolver("Comment")

PUBLISHER.fields = {"name": ResolvedField("name", "scalar", nullable=False)}
AUTHOR.fields = {
    "id": ResolvedField("id", "scalar", nullable=False),
    "name": ResolvedField("name", "scalar", nullable=True),
    "email": ResolvedField("email", "scalar", nullable=False),
    "publisher": ResolvedField("publisher", "m2o", nullable=True, related=PUBLISHER),
    "articles": ResolvedField("articles", "o2m", related=ARTICLE),
}
TAG.fields = {
    "id": ResolvedField("id", "scalar", nullable=False),
    "label": ResolvedField("label", "scalar", nullable=False),
    "rank": ResolvedField("rank", "scalar", nullable=True),
}
COMMENT.fields = {
    "id": ResolvedField("id", "scalar", nullable=False),
    "body": ResolvedField("body", "scalar", nullable=False),
}
ARTICLE.fields = {
    "id": ResolvedField("id", "scalar", nullable=False),
    "title": ResolvedField("title", "scalar", nullable=False),
    "body": ResolvedField("body", "scalar", nullable=True),
    "views": ResolvedField("views", "scalar", nullable=True),
    "published": ResolvedField("published_at", "scalar", nullable=True),  # aliased
    "created": ResolvedField("date_created", "scalar", nullable=False),
    "data": ResolvedField("data", "json", nullable=True),
    "location": ResolvedField("location", "scalar", nullable=True),
    "author": ResolvedField("author", "m2o", nullable=True, related=AUTHOR),
    "editor": ResolvedField("editor", "m2o", nullable=False, related=AUTHOR),
    "tags": ResolvedField("tags", "m2m", related=TAG, junction_field="tags_id"),
    "comments": ResolvedField("comments", "o2m", related=COMMENT),
    "topics": ResolvedField("topics", "m2m"),  # far side unknown
    "blocks": ResolvedField("blocks", "m2a"),
}


def c(*args: Q | dict[str, Any], **lookups: Any) -> dict[str, Any] | None:
    """Compile against the Article model."""
    return compile_filter(Q(*args, **lookups), ARTICLE)


def x(*args: Q | dict[str, Any], **lookups: Any) -> dict[str, Any] | None:
    """Compile the exclude() of the lookups against the Article model."""
    return compile_filter(~Q(*args, **lookups), ARTICLE)


def test_fake_resolver_satisfies_the_protocol() -> None:
    resolver: FieldResolver = ARTICLE
    assert resolver.resolve("title").api_name == "title"


# ----------------------------------------------------------------- exact


def test_exact_is_the_default_lookup() -> None:
    assert c(title="x") == {"title": {"_eq": "x"}}
    assert c(title__exact="x") == {"title": {"_eq": "x"}}


def test_exact_uses_the_api_name() -> None:
    assert c(published="2024-01-01") == {"published_at": {"_eq": "2024-01-01"}}


def test_exact_negated_on_non_nullable_field() -> None:
    assert x(title="x") == {"title": {"_neq": "x"}}


def test_exact_negated_on_nullable_field_also_matches_null() -> None:
    assert x(body="x") == {"_or": [{"body": {"_neq": "x"}}, {"body": {"_null": True}}]}


def test_exact_none_is_a_null_test() -> None:
    assert c(body=None) == {"body": {"_null": True}}
    assert x(body=None) == {"body": {"_nnull": True}}


def test_exact_empty_string_is_refused_with_a_hint() -> None:
    with pytest.raises(FieldError, match=r"Article\.title.*empty string.*empty=True"):
        c(title="")


@pytest.mark.parametrize("word", ["null", "NULL", "true", "false"])
def test_strings_directus_would_coerce_are_refused(word: str) -> None:
    with pytest.raises(FieldError, match=f"reads the string '{word}'"):
        c(title=word)
    with pytest.raises(FieldError, match="reads the string"):
        c(title__in=["a", word])


def test_plain_string_that_looks_like_a_variable_is_refused() -> None:
    with pytest.raises(FieldError, match=r"dynamic variable.*NOW"):
        c(published__lt="$NOW")
    with pytest.raises(FieldError, match="dynamic variable"):
        c(title__contains="$CURRENT_USER.email")


def test_exact_rejects_lists() -> None:
    with pytest.raises(FieldError, match="use 'in'"):
        c(title=["a", "b"])


# ------------------------------------------------------------------- in


def test_in_with_list_and_tuple() -> None:
    assert c(id__in=[1, 2]) == {"id": {"_in": [1, 2]}}
    assert c(id__in=(3, 4)) == {"id": {"_in": [3, 4]}}


def test_in_with_sets_is_sorted_for_stable_urls() -> None:
    assert c(id__in={3, 1, 2}) == {"id": {"_in": [1, 2, 3]}}
    assert c(title__in=frozenset({"b", "a"})) == {"title": {"_in": ["a", "b"]}}


def test_in_negated() -> None:
    assert x(id__in=[1, 2]) == {"id": {"_nin": [1, 2]}}
    assert x(views__in=[1]) == {"_or": [{"views": {"_nin": [1]}}, {"views": {"_null": True}}]}


@pytest.mark.parametrize("value", [5, "ab", {"a": 1}])
def test_in_requires_a_collection(value: Any) -> None:
    with pytest.raises(FieldError, match=r"Article\.id__in: in takes a list, tuple, set"):
        c(id__in=value)


def test_in_drops_none_like_django() -> None:
    assert c(views__in=[None, 1]) == {"views": {"_in": [1]}}


def test_in_accepts_a_list_variable() -> None:
    assert c(id__in=CURRENT_ROLES) == {"id": {"_in": "$CURRENT_ROLES"}}


def test_empty_in_raises_empty_result_set() -> None:
    with pytest.raises(EmptyResultSet):
        c(id__in=[])
    with pytest.raises(EmptyResultSet):
        c(id__in=[None])
    with pytest.raises(EmptyResultSet):
        c(Q(id__in=[]) & Q(title="x"))


def test_empty_in_drops_out_of_an_or() -> None:
    assert c(Q(id__in=[]) | Q(title="x")) == {"title": {"_eq": "x"}}


def test_empty_in_negated_matches_everything() -> None:
    assert x(id__in=[]) is None
    assert c(~Q(id__in=[]) & Q(title="x")) == {"title": {"_eq": "x"}}
    assert c(~Q(id__in=[]) | Q(title="x")) is None


def test_empty_in_is_still_validated_elsewhere() -> None:
    with pytest.raises(FieldError, match="nope"):
        c(Q(id__in=[]) | Q(nope=1))


# ---------------------------------------------------------- comparisons


@pytest.mark.parametrize(
    ("lookup", "operator", "negated"),
    [("gt", "_gt", "_lte"), ("gte", "_gte", "_lt"), ("lt", "_lt", "_gte"), ("lte", "_lte", "_gt")],
)
def test_comparisons(lookup: str, operator: str, negated: str) -> None:
    assert c(**{f"id__{lookup}": 5}) == {"id": {operator: 5}}
    assert x(**{f"id__{lookup}": 5}) == {"id": {negated: 5}}
    assert x(**{f"views__{lookup}": 5}) == {"_or": [{"views": {negated: 5}}, {"views": {"_null": True}}]}


def test_comparison_with_none_is_refused() -> None:
    with pytest.raises(FieldError, match=r"Article\.views__gt: gt cannot be None.*isnull"):
        c(views__gt=None)


# ------------------------------------------------------------------ text


@pytest.mark.parametrize(
    ("lookup", "operator", "negated"),
    [
        ("contains", "_contains", "_ncontains"),
        ("startswith", "_starts_with", "_nstarts_with"),
        ("istartswith", "_istarts_with", "_nistarts_with"),
        ("endswith", "_ends_with", "_nends_with"),
        ("iendswith", "_iends_with", "_niends_with"),
    ],
)
def test_text_lookups(lookup: str, operator: str, negated: str) -> None:
    assert c(**{f"title__{lookup}": "ab"}) == {"title": {operator: "ab"}}
    assert x(**{f"title__{lookup}": "ab"}) == {"title": {negated: "ab"}}
    assert x(**{f"body__{lookup}": "ab"}) == {"_or": [{"body": {negated: "ab"}}, {"body": {"_null": True}}]}


def test_icontains() -> None:
    assert c(title__icontains="ab") == {"title": {"_icontains": "ab"}}


def test_icontains_cannot_be_negated() -> None:
    with pytest.raises(LookupNotSupported, match=r"_icontains cannot be negated.*_nicontains"):
        x(title__icontains="ab")


def test_text_lookups_need_a_string() -> None:
    with pytest.raises(FieldError, match="contains takes a string, got int"):
        c(title__contains=5)
    with pytest.raises(FieldError, match="empty string"):
        c(title__startswith="")


# ---------------------------------------------------------------- range


@pytest.mark.parametrize("name", ["range", "between"])
def test_range_and_between(name: str) -> None:
    assert c(**{f"id__{name}": (1, 5)}) == {"id": {"_between": [1, 5]}}
    assert x(**{f"id__{name}": [1, 5]}) == {"id": {"_nbetween": [1, 5]}}


def test_range_of_dates() -> None:
    value = (date(2024, 1, 1), date(2024, 12, 31))
    assert c(created__range=value) == {"date_created": {"_between": ["2024-01-01", "2024-12-31"]}}


@pytest.mark.parametrize("value", [(1,), (1, 2, 3), 5, (1, None)])
def test_range_needs_two_bounds(value: Any) -> None:
    with pytest.raises(FieldError, match=r"Article\.id__range"):
        c(id__range=value)


# -------------------------------------------------------- isnull / empty


def test_isnull() -> None:
    assert c(body__isnull=True) == {"body": {"_null": True}}
    assert c(body__isnull=False) == {"body": {"_nnull": True}}


def test_isnull_negated_swaps_without_an_extra_null_test() -> None:
    assert x(body__isnull=True) == {"body": {"_nnull": True}}
    assert x(body__isnull=False) == {"body": {"_null": True}}


def test_isnull_needs_a_bool() -> None:
    with pytest.raises(FieldError, match="isnull takes True or False, got 1"):
        c(body__isnull=1)


def test_empty() -> None:
    assert c(body__empty=True) == {"body": {"_empty": True}}
    assert c(body__empty=False) == {"body": {"_nempty": True}}
    assert x(body__empty=True) == {"body": {"_nempty": True}}


# ------------------------------------------------------------- geometry

POINT = {"type": "Point", "coordinates": [1.5, 2.5]}


@pytest.mark.parametrize(
    ("lookup", "operator", "negated"),
    [
        ("intersects", "_intersects", "_nintersects"),
        ("intersects_bbox", "_intersects_bbox", "_nintersects_bbox"),
    ],
)
def test_geometry_lookups(lookup: str, operator: str, negated: str) -> None:
    assert c(**{f"location__{lookup}": POINT}) == {"location": {operator: POINT}}
    assert x(**{f"location__{lookup}": POINT}) == {
        "_or": [{"location": {negated: POINT}}, {"location": {"_null": True}}]
    }


def test_geometry_needs_a_geojson_dict() -> None:
    with pytest.raises(FieldError, match="GeoJSON"):
        c(location__intersects="POINT(1 2)")


# ------------------------------------------------------------------ json


def test_json_lookup_is_passed_through() -> None:
    assert c(data__json={"0": {"_eq": "a"}}) == {"data": {"_json": {"0": {"_eq": "a"}}}}


def test_json_lookup_cannot_be_negated() -> None:
    with pytest.raises(LookupNotSupported, match=r"_json cannot be negated.*inside the value"):
        x(data__json={"0": {"_eq": "a"}})


def test_json_field_only_takes_json_and_isnull() -> None:
    assert c(data__isnull=True) == {"data": {"_null": True}}
    with pytest.raises(LookupNotSupported, match=r"'exact' does not apply to JSON field 'data'"):
        c(data={"a": 1})
    with pytest.raises(LookupNotSupported, match="'json' does not apply to field 'title'"):
        c(title__json={"a": {"_eq": 1}})


# ------------------------------------------------------------- refused


def test_regex_is_refused_before_any_request() -> None:
    with pytest.raises(LookupNotSupported, match=r"'regex' is not supported.*rejects _regex"):
        c(title__regex="^a")


@pytest.mark.parametrize("name", ["iexact", "iregex", "week_day", "quarter", "has_key"])
def test_unsupported_django_lookups_suggest_an_alternative(name: str) -> None:
    with pytest.raises(LookupNotSupported, match=rf"Article\.title__{name}: lookup '{name}'"):
        c(**{f"title__{name}": "a"})


def test_iexact_names_the_reason() -> None:
    with pytest.raises(LookupNotSupported, match="rejects _ieq"):
        c(title__iexact="a")


def test_unknown_lookup_lists_the_valid_ones() -> None:
    with pytest.raises(LookupNotSupported) as info:
        c(title__startswth="a")
    message = str(info.value)
    assert "Article.title__startswth" in message
    assert "unsupported lookup 'startswth'" in message
    for name in ("exact", "icontains", "startswith", "isnull", "year", "count"):
        assert name in message


def test_a_second_lookup_after_a_lookup_is_refused() -> None:
    with pytest.raises(LookupNotSupported, match="unsupported lookup 'gt__lt'"):
        c(views__gt__lt=1)


# ------------------------------------------------------------ transforms


@pytest.mark.parametrize("part", ["year", "month", "week", "day", "weekday", "hour", "minute", "second"])
def test_date_parts(part: str) -> None:
    assert c(**{f"created__{part}": 3}) == {f"{part}(date_created)": {"_eq": 3}}


def test_date_part_with_a_lookup() -> None:
    assert c(created__year__gte=2020) == {"year(date_created)": {"_gte": 2020}}
    assert c(created__month__in=[1, 2]) == {"month(date_created)": {"_in": [1, 2]}}


def test_date_part_negated() -> None:
    assert x(created__year=2024) == {"year(date_created)": {"_neq": 2024}}
    assert x(published__year=2024) == {
        "_or": [{"year(published_at)": {"_neq": 2024}}, {"year(published_at)": {"_null": True}}]
    }


def test_date_part_takes_numeric_lookups_only() -> None:
    with pytest.raises(LookupNotSupported, match="'contains' cannot follow 'year'"):
        c(created__year__contains="20")


def test_date_part_does_not_apply_to_relations() -> None:
    with pytest.raises(LookupNotSupported, match=r"year\(\) does not apply to many-to-one"):
        c(author__year=2020)


def test_count() -> None:
    assert c(tags__count__gt=0) == {"count(tags)": {"_gt": 0}}
    assert c(comments__count=2) == {"count(comments)": {"_eq": 2}}


def test_count_negated_never_adds_a_null_test() -> None:
    assert x(tags__count__gt=0) == {"count(tags)": {"_lte": 0}}


def test_count_through_a_many_to_one() -> None:
    assert c(author__articles__count__gt=1) == {"author": {"count(articles)": {"_gt": 1}}}


def test_count_does_not_apply_to_scalars() -> None:
    with pytest.raises(LookupNotSupported, match=r"count\(\) does not apply to field 'title'"):
        c(title__count=1)


# ------------------------------------------------------- relation spans


def test_many_to_one_span() -> None:
    assert c(author__name__icontains="x") == {"author": {"name": {"_icontains": "x"}}}


def test_many_to_one_span_two_levels() -> None:
    assert c(author__publisher__name="P") == {"author": {"publisher": {"name": {"_eq": "P"}}}}


def test_many_to_one_key_itself() -> None:
    assert c(author=3) == {"author": {"_eq": 3}}
    assert c(author__in=[1, 2]) == {"author": {"_in": [1, 2]}}
    assert c(author__isnull=True) == {"author": {"_null": True}}


def test_negated_many_to_one_span_allows_a_missing_relation() -> None:
    assert x(author__email="x") == {
        "_or": [{"author": {"email": {"_neq": "x"}}}, {"author": {"_null": True}}]
    }


def test_negated_many_to_one_span_on_nullable_leaf() -> None:
    assert x(author__name="x") == {
        "_or": [
            {"author": {"name": {"_neq": "x"}}},
            {"author": {"name": {"_null": True}}},
            {"author": {"_null": True}},
        ]
    }


def test_negated_span_through_a_required_many_to_one() -> None:
    assert x(editor__email="x") == {"editor": {"email": {"_neq": "x"}}}


def test_negated_span_two_levels_tests_every_nullable_hop() -> None:
    assert x(author__publisher__name="P") == {
        "_or": [
            {"author": {"publisher": {"name": {"_neq": "P"}}}},
            {"author": {"publisher": {"_null": True}}},
            {"author": {"_null": True}},
        ]
    }


def test_negated_null_test_through_a_relation_adds_nothing() -> None:
    # author.name IS NULL is also true without an author (LEFT JOIN), so its
    # negation is exactly "author and name present".
    assert x(author__name__isnull=True) == {"author": {"name": {"_nnull": True}}}


def test_one_to_many_span() -> None:
    assert c(comments__body="hi") == {"comments": {"body": {"_eq": "hi"}}}


def test_many_to_many_span_inserts_the_junction_field() -> None:
    assert c(tags__label="py") == {"tags": {"tags_id": {"label": {"_eq": "py"}}}}


def test_many_to_many_with_unknown_far_side() -> None:
    assert c(topics__tags_id__label="py") == {"topics": {"tags_id": {"label": {"_eq": "py"}}}}


def test_negated_one_to_many_span_means_none() -> None:
    assert x(comments__body="hi") == {"comments": {"_none": {"body": {"_eq": "hi"}}}}


def test_negated_many_to_many_span_means_none() -> None:
    assert x(tags__label__icontains="py") == {"tags": {"_none": {"tags_id": {"label": {"_icontains": "py"}}}}}


def test_negated_span_into_a_nested_to_many_is_refused() -> None:
    with pytest.raises(LookupNotSupported, match=r"Article\.author__articles__title.*top-level"):
        x(author__articles__title="x")


def test_positive_span_into_a_nested_to_many_is_fine() -> None:
    assert c(author__articles__title="x") == {"author": {"articles": {"title": {"_eq": "x"}}}}


def test_isnull_on_a_to_many_relation_is_a_count() -> None:
    assert c(tags__isnull=True) == {"count(tags)": {"_eq": 0}}
    assert c(comments__isnull=False) == {"count(comments)": {"_gt": 0}}
    assert x(tags__isnull=True) == {"count(tags)": {"_neq": 0}}


def test_direct_comparison_on_a_to_many_relation_is_refused() -> None:
    # Directus compares the junction row's key there, not the tag's.
    with pytest.raises(LookupNotSupported, match=r"'exact' does not apply to many-to-many"):
        c(tags=1)


def test_m2a_spans_are_not_checked() -> None:
    assert c(blocks__item__text="a") == {"blocks": {"item": {"text": {"_eq": "a"}}}}
    assert x(blocks__item__text="a") == {"blocks": {"_none": {"item": {"text": {"_eq": "a"}}}}}


# ------------------------------------------------------------- some / none


def test_some_with_a_dict_of_lookups() -> None:
    assert c(comments__some={"body__icontains": "x"}) == {
        "comments": {"_some": {"body": {"_icontains": "x"}}}
    }


def test_none_with_a_q_and_the_junction_hop() -> None:
    assert c(tags__none=Q(label="py")) == {"tags": {"_none": {"tags_id": {"label": {"_eq": "py"}}}}}


def test_some_negated_is_none_and_back() -> None:
    assert x(comments__some={"body": "x"}) == {"comments": {"_none": {"body": {"_eq": "x"}}}}
    assert x(comments__none={"body": "x"}) == {"comments": {"_some": {"body": {"_eq": "x"}}}}


def test_some_of_an_or_is_split_into_several_somes() -> None:
    assert c(comments__some=Q(body="a") | Q(id=2)) == {
        "_or": [
            {"comments": {"_some": {"body": {"_eq": "a"}}}},
            {"comments": {"_some": {"id": {"_eq": 2}}}},
        ]
    }


def test_none_of_an_or_is_several_nones() -> None:
    assert c(comments__none=Q(body="a") | Q(id=2)) == {
        "_and": [
            {"comments": {"_none": {"body": {"_eq": "a"}}}},
            {"comments": {"_none": {"id": {"_eq": 2}}}},
        ]
    }


def test_some_of_an_and_is_sent_as_plain_paths_on_the_same_item() -> None:
    # Directus 12.4 ignores a _some holding two conditions (every item matches);
    # plain paths through the relation in one _and are tested on the same item.
    assert c(comments__some={"body": "a", "id": 2}) == {
        "_and": [{"comments": {"body": {"_eq": "a"}}}, {"comments": {"id": {"_eq": 2}}}]
    }
    assert c(tags__some=Q(label="a", rank__gt=2)) == {
        "_and": [
            {"tags": {"tags_id": {"label": {"_eq": "a"}}}},
            {"tags": {"tags_id": {"rank": {"_gt": 2}}}},
        ]
    }


def test_none_of_an_and_is_refused() -> None:
    with pytest.raises(LookupNotSupported, match=r"ignores a _none filter"):
        c(comments__none={"body": "a", "id": 2})
    with pytest.raises(LookupNotSupported, match=r"ignores a _none filter"):
        x(comments__some={"body": "a", "id": 2})


def chain(*calls: Q) -> dict[str, Any] | None:
    return compile_chain(calls, ARTICLE)


def test_chained_calls_through_a_to_many_test_separate_items() -> None:
    assert chain(Q(tags__label="go"), Q(tags__label="rust")) == {
        "_and": [
            {"tags": {"_some": {"tags_id": {"label": {"_eq": "go"}}}}},
            {"tags": {"_some": {"tags_id": {"label": {"_eq": "rust"}}}}},
        ]
    }


def test_one_call_keeps_testing_the_same_item() -> None:
    assert chain(Q(comments__body="a", comments__id=2)) == {
        "_and": [{"comments": {"body": {"_eq": "a"}}}, {"comments": {"id": {"_eq": 2}}}]
    }
    # Other relations and plain fields are left alone.
    assert chain(Q(title="a"), Q(tags__label="go")) == {
        "_and": [{"title": {"_eq": "a"}}, {"tags": {"tags_id": {"label": {"_eq": "go"}}}}]
    }


def test_a_group_of_conditions_stays_plain_the_other_calls_become_some() -> None:
    assert chain(Q(comments__body="a", comments__id=2), Q(comments__id=3)) == {
        "_and": [
            {"comments": {"body": {"_eq": "a"}}},
            {"comments": {"id": {"_eq": 2}}},
            {"comments": {"_some": {"id": {"_eq": 3}}}},
        ]
    }


def test_two_groups_on_one_relation_are_refused() -> None:
    with pytest.raises(LookupNotSupported, match="each test several conditions"):
        chain(Q(comments__body="a", comments__id=2), Q(comments__body="b", comments__id=3))


def test_chained_calls_inside_an_or_are_made_separate_too() -> None:
    assert chain(Q(tags__label="go") | Q(title="x"), Q(tags__label="rust")) == {
        "_and": [
            {"_or": [{"tags": {"_some": {"tags_id": {"label": {"_eq": "go"}}}}},
                     {"title": {"_eq": "x"}}]},
            {"tags": {"_some": {"tags_id": {"label": {"_eq": "rust"}}}}},
        ]
    }


def test_some_and_none_of_everything_are_counts() -> None:
    assert c(comments__some=Q()) == {"count(comments)": {"_gt": 0}}
    assert c(tags__none={}) == {"count(tags)": {"_eq": 0}}


def test_some_and_none_of_nothing() -> None:
    with pytest.raises(EmptyResultSet):
        c(comments__some={"id__in": []})
    assert c(comments__none={"id__in": []}) is None


def test_some_checks_names_on_the_related_model() -> None:
    with pytest.raises(FieldError, match=r"Comment has no field 'bdy' \(did you mean 'body'\?\)"):
        c(comments__some={"bdy": "x"})


def test_some_on_a_many_to_one_is_refused() -> None:
    with pytest.raises(LookupNotSupported, match="'some' does not apply to many-to-one field"):
        c(author__some={"name": "x"})


def test_some_below_the_top_level_is_refused() -> None:
    with pytest.raises(LookupNotSupported, match="top-level"):
        c(author__articles__some={"title": "x"})


def test_some_needs_a_q_or_dict() -> None:
    with pytest.raises(FieldError, match="some takes a Q or a dict of lookups"):
        c(comments__some="x")


# ------------------------------------------------------ combining lookups


def test_several_kwargs_are_anded_in_order() -> None:
    assert c(views__gt=1, title="x", id=3) == {
        "_and": [{"views": {"_gt": 1}}, {"title": {"_eq": "x"}}, {"id": {"_eq": 3}}]
    }


def test_and_or_not() -> None:
    assert c(Q(title="a") | Q(title="b")) == {"_or": [{"title": {"_eq": "a"}}, {"title": {"_eq": "b"}}]}
    assert c(Q(title="a") & Q(id=1)) == {"_and": [{"title": {"_eq": "a"}}, {"id": {"_eq": 1}}]}
    assert c(~Q(title="a")) == {"title": {"_neq": "a"}}


def test_nested_ands_and_ors_are_flattened() -> None:
    q = (Q(id=1) & Q(id=2)) & (Q(id=3) & Q(Q(id=4) & Q(id=5)))
    assert compile_filter(q, ARTICLE) == {"_and": [{"id": {"_eq": n}} for n in range(1, 6)]}
    q = Q(id=1) | (Q(id=2) | Q(id=3))
    assert compile_filter(q, ARTICLE) == {"_or": [{"id": {"_eq": n}} for n in range(1, 4)]}


def test_mixed_nesting_keeps_its_structure() -> None:
    q = Q(title="a") & (Q(id=1) | Q(id=2))
    assert compile_filter(q, ARTICLE) == {
        "_and": [{"title": {"_eq": "a"}}, {"_or": [{"id": {"_eq": 1}}, {"id": {"_eq": 2}}]}]
    }


def test_de_morgan_not_and_is_or_of_nots() -> None:
    assert x(title="a", id=1) == {"_or": [{"title": {"_neq": "a"}}, {"id": {"_neq": 1}}]}


def test_de_morgan_not_or_is_and_of_nots() -> None:
    assert c(~(Q(title="a") | Q(id=1))) == {"_and": [{"title": {"_neq": "a"}}, {"id": {"_neq": 1}}]}


def test_de_morgan_with_null_alternatives_flattens_the_or() -> None:
    assert x(views__gt=5, title="a") == {
        "_or": [{"views": {"_lte": 5}}, {"views": {"_null": True}}, {"title": {"_neq": "a"}}]
    }


def test_double_negation_is_the_original() -> None:
    assert c(~~Q(views__gt=5)) == {"views": {"_gt": 5}}
    assert c(~(~Q(title="a") | Q(id=1))) == {"_and": [{"title": {"_eq": "a"}}, {"id": {"_neq": 1}}]}


def test_duplicate_alternatives_are_sent_once() -> None:
    assert x(author__email="a", author__id=2) == {
        "_or": [
            {"author": {"email": {"_neq": "a"}}},
            {"author": {"_null": True}},
            {"author": {"id": {"_neq": 2}}},
        ]
    }


def test_exclude_across_a_to_many_and_a_scalar() -> None:
    assert x(comments__body="hi", title="a") == {
        "_or": [{"comments": {"_none": {"body": {"_eq": "hi"}}}}, {"title": {"_neq": "a"}}]
    }


def test_empty_q_matches_everything() -> None:
    assert compile_filter(Q(), ARTICLE) is None
    assert compile_filter(~Q(), ARTICLE) is None
    assert compile_filter(Q(Q(), Q()), ARTICLE) is None


def test_combining_with_an_empty_q_ignores_it() -> None:
    # As in Django, so that ``q = Q()`` then ``q |= Q(...)`` works.
    assert compile_filter(Q() | Q(id=1), ARTICLE) == {"id": {"_eq": 1}}
    assert compile_filter(Q(id=1) & Q(), ARTICLE) == {"id": {"_eq": 1}}


def test_an_empty_condition_inside_an_or_matches_everything() -> None:
    assert compile_filter(Q(Q()) | Q(id=1), ARTICLE) is None


# ------------------------------------------------------------ raw dicts


def test_raw_dict_is_sent_as_written() -> None:
    raw = {"blocks": {"item:headings": {"text": {"_eq": "x"}}}}
    assert c(raw) == raw


def test_raw_dict_values_are_serialized() -> None:
    moment = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert c({"date_created": {"_gt": moment}}) == {"date_created": {"_gt": "2024-01-02T03:04:05Z"}}


def test_raw_dict_is_copied() -> None:
    raw: dict[str, Any] = {"title": {"_eq": "a"}}
    q = Q(raw)
    raw["title"]["_eq"] = "b"
    assert compile_filter(q, ARTICLE) == {"title": {"_eq": "a"}}


def test_raw_dict_with_lookups_is_anded() -> None:
    assert c({"title": {"_eq": "a"}}, id=1) == {"_and": [{"title": {"_eq": "a"}}, {"id": {"_eq": 1}}]}


def test_raw_and_is_flattened_into_the_parent() -> None:
    raw = {"_and": [{"a": {"_eq": 1}}, {"b": {"_eq": 2}}]}
    assert c(raw, id=1) == {"_and": [{"a": {"_eq": 1}}, {"b": {"_eq": 2}}, {"id": {"_eq": 1}}]}


def test_empty_raw_dict_matches_everything() -> None:
    assert c({}) is None


def test_raw_negation_rewrites_operators() -> None:
    assert x({"title": {"_eq": "a"}}) == {"title": {"_neq": "a"}}
    assert x({"id": {"_in": [1, 2]}}) == {"id": {"_nin": [1, 2]}}
    assert x({"title": {"_nstarts_with": "a"}}) == {"title": {"_starts_with": "a"}}


def test_raw_negation_adds_null_for_unknown_or_nullable_fields() -> None:
    assert x({"views": {"_gt": 5}}) == x(views__gt=5)
    assert x({"unknown": {"_eq": 1}}) == {"_or": [{"unknown": {"_neq": 1}}, {"unknown": {"_null": True}}]}


def test_raw_negation_trusts_the_resolver_only_on_matching_names() -> None:
    # "published" is the Python name of "published_at"; a raw key of that name
    # is some other Directus field, so nothing is assumed about it.
    assert x({"published": {"_eq": 1}}) == {
        "_or": [{"published": {"_neq": 1}}, {"published": {"_null": True}}]
    }
    # This resolver knows only Python names, so "date_created" stays unknown:
    # the negation then assumes the field may be NULL.
    assert x({"date_created": {"_eq": 1}}) == {
        "_or": [{"date_created": {"_neq": 1}}, {"date_created": {"_null": True}}]
    }


def test_raw_negation_of_logical_operators() -> None:
    raw = {"_or": [{"title": {"_eq": "a"}}, {"_and": [{"id": {"_gt": 1}}, {"id": {"_lt": 9}}]}]}
    assert x(raw) == {"_and": [{"title": {"_neq": "a"}}, {"_or": [{"id": {"_lte": 1}}, {"id": {"_gte": 9}}]}]}


def test_raw_negation_of_a_multi_key_object_is_an_or() -> None:
    assert x({"title": {"_eq": "a"}, "id": {"_eq": 1}}) == {
        "_or": [{"title": {"_neq": "a"}}, {"id": {"_neq": 1}}]
    }


def test_raw_negation_of_a_bare_value_is_not_equal() -> None:
    assert x({"title": "a"}) == {"title": {"_neq": "a"}}


def test_raw_negation_of_null_tests() -> None:
    assert x({"views": {"_null": True}}) == {"views": {"_nnull": True}}
    assert x({"views": {"_eq": None}}) == {"views": {"_nnull": True}}
    assert x({"views": {"_empty": True}}) == {"views": {"_nempty": True}}


def test_raw_negation_swaps_some_and_none() -> None:
    assert x({"comments": {"_some": {"body": {"_eq": "a"}}}}) == {
        "comments": {"_none": {"body": {"_eq": "a"}}}
    }


def test_raw_negation_through_known_relations() -> None:
    assert x({"comments": {"body": {"_eq": "a"}}}) == {"comments": {"_none": {"body": {"_eq": "a"}}}}
    assert x({"tags": {"tags_id": {"label": {"_eq": "a"}}}}) == {
        "tags": {"_none": {"tags_id": {"label": {"_eq": "a"}}}}
    }
    assert x({"editor": {"email": {"_eq": "a"}}}) == {"editor": {"email": {"_neq": "a"}}}


def test_raw_negation_of_non_negatable_operators() -> None:
    with pytest.raises(LookupNotSupported, match="_json cannot be negated"):
        x({"data": {"_json": {"a": {"_eq": 1}}}})
    with pytest.raises(LookupNotSupported, match="_bogus is not a Directus operator"):
        x({"title": {"_bogus": 1}})


def test_raw_negation_of_malformed_filters() -> None:
    with pytest.raises(QueryError, match="_and takes a list of filter objects"):
        x({"_and": {"title": {"_eq": 1}}})
    with pytest.raises(QueryError, match="operator _eq needs a field"):
        x({"_eq": 1})


def test_raw_some_with_several_conditions_is_refused() -> None:
    with pytest.raises(LookupNotSupported, match="ignores a _some filter"):
        c({"comments": {"_some": {"_or": [{"id": {"_eq": 1}}, {"id": {"_eq": 2}}]}}})
    with pytest.raises(LookupNotSupported, match="ignores a _none filter"):
        c({"_and": [{"comments": {"_none": {}}}]})
    with pytest.raises(LookupNotSupported, match="ignores a _some filter"):
        x({"comments": {"_some": {"id": {"_eq": 1}, "body": {"_eq": "a"}}}})


# --------------------------------------------------------------- errors


def test_unknown_field_names_the_model_and_a_close_match() -> None:
    with pytest.raises(FieldError, match=r"'titel'.*Article has no field 'titel'.*'title'"):
        c(titel="x")


def test_unknown_related_field_names_the_related_model() -> None:
    with pytest.raises(FieldError, match=r"'author__nmae'.*Author has no field 'nmae'"):
        c(author__nmae="x")


def test_field_names_win_over_lookup_names() -> None:
    resolver = FakeResolver("Event")
    resolver.fields = {
        "when": ResolvedField("when", "m2o", related=resolver),
        "year": ResolvedField("year", "scalar", nullable=False),
    }
    assert compile_filter(Q(when__year=2020), resolver) == {"when": {"year": {"_eq": 2020}}}


def test_malformed_lookup_key() -> None:
    with pytest.raises(FieldError, match="malformed"):
        c(title__="x")


def test_bad_value_type_is_a_field_error() -> None:
    with pytest.raises(FieldError, match=r"Article\.title: a object cannot be used"):
        c(title=object())


# ------------------------------------------------------- without resolver


def test_without_a_resolver_names_are_taken_as_written() -> None:
    assert compile_filter(Q(author__name__icontains="x"), None) == {"author": {"name": {"_icontains": "x"}}}
    assert compile_filter(Q(date__year__gte=2020), None) == {"year(date)": {"_gte": 2020}}


def test_without_a_resolver_every_field_is_nullable() -> None:
    assert compile_filter(~Q(views__gt=5), None) == {
        "_or": [{"views": {"_lte": 5}}, {"views": {"_null": True}}]
    }


def test_without_a_resolver_unknown_lookups_are_still_refused() -> None:
    with pytest.raises(LookupNotSupported, match="'title__regex': lookup 'regex'"):
        compile_filter(Q(title__regex="a"), None)


# ---------------------------------------------------------------- values


class Color(enum.Enum):
    RED = "red"


class Size(enum.IntEnum):
    BIG = 3


def test_serialize_datetimes() -> None:
    aware = datetime(2024, 5, 6, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert serialize_value(aware) == "2024-05-06T10:00:00Z"
    assert serialize_value(datetime(2024, 5, 6, 12, 0, 0, 5)) == "2024-05-06T12:00:00.000005"
    assert serialize_value(date(2024, 5, 6)) == "2024-05-06"
    assert serialize_value(time(8, 30)) == "08:30:00"


def test_serialize_other_types() -> None:
    uid = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert serialize_value(uid) == "12345678-1234-5678-1234-567812345678"
    assert serialize_value(Decimal("1.50")) == "1.50"
    assert serialize_value(Color.RED) == "red"
    assert serialize_value(Size.BIG) == 3
    assert serialize_value(True) is True
    assert serialize_value(None) is None
    assert serialize_value(1.5) == 1.5
    assert serialize_value((1, [2, (3,)])) == [1, [2, [3]]]
    assert serialize_value(NOW) == "$NOW"


def test_serialize_unsafe_integers_as_strings() -> None:
    assert serialize_value(2**53 - 1) == 2**53 - 1
    assert serialize_value(2**53 + 1) == "9007199254740993"


@pytest.mark.parametrize("value", [math.nan, math.inf, Decimal("NaN"), {1: 2}, timedelta(1)])
def test_serialize_refuses_what_json_cannot_carry(value: Any) -> None:
    with pytest.raises(ValueError):
        serialize_value(value)


def test_values_in_lookups_are_serialized() -> None:
    moment = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert c(created__gte=moment) == {"date_created": {"_gte": "2024-01-01T00:00:00Z"}}
    assert c(title=Color.RED) == {"title": {"_eq": "red"}}
    assert c(id__in=[uuid.UUID(int=1)]) == {"id": {"_in": ["00000000-0000-0000-0000-000000000001"]}}


def test_dynamic_variables_as_values() -> None:
    assert c(created__lte=NOW) == {"date_created": {"_lte": "$NOW"}}
    assert c(created__gte=now("-1 year")) == {"date_created": {"_gte": "$NOW(-1 year)"}}
    assert c(author=CURRENT_USER) == {"author": {"_eq": "$CURRENT_USER"}}


def test_compiled_filters_are_plain_json() -> None:
    result = c(created__gte=now("-7 days"), id__in={2, 1}, title=Color.RED)
    assert json.loads(json.dumps(result)) == result
