"""The schema that model classes declare, as a :class:`SchemaSpec`.

A many-to-many or many-to-any needs a junction collection; unless a model
declares it (``M2M(through=...)`` or a model for the junction), it is derived
here with Directus's own defaults (see ``docs/schema.md``).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterable
from dataclasses import fields as dc_fields
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID

from pydantic_core import PydanticUndefined

from .. import M2A, DirectusORMError, Model
from .fields import FieldOptions
from .spec import CollectionSpec, FieldSpec, RelationSpec, SchemaSpec
from .types import python_type_of, row_for, rows_for_python

__all__ = ["ModelError", "declared_schema", "load_models"]


class ModelError(DirectusORMError):
    """The models cannot describe a schema (an ambiguous relation, an unknown type, ...)."""


def load_models(target: str | ModuleType | Iterable[type[Model]]) -> list[type[Model]]:
    """The model classes of a dotted module name, a ``.py`` file path, a module, or a list.

    From a module: every ``Model`` subclass defined in it (not imported ones),
    in definition order; system models (``directus_*``) are left out.
    """
    if isinstance(target, (str, ModuleType)):
        module = _import(target) if isinstance(target, str) else target
        found = [
            obj for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Model) and obj is not Model
            and obj.__module__ == module.__name__
        ]
        models = [m for m in dict.fromkeys(found) if not m._meta.collection.startswith("directus_")]
        if not models:
            raise ModelError(f"no Model classes in {module.__name__}")
        return models
    models = list(target)
    for m in models:
        if not (isinstance(m, type) and issubclass(m, Model)):
            raise ModelError(f"not a Model class: {m!r}")
    return models


def _import(target: str) -> ModuleType:
    path = Path(target)
    if target.endswith(".py") or path.is_file():
        if not path.is_file():
            raise ModelError(f"no such file: {target}")
        name = "_directus_models_" + path.stem
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ModelError(f"cannot import {target}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            sys.modules.pop(name, None)
            raise ModelError(f"importing {target} failed: {type(exc).__name__}: {exc}") from exc
        return module
    try:
        return importlib.import_module(target)
    except ImportError as exc:
        raise ModelError(f"cannot import module {target!r}: {exc}") from exc


def _options(info: Any) -> FieldOptions:
    return next((m for m in info.metadata if isinstance(m, FieldOptions)), FieldOptions())


_PLAIN = (bool, int, float, str, Decimal)


def _plain_default(info: Any) -> Any:
    default = info.default
    if default is PydanticUndefined or default is None or info.default_factory is not None:
        return None
    if isinstance(default, Decimal):
        return str(default)
    return default if isinstance(default, _PLAIN) else None


def _pk_field(model: type[Model]) -> tuple[str, FieldSpec]:
    """The Directus type of a model's primary key (and its spec)."""
    name = model._meta.primary_key
    info = model.model_fields[name]
    api = info.alias if isinstance(info.alias, str) else name
    return api, _scalar_field(model, name, api, info, _options(info))


def _scalar_field(
    model: type[Model], name: str, api: str, info: Any, options: FieldOptions
) -> FieldSpec:
    collection = model._meta.collection
    python, nullable = python_type_of(info.annotation)
    rows = rows_for_python(python)
    where = f"{model.__name__}.{name}"
    if options.type is not None:
        ftype = options.type
        accepts: tuple[str, ...] = (ftype,)
    elif rows:
        ftype = rows[0].directus
        accepts = tuple(r.directus for r in rows)
    else:
        raise ModelError(
            f"{where}: no Directus type for {python!r}; declare one with "
            "Annotated[..., FieldOptions(type=...)]"
        )
    if python == list[str]:
        accepts += ("json",)  # a list of strings in a JSON column (directus_users.tags)
    # What the server reports for what migrate creates (SQLite: decimals are
    # floats, uuid columns other than a key are strings, json is json).
    if python is UUID or ftype == "uuid":
        accepts += ("string",)
    if python is str:
        accepts += ("uuid",)
    if ftype == "decimal":
        accepts += ("float",)
    primary = name == model._meta.primary_key
    row = row_for(ftype)
    special = row.special
    generated = False
    if primary:
        generated = ftype in ("integer", "bigInteger") or ftype == "uuid"
        special = ("uuid",) if ftype == "uuid" else ()
    default = options.default if options.default is not None else _plain_default(info)
    choices = options.choices
    interface = options.interface or ("select-dropdown" if choices else row.interface)
    return FieldSpec(
        collection=collection,
        field=api,
        type=ftype,
        nullable=nullable and not primary,
        default=default,
        primary_key=primary,
        auto_increment=primary and ftype in ("integer", "bigInteger"),
        unique=options.unique,
        max_length=options.max_length,
        precision=options.precision,
        scale=options.scale,
        special=special,
        interface=interface,
        note=options.note,
        choices=choices,
        hidden=options.hidden,
        accepts=tuple(dict.fromkeys(accepts)),
        generated=generated,
    )


