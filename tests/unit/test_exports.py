"""The public surface: ``directus_orm.__all__`` and what its names look like from outside."""

from __future__ import annotations

import importlib
import inspect
import itertools
import pickle
import types
from typing import Any

import pytest

import directus_orm

ALL: list[str] = list(directus_orm.__all__)
PUBLIC_DEFINITIONS = [
    name
    for name in ALL
    if isinstance(getattr(directus_orm, name), type) or inspect.isfunction(getattr(directus_orm, name))
]
EXCEPTIONS = [
    name
    for name in ALL
    if isinstance(getattr(directus_orm, name), type)
    and issubclass(getattr(directus_orm, name), BaseException)
]


def test_all_is_sorted_case_insensitively() -> None:
    out_of_order = [(a, b) for a, b in itertools.pairwise(ALL) if a.lower() > b.lower()]
    assert out_of_order == []


def test_all_has_no_duplicates() -> None:
    assert len(ALL) == len(set(ALL))
    assert all(isinstance(name, str) and name for name in ALL)


@pytest.mark.parametrize("name", ALL)
def test_every_name_is_importable(name: str) -> None:
    module = importlib.import_module("directus_orm")
    namespace: dict[str, Any] = {}
    exec(f"from directus_orm import {name} as imported", namespace)
    assert namespace["imported"] is getattr(module, name)


def test_star_import_gives_exactly_all() -> None:
    namespace: dict[str, Any] = {}
    exec("from directus_orm import *", namespace)
    assert sorted(k for k in namespace if k != "__builtins__") == sorted(ALL)


def test_every_public_attribute_is_listed_in_all() -> None:
    public = {
        name
        for name, value in vars(directus_orm).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"  # from __future__ import annotations
    }
    assert public - set(ALL) == set()


@pytest.mark.parametrize("name", PUBLIC_DEFINITIONS)
def test_public_classes_and_functions_belong_to_directus_orm(name: str) -> None:
    obj = getattr(directus_orm, name)
    assert obj.__module__ == "directus_orm"
    assert obj.__qualname__ == name
    assert obj.__name__ == name


def test_the_core_api_is_exported() -> None:
    for name in ("Model", "QuerySet", "Q", "Session", "AsyncSession", "DirectusError", "Page"):
        assert name in ALL


def test_the_export_lists_are_not_empty() -> None:
    assert len(PUBLIC_DEFINITIONS) > 40
    assert len(EXCEPTIONS) > 30
    assert all(issubclass(getattr(directus_orm, n), directus_orm.DirectusORMError) for n in EXCEPTIONS)


def _instance(cls: type[BaseException]) -> BaseException:
    if issubclass(cls, directus_orm.DirectusError):
        return cls(
            "boom",
            status=418,
            code="SOME_CODE",
            extensions={"code": "SOME_CODE"},
            errors=[{"message": "boom"}],
            method="GET",
            path="/items/x",
        )
    if issubclass(cls, directus_orm.BatchError):
        return cls("part-way", done=[range(2)], pending=[range(2, 4)], results=[1, 2])
    return cls("boom")


def _round_trip_problem(name: str) -> str | None:
    error = _instance(getattr(directus_orm, name))
    try:
        copy = pickle.loads(pickle.dumps(error))
    except Exception as exc:  # the failure is the finding
        return f"{name}: {type(exc).__name__}: {exc}"
    if (type(copy), str(copy), copy.args, vars(copy)) != (type(error), str(error), error.args, vars(error)):
        return f"{name}: the copy differs: {vars(copy)!r} != {vars(error)!r}"
    return None


def test_simple_exceptions_survive_pickling() -> None:
    for name in ("QueryError", "FieldError", "FieldNotLoaded", "ConnectError", "ObjectDoesNotExist"):
        assert _round_trip_problem(name) is None


def test_every_exported_exception_survives_pickling() -> None:
    # Errors cross process boundaries (multiprocessing, concurrent.futures, task queues).
    # DirectusError and BatchError take keyword-only arguments; they still pickle and unpickle
    # with every attribute (DirectusORMError rebuilds without calling __init__).
    problems = [p for p in map(_round_trip_problem, EXCEPTIONS) if p is not None]
    assert problems == []
