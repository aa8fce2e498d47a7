"""What changed on an instance, including its relations, as the write payload Directus takes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic_core import to_json

from .._core.exceptions import QueryError
from .._core.values import check_json

if TYPE_CHECKING:
    from .model import Model
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .relations.fields import M2A, _key, key_of
from .relations.loading import _deep_at, _key_paths
from .state import _UNSET, from_db, is_model, mark_loaded, state_of

if TYPE_CHECKING:
    from .model import Model
    from .options import FieldMeta


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


def checked_payload(
    obj: Model,
    names: Sequence[str],
    *,
    seen: set[int] | None = None,
    journal: Journal | None = None,
) -> dict[str, Any]:
    """:func:`payload`, after checking the values against the field types and what
    Directus can hold (:class:`~directus_orm.ValidationError` before any request)."""
    meta = type(obj)._meta
    data = obj.__dict__
    meta.check_values({name: data[name] for name in names if name in data})
    body = payload(obj, names, seen=seen, journal=journal)
    check_json(body, model=type(obj).__name__)
    return body


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


# ================================================================== writes


@dataclass
class FieldWrite:
    """What one save sent for one relation field of one object (to read the answer)."""

    meta: FieldMeta
    body: Any
    nested: list[tuple[Model, Any]] = field(default_factory=list)
    """Instances whose data was sent (created or updated), with what was sent for them."""
    creates: list[tuple[Any, Any]] = field(default_factory=list)
    """To-many ``create`` entries in order: (instance or key, key or None if created)."""


Journal = dict[tuple[int, str], FieldWrite]


OMIT: Any = object()


def has_changes(obj: Model, seen: set[int]) -> bool:
    """Whether saving ``obj`` would write something (it is new, or something changed)."""
    if id(obj) in seen:
        return False
    seen.add(id(obj))
    if not from_db(obj):
        return True
    return bool(changed_fields(obj, seen))


def dirty_relations(obj: Model, seen: set[int]) -> list[str]:
    """The relation fields of a loaded ``obj`` that a save would write."""
    data = obj.__dict__
    assigned = state_of(obj).get("changed", {})
    out: list[str] = []
    for meta in type(obj)._meta.relational:
        name = meta.name
        if name not in data:
            continue
        value = data[name]
        if meta.kind == "m2o":
            if name in assigned:
                old = assigned[name]
                if old is _UNSET or _m2o_key(old) != _m2o_key(value):
                    out.append(name)
                    continue
            if is_model(value) and has_changes(value, set(seen)):
                out.append(name)
        elif _alterations(obj, meta, value, set(seen), None) is not None:
            out.append(name)
    return out


def _m2o_key(value: Any) -> Any:
    if is_model(value):
        if not from_db(value):
            return ("new", id(value))
        return value.__dict__.get(value._meta.primary_key)
    return value


def relation_value(
    obj: Model, meta: FieldMeta, value: Any, seen: set[int], journal: Journal | None
) -> Any:
    """The JSON to send for one relation field (``OMIT`` to send nothing)."""
    if meta.kind == "m2o":
        if not is_model(value):
            return value
        key = value.__dict__.get(value._meta.primary_key)
        if id(value) in seen:  # a back-reference to an object being written
            return key if key is not None else OMIT
        if not from_db(value):
            body = _nested_create(value, seen, journal)
        else:
            changes = _nested_changes(value, seen, journal)
            if not changes:
                return key_of(value, f"{type(obj).__name__}.{meta.name}")
            body = {value._meta.pk_field.api_name: key, **changes}
        if journal is not None:
            journal[(id(obj), meta.name)] = FieldWrite(meta, body, nested=[(value, body)])
        return body
    alterations = _alterations(obj, meta, value, seen, journal)
    return OMIT if alterations is None else alterations


def _nested_create(item: Model, seen: set[int], journal: Journal | None) -> dict[str, Any]:
    seen.add(id(item))
    return payload(item, insert_fields(item), seen=seen, journal=journal)


def _nested_changes(item: Model, seen: set[int], journal: Journal | None) -> dict[str, Any]:
    if id(item) in seen:
        return {}
    seen.add(id(item))
    names = [n for n in changed_fields(item, set(seen)) if n != item._meta.primary_key]
    return payload(item, names, seen=seen, journal=journal) if names else {}


def _alterations(
    obj: Model, meta: FieldMeta, value: Any, seen: set[int], journal: Journal | None
) -> dict[str, Any] | None:
    """The detailed ``{"create", "update", "delete"}`` form for a to-many field, or None."""
    snapshot = state_of(obj).get("rel", {}).get(meta.name) if from_db(obj) else None
    items = list(value or [])
    where = f"{type(obj).__name__}.{meta.name}"
    write = FieldWrite(meta, None)
    create: list[Any] = []
    update: list[dict[str, Any]] = []
    delete: list[Any] = []
    if meta.kind == "o2m":
        target = meta.related
        assert target is not None
        cpk = target._meta.pk_field.api_name
        orig = {k for k in snapshot or () if k is not None}
        kept: set[Any] = set()
        for item in items:
            if is_model(item) and id(item) in seen:  # listed twice, or an ancestor
                key = _key(item)
            elif is_model(item) and not from_db(item):
                body = _nested_create(item, seen, journal)
                create.append(body)
                write.creates.append((item, None))
                write.nested.append((item, body))
                continue
            else:
                key = _identity(item, where)
            if key is None:
                continue
            kept.add(key)
            changes = _nested_changes(item, seen, journal) if is_model(item) else {}
            if key not in orig or changes:
                update.append({cpk: key, **changes})
                if changes:
                    write.nested.append((item, update[-1]))
        delete = [k for k in dict.fromkeys(snapshot or ()) if k is not None and k not in kept]
    else:
        remaining: dict[Any, list[Any]] = {}
        for entry in snapshot or ():
            remaining.setdefault(entry[1:] if meta.kind == "m2a" else entry[1], []).append(entry[0])
        for item in items:
            link, body, changes = _junction_entry(meta, item, seen, journal, where)
            if link is None:
                continue
            jpks = remaining.get(link)
            if jpks:
                jpk = jpks.pop(0)
                if changes is not None:
                    update.append({str(meta.junction_pk): jpk, **body})
                    write.nested.append((item, changes))
            else:
                create.append(body)
                write.creates.append((item, link))
                if changes is not None and is_model(item):
                    write.nested.append((item, changes))
        for jpks in remaining.values():
            for jpk in jpks:
                if jpk is None:
                    raise QueryError(
                        f"{where}: a link to remove has no known junction key (it was written "
                        "by a bulk operation); reload the object before removing links"
                    )
                delete.append(jpk)
        if meta.kind == "m2m" and meta.through is not None and from_db(obj):
            update.extend(_through_updates(obj, meta, update))
    if not (create or update or delete):
        return None
    out = {"create": create, "update": update, "delete": delete}
    if journal is not None:
        write.body = out
        journal[(id(obj), meta.name)] = write
    return out


def _identity(item: Any, where: str) -> Any:
    if not is_model(item):
        return item
    key = item.__dict__.get(item._meta.primary_key)
    if key is None and has_changes(item, set()):
        raise QueryError(
            f"{where}: an item was loaded without its primary key, so its changes cannot be "
            "saved; fetch its key too"
        )
    return key


def _junction_entry(
    meta: FieldMeta, item: Any, seen: set[int], journal: Journal | None, where: str
) -> tuple[Any, Any, Any]:
    """(link identity, junction row to send, nested data sent or None) for one list entry.

    The identity is the far key (many-to-many) or ``(collection, key)`` (many-to-any);
    ``None`` for a created far item.
    """
    if meta.kind == "m2m":
        far, field_name = meta.related, str(meta.junction_field)
        assert far is not None
        if is_model(item) and not isinstance(item, far):
            raise QueryError(f"{where} holds {far.__name__} items, not {type(item).__name__}")
    else:
        spec = meta.spec
        assert isinstance(spec, M2A)
        if not is_model(item) or not isinstance(item, meta.targets):
            allowed = ", ".join(t.__name__ for t in meta.targets)
            raise QueryError(f"{where} holds instances of {allowed}, not {item!r}")
        field_name = spec.item_field
    collection = type(item)._meta.collection if meta.kind == "m2a" else None

    def row(value: Any) -> dict[str, Any]:
        if meta.kind == "m2a":
            spec = meta.spec
            assert isinstance(spec, M2A)
            return {spec.collection_field: collection, field_name: value}
        return {field_name: value}

    if is_model(item) and id(item) not in seen and not from_db(item):
        body = _nested_create(item, seen, journal)
        return ("new", id(item)), row(body), body
    key = _key(item) if is_model(item) and id(item) in seen else _identity(item, where)
    if key is None:
        return None, None, None
    link = (collection, key) if meta.kind == "m2a" else key
    changes = _nested_changes(item, seen, journal) if is_model(item) else {}
    if changes:
        nested = {item._meta.pk_field.api_name: key, **changes}
        return link, row(nested), nested
    return link, row(key), None


def _through_updates(obj: Model, meta: FieldMeta, update: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Changes to the junction rows' own fields (``M2M(through=...)``)."""
    rows = state_of(obj).get("through", {}).get(meta.name) or []
    jpk = str(meta.junction_pk)
    skip = {meta.junction_field}
    out: list[dict[str, Any]] = []
    for row in rows:
        names = [n for n in changed_fields(row) if n not in skip and n != row._meta.primary_key]
        if not names:
            continue
        body = payload(row, names)
        key = row.__dict__.get(row._meta.primary_key)
        existing = next((u for u in update if u.get(jpk) == key), None)
        if existing is not None:
            existing.update(body)
        else:
            out.append({jpk: key, **body})
    return out


