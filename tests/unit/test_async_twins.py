"""Every public sync method that does I/O has an async twin with the same parameters, and back.

Two shapes: in one class (``get``/``aget`` on QuerySet, ``save``/``asave`` on Model), and in
class pairs (``Items``/``AsyncItems``, ``Server``/``AsyncServer``: the same method names).
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import directus_orm as d

# Classes holding both sync methods and their ``a``-prefixed twins.
ONE_CLASS = [d.QuerySet, d.Model, d.RelatedManager, d.GroupedQuerySet]

# (sync class, async class) pairs with the same method names.
PAIRS: list[tuple[type[Any], type[Any]]] = [
    (d.Session, d.AsyncSession),
    (d.Items, d.AsyncItems),
    (d.Singleton, d.AsyncSingleton),
    (d.Auth, d.AsyncAuth),
    (d.Server, d.AsyncServer),
    (d.Users, d.AsyncUsers),
    (d.Tfa, d.AsyncTfa),
    (d.Files, d.AsyncFiles),
    (d.Comments, d.AsyncComments),
    (d.Activity, d.AsyncActivity),
    (d.Revisions, d.AsyncRevisions),
    (d.Presets, d.AsyncPresets),
    (d.Settings, d.AsyncSettings),
    (d.Collections, d.AsyncCollections),
    (d.Fields, d.AsyncFields),
    (d.Relations, d.AsyncRelations),
    (d.Schema, d.AsyncSchema),
    (d.Utils, d.AsyncUtils),
    (d.Permissions, d.AsyncPermissions),
    (d.Policies, d.AsyncPolicies),
    (d.Roles, d.AsyncRoles),
    (d.Versions, d.AsyncVersions),
    (d.Shares, d.AsyncShares),
    (d.Flows, d.AsyncFlows),
    (d.Extensions, d.AsyncExtensions),
]

# Named with the ``a`` prefix in the async driver, as in httpx's ``aclose()``.
RENAMED = {"close": "aclose", "run_flow": "arun_flow", "refresh_now": "arefresh_now"}

# Async methods whose sync twin is a Python built-in over the object.
BUILTIN_TWINS = {"alist": "list(qs)"}


def _public_methods(cls: type[Any]) -> dict[str, Any]:
    out = {}
    for name in dir(cls):
        if name.startswith("_"):
            continue
        value = inspect.getattr_static(cls, name)
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
        if inspect.isfunction(value):
            out[name] = value
    return out


def _params(fn: Any) -> list[tuple[str, Any, Any]]:
    sig = inspect.signature(fn)
    return [(p.name, p.kind, p.default) for p in sig.parameters.values()][1:]  # without self/cls


def _does_io(fn: Any) -> bool:
    """A sync method does I/O when it drives a flow (or iterates one)."""
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return False
    return "run_flow(" in source


@pytest.mark.parametrize("cls", ONE_CLASS, ids=lambda c: c.__name__)
def test_async_twins_in_one_class(cls: type[Any]) -> None:
    methods = _public_methods(cls)
    problems = []
    for name, fn in methods.items():
        if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
            sync = name[1:]
            if name in BUILTIN_TWINS:
                continue
            if not name.startswith("a") or sync not in methods:
                problems.append(f"{cls.__name__}.{name} has no sync twin {sync}()")
            elif _params(methods[sync]) != _params(fn):
                problems.append(f"{cls.__name__}.{sync} and .{name} differ in parameters")
        elif _does_io(fn) and "a" + name not in methods:
            problems.append(f"{cls.__name__}.{name} does I/O but has no async twin a{name}()")
    assert problems == []


@pytest.mark.parametrize(("sync_cls", "async_cls"), PAIRS, ids=lambda c: c.__name__)
def test_async_twins_in_class_pairs(sync_cls: type[Any], async_cls: type[Any]) -> None:
    sync_methods = _public_methods(sync_cls)
    async_methods = _public_methods(async_cls)
    problems = []
    for name, fn in sync_methods.items():
        twin_name = RENAMED.get(name, name)
        twin = async_methods.get(twin_name)
        if twin is None:
            problems.append(f"{async_cls.__name__} lacks {twin_name}()")
            continue
        if _does_io(fn) and not (inspect.iscoroutinefunction(twin) or inspect.isasyncgenfunction(twin)):
            problems.append(f"{async_cls.__name__}.{twin_name} is not async")
        if _params(fn) != _params(twin):
            problems.append(f"{sync_cls.__name__}.{name} and {async_cls.__name__}.{twin_name} differ")
    reverse = {v: k for k, v in RENAMED.items()}
    for name in async_methods:
        if reverse.get(name, name) not in sync_methods:
            problems.append(f"{sync_cls.__name__} lacks {reverse.get(name, name)}()")
    assert problems == []


def test_the_twin_check_sees_io() -> None:
    # The detector itself: a QuerySet terminal drives a flow, a chain method does not.
    assert _does_io(d.QuerySet.count)
    assert not _does_io(d.QuerySet.filter)