def _fk_field(
    collection: str, field: str, target: type[Model] | None, nullable: bool = True,
    system_file: bool = False,
) -> FieldSpec:
    if target is not None:
        _, pk = _pk_field(target)
        ftype, accepts = pk.type, pk.accepts
        if target._meta.collection.startswith("directus_") and ftype == "string":
            ftype = "uuid"  # users, files, roles, folders, policies: uuid keys typed str
    else:
        ftype, accepts = "integer", ("integer", "bigInteger")
    if ftype == "uuid":
        accepts = tuple(dict.fromkeys((*accepts, "string")))
    if ftype in ("string", "uuid"):
        accepts = tuple(dict.fromkeys((*accepts, "uuid", "string")))
    return FieldSpec(
        collection=collection,
        field=field,
        type=ftype,
        nullable=nullable,
        special=("file",) if system_file else ("m2o",),
        interface="file" if system_file else "select-dropdown-m2o",
        accepts=accepts,
    )


def _alias(collection: str, field: str, special: str, options: FieldOptions) -> FieldSpec:
    interface = {"o2m": "list-o2m", "m2m": "list-m2m", "m2a": "list-m2a"}[special]
    return FieldSpec(
        collection=collection, field=field, type="alias", special=(special,),
        interface=options.interface or interface, note=options.note, accepts=("alias",),
    )


class _Builder:
    def __init__(self) -> None:
        self.spec = SchemaSpec()

    def add_field(self, f: FieldSpec, *, derived: bool) -> None:
        coll = self.spec.collections.get(f.collection)
        if coll is None:
            coll = self.spec.collections[f.collection] = CollectionSpec(f.collection, derived=derived)
        if f.field not in coll.fields:
            coll.fields[f.field] = f

    def add_relation(self, rel: RelationSpec) -> None:
        old = self.spec.relations.get(rel.key)
        if old is None:
            self.spec.relations[rel.key] = rel
            return
        changes: dict[str, Any] = {}
        for f in dc_fields(rel):
            new, cur = getattr(rel, f.name), getattr(old, f.name)
            if new is None or new == cur:
                continue
            if cur is None:
                changes[f.name] = new
            elif f.name in ("related_collection", "one_field", "junction_field"):
                raise ModelError(
                    f"{rel.collection}.{rel.field}: two models declare different {f.name}s "
                    f"({cur!r} and {new!r})"
                )
        if changes:
            self.spec.relations[rel.key] = replace(old, **changes)


def declared_schema(models: Iterable[type[Model]]) -> SchemaSpec:
    """The collections, fields and relations that ``models`` need (with the models they
    relate to, system models excepted)."""
    models = _with_related(list(models))
    b = _Builder()
    for model in models:
        meta = model._meta
        if meta.collection in b.spec.collections and not b.spec.collections[meta.collection].derived:
            raise ModelError(f"two models for the collection {meta.collection!r}")
        coll = b.spec.collections.setdefault(meta.collection, CollectionSpec(meta.collection))
        coll.derived = False
        coll.singleton = meta.singleton
        b.add_field(_pk_field(model)[1], derived=False)
    for model in models:
        _describe_model(b, model)
    return b.spec


def _with_related(models: list[type[Model]]) -> list[type[Model]]:
    """``models`` and the models they relate to whose collections none of them covers."""
    out = list(dict.fromkeys(models))
    covered = {m._meta.collection for m in out}
    i = 0
    while i < len(out):
        for fmeta in out[i]._meta.fields.values():
            for target in (fmeta.related, fmeta.through, *fmeta.targets):
                if target is None:
                    continue
                collection = target._meta.collection
                if collection not in covered and not collection.startswith("directus_"):
                    covered.add(collection)
                    out.append(target)
        i += 1
    return out


