"""Field resolvers: how the filter compiler learns a model's fields and relations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._core.exceptions import FieldError
from .._query.filters import FieldResolver, ResolvedField
from .options import FieldMeta
from .relations.fields import M2A

if TYPE_CHECKING:
    from .model import Model


class ModelResolver:
    """Answers the filter compiler's questions about a model's fields."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model

    @property
    def model_name(self) -> str:
        return self.model.__name__

    def resolve(self, name: str) -> ResolvedField:
        meta = self.model._meta.key_field(name)
        if meta is not None:  # ``author_id``: the many-to-one's key, as a plain value
            return ResolvedField(api_name=meta.api_name, kind="scalar", nullable=meta.nullable)
        meta = self.model._meta.field(name)
        related: FieldResolver | None = None
        if meta.kind == "m2a":
            related = M2AResolver(self.model, meta)
        elif meta.related is not None:
            related = ModelResolver(meta.related)
        return ResolvedField(
            api_name=meta.api_name,
            kind=meta.kind,
            nullable=meta.nullable,
            related=related,
            junction_field=meta.junction_field if meta.kind == "m2m" else None,
        )


class M2AResolver:
    """The junction of a many-to-any, as the filter compiler sees it.

    Its fields are the junction's own (``collection``, ``item``, the key) and
    one scope per allowed model, named by collection or class name:
    ``blocks__headings__text`` becomes ``blocks.item:headings.text``.
    """

    def __init__(self, owner: type[Model], meta: FieldMeta) -> None:
        self.owner = owner
        self.meta = meta

    @property
    def model_name(self) -> str:
        return f"{self.owner.__name__}.{self.meta.name}"

    def resolve(self, name: str) -> ResolvedField:
        spec = self.meta.spec
        assert isinstance(spec, M2A)
        if name in (spec.collection_field, spec.item_field, self.meta.junction_pk):
            return ResolvedField(api_name=name, kind="scalar" if name != spec.item_field else "any")
        target = m2a_target(self.meta, name)
        if target is None:
            scopes = ", ".join(t._meta.collection for t in self.meta.targets)
            raise FieldError(
                f"{self.model_name} has no scope {name!r} (the many-to-any points at: {scopes}; "
                f"junction fields: {spec.collection_field}, {spec.item_field})"
            )
        return ResolvedField(
            api_name=f"{spec.item_field}:{target._meta.collection}",
            kind="m2o",
            nullable=True,
            related=ModelResolver(target),
        )


def m2a_target(meta: FieldMeta, name: str) -> type[Model] | None:
    """The model of a many-to-any scope named by collection, ``item:collection`` or class name."""
    if ":" in name:
        name = name.split(":", 1)[1]
    for target in meta.targets:
        if name in (target._meta.collection, target.__name__):
            return target
    return None
