"""``SchemaMismatch``: a model field the server's collection does not have.

Reads: Directus 11+ refuses a query naming a field the collection lacks with
``403 FORBIDDEN`` "You don't have permission to access field "x" in collection
"y" or it does not exist". Writes: Directus drops unknown fields of a payload
silently; what a write sent but the answer lacks is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .._core.exceptions import Forbidden, SchemaMismatch

if TYPE_CHECKING:
    from .model import Model

_FIELD_RE = re.compile(r'access field "([^"]+)" in collection "([^"]+)"')


def _owner(model: type[Model], collection: str, seen: set[type[Model]] | None = None) -> type[Model]:
    """The model of ``collection`` among ``model`` and the models it relates to."""
    seen = seen if seen is not None else set()
    if model._meta.collection == collection or model in seen:
        return model
    seen.add(model)
    for meta in model._meta.relational:
        for target in (meta.related, meta.through, *meta.targets):
            if target is not None:
                found = _owner(target, collection, seen)
                if found._meta.collection == collection:
                    return found
    return model


def from_forbidden(model: type[Model], error: Forbidden) -> SchemaMismatch | None:
    """The ``SchemaMismatch`` a read's 403 stands for, when it names a missing field."""
    found = _FIELD_RE.search(error.message or str(error))
    if found is None:
        return None
    field, collection = found.group(1), found.group(2)
    owner = _owner(model, collection)
    declared = owner._meta.by_api(field) if owner._meta.collection == collection else None
    who = f"{owner.__name__}.{declared.name}" if declared is not None else f"{owner.__name__}"
    return SchemaMismatch(
        f"{who}: the collection {collection!r} on the server has no field {field!r} (or the "
        f"current user may not read it). Add the field on the server (directus-orm migrate), "
        f"remove it from the model, or read other fields with .fields(...); "
        f"directus-orm check lists every difference",
        model=owner.__name__, field=field, collection=collection,
    )


def check_written(model: type[Model], sent: Iterable[str], answer: Mapping[str, Any]) -> None:
    """Raise when the server's answer to a write lacks a field the write sent."""
    missing = [name for name in sent if name not in answer]
    if not missing:
        return
    meta = model._meta
    names = ", ".join(repr(n) for n in missing)
    first = meta.by_api(missing[0])
    raise SchemaMismatch(
        f"{model.__name__}: the collection {meta.collection!r} on the server has no field "
        f"{names} (or the current user may not read it): the write was applied without "
        f"{'it' if len(missing) == 1 else 'them'}. Add the field on the server "
        f"(directus-orm migrate) or remove it from the model",
        model=model.__name__, field=first.name if first is not None else missing[0],
        collection=meta.collection,
    )
