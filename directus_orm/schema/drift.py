"""Where models and a server's schema disagree: ``check(session, models) -> list[Drift]``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

from .. import BaseSession, Model
from ._drive import SchemaFlow, arun, run
from .declared import declared_schema, load_models
from .introspect import read_schema_flow
from .spec import FieldSpec, RelationSpec, SchemaSpec

__all__ = ["Drift", "DriftKind", "acheck", "check", "compare"]

DriftKind = Literal[
    "missing_collection",
    "unmodelled_collection",
    "missing_field",
    "unmodelled_field",
    "type",
    "nullable",
    "primary_key",
    "singleton",
    "missing_relation",
    "relation",
    "unmodelled_relation",
]


@dataclass(frozen=True)
class Drift:
    """One disagreement between the models and the server."""

    kind: DriftKind
    collection: str
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.collection if self.field is None else f"{self.collection}.{self.field}"
        return f"{where}: {self.message} [{self.kind}]"


Models = ModuleType | str | Iterable[type[Model]]


def check(
    session: BaseSession | None,
    models: Models,
    *,
    ignore: Sequence[str] = (),
    only_modelled: bool = False,
) -> list[Drift]:
    """Every way ``models`` and the server's schema differ, one :class:`Drift` each.

    ``models`` is a module, a dotted module name or file path, or model
    classes. Server collections that no model covers are drift too, unless
    ``only_modelled`` or listed in ``ignore``. An empty list means in sync.
    """
    return run(session, check_flow(models, ignore=ignore, only_modelled=only_modelled), "check")


async def acheck(
    session: BaseSession | None,
    models: Models,
    *,
    ignore: Sequence[str] = (),
    only_modelled: bool = False,
) -> list[Drift]:
    """Async :func:`check`."""
    return await arun(
        session, check_flow(models, ignore=ignore, only_modelled=only_modelled), "check"
    )


def check_flow(
    models: Models, *, ignore: Sequence[str] = (), only_modelled: bool = False
) -> SchemaFlow[list[Drift]]:
    declared = declared_schema(load_models(models))
    actual = yield from read_schema_flow()
    return compare(declared, actual, ignore=ignore, only_modelled=only_modelled)


def compare(
    declared: SchemaSpec,
    actual: SchemaSpec,
    *,
    ignore: Sequence[str] = (),
    only_modelled: bool = False,
) -> list[Drift]:
    """The drift between a declared schema (from models) and an actual one (from a server)."""
    out: list[Drift] = []
    for name in sorted(declared.collections):
        want = declared.collections[name]
        have = actual.collections.get(name)
        if have is None:
            what = "junction collection" if want.derived else "collection"
            out.append(Drift("missing_collection", name, None, f"{what} missing on the server"))
            continue
        if not want.derived and want.singleton != have.singleton:
            out.append(Drift(
                "singleton", name, None,
                f"model says singleton={want.singleton}, server says singleton={have.singleton}",
            ))
        for fname in sorted(want.fields):
            wf = want.fields[fname]
            hf = have.fields.get(fname)
            if hf is None:
                out.append(Drift("missing_field", name, fname,
                                 f"field missing on the server (model: {_describe(wf)})"))
                continue
            out.extend(_compare_field(wf, hf))
        if not want.derived:
            for fname in sorted(set(have.fields) - set(want.fields)):
                hf = have.fields[fname]
                if hf.is_alias and actual.one_side(name, fname) is None:
                    continue  # presentation and group fields hold no data
                out.append(Drift("unmodelled_field", name, fname,
                                 f"field on the server is not in the model ({_describe(hf)})"))
    if not only_modelled:
        for name in sorted(set(actual.collections) - set(declared.collections) - set(ignore)):
            out.append(Drift("unmodelled_collection", name, None,
                             "collection on the server has no model"))
    for key in sorted(declared.relations):
        want_rel = declared.relations[key]
        have_rel = actual.relations.get(key)
        coll, fname = key
        if have_rel is None:
            if coll in actual.collections and fname in actual.collections[coll].fields:
                out.append(Drift("missing_relation", coll, fname,
                                 f"relation missing on the server (model: {_rel(want_rel)})"))
            continue
        diff = _compare_relation(want_rel, have_rel)
        if diff:
            out.append(Drift("relation", coll, fname, diff))
    for key in sorted(actual.relations):
        coll, fname = key
        want_coll = declared.collections.get(coll)
        if key in declared.relations or want_coll is None or want_coll.derived:
            continue
        if fname in want_coll.fields:
            out.append(Drift("unmodelled_relation", coll, fname,
                             f"the server relates it ({_rel(actual.relations[key])}); "
                             "the model declares a plain field"))
    return out


def _describe(f: FieldSpec) -> str:
    if f.is_alias:
        return f"alias {'/'.join(f.special) or ''}".strip()
    return f"{f.type}{'' if f.nullable else ' not null'}{' primary key' if f.primary_key else ''}"


def _rel(r: RelationSpec) -> str:
    if r.related_collection is None:
        return f"many-to-any to {', '.join(r.one_allowed_collections or ())}"
    return f"to {r.related_collection}"


def _compare_field(want: FieldSpec, have: FieldSpec) -> list[Drift]:
    out: list[Drift] = []
    name, fname = want.collection, want.field
    if want.is_alias != have.is_alias or (
        not want.is_alias and have.type not in (want.accepts or (want.type,))
    ):
        wanted = " or ".join(want.accepts or (want.type,))
        out.append(Drift("type", name, fname,
                         f"server type {have.type}, the model's annotation holds {wanted}"))
        return out
    if want.primary_key != have.primary_key:
        out.append(Drift("primary_key", name, fname,
                         f"model says primary key={want.primary_key}, "
                         f"server says {have.primary_key}"))
    if want.is_alias or want.primary_key:
        return out
    if not want.nullable and have.nullable:
        out.append(Drift("nullable", name, fname,
                         "the model does not allow None, the server allows null"))
    elif want.nullable and not have.nullable and have.default is None and not have.generated:
        out.append(Drift("nullable", name, fname,
                         "the model allows None, the server requires a value"))
    return out


def _compare_relation(want: RelationSpec, have: RelationSpec) -> str | None:
    diffs: list[str] = []
    if want.related_collection != have.related_collection:
        diffs.append(f"related collection {have.related_collection!r}, model "
                     f"{want.related_collection!r}")
    for attr in ("one_field", "junction_field", "one_collection_field"):
        w, h = getattr(want, attr), getattr(have, attr)
        if w is not None and w != h:
            diffs.append(f"{attr} {h!r}, model {w!r}")
    if want.one_allowed_collections is not None and set(want.one_allowed_collections) != set(
        have.one_allowed_collections or ()
    ):
        diffs.append(f"allowed collections {sorted(have.one_allowed_collections or ())}, model "
                     f"{sorted(want.one_allowed_collections)}")
    if want.on_delete is not None and want.on_delete != have.on_delete:
        diffs.append(f"on delete {have.on_delete!r}, model {want.on_delete!r}")
    return "; ".join(diffs) if diffs else None