def _describe_model(b: _Builder, model: type[Model]) -> None:
    meta = model._meta
    this = meta.collection
    for name, info in model.model_fields.items():
        fmeta = meta.fields[name]
        api = fmeta.api_name
        options = _options(info)
        where = f"{model.__name__}.{name}"
        if fmeta.kind in ("scalar", "json"):
            b.add_field(_scalar_field(model, name, api, info, options), derived=False)
        elif fmeta.kind == "m2o":
            target = fmeta.related
            assert target is not None
            related = target._meta.collection
            b.add_field(_fk_field(this, api, target, fmeta.nullable, related == "directus_files"),
                        derived=False)
            b.add_relation(RelationSpec(
                this, api, related, on_delete=options.on_delete,
                one_deselect_action=None,
            ))
        elif fmeta.kind == "o2m":
            child = fmeta.related
            assert child is not None
            b.add_field(_alias(this, api, "o2m", options), derived=False)
            child_fk = options.related_field or _child_fk(model, child, where)
            b.add_relation(RelationSpec(
                child._meta.collection, child_fk, this, one_field=api,
                one_deselect_action=options.one_deselect_action or "nullify",
            ))
        elif fmeta.kind == "m2m":
            _describe_m2m(b, model, name, api, fmeta, options, where)
        elif fmeta.kind == "m2a":
            _describe_m2a(b, model, api, fmeta, options)


def _child_fk(parent: type[Model], child: type[Model], where: str) -> str:
    fks = [
        f.api_name for f in child._meta.fields.values()
        if f.kind == "m2o" and f.related is not None
        and f.related._meta.collection == parent._meta.collection
    ]
    if len(fks) != 1:
        found = "none" if not fks else ", ".join(fks)
        raise ModelError(
            f"{where}: a one-to-many needs exactly one many-to-one on {child.__name__} pointing "
            f"back (found {found}); name it with FieldOptions(related_field=...)"
        )
    return fks[0]


def _describe_m2m(
    b: _Builder, model: type[Model], name: str, api: str, fmeta: Any, options: FieldOptions,
    where: str,
) -> None:
    this = model._meta.collection
    far: type[Model] = fmeta.related
    far_coll = far._meta.collection
    through = fmeta.through
    junction = (
        through._meta.collection if through is not None
        else options.junction or f"{this}_{far_coll}"
    )
    there = fmeta.junction_field or f"{far_coll}_id"
    here = options.related_field or f"{this}_id"
    if through is not None and options.related_field is None:
        # The junction model's many-to-one back to this collection names this side.
        back = [
            f.api_name for f in through._meta.fields.values()
            if f.kind == "m2o" and f.related is not None
            and f.related._meta.collection == this and f.api_name != there
        ]
        if len(back) == 1:
            here = back[0]
    if here == there:
        raise ModelError(
            f"{where}: the junction's two keys would both be {here!r}; name this side with "
            "FieldOptions(related_field=...)"
        )
    b.add_field(_alias(this, api, "m2m", options), derived=False)
    jpk = fmeta.junction_pk or "id"
    b.add_field(FieldSpec(junction, jpk, "integer", nullable=False, primary_key=True,
                          auto_increment=True, generated=True, interface="input",
                          hidden=True, accepts=("integer", "bigInteger")), derived=True)
    b.add_field(_fk_field(junction, here, model), derived=True)
    b.add_field(_fk_field(junction, there, far), derived=True)
    deselect = options.one_deselect_action or "delete"
    b.add_relation(RelationSpec(junction, here, this, one_field=api, junction_field=there,
                                one_deselect_action=deselect))
    b.add_relation(RelationSpec(junction, there, far_coll, junction_field=here,
                                one_deselect_action="nullify"))


def _describe_m2a(
    b: _Builder, model: type[Model], api: str, fmeta: Any, options: FieldOptions
) -> None:
    this = model._meta.collection
    spec: M2A = fmeta.spec if isinstance(fmeta.spec, M2A) else M2A()
    junction = options.junction or f"{this}_{api}"
    here = options.related_field or f"{this}_id"
    b.add_field(_alias(this, api, "m2a", options), derived=False)
    b.add_field(FieldSpec(junction, spec.junction_pk, "integer", nullable=False, primary_key=True,
                          auto_increment=True, generated=True, interface="input", hidden=True,
                          accepts=("integer", "bigInteger")), derived=True)
    b.add_field(_fk_field(junction, here, model), derived=True)
    for key in (spec.item_field, spec.collection_field):
        b.add_field(FieldSpec(junction, key, "string", hidden=True, interface="input",
                              accepts=("string", "text")), derived=True)
    allowed = tuple(t._meta.collection for t in fmeta.targets)
    b.add_relation(RelationSpec(junction, spec.item_field, None, junction_field=here,
                                one_collection_field=spec.collection_field,
                                one_allowed_collections=allowed,
                                one_deselect_action="nullify"))
    b.add_relation(RelationSpec(junction, here, this, one_field=api, junction_field=spec.item_field,
                                one_deselect_action=options.one_deselect_action or "delete"))
