"""Saving, deleting and refreshing one model instance, as sans-IO flows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._core.exceptions import HydrationError, QueryError
from .._core.flow import Flow
from .._core.request import Call, path_of
from .changes import absorb, changed_fields, checked_payload, insert_fields, write_query
from .hydrate import hydrate_one
from .mismatch import check_written
from .relations.sync import sync_after_write
from .state import _UNSET, from_db, mark_loaded, state_of

if TYPE_CHECKING:
    from .._transport.session import BaseSession
    from .changes import Journal
    from .model import Model


"""``on_progress(done, total)``: called after every batch."""


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
        body = checked_payload(obj, names, journal=journal)
    elif creating:
        method, path = "POST", item_path(model)
        body = checked_payload(obj, insert_fields(obj), journal=journal)
    else:
        names = list(update_fields) if update_fields is not None else changed_fields(obj)
        names = [n for n in names if n != meta.primary_key]
        if not names:
            return False
        method, path = "PATCH", item_path(model, obj.pk)
        body = checked_payload(obj, names, journal=journal)
        if not body:
            return False  # only relations whose changes cancel out
    query = None
    if journal is not None:
        query = write_query(model, body)
    call = Call(method, path, query=query, json=body, send_json=True)
    response = yield from session.response_flow(call)
    try:
        fresh = hydrate_one(model, response.content)
    except HydrationError as error:
        # The write was committed; its reply does not fit the model. The object takes
        # its primary key (so it is not created twice) and the error says it was written.
        key = _written_key(model, response.content)
        if key is not None and not meta.singleton:
            obj.__dict__[meta.primary_key] = key
        mark_loaded((obj,), meta.json_fields)
        raise HydrationError(
            f"the {method} was written (primary key {key!r}), but its reply does not fit "
            f"{model.__name__}: {error}",
            model=model, collection=meta.collection, keys=[key] if key is not None else error.keys,
            fields=error.fields, written=True,
        ) from None
    if fresh is not None:
        absorb(obj, fresh, keep_relations=True)
    else:  # 204: the caller may not read what it wrote
        mark_loaded((obj,), meta.json_fields)
    data = json.loads(response.content).get("data") if response.content else None
    if journal:
        sync_after_write(obj, journal, data)
    if isinstance(data, dict):
        check_written(model, body, data)
    return True


def _written_key(model: type[Model], content: bytes) -> Any:
    try:
        data = json.loads(content).get("data")
    except (ValueError, AttributeError):
        return None
    return data.get(model._meta.pk_field.api_name) if isinstance(data, dict) else None
def save_version_flow(
    obj: Model, session: BaseSession, key: str, update_fields: Sequence[str] | None
) -> Flow[bool]:
    """``obj.save(version="draft")``: the changed fields go into the content version.

    The version ``key`` of the item is looked up, and created when it does not
    exist yet; then ``POST /versions/{id}/save`` writes the changes there. The
    item itself is not changed. Returns whether a request was sent.
    """
    model = type(obj)
    meta = model._meta
    _check_writable(model)
    if meta.singleton or not meta.endpoint.startswith("items/"):
        raise QueryError(f"{model.__name__}: content versions are for items of a collection")
    if obj.pk is None or not from_db(obj):
        raise QueryError(
            f"{model.__name__}: save() the item first; a version holds changes to a saved item"
        )
    names = list(update_fields) if update_fields is not None else changed_fields(obj)
    names = [meta.field(n).name for n in names if meta.field(n).name != meta.primary_key]
    if not names:
        return False
    body = checked_payload(obj, names)
    item = str(obj.pk)
    found = yield from session.call_flow(Call("GET", "/versions", query={
        "filter": {"_and": [{"collection": {"_eq": meta.collection}}, {"item": {"_eq": item}},
                            {"key": {"_eq": key}}]},
        "fields": ["id", "collection"], "limit": 1,
    }))
    rows = found.get("data") if isinstance(found, dict) else None
    if rows:
        version_id = rows[0]["id"]
    else:
        created = yield from session.call_flow(Call("POST", "/versions", json={
            "key": key, "name": key, "collection": meta.collection, "item": item,
        }, send_json=True))
        version_id = created["data"]["id"]
    yield from session.response_flow(
        Call("POST", path_of("versions", version_id, "save"), json=body, send_json=True))
    mark_loaded((obj,), meta.json_fields)  # the object now matches the version
    return True


def delete_flow(obj: Model, session: BaseSession) -> Flow[None]:
    model = type(obj)
    _check_writable(model)
    yield from session.response_flow(Call("DELETE", item_path(model, obj.pk)))
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
