"""Read a server's schema into a :class:`SchemaSpec`.

``GET /collections``, ``/fields`` and ``/relations`` (any user who may read
the schema, not only admins). Folders (collections without a table) are left
out; system collections (``directus_*``) too unless ``system=True`` — their
fields are only read for relations that point at them.
"""

from __future__ import annotations

from typing import Any

from .. import BaseSession
from ._drive import Req, SchemaFlow, arun, run
from .spec import GENERATED_SPECIALS, CollectionSpec, FieldSpec, RelationSpec, SchemaSpec

__all__ = ["aread_schema", "read_schema", "read_schema_flow", "schema_from_dicts"]


def read_schema(session: BaseSession | None = None, *, system: bool = False) -> SchemaSpec:
    """The schema of the server behind ``session`` (default: the current session)."""
    return run(session, read_schema_flow(system=system), "read_schema")


async def aread_schema(session: BaseSession | None = None, *, system: bool = False) -> SchemaSpec:
    """Async :func:`read_schema`."""
    return await arun(session, read_schema_flow(system=system), "read_schema")


def read_schema_flow(*, system: bool = False) -> SchemaFlow[SchemaSpec]:
    collections = (yield Req("GET", "/collections"))["data"]
    fields = (yield Req("GET", "/fields"))["data"]
    relations = (yield Req("GET", "/relations"))["data"]
    return schema_from_dicts(collections, fields, relations, system=system)


def _is_system(name: str) -> bool:
    return name.startswith("directus_")


def schema_from_dicts(
    collections: list[dict[str, Any]],
    fields: list[dict[str, Any]],
    relations: list[dict[str, Any]],
    *,
    system: bool = False,
) -> SchemaSpec:
    """Build a :class:`SchemaSpec` from Directus's collection, field and relation objects
    (the ``/collections``, ``/fields``, ``/relations`` answers, or a snapshot's lists)."""
    spec = SchemaSpec()
    for raw in collections:
        name = raw["collection"]
        if raw.get("schema") is None or (_is_system(name) and not system):
            continue
        meta = raw.get("meta") or {}
        spec.collections[name] = CollectionSpec(
            name=name, singleton=bool(meta.get("singleton")), note=meta.get("note") or None
        )
    for raw in fields:
        owner = spec.collections.get(raw["collection"])
        if owner is None:
            continue
        owner.fields[raw["field"]] = field_from_dict(raw)
    for raw in relations:
        if raw["collection"] not in spec.collections:
            continue
        rel = relation_from_dict(raw)
        spec.relations[rel.key] = rel
    return spec


def field_from_dict(raw: dict[str, Any]) -> FieldSpec:
    """A :class:`FieldSpec` from a Directus field object."""
    meta = raw.get("meta") or {}
    schema = raw.get("schema") or {}
    options = meta.get("options") or {}
    choices = options.get("choices") if isinstance(options, dict) else None
    values: tuple[Any, ...] | None = None
    if isinstance(choices, list) and choices:
        values = tuple(c.get("value") if isinstance(c, dict) else c for c in choices)
    ftype = raw.get("type") or "alias"
    special = tuple(meta.get("special") or ())
    return FieldSpec(
        collection=raw["collection"],
        field=raw["field"],
        type=ftype,
        nullable=bool(schema.get("is_nullable", True)) if raw.get("schema") else True,
        default=schema.get("default_value"),
        primary_key=bool(schema.get("is_primary_key")),
        auto_increment=bool(schema.get("has_auto_increment")),
        unique=bool(schema.get("is_unique")) and not schema.get("is_primary_key"),
        max_length=schema.get("max_length") if ftype in ("string", "hash") else None,
        precision=schema.get("numeric_precision") if ftype == "decimal" else None,
        scale=schema.get("numeric_scale") if ftype == "decimal" else None,
        special=special,
        interface=meta.get("interface"),
        note=meta.get("note") or None,
        choices=values,
        hidden=bool(meta.get("hidden")),
        generated=bool(schema.get("has_auto_increment")) or bool(GENERATED_SPECIALS & set(special)),
        system=bool(meta.get("system")),
    )


def relation_from_dict(raw: dict[str, Any]) -> RelationSpec:
    """A :class:`RelationSpec` from a Directus relation object."""
    meta = raw.get("meta") or {}
    schema = raw.get("schema") or {}
    allowed = meta.get("one_allowed_collections")
    return RelationSpec(
        collection=raw["collection"],
        field=raw["field"],
        related_collection=raw.get("related_collection"),
        one_field=meta.get("one_field"),
        junction_field=meta.get("junction_field"),
        one_collection_field=meta.get("one_collection_field"),
        one_allowed_collections=tuple(allowed) if allowed else None,
        on_delete=schema.get("on_delete"),
        one_deselect_action=meta.get("one_deselect_action"),
    )
