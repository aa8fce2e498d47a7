"""Loading relations in the read request.

``fields`` and ``deep`` planned from ``select_related``, ``prefetch`` and ``fields()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..._core.exceptions import FieldError, QueryError
from ..._query.filters import EmptyResultSet
from ..resolver import m2a_target
from .fields import M2A
from .loaded import Unload

if TYPE_CHECKING:
    from ..compiler import QueryCompiler
    from ..model import Model
    from ..options import FieldMeta
    from ..queryset import QuerySet


# ================================================================== load plan


@dataclass
class _Node:
    """One level of the requested field tree: a model's fields, or a junction's."""

    model: type[Model] | None
    junction: FieldMeta | None = None
    """Set on a junction level: the many-to-many or many-to-any field that leads here."""
    leaves: list[str] = field(default_factory=list)
    children: dict[str, _Node] = field(default_factory=dict)
    selected: bool = False
    """``*`` added by select_related(): the model's to-many lists are not loaded."""

    def star(self) -> bool:
        return self.selected or "*" in self.leaves or "*" in self.children

    def child(self, key: str) -> _Node:
        node = self.children.get(key)
        if node is None:
            node = _Node(self._child_model(key))
            if node.model is None and self.model is not None:
                meta = self.model._meta.by_api(key)
                if meta is not None and meta.kind in ("m2m", "m2a"):
                    node.junction = meta
                    node.model = meta.through
            self.children[key] = node
        return node

    def _child_model(self, key: str) -> type[Model] | None:
        if self.junction is not None:
            meta = self.junction
            if meta.kind == "m2m":
                if key == meta.junction_field:
                    return meta.related
                sub = meta.through._meta.by_api(key) if meta.through is not None else None
                return sub.related if sub is not None else None
            return m2a_target(meta, key)
        if self.model is None:
            return None
        field_meta = self.model._meta.by_api(key)
        if field_meta is None or field_meta.kind in ("m2m", "m2a"):
            return None
        return field_meta.related


@dataclass
class LoadPlan:
    """What a QuerySet sends for ``fields`` and ``deep``, and what to unload after."""

    fields: list[str] | None
    deep: dict[str, Any] | None
    unload: Unload


def plan_load(qs: QueryCompiler[Any], *, augment: bool) -> LoadPlan:
    """Compile ``fields``/``select_related``/``prefetch``/``deep`` of ``qs``.

    ``augment`` (model rows) adds the keys hydration and writes need and the
    junction hops of to-many fields fetched as keys; rows of ``values()`` get
    only the ``deep`` limits.
    """
    state = qs._state
    model = qs.model
    root = _Node(model)
    if state.fields is not None:
        user = list(state.fields)
    else:
        declared = default_fields(model) if augment else None
        if declared is None:
            user = ["*"]
        else:
            # A relation that select_related()/prefetch() expands is not asked as a key.
            expanded = {
                model._meta.field(name.replace(".", "__").split("__")[0]).api_name
                for name, _ in state.related
            }
            user = [name for name in declared if name not in expanded]
    extra: list[str] = []
    stars: list[str] = []
    deep: dict[str, Any] = _copy_deep(state.deep or {})
    for name, sub in state.related:
        _select(root, model, name.replace(".", "__").split("__"), sub, [], extra, stars, deep)
    for path in [*user, *extra]:
        _add_path(root, path)
    unload = Unload()
    added: list[str] = []
    _augment(root, [], deep, added, unload, augment)
    paths = list(dict.fromkeys([*user, *extra, *stars, *added]))
    fields: list[str] | None
    if state.fields is None and user == ["*"] and not extra and not stars and not added:
        fields = None
    else:
        fields = paths
    return LoadPlan(fields, deep or None, unload)


def default_fields(model: type[Model]) -> list[str] | None:
    """The fields a read asks for when ``fields()`` was not called: the model's declared
    fields (Directus names; a relation as its key), as Django selects a model's columns.

    ``None`` (read ``*``) for models that keep undeclared fields (``extra="allow"``) and
    for system models, whose collections gain fields between Directus versions: asking
    for one the server lacks would fail the whole read.
    """
    meta = model._meta
    if meta.collection.startswith("directus_") or model.model_config.get("extra") == "allow":
        return None
    return [f.api_name for f in meta.fields.values()]


