"""Loaded objects: lazy bookkeeping, change detection, equality and copies (no server)."""

from __future__ import annotations

import copy
import json
from typing import Any

from directus_orm import Model

from ..models_for_tests import Doc, WithPrivate


def load(model: type[Model], rows: list[dict[str, Any]]) -> list[Any]:
    body = json.dumps({"data": rows}).encode()
    items: list[Any] = model._meta.validator("list").validate_json(body)["data"]
    model._meta.strip(items, body)
    return items


ROWS = [{"id": 1, "title": "a", "data": {"k": [1, 2]}}, {"id": 2, "title": "b", "data": None}]


def test_untouched_objects_have_no_changes():
    a, b = load(Doc, ROWS)
    assert a.changed_fields == [] and b.changed_fields == []


def test_assignment_and_in_place_json_edits_are_changes():
    a, b = load(Doc, ROWS)
    a.data["k"].append(3)
    assert a.changed_fields == ["data"]
    b.title = "B"
    assert b.changed_fields == ["title"]
    b.title = "b"  # back to what the server has
    assert b.changed_fields == []


def test_equality_is_by_value_not_by_bookkeeping():
    (a1,) = load(Doc, ROWS[:1])
    (a2,) = load(Doc, ROWS[:1])
    assert a1 == a2
    _ = a1.changed_fields  # gives a1 its own state
    assert a1 == a2
    assert a1 == Doc(id=1, title="a", data={"k": [1, 2]})
    a2.title = "other"
    assert a1 != a2


def test_copies_of_loaded_objects_track_changes_from_the_copy():
    (a,) = load(Doc, ROWS[:1])
    for clone in (copy.deepcopy(a), a.model_copy(deep=True)):
        assert clone == a and clone.changed_fields == []
        clone.data["k"].append(9)
        assert clone.changed_fields == ["data"]
    assert a.changed_fields == []


def test_models_with_private_attributes_keep_them():
    a, b = load(WithPrivate, ROWS)
    a._cache = 5
    assert a._cache == 5 and b._cache == 0
    a.data["new"] = True
    assert a.changed_fields == ["data"] and b.changed_fields == []


def test_new_objects_count_every_set_field():
    doc = Doc(title="x")
    assert doc.changed_fields == ["title"]
