"""After a write: the server's answer taken into the related objects (new keys, junction rows)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..._core.exceptions import QueryError
from ..changes import FieldWrite, Journal
from ..state import from_db, is_model, mark_loaded, state_of
from .fields import M2A, _coerce_key, _key

if TYPE_CHECKING:
    from ..model import Model
    from ..options import FieldMeta


def sync_after_write(obj: Model, journal: Journal, raw: Any) -> None:
    """Give created items their keys and reset snapshots, from the write's answer.

    ``raw`` is the answer's ``data`` for ``obj`` (a dict, or None when the
    server sent nothing back). Items whose key cannot be told apart (several
    created in a partially loaded list with non-integer keys) stay without one:
    they are marked saved, so a later save does not create them twice.
    """
    raw = raw if isinstance(raw, dict) else {}
    for meta in type(obj)._meta.relational:
        write = journal.get((id(obj), meta.name))
        if write is None:
            continue
        answer = raw.get(meta.api_name)
        if meta.kind == "m2o":
            item, _ = write.nested[0]
            _absorb_key(item, answer)
            sync_after_write(item, journal, answer)
            mark_loaded((item,), item._meta.json_fields)
            continue
        rows = answer if isinstance(answer, list) else None
        if meta.kind == "o2m":
            _sync_o2m(obj, meta, write, rows, journal)
        else:
            _sync_junction(obj, meta, write, rows, journal)


def _absorb_key(item: Model, answer: Any) -> None:
    pk = item._meta.primary_key
    key = answer.get(item._meta.pk_field.api_name) if isinstance(answer, dict) else answer
    if item.__dict__.get(pk) is None and key is not None:
        item.__dict__[pk] = key
        item.__pydantic_fields_set__.add(pk)


def _pick(candidates: list[Any], count: int) -> list[Any] | None:
    """The ``count`` new keys, in creation order, or None when they cannot be told apart."""
    if count == 0:
        return []
    if len(candidates) == count:
        try:
            return sorted(candidates)
        except TypeError:
            return candidates
    if len(candidates) > count and all(isinstance(c, int) for c in candidates):
        return sorted(candidates)[-count:]  # auto-increment: the newest keys
    return None


def _sync_o2m(
    obj: Model, meta: FieldMeta, write: FieldWrite, rows: list[Any] | None, journal: Journal
) -> None:
    target = meta.related
    assert target is not None
    cpk = target._meta.pk_field.api_name
    items = obj.__dict__.get(meta.name) or []
    snapshot = state_of(obj).get("rel", {}).get(meta.name) or []
    by_key: dict[Any, Any] = {}
    for row in rows or ():
        key = row.get(cpk) if isinstance(row, dict) else row
        by_key[key] = row
    known = {k for k in snapshot if k is not None} | {_key(i) for i in items if _key(i) is not None}
    created = [item for item, _ in write.creates]
    keys = _pick([k for k in by_key if k not in known], len(created)) if rows is not None else None
    if keys is not None:
        for item, key in zip(created, keys, strict=False):
            _absorb_key(item, key)
    for item, _ in write.nested:
        sync_after_write(item, journal, by_key.get(_key(item)))
        mark_loaded((item,), item._meta.json_fields)
    state_of(obj).setdefault("rel", {})[meta.name] = [_key(i) for i in items if _key(i) is not None]


def _sync_junction(
    obj: Model, meta: FieldMeta, write: FieldWrite, rows: list[Any] | None, journal: Journal
) -> None:
    jpk = str(meta.junction_pk)
    m2a = meta.kind == "m2a"
    spec = meta.spec
    state = state_of(obj)
    snapshot = state.get("rel", {}).get(meta.name) or []
    known = {entry[0] for entry in snapshot if entry[0] is not None}
    fresh = [r for r in rows or () if isinstance(r, dict) and r.get(jpk) not in known]
    by_jpk = {r.get(jpk): r for r in fresh}
    picked = _pick(list(by_jpk), len(write.creates)) if rows is not None else None
    new_links: dict[int, Any] = {}  # id(item) or key -> jpk
    for (item, _link), jpk_value in zip(write.creates, picked or [], strict=False):
        row = by_jpk[jpk_value]
        if m2a:
            assert isinstance(spec, M2A)
            far_answer = row.get(spec.item_field)
        else:
            far_answer = row.get(str(meta.junction_field))
        if is_model(item):
            if m2a and far_answer is not None and not isinstance(far_answer, dict):
                far_answer = _coerce_key(type(item), far_answer)  # the junction stores text
            _absorb_key(item, far_answer)
            sync_after_write(item, journal, far_answer if isinstance(far_answer, dict) else None)
        new_links[id(item)] = jpk_value
    for item, _ in write.nested:
        if is_model(item) and id(item) not in new_links:
            sync_after_write(item, journal, None)
    for item, _ in [*write.nested, *[(i, None) for i, _ in write.creates]]:
        if is_model(item):
            mark_loaded((item,), item._meta.json_fields)
    # The new snapshot: every loaded item with its junction key.
    remaining: dict[Any, list[Any]] = {}
    for entry in snapshot:
        remaining.setdefault(entry[1:] if m2a else entry[1], []).append(entry[0])
    new_snapshot: list[Any] = []
    for item in obj.__dict__.get(meta.name) or []:
        key = _key(item)
        if key is None:
            continue
        link = (type(item)._meta.collection, key) if m2a else key
        jpks = remaining.get(link)
        jpk_value = jpks.pop(0) if jpks else new_links.get(id(item))
        if jpk_value is None and not is_model(item):
            jpk_value = new_links.get(id(item))
        new_snapshot.append((jpk_value, *link) if m2a else (jpk_value, key))
    state.setdefault("rel", {})[meta.name] = new_snapshot
    if meta.through is not None:
        state.get("through", {}).pop(meta.name, None)  # its rows changed: not loaded any more


def forget_to_many(obj: Model, names: Iterable[str]) -> None:
    """Mark to-many fields not loaded (after bulk writes, whose answers carry no keys)."""
    data = obj.__dict__
    state = state_of(obj)
    for name in names:
        meta = type(obj)._meta.fields.get(name)
        if meta is not None and meta.kind in ("o2m", "m2m", "m2a"):
            data.pop(name, None)
            state.get("rel", {}).pop(name, None)


def check_bulk(obj: Model, names: Iterable[str]) -> None:
    """Bulk writes send keys only: refuse related instances that are not saved yet."""
    data = obj.__dict__
    for name in names:
        meta = type(obj)._meta.fields.get(name)
        if meta is None or meta.kind not in ("m2o", "o2m", "m2m", "m2a"):
            continue
        value = data.get(name)
        values = value if isinstance(value, list) else [value]
        for item in values:
            if is_model(item) and not from_db(item):
                raise QueryError(
                    f"{type(obj).__name__}.{name}: bulk writes cannot create related items "
                    f"({item!r} is not saved); save them first, or use save() on each object"
                )