# ------------------------------------------------------------ after a write


def write_query(model: type[Model], body: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``fields``/``deep`` a write asks back, to learn the keys of what it created.

    ``None`` (the server's default answer) unless the body writes relations.
    Fetched lists are complete (``_limit=-1``); the to-many lists the write did
    not touch are not fetched (``_limit=0``).
    """
    meta = model._meta
    if not meta.relational:
        return None
    paths: list[str] = []
    deep: dict[str, Any] = {}
    _written_paths(model, body, [], paths, deep)
    for fm in meta.to_many:
        if fm.api_name not in body:
            deep.setdefault(fm.api_name, {"_limit": 0})
    if not paths and not deep:
        return None
    query: dict[str, Any] = {"fields": ["*", *dict.fromkeys(paths)]}
    if deep:
        query["deep"] = deep
    return query


def _written_paths(
    model: type[Model], body: Mapping[str, Any], prefix: list[str], paths: list[str], deep: dict[str, Any]
) -> None:
    for key, value in body.items():
        meta = model._meta.by_api(key)
        if meta is None or meta.kind in ("scalar", "json"):
            continue
        path = [*prefix, key]
        if meta.kind == "m2o":
            if isinstance(value, dict) and meta.related is not None:
                paths.append(".".join([*path, meta.related._meta.pk_field.api_name]))
                _written_paths(meta.related, value, path, paths, deep)
            continue
        if not isinstance(value, dict):
            continue
        _deep_at(deep, path)["_limit"] = -1
        entries = [*value.get("create", ()), *value.get("update", ())]
        if meta.kind == "o2m":
            target = meta.related
            assert target is not None
            paths.append(".".join([*path, target._meta.pk_field.api_name]))
            for entry in entries:
                if isinstance(entry, dict):
                    _written_paths(target, entry, path, paths, deep)
        elif meta.kind == "m2m":
            jf = str(meta.junction_field)
            far = meta.related
            assert far is not None
            paths.append(".".join([*path, str(meta.junction_pk)]))
            nested = [e[jf] for e in entries if isinstance(e, dict) and isinstance(e.get(jf), dict)]
            if nested:
                paths.append(".".join([*path, jf, far._meta.pk_field.api_name]))
                for entry in nested:
                    _written_paths(far, entry, [*path, jf], paths, deep)
            else:
                paths.append(".".join([*path, jf]))
        else:
            spec = meta.spec
            assert isinstance(spec, M2A)
            paths.extend(".".join([*path, k]) for k in _key_paths(meta))
