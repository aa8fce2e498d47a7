"""Loaded relations: to-many rows turned into related objects or keys, and their snapshots."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..state import state_of
from .fields import M2A, _key

if TYPE_CHECKING:
    from ..model import Model
    from ..options import FieldMeta


def after_load(obj: Model, relational: Sequence[FieldMeta], state: dict[str, Any]) -> None:
    """Finish hydrating the relation fields of one object read from the server.

    Nested instances are stripped (their own relations too), junction rows become
    the declared lists, and to-many fields get their snapshot: the keys they were
    loaded with, which writes are computed against.
    """
    data = obj.__dict__
    snapshots: dict[str, Any] | None = None
    for meta in relational:
        name = meta.name
        if name not in data:
            continue
        value = data[name]
        kind = meta.kind
        if kind == "m2o":
            if hasattr(value, "_meta"):
                value._meta.strip((value,))
            continue
        if value is None:
            continue
        if kind == "o2m":
            if value and hasattr(value[0], "_meta"):
                value[0]._meta.strip(value)
            snapshot: Any = [_key(item) for item in value]
        elif kind == "m2m":
            loaded: tuple[list[Any], list[Any]] | None = _load_m2m(obj, meta, value, state)
            if loaded is None:
                del data[name]
                continue
            data[name], snapshot = loaded
        else:
            loaded = _load_m2a(meta, value)
            if loaded is None:
                del data[name]
                continue
            data[name], snapshot = loaded
        if snapshots is None:
            snapshots = state.setdefault("rel", {})
        snapshots[name] = snapshot


def _load_m2m(
    obj: Model, meta: FieldMeta, rows: list[Any], state: dict[str, Any]
) -> tuple[list[Any], list[Any]] | None:
    jf, jpk = meta.junction_field, meta.junction_pk
    assert jf is not None and jpk is not None
    if rows and not isinstance(rows[0], dict):
        return None  # bare junction keys: the far keys are unknown
    items: list[Any] = []
    snapshot: list[Any] = []
    kept: list[dict[str, Any]] = []
    for row in rows:
        target = row.get(jf)
        if target is None:  # a junction row whose far item is gone
            continue
        items.append(target)
        kept.append(row)
        snapshot.append((row.get(jpk), _key(target)))
    if items and hasattr(items[0], "_meta"):
        items[0]._meta.strip(items)
    if meta.through is not None:
        validator = meta.through._meta.validator("item")
        through = [validator.validate_python(row) for row in kept]
        meta.through._meta.strip(through)
        state.setdefault("through", {})[meta.name] = through
    return items, snapshot


def _load_m2a(meta: FieldMeta, rows: list[Any]) -> tuple[list[Any], list[Any]] | None:
    spec = meta.spec
    assert isinstance(spec, M2A) and meta.junction_pk is not None
    if rows and not isinstance(rows[0], dict):
        return None
    by_collection = {t._meta.collection: t for t in meta.targets}
    items: list[Any] = []
    snapshot: list[Any] = []
    for row in rows:
        collection = row.get(spec.collection_field)
        model = by_collection.get(collection)
        item = row.get(spec.item_field)
        if model is None or item is None:  # a collection the model does not declare
            continue
        if not isinstance(item, dict):
            item = {model._meta.pk_field.api_name: item}
        instance = model._meta.validator("item").validate_python(item)
        model._meta.strip((instance,))
        items.append(instance)
        snapshot.append((row.get(meta.junction_pk), collection, _key(instance)))
    return items, snapshot


@dataclass
class Unload:
    """Fields to mark not loaded after hydration, per nested object path.

    ``select_related("author")`` sends ``deep[author][articles][_limit]=0``:
    the empty lists that come back are not the author's articles.
    """

    drop: set[str] = field(default_factory=set)
    children: dict[str, Unload] = field(default_factory=dict)
    scopes: dict[type[Any], Unload] = field(default_factory=dict)

    def child(self, name: str) -> Unload:
        return self.children.setdefault(name, Unload())

    def __bool__(self) -> bool:
        return bool(self.drop or self.children or self.scopes)

    def apply(self, objs: Iterable[Any]) -> None:
        for obj in objs:
            data = obj.__dict__
            if self.drop:
                rel = state_of(obj).get("rel")
                for name in self.drop:
                    data.pop(name, None)
                    if rel:
                        rel.pop(name, None)
            for name, sub in self.children.items():
                value = data.get(name)
                if hasattr(value, "_meta"):
                    sub.apply((value,))
                elif isinstance(value, list):
                    sub.apply([v for v in value if hasattr(v, "_meta")])
            for model, sub in self.scopes.items():
                sub.apply([obj] if isinstance(obj, model) else [])
