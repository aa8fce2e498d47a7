"""Turn the difference between declared and actual schemas into steps (``migrate``'s plan).

Steps run in an order Directus accepts: collections (with their columns),
missing columns, changes, alias fields, relations, and last (only with
``allow_delete``) removals. Each step is one request to the collections,
fields or relations endpoints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .. import DirectusORMError
from ._drive import Req
from .spec import CollectionSpec, FieldSpec, RelationSpec, SchemaSpec

__all__ = ["Plan", "Step", "make_plan"]

Action = Literal[
    "create_collection",
    "create_field",
    "alter_field",
    "update_collection",
    "create_relation",
    "update_relation",
    "delete_relation",
    "delete_field",
    "delete_collection",
]


@dataclass(frozen=True)
class Step:
    """One change to the server's schema."""

    action: Action
    collection: str
    field: str | None
    detail: str
    request: Req

    def __str__(self) -> str:
        where = self.collection if self.field is None else f"{self.collection}.{self.field}"
        return f"{self.action.replace('_', ' ')} {where}{': ' + self.detail if self.detail else ''}"


@dataclass
class Plan:
    """What ``migrate`` does (or did): ``steps`` in order, and ``skipped`` removals and
    changes that need ``allow_delete``. Empty (falsy) when models and server agree."""

    steps: list[Step] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    applied: bool = False

    def __bool__(self) -> bool:
        return bool(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def __str__(self) -> str:
        if not self.steps and not self.skipped:
            return "Nothing to do: the server's schema matches the models."
        lines = [f"{i}. {step}" for i, step in enumerate(self.steps, 1)]
        lines += [f"skipped (needs allow_delete): {s}" for s in self.skipped]
        return "\n".join(lines)


def field_body(f: FieldSpec) -> dict[str, Any]:
    """The Directus field object for ``POST /collections`` or ``POST /fields``."""
    meta: dict[str, Any] = {"interface": f.interface, "special": list(f.special) or None,
                            "hidden": f.hidden}
    if f.note:
        meta["note"] = f.note
    if f.choices:
        meta["options"] = {"choices": [{"text": str(c), "value": c} for c in f.choices]}
    if f.primary_key:
        meta["readonly"] = f.generated
    if f.is_alias:
        return {"field": f.field, "type": "alias", "meta": meta, "schema": None}
    schema: dict[str, Any] = {"is_nullable": f.nullable}
    if f.primary_key:
        schema.update(is_primary_key=True, has_auto_increment=f.auto_increment, is_nullable=False)
        if f.type == "uuid":
            schema["max_length"] = 36
    else:
        schema["is_unique"] = f.unique
    if f.default is not None:
        schema["default_value"] = f.default
    if f.max_length is not None:
        schema["max_length"] = f.max_length
    if f.precision is not None:
        schema["numeric_precision"] = f.precision
    if f.scale is not None:
        schema["numeric_scale"] = f.scale
    return {"field": f.field, "type": f.type, "meta": meta, "schema": schema}


def relation_body(r: RelationSpec) -> dict[str, Any]:
    """The Directus relation object for ``POST /relations``."""
    meta = {
        "one_field": r.one_field,
        "junction_field": r.junction_field,
        "one_collection_field": r.one_collection_field,
        "one_allowed_collections": list(r.one_allowed_collections)
        if r.one_allowed_collections else None,
        "one_deselect_action": r.one_deselect_action or "nullify",
    }
    body: dict[str, Any] = {
        "collection": r.collection,
        "field": r.field,
        "related_collection": r.related_collection,
        "meta": meta,
    }
    if r.related_collection is not None:
        body["schema"] = {"on_delete": r.on_delete or "SET NULL"}
    return body


def _pairs(path: str, *parts: str) -> str:
    from urllib.parse import quote

    return path + "".join("/" + quote(p, safe="") for p in parts)


def make_plan(
    declared: SchemaSpec,
    actual: SchemaSpec,
    *,
    allow_delete: bool = False,
    drop: Sequence[str] = (),
) -> Plan:
    """The steps that make ``actual`` match ``declared``.

    ``allow_delete`` drops the fields of modelled collections that no model
    declares and changes column types. Collections without a model are never
    dropped unless named in ``drop`` (a server usually holds more than one
    module models).
    """
    plan = Plan()
    creates: list[Step] = []
    columns: list[Step] = []
    changes: list[Step] = []
    aliases: list[Step] = []
    relations: list[Step] = []
    removals: list[Step] = []

    def later(reason: str, step: Step) -> None:
        if allow_delete:
            removals.append(step)
        else:
            plan.skipped.append(f"{step} ({reason})")

    for name in sorted(declared.collections):
        want = declared.collections[name]
        have = actual.collections.get(name)
        if have is None:
            creates.append(_create_collection(want))
            aliases.extend(_create_field(f) for f in _sorted(want) if f.is_alias)
            continue
        if not want.derived and want.singleton != have.singleton:
            changes.append(Step(
                "update_collection", name, None, f"singleton={want.singleton}",
                Req("PATCH", _pairs("/collections", name), {"meta": {"singleton": want.singleton}}),
            ))
        for f in _sorted(want):
            hf = have.fields.get(f.field)
            if hf is None:
                (aliases if f.is_alias else columns).append(_create_field(f))
                continue
            if f.is_alias or hf.is_alias:
                continue
            path = _pairs("/fields", name, f.field)
            if hf.type not in (f.accepts or (f.type,)):
                later("may lose data", Step(
                    "alter_field", name, f.field, f"type {hf.type} -> {f.type}",
                    Req("PATCH", path, {"type": f.type}),
                ))
            elif not f.primary_key and (
                (not f.nullable and hf.nullable)
                or (f.nullable and not hf.nullable and hf.default is None and not hf.generated)
            ):
                changes.append(Step(
                    "alter_field", name, f.field,
                    "allow null" if f.nullable else "require a value",
                    Req("PATCH", path, {"schema": {"is_nullable": f.nullable}}),
                ))
        if not want.derived:
            for fname in sorted(set(have.fields) - set(want.fields)):
                hf = have.fields[fname]
                if hf.is_alias and actual.one_side(name, fname) is None:
                    continue
                later("drops data", Step("delete_field", name, fname, "",
                                         Req("DELETE", _pairs("/fields", name, fname))))

    for key in sorted(declared.relations):
        want_rel = declared.relations[key]
        have_rel = actual.relations.get(key)
        coll, fname = key
        if have_rel is None:
            relations.append(Step(
                "create_relation", coll, fname, _describe_rel(want_rel),
                Req("POST", "/relations", relation_body(want_rel)),
            ))
            continue
        if want_rel.related_collection != have_rel.related_collection:
            later("replaces a relation", Step(
                "delete_relation", coll, fname, f"to {have_rel.related_collection}",
                Req("DELETE", _pairs("/relations", coll, fname)),
            ))
            continue
        meta = _meta_changes(want_rel, have_rel)
        if meta:
            relations.append(Step(
                "update_relation", coll, fname,
                ", ".join(f"{k}={v!r}" for k, v in meta.items()),
                Req("PATCH", _pairs("/relations", coll, fname), {"meta": meta}),
            ))
    for name in sorted(set(actual.collections) - set(declared.collections)):
        step = Step("delete_collection", name, None, "", Req("DELETE", _pairs("/collections", name)))
        if name in drop:
            later("drops data", step)
    unknown = sorted(set(drop) - set(actual.collections))
    if unknown:
        raise DirectusORMError(f"drop names collections the server does not have: {unknown}")
    modelled = sorted(set(drop) & set(declared.collections))
    if modelled:
        raise DirectusORMError(f"drop names collections that models declare: {modelled}")
    plan.steps = creates + columns + changes + aliases + relations + removals
    return plan


def _sorted(coll: CollectionSpec) -> list[FieldSpec]:
    return sorted(coll.fields.values(), key=lambda f: (not f.primary_key, f.field))


def _create_collection(c: CollectionSpec) -> Step:
    fields = [field_body(f) for f in _sorted(c) if not f.is_alias]
    meta: dict[str, Any] = {"singleton": c.singleton}
    if c.derived:
        meta["hidden"] = True  # a junction, as the Studio makes it
    if c.note:
        meta["note"] = c.note
    detail = ", ".join(f["field"] for f in fields)
    if c.singleton:
        detail += " (singleton)"
    return Step("create_collection", c.name, None, detail,
                Req("POST", "/collections",
                    {"collection": c.name, "meta": meta, "schema": {}, "fields": fields}))


def _create_field(f: FieldSpec) -> Step:
    detail = f"alias ({', '.join(f.special)})" if f.is_alias else f.type
    return Step("create_field", f.collection, f.field, detail,
                Req("POST", _pairs("/fields", f.collection), field_body(f)))


def _describe_rel(r: RelationSpec) -> str:
    if r.related_collection is None:
        return f"many-to-any to {', '.join(r.one_allowed_collections or ())}"
    extra = f" (one_field {r.one_field})" if r.one_field else ""
    return f"to {r.related_collection}{extra}"


def _meta_changes(want: RelationSpec, have: RelationSpec) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for attr in ("one_field", "junction_field", "one_collection_field"):
        w = getattr(want, attr)
        if w is not None and w != getattr(have, attr):
            meta[attr] = w
    if want.one_allowed_collections is not None and set(want.one_allowed_collections) != set(
        have.one_allowed_collections or ()
    ):
        meta["one_allowed_collections"] = list(want.one_allowed_collections)
    return meta
