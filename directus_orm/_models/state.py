"""The ORM's bookkeeping on an instance: loaded or new, the values before the first assignment."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeGuard

from pydantic_core import to_json

if TYPE_CHECKING:
    from .model import Model


_STATE = "__directus_orm__"


def is_model(value: Any) -> TypeGuard[Model]:
    """Whether ``value`` is a model instance (duck-typed: no import of Model needed)."""
    return hasattr(value, "_meta") and hasattr(value, "__pydantic_fields_set__")


_UNSET: Any = object()


class LoadedPage:
    """What a page of hydrated objects shares until the program touches one.

    Hydration gives every object of a page the same private dict, holding this
    page; :func:`state_of` gives an object its own state on first use. The
    snapshot of JSON fields (to notice in-place edits) is read from the
    response bytes the page keeps, so loading costs almost nothing per object.
    """

    __slots__ = ("_parsed", "fields", "positions", "raw", "shared")

    def __init__(
        self,
        objs: Sequence[Model],
        fields: Sequence[tuple[str, str]],
        raw: bytes | None,
    ) -> None:
        self.fields = tuple(fields)  # (python name, Directus name) of the JSON fields
        self.positions = {id(obj): index for index, obj in enumerate(objs)}
        self._parsed: Any = None
        if raw is None and self.fields:
            # No response bytes at hand: snapshot the values now, in one call.
            raw = to_json({"data": [
                {api: obj.__dict__.get(name) for name, api in self.fields} for obj in objs
            ]})
        self.raw = raw if self.fields else None
        self.shared: dict[str, Any] = {_STATE: self}

    def state_for(self, obj: Model) -> dict[str, Any]:
        state: dict[str, Any] = {"db": True}
        if self.raw is not None:
            if self._parsed is None:
                self._parsed = json.loads(self.raw).get("data")
            data = self._parsed
            index = self.positions.get(id(obj))
            if index is None:  # a copy of a loaded object: snapshot what it holds now
                state["json"] = {name: to_json(obj.__dict__.get(name)) for name, _ in self.fields}
                return state
            row = data[index] if isinstance(data, list) else data
            row = row if isinstance(row, dict) else {}
            state["json"] = {name: to_json(row.get(api)) for name, api in self.fields}
        return state


def state_of(obj: Model) -> dict[str, Any]:
    """The ORM's bookkeeping for ``obj`` (kept in pydantic's private slot)."""
    private = obj.__pydantic_private__
    if private is None:
        private = {}
        object.__setattr__(obj, "__pydantic_private__", private)
    state: Any = private.get(_STATE)
    if state is None:
        state = {}
        private[_STATE] = state
    elif isinstance(state, LoadedPage):  # loaded and untouched
        state = state.state_for(obj)
        if private is state_shared(private):
            object.__setattr__(obj, "__pydantic_private__", {_STATE: state})
        else:
            private[_STATE] = state
    result: dict[str, Any] = state
    return result


def state_shared(private: dict[str, Any]) -> dict[str, Any] | None:
    """The page-wide private dict ``private`` is, if it is one."""
    page = private.get(_STATE)
    return page.shared if isinstance(page, LoadedPage) else None


def from_db(obj: Model) -> bool:
    private = obj.__pydantic_private__
    if not private:
        return False
    state = private.get(_STATE)
    return isinstance(state, LoadedPage) or bool(state and state.get("db"))


def mark_loaded(objs: Sequence[Model], json_fields: Sequence[str]) -> None:
    """Record that these objects came from the server (and snapshot JSON fields)."""
    for obj in objs:
        state = state_of(obj)
        state["db"] = True
        state.pop("changed", None)
        if json_fields:
            data = obj.__dict__
            state["json"] = {n: to_json(data[n]) for n in json_fields if n in data}


def note_assignment(obj: Model, name: str) -> None:
    """Remember a field's value before its first assignment since load/save."""
    state = state_of(obj)
    changed = state.setdefault("changed", {})
    if name not in changed:
        changed[name] = obj.__dict__.get(name, _UNSET)
