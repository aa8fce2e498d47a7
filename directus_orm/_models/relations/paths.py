"""Field paths through relations: a model's dotted path as the API paths Directus reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..._core.exceptions import FieldError, QueryError
from ..resolver import m2a_target
from .fields import M2A

if TYPE_CHECKING:
    from ..model import Model
    from ..options import FieldMeta


# ================================================================== paths

_FUNCTION = re.compile(r"^([a-zA-Z]+)\((.*)\)$")


def api_paths(model: type[Model], path: str, aliases: Mapping[str, str] | None = None) -> list[str]:
    """Translate a dotted (or ``__``) field path to the Directus paths it means.

    Python names become Directus names; a many-to-many hides its junction
    (``tags.label`` -> ``tags.tags_id.label``, ``tags.*`` -> ``tags.tags_id.*``)
    while the junction's own fields stay reachable (``tags.weight`` when the
    through model has it, or the explicit ``tags.tags_id.label``); a many-to-any
    names a scope by collection or class name (``blocks.headings.text`` ->
    ``blocks.item:headings.text``; ``blocks.*`` expands every scope). Functions
    check their field: ``count(tags)``. Unknown names raise ``FieldError``.
    """
    match = _FUNCTION.match(path)
    if match:
        function, inner = match.groups()
        head, sep, rest = inner.partition(",")
        inner_paths = api_paths(model, head.strip(), aliases)
        if len(inner_paths) != 1:
            raise QueryError(f"{path!r}: {function}() takes one field")
        return [f"{function}({inner_paths[0]}{sep}{rest})"]
    parts = path.replace("__", ".").split(".")
    return [".".join(p) for p in _walk(model, parts, aliases)]


def _walk(model: type[Model] | None, parts: list[str], aliases: Mapping[str, str] | None) -> list[list[str]]:
    if not parts:
        return [[]]
    part, rest = parts[0], parts[1:]
    if model is None or part == "*" or "(" in part or ":" in part:
        return [parts]
    if aliases and part in aliases:
        return [parts]
    key = model._meta.key_field(part)
    if key is not None and not rest:  # ``author_id``: the many-to-one's own column
        return [[key.api_name]]
    meta = model._meta.field(part)
    api = meta.api_name
    if not rest:
        return [[api]]
    if meta.kind == "m2m":
        return [[api, *p] for p in _walk_junction(meta, rest)]
    if meta.kind == "m2a":
        return [[api, *p] for p in _walk_m2a(meta, rest)]
    return [[api, *p] for p in _walk(meta.related, rest, None)]


def _walk_junction(meta: FieldMeta, parts: list[str]) -> list[list[str]]:
    jf = meta.junction_field
    assert jf is not None and meta.related is not None
    head = parts[0]
    if head == jf:
        return [[jf, *p] for p in _walk(meta.related, parts[1:], None)]
    if head == "*" or "(" in head:
        return [[jf, *parts]]
    try:
        meta.related._meta.field(head)
    except FieldError as exc:
        through = meta.through
        if through is not None and head in through.model_fields:
            return _walk(through, parts, None)
        if head == meta.junction_pk:
            return [parts]
        raise FieldError(f"{exc} (through the many-to-many {meta.name!r})") from None
    return [[jf, *p] for p in _walk(meta.related, parts, None)]


def _walk_m2a(meta: FieldMeta, parts: list[str]) -> list[list[str]]:
    spec = meta.spec
    assert isinstance(spec, M2A)
    head, rest = parts[0], parts[1:]
    if head == "*":
        return [[f"{spec.item_field}:{t._meta.collection}", *parts] for t in meta.targets]
    if head in (spec.item_field, spec.collection_field, meta.junction_pk):
        return [parts]
    target = m2a_target(meta, head)
    if target is None:
        scopes = ", ".join(t._meta.collection for t in meta.targets)
        raise FieldError(f"{meta.name!r} is a many-to-any; name a scope first ({scopes})")
    scope = f"{spec.item_field}:{target._meta.collection}"
    return [[scope, *p] for p in _walk(target, rest or ["*"], None)]
