"""Writing: change tracking, save/delete/refresh, and batched bulk writes, as flows.

Change tracking. An object read from the server remembers, for every field
assigned since, the value it had (``__setattr__``), and for JSON-like fields a
snapshot of their JSON (so in-place edits such as ``obj.data["k"] = 1`` count).
``save()`` PATCHes exactly the fields whose value differs; fields never fetched
are never sent, so a concurrent change to another field survives.

Batches. ``bulk_create``/``bulk_update`` and the by-keys writes of
``update()``/``delete()`` split work into requests of at most ``batch_size``
items and about 900 KB (the server refuses bodies over ``MAX_PAYLOAD_SIZE``,
1 MB by default). When the server answers "Exceeded max batch mutation limit of
N", the batch (one transaction: nothing of it was written) is split into
pieces of N and sent again. Any other failure raises :class:`BatchError`
saying which input ranges were written and which were not.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic_core import to_json

from ._exceptions import BatchError, BatchLimitExceeded, QueryError
from ._flow import Flow
from ._request import Call, path_of

if TYPE_CHECKING:
    from ._model import Model
    from ._relations import Journal
    from ._session import BaseSession

__all__ = ["Progress", "ProgressBar"]

M = TypeVar("M", bound="Model")

#: Largest JSON body sent in one request (Directus refuses over 1 MB by default).
MAX_BODY_BYTES = 900_000
DEFAULT_BATCH_SIZE = 1000

_STATE = "__directus_orm__"
_UNSET: Any = object()

Progress = Callable[[int, int], None]
"""``on_progress(done, total)``: called after every batch."""


class ProgressBar:
    """A dependency-free progress bar on stderr: ``bulk_create(objs, progress=True)``."""

    def __init__(self, label: str = "", width: int = 30, stream: Any = None) -> None:
        self.label = label
        self.width = width
        self.stream = stream if stream is not None else sys.stderr

    def __call__(self, done: int, total: int) -> None:
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{self.label}[{bar}] {done}/{total}{end}")
        self.stream.flush()


# ------------------------------------------------------------ object state


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


def changed_fields(obj: Model, seen: set[int] | None = None) -> list[str]:
    """Names of loaded fields whose value differs from what the server has.

    Relation fields count as changed when a save would write them: another
    key, a to-many list that differs from what was loaded, or a loaded related
    item with changes of its own (``seen`` guards against cycles).
    """
    if not from_db(obj):
        return sorted(obj.__pydantic_fields_set__)
    state = state_of(obj)
    data = obj.__dict__
    relational = type(obj)._meta.relational
    skip = {f.name for f in relational} if relational else ()
    out: list[str] = []
    for name, old in state.get("changed", {}).items():
        if name in data and name not in skip and (old is _UNSET or not _same(old, data[name])):
            out.append(name)
    for name, snapshot in state.get("json", {}).items():
        if name in data and name not in out and to_json(data[name]) != snapshot:
            out.append(name)
    if relational:
        from ._relations import dirty_relations

        seen = set() if seen is None else seen
        seen.add(id(obj))
        out.extend(dirty_relations(obj, seen))
    order = list(type(obj).model_fields)
    return sorted(out, key=order.index)


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except Exception:
        return False


# ------------------------------------------------------------ payloads


def payload(
    obj: Model,
    names: Sequence[str],
    *,
    seen: set[int] | None = None,
    journal: Journal | None = None,
) -> dict[str, Any]:
    """The JSON body for these fields, under their Directus names.

    Relation fields are written as ``_relations`` says: a many-to-one as its key
    (or a nested create/update), a to-many list in the detailed
    ``{"create", "update", "delete"}`` form. ``journal`` records what was sent
    for relations, to read the keys of created items from the answer.
    """
    meta = type(obj)._meta
    relational = meta.relational
    fields = type(obj).model_fields
    data = obj.__dict__
    out: dict[str, Any] = {}
    visited: set[int] = set() if seen is None else seen
    if relational:
        from ._relations import OMIT, relation_value

        visited.add(id(obj))
        by_name = meta.fields
    for name in names:
        if name not in data:
            continue
        value = data[name]
        info = fields[name]
        key = info.alias if isinstance(info.alias, str) else name
        if relational:
            field_meta = by_name[name]
            if field_meta.kind in ("m2o", "o2m", "m2m", "m2a"):
                value = relation_value(obj, field_meta, value, visited, journal)
                if value is OMIT:
                    continue
        out[key] = value
    return out


def insert_fields(obj: Model) -> list[str]:
    """What a create sends: fields set explicitly or with a non-None default; no empty key."""
    meta = type(obj)._meta
    out: list[str] = []
    for name, info in type(obj).model_fields.items():
        if name not in obj.__dict__:
            continue
        if name == meta.primary_key and obj.__dict__[name] is None:
            continue
        if name in obj.__pydantic_fields_set__ or info.default is not None:
            if obj.__dict__[name] is None and name not in obj.__pydantic_fields_set__:
                continue
            out.append(name)
    return out


def absorb(obj: Model, fresh: Model, *, keep_relations: bool = False) -> None:
    """Take the server's answer into ``obj`` (generated key, defaults, dates).

    With ``keep_relations`` (the answer to a write), ``obj`` keeps its to-many
    lists and its related instances: the answer holds keys only, and
    ``_relations.sync_after_write`` reads what it needs from it. Otherwise
    (a refresh) relations are taken with the snapshots they were loaded with.
    """
    data = fresh.__dict__
    relational = type(obj)._meta.relational
    if relational:
        if keep_relations:
            data = dict(data)
            for meta in relational:
                if meta.name in data and (
                    meta.kind != "m2o" or hasattr(obj.__dict__.get(meta.name), "_meta")
                ):
                    del data[meta.name]
        else:
            loaded = state_of(fresh)
            mine = state_of(obj)
            for meta in relational:
                if meta.name in data and meta.kind != "m2o":
                    for key in ("rel", "through"):
                        value = loaded.get(key, {}).get(meta.name)
                        if value is None:
                            mine.get(key, {}).pop(meta.name, None)
                        else:
                            mine.setdefault(key, {})[meta.name] = value
    obj.__dict__.update(data)
    obj.__pydantic_fields_set__.update(n for n in fresh.__pydantic_fields_set__ if n in data)
    if fresh.__pydantic_extra__ and obj.__pydantic_extra__ is not None:
        obj.__pydantic_extra__.update(fresh.__pydantic_extra__)
    mark_loaded((obj,), type(obj)._meta.json_fields)


def item_path(model: type[Model], pk: Any = _UNSET) -> str:
    parts: list[Any] = list(model._meta.endpoint_parts)
    if pk is not _UNSET:
        if pk is None:
            raise QueryError(f"this {model.__name__} has no primary key yet: save it first")
        parts.append(pk)
    return path_of(*parts)


def _check_writable(model: type[Model]) -> None:
    if model._meta.read_only:
        raise QueryError(f"{model.__name__} is read-only: Directus does not accept writes there")


def hydrate_one(model: type[M], content: bytes) -> M | None:
    envelope = model._meta.validator("one").validate_json(content)
    obj: M | None = envelope["data"]
    if obj is not None:
        model._meta.strip([obj], content)
    return obj


def hydrate_many(model: type[M], content: bytes) -> list[M]:
    envelope = model._meta.validator("list").validate_json(content)
    objs: list[M] = envelope["data"]
    model._meta.strip(objs, content)
    return objs


# ------------------------------------------------------------ single objects


def save_flow(
    obj: Model,
    session: BaseSession,
    *,
    force_insert: bool = False,
    update_fields: Sequence[str] | None = None,
) -> Flow[bool]:
    """Create or update ``obj``; returns whether a request was sent."""
    model = type(obj)
    meta = model._meta
    _check_writable(model)
    if update_fields is not None:
        names = [meta.field(n).name for n in update_fields]
        missing = [n for n in names if n not in obj.__dict__]
        if missing:
            raise QueryError(f"update_fields names fields that are not loaded: {missing}")
    creating = force_insert or (not from_db(obj) and update_fields is None)
    # Relations written in the same request are recorded, to read created keys back.
    journal: Journal | None = {} if meta.relational else None
    if meta.singleton:
        names = list(update_fields) if update_fields is not None else (
            insert_fields(obj) if creating else changed_fields(obj))
        if not names and not creating:
            return False
        method, path = "PATCH", item_path(model)
        body = payload(obj, names, journal=journal)
    elif creating:
        method, path = "POST", item_path(model)
        body = payload(obj, insert_fields(obj), journal=journal)
    else:
        names = list(update_fields) if update_fields is not None else changed_fields(obj)
        names = [n for n in names if n != meta.primary_key]
        if not names:
            return False
        method, path = "PATCH", item_path(model, obj.pk)
        body = payload(obj, names, journal=journal)
        if not body:
            return False  # only relations whose changes cancel out
    query = None
    if journal is not None:
        from ._relations import write_query

        query = write_query(model, body)
    call = Call(method, path, query=query, json=body, send_json=True)
    response = yield from session._response_flow(call)
    fresh = hydrate_one(model, response.content) if response.content else None
    if fresh is not None:
        absorb(obj, fresh, keep_relations=True)
    else:  # 204: the caller may not read what it wrote
        mark_loaded((obj,), meta.json_fields)
    if journal:
        from ._relations import sync_after_write

        data = json.loads(response.content).get("data") if response.content else None
        sync_after_write(obj, journal, data)
    return True


def delete_flow(obj: Model, session: BaseSession) -> Flow[None]:
    model = type(obj)
    _check_writable(model)
    yield from session._response_flow(Call("DELETE", item_path(model, obj.pk)))
    # As in Django: the object stays usable, without a primary key, as if new.
    if not model._meta.singleton:
        obj.__dict__[model._meta.primary_key] = None
    state_of(obj).clear()
    return None


def refresh_flow(obj: Model, session: BaseSession, fields: Sequence[str] | None) -> Flow[None]:
    model = type(obj)
    qs = model.objects if model._meta.singleton else model.objects.filter(pk=obj.pk)
    if fields:
        qs = qs.fields(*fields, model._meta.primary_key)
    fresh = yield from qs._get_flow(session, (), {})
    if fields:
        for name in fields:
            obj.__dict__.pop(model._meta.field(name).name, None)
    absorb(obj, fresh)
    return None


# ------------------------------------------------------------ batches


def plan_batches(bodies: Sequence[bytes], batch_size: int) -> list[range]:
    """Split items into ranges of at most ``batch_size`` items and ~900 KB."""
    if batch_size < 1:
        raise QueryError("batch_size must be at least 1")
    out: list[range] = []
    start = 0
    size = 2
    for i, body in enumerate(bodies):
        count = i - start
        if count and (count >= batch_size or size + len(body) + 1 > MAX_BODY_BYTES):
            out.append(range(start, i))
            start, size = i, 2
        size += len(body) + 1
    if start < len(bodies):
        out.append(range(start, len(bodies)))
    return out


_LIMIT_RE = re.compile(r"limit of (\d+)")


def run_batches(
    session: BaseSession,
    ranges: list[range],
    send: Callable[[range], Call],
    *,
    what: str,
    on_progress: Progress | None,
    total: int,
    on_done: Callable[[range, Any], None] | None = None,
) -> Flow[list[tuple[range, Any]]]:
    """Send one call per range; split on the server's batch limit; report failures.

    ``on_done(range, response)`` runs after each accepted batch, before the next
    is sent, so the caller's objects reflect every write even if a later one fails.
    """
    done: list[tuple[range, Any]] = []
    pending = list(ranges)
    written = 0
    while pending:
        part = pending[0]
        try:
            response = yield from session._response_flow(send(part))
        except BatchLimitExceeded as error:
            match = _LIMIT_RE.search(error.message)
            limit = int(match.group(1)) if match else max(1, len(part) // 2)
            if len(part) <= limit or limit < 1:
                raise _batch_error(what, done, pending, error) from error
            pending[0:1] = [
                range(s, min(s + limit, part.stop)) for s in range(part.start, part.stop, limit)
            ]
            continue
        except Exception as error:
            raise _batch_error(what, done, pending, error) from error
        done.append((part, response))
        pending.pop(0)
        if on_done is not None:
            on_done(part, response)
        written += len(part)
        if on_progress is not None:
            on_progress(written, total)
    return done


def _batch_error(
    what: str, done: list[tuple[range, Any]], pending: list[range], error: Exception
) -> BatchError:
    ranges = [r for r, _ in done]
    written = sum(len(r) for r in ranges)
    first = pending[0]
    return BatchError(
        f"{what} failed at items {first.start}..{first.stop - 1} after {written} were written "
        f"({len(pending)} batch(es) not written): {error}",
        done=ranges,
        pending=pending,
        results=[response for _, response in done],
    )


def chunked(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