def _copy_deep(deep: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _copy_deep(v) if isinstance(v, Mapping) else v for k, v in deep.items()}


def _add_path(root: _Node, path: str) -> None:
    if "(" in path:  # a function: count(tags), author.count(articles)
        head, _, _ = path.partition("(")
        prefix = head.rsplit(".", 1)[0].split(".") if "." in head else []
        node = root
        for part in prefix:
            node = node.child(part)
        node.leaves.append(path[len(".".join(prefix)) + (1 if prefix else 0):])
        return
    parts = path.split(".")
    node = root
    for part in parts[:-1]:
        node = node.child(part)
    node.leaves.append(parts[-1])


def _deep_at(deep: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    node = deep
    for key in keys:
        sub = node.get(key)
        if not isinstance(sub, dict):
            sub = {}
            node[key] = sub
        node = sub
    return node


def _select(
    node: _Node,
    model: type[Model],
    names: list[str],
    sub: QuerySet[Any] | None,
    prefix: list[str],
    extra: list[str],
    stars: list[str],
    deep: dict[str, Any],
) -> None:
    """Add the paths (and deep entries) that ``select_related``/``prefetch`` ask for.

    ``extra`` gets explicit paths, ``stars`` the ``*`` of each selected model
    (their to-many lists are left out: see :func:`_augment`).
    """
    meta = model._meta.field(names[0])
    rest = names[1:]
    api = meta.api_name
    path = [*prefix, api]
    if meta.kind in ("scalar", "json"):
        raise QueryError(f"select_related: {model.__name__}.{meta.name} is not a relation")
    if meta.kind == "m2a":
        spec = meta.spec
        assert isinstance(spec, M2A)
        scopes = meta.targets
        if rest:
            target = m2a_target(meta, rest[0])
            if target is None:
                raise FieldError(f"{model.__name__}.{meta.name} has no scope {rest[0]!r}")
            scopes, rest = (target,), rest[1:]
        if sub is not None:
            raise QueryError("prefetch() takes no QuerySet for a many-to-any; use select_related()")
        for target in scopes:
            scope = [*path, f"{spec.item_field}:{target._meta.collection}"]
            if rest:
                _select(node, target, rest, None, scope, extra, stars, deep)
            _star(node, scope, stars)
        return
    target = meta.related
    assert target is not None
    hop = [meta.junction_field] if meta.kind == "m2m" and meta.junction_field else []
    inner = [*path, *hop]
    if meta.kind == "m2m" and meta.through is not None:
        extra.append(".".join([*path, "*"]))
    if rest:
        _star(node, inner, stars)
        _select(node, target, rest, None, inner, extra, stars, deep)
        return
    if sub is None or sub._state.fields is None:
        _star(node, inner, stars)
    else:
        extra.extend(".".join([*inner, p]) for p in sub._state.fields)
    if sub is not None:
        if meta.kind == "o2m" or meta.kind == "m2m":
            entry = _deep_entry(sub, hop)
            target_deep = _deep_at(deep, path)
            for key, value in entry.items():
                target_deep.setdefault(key, value)
        elif sub._state.where or sub._state.sort or sub._state.sliced:
            raise QueryError(
                f"prefetch({meta.name}=...): a many-to-one holds one item; filter, sort and "
                "slices apply to one-to-many and many-to-many lists"
            )
        for name, nested in sub._state.related:
            _select(node, target, name.replace(".", "__").split("__"), nested, inner, extra, stars,
                    deep)
        if sub._state.deep:
            nested_deep = _deep_at(deep, inner)
            for key, value in _copy_deep(sub._state.deep).items():
                nested_deep.setdefault(key, value)


def _star(root: _Node, path: list[str], stars: list[str]) -> None:
    """``path.*`` from select_related: the model's row, without its to-many lists."""
    node = root
    for part in path:
        node = node.child(part)
    node.selected = True
    star = ".".join([*path, "*"])
    if star not in stars:
        stars.append(star)


def _deep_entry(sub: QuerySet[Any], hop: list[str]) -> dict[str, Any]:
    """A nested QuerySet as a ``deep`` entry; for a many-to-many, in junction terms."""
    state = sub._state
    entry: dict[str, Any] = {}
    try:
        flt = sub._filter()
    except EmptyResultSet:
        flt = {sub.model._meta.pk_field.api_name: {"_null": True}}  # matches nothing
    if flt:
        entry["_filter"] = hop_filter(flt, hop)
    if state.search is not None:
        if hop:
            raise QueryError("search() cannot be used on a many-to-many prefetch")
        entry["_search"] = state.search
    if state.sort:
        entry["_sort"] = [("-" if k.startswith("-") else "") + ".".join([*hop, k.lstrip("-")])
                          for k in state.sort]
    if state.limit is not None:
        entry["_limit"] = state.limit
    if state.offset:
        entry["_offset"] = state.offset
    return entry


def hop_filter(flt: dict[str, Any], hop: list[str]) -> dict[str, Any]:
    """Put a filter on the far model under the junction field, keeping _and/_or on top."""
    if not hop:
        return flt
    out: dict[str, Any] = {}
    for key, value in flt.items():
        if key in ("_and", "_or"):
            out[key] = [hop_filter(v, hop) for v in value]
        else:
            nested: Any = {key: value}
            for part in reversed(hop):
                nested = {part: nested}
            out.update(nested)
    return out


def _augment(
    node: _Node,
    path: list[str],
    deep: dict[str, Any],
    added: list[str],
    unload: Unload,
    augment: bool,
) -> None:
    """Add key paths and nested-list limits below ``node`` (a model level)."""
    model = node.model
    if model is None:
        return
    for meta in model._meta.relational:
        api = meta.api_name
        child = node.children.get(api)
        bare = api in node.leaves
        if meta.kind == "m2o":
            if child is not None:
                _augment(child, [*path, api], deep, added, unload.child(meta.name), augment)
            continue
        fpath = [*path, api]
        if child is None:
            if not bare and not node.star():
                continue
            if node.selected and not bare and "*" not in node.leaves:
                _deep_at(deep, fpath).setdefault("_limit", 0)
                unload.drop.add(meta.name)
                continue
            _deep_at(deep, fpath).setdefault("_limit", -1)
            if augment:
                added.extend(".".join([*fpath, k]) for k in _key_paths(meta))
            continue
        _deep_at(deep, fpath).setdefault("_limit", -1)
        sub_unload = unload.child(meta.name)
        if meta.kind == "o2m":
            target = meta.related
            assert target is not None
            if augment and not child.star():
                added.append(".".join([*fpath, target._meta.pk_field.api_name]))
            _augment(child, fpath, deep, added, sub_unload, augment)
        elif meta.kind == "m2m":
            jf = meta.junction_field
            assert jf is not None and meta.related is not None
            if augment and not child.star():
                added.append(".".join([*fpath, str(meta.junction_pk)]))
            far = child.children.get(jf)
            if far is None:
                if augment and jf not in child.leaves and not child.star():
                    added.append(".".join([*fpath, jf]))
            else:
                if augment and not far.star():
                    added.append(".".join([*fpath, jf, meta.related._meta.pk_field.api_name]))
                _augment(far, [*fpath, jf], deep, added, sub_unload, augment)
        else:
            spec = meta.spec
            assert isinstance(spec, M2A)
            if augment:
                for key in (str(meta.junction_pk), spec.collection_field):
                    if key not in child.leaves and not child.star():
                        added.append(".".join([*fpath, key]))
            scoped = False
            for target in meta.targets:
                scope_key = f"{spec.item_field}:{target._meta.collection}"
                scope = child.children.get(scope_key)
                if scope is None:
                    continue
                scoped = True
                if augment and not scope.star():
                    added.append(".".join([*fpath, scope_key, target._meta.pk_field.api_name]))
                scope_unload = sub_unload.scopes.setdefault(target, Unload())
                _augment(scope, [*fpath, scope_key], deep, added, scope_unload, augment)
            if augment and not scoped and spec.item_field not in child.leaves and not child.star():
                added.append(".".join([*fpath, spec.item_field]))


def _key_paths(meta: FieldMeta) -> list[str]:
    """What a to-many fetched as keys needs: nothing for a one-to-many, the junction's keys else."""
    if meta.kind == "m2m":
        return [str(meta.junction_pk), str(meta.junction_field)]
    if meta.kind == "m2a":
        spec = meta.spec
        assert isinstance(spec, M2A)
        return [str(meta.junction_pk), spec.collection_field, spec.item_field]
    return []
