"""Relations: many-to-one, one-to-many, many-to-many and many-to-any model fields.

Declaring. The annotation says what a relation holds; a marker in
``Annotated`` says what the annotation cannot::

    author: Author | int | None = None                                  # many-to-one
    articles: list[Article] | list[int] | None = None                   # one-to-many
    tags: Annotated[list[Tag] | list[int] | None, M2M()] = None         # many-to-many
    blocks: Annotated[list[Heading | Text] | None, M2A()] = None        # many-to-any

A many-to-many is, in Directus, a one-to-many to a junction collection whose
rows point at the far model (``tags_id``). The ORM hides the junction: the
attribute is a list of ``Tag`` (or of tag keys when not expanded), paths and
lookups name Tag's fields (``tags__label`` is sent as ``tags.tags_id.label``),
and the junction rows' keys are kept aside for writes. ``M2M(through=Model)``
declares the junction model when it has fields of its own. A many-to-any
holds instances of the allowed models (pk-only ones until expanded).

Loading. Everything comes in the one request of the QuerySet; attribute
access never does I/O. :func:`plan_load` compiles ``fields()``,
``select_related()`` and ``prefetch()`` into Directus ``fields`` and ``deep``:

* every nested list that is fetched gets ``deep[...][_limit] = -1`` unless the
  query limits it: Directus otherwise cuts nested lists at 100 per parent,
  with ``fields=*`` as well as with expanded paths (checked on 12.4);
* nested lists always carry their keys (``articles.id``; for a many-to-many
  the junction key and the far key), so that writes can be computed;
* ``select_related("author")`` loads the author's row (``author.*``) but not
  the author's own to-many lists: their ``deep`` limit is 0 and hydration
  marks them not loaded (``author.*`` alone would fetch every key of every
  list of every author).

Writing. To-many changes are sent in Directus's detailed form
``{"create": [...], "update": [...], "delete": [...]}``, computed from what
the object was loaded with (its *snapshot*) and what it holds now. Items
that were never loaded are never in a snapshot, so they can never be
unlinked by a save: a partially loaded list (``deep`` filter or limit) is
safe. ``delete`` entries are one-to-many child keys or junction row keys;
Directus only touches rows that belong to the parent, and applies the
relation's ``one_deselect_action`` (nullify, or delete).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeGuard, TypeVar, cast, overload

from pydantic_core import core_schema as cs

from ._exceptions import FieldError, FieldNotLoaded, QueryError
from ._persistence import _UNSET, from_db, state_of

if TYPE_CHECKING:
    from ._flow import Flow
    from ._model import FieldMeta, Model
    from ._queryset import QuerySet
    from ._session import BaseSession

__all__ = ["M2A", "M2M", "Key", "RelatedManager", "pk_of", "related"]

K = TypeVar("K")
R = TypeVar("R")


# ================================================================== markers


@dataclass(frozen=True)
class M2M:
    """Marks a many-to-many field: ``Annotated[list[Tag] | list[int] | None, M2M()]``.

    ``junction_field`` is the junction's field pointing at the far model
    (default ``<far collection>_id``, Directus's own default); ``through`` the
    junction model (a class or its name in the same module), to read and write
    the junction's own fields; ``junction_pk`` the junction's primary key.
    """

    junction_field: str | None = None
    through: type[Model] | str | None = None
    junction_pk: str = "id"


@dataclass(frozen=True)
class M2A:
    """Marks a many-to-any field: ``Annotated[list[Heading | Text] | None, M2A()]``.

    Needed only when the junction's fields are not Directus's defaults
    (``item``, ``collection``, ``id``) or when one model is allowed; a list of
    a union of models is a many-to-any by itself.
    """

    item_field: str = "item"
    collection_field: str = "collection"
    junction_pk: str = "id"


# ================================================================== keys


def pk_of(value: Any) -> Any:
    """The key of a relation value: the primary key of an instance, or the value itself.

    ``pk_of(article.author)`` is the author's key whether the author was expanded
    or not (``[pk_of(t) for t in article.tags]`` for lists). Typed ``Any``: for a
    typed accessor declare :class:`Key` on the model.
    """
    return key_of(value, "value")


class Key(Generic[K]):
    """A typed accessor for the key of a many-to-one, expanded or not.

    ::

        class Article(Model):
            author: Author | int | None = None
            author_id = Key[int | None]()     # the key of ``author``: typed int | None

    The field is the accessor's name without ``_id`` (or ``Key("author")``).
    Reading it never does I/O; it raises ``FieldNotLoaded`` when ``author`` was
    not fetched, or was expanded without its key. Without a declaration,
    ``article.author_id`` works too, typed ``Any``.
    """

    def __init__(self, field: str | None = None) -> None:
        self.field = field
        self.name = field

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name
        if self.field is None:
            if not name.endswith("_id"):
                raise TypeError(f"{owner.__name__}.{name}: name the field, Key(\"author\"), "
                                "or end the accessor's name with _id")
            self.field = name[:-3]

    def __repr__(self) -> str:
        return f"Key({self.field!r})"

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Key[K]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any]) -> K: ...
    def __get__(self, instance: object | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        cls = type(instance)
        meta = cls._meta.field(str(self.field))  # type: ignore[attr-defined]
        if meta.kind != "m2o":
            raise FieldError(f"{cls.__name__}.{self.name}: {meta.name!r} is not a many-to-one field")
        return key_of(getattr(instance, meta.name), f"{cls.__name__}.{meta.name}")


def key_of(value: Any, where: str) -> Any:
    from ._model import Model

    if isinstance(value, Model):
        meta = type(value)._meta
        data = value.__dict__
        if meta.primary_key not in data:
            raise FieldNotLoaded(
                f"{where} was loaded without its primary key, so its key is unknown: "
                f"fetch {meta.pk_field.api_name!r} too"
            )
        return data[meta.primary_key]
    return value


def _key(item: Any) -> Any:
    """Key of a list entry: an instance's loaded primary key (or None), or the value."""
    if hasattr(item, "_meta"):
        return item.__dict__.get(item._meta.primary_key)
    return item


# ================================================================== hydration


def relation_field_schema(meta: FieldMeta, schema: Any) -> Any:
    """The core schema of what Directus sends for a many-to-many or many-to-any field.

    A many-to-many arrives as junction rows ``{"id": 7, "tags_id": 3 | {...}}``
    (validated by pydantic-core, the far model included); a many-to-any as rows
    ``{"id", "collection", "item"}`` whose item is validated per row, by its
    collection. Bare junction keys (what ``fields=tags`` alone returns) are
    accepted and then treated as not loaded.
    """
    row: Any
    if meta.kind == "m2m":
        assert meta.junction_field is not None and meta.junction_pk is not None
        target = _list_item_model_schema(schema)
        far = cs.union_schema([target, cs.any_schema()], mode="left_to_right") if target else cs.any_schema()
        row = cs.typed_dict_schema(
            {
                meta.junction_pk: cs.typed_dict_field(cs.any_schema(), required=False),
                meta.junction_field: cs.typed_dict_field(cs.nullable_schema(far), required=False),
            },
            extra_behavior="allow",
        )
        item: Any = cs.union_schema([row, cs.any_schema()], mode="left_to_right")
    else:
        item = cs.any_schema()
    return cs.with_default_schema(cs.nullable_schema(cs.list_schema(item)), default=None)


def _list_item_model_schema(schema: Any) -> Any:
    """The items schema of the first list of models inside a field's core schema."""
    if isinstance(schema, dict):
        if schema.get("type") == "list":
            items = schema.get("items_schema")
            if isinstance(items, dict) and items.get("type") in ("model", "definition-ref"):
                return items
        for key in ("schema", "choices"):
            inner = schema.get(key)
            found = _list_item_model_schema(inner)
            if found is not None:
                return found
    elif isinstance(schema, list):
        for choice in schema:
            found = _list_item_model_schema(choice[0] if isinstance(choice, tuple) else choice)
            if found is not None:
                return found
    return None


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
    from ._model import m2a_target

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
        from ._model import m2a_target

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


def plan_load(qs: QuerySet[Any], *, augment: bool) -> LoadPlan:
    """Compile ``fields``/``select_related``/``prefetch``/``deep`` of ``qs``.

    ``augment`` (model rows) adds the keys hydration and writes need and the
    junction hops of to-many fields fetched as keys; rows of ``values()`` get
    only the ``deep`` limits.
    """
    state = qs._state
    model = qs.model
    root = _Node(model)
    user = list(state.fields) if state.fields is not None else ["*"]
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
    if state.fields is None and not extra and not stars and not added:
        fields = None
    else:
        fields = paths
    return LoadPlan(fields, deep or None, unload)


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
    from ._model import m2a_target

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
    from ._filters import EmptyResultSet

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
"""(id(owner), field name) -> what was written; filled while a payload is built."""

OMIT: Any = object()


def _is_model(value: Any) -> TypeGuard[Model]:
    return hasattr(value, "_meta") and hasattr(value, "__pydantic_fields_set__")


def has_changes(obj: Model, seen: set[int]) -> bool:
    """Whether saving ``obj`` would write something (it is new, or something changed)."""
    from ._persistence import changed_fields

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
            if _is_model(value) and has_changes(value, set(seen)):
                out.append(name)
        elif _alterations(obj, meta, value, set(seen), None) is not None:
            out.append(name)
    return out


def _m2o_key(value: Any) -> Any:
    if _is_model(value):
        if not from_db(value):
            return ("new", id(value))
        return value.__dict__.get(value._meta.primary_key)
    return value


def relation_value(
    obj: Model, meta: FieldMeta, value: Any, seen: set[int], journal: Journal | None
) -> Any:
    """The JSON to send for one relation field (``OMIT`` to send nothing)."""
    if meta.kind == "m2o":
        if not _is_model(value):
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
    from ._persistence import insert_fields, payload

    seen.add(id(item))
    return payload(item, insert_fields(item), seen=seen, journal=journal)


def _nested_changes(item: Model, seen: set[int], journal: Journal | None) -> dict[str, Any]:
    from ._persistence import changed_fields, payload

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
            if _is_model(item) and id(item) in seen:  # listed twice, or an ancestor
                key = _key(item)
            elif _is_model(item) and not from_db(item):
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
            changes = _nested_changes(item, seen, journal) if _is_model(item) else {}
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
                if changes is not None and _is_model(item):
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
    if not _is_model(item):
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
        if _is_model(item) and not isinstance(item, far):
            raise QueryError(f"{where} holds {far.__name__} items, not {type(item).__name__}")
    else:
        spec = meta.spec
        assert isinstance(spec, M2A)
        if not _is_model(item) or not isinstance(item, meta.targets):
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

    if _is_model(item) and id(item) not in seen and not from_db(item):
        body = _nested_create(item, seen, journal)
        return ("new", id(item)), row(body), body
    key = _key(item) if _is_model(item) and id(item) in seen else _identity(item, where)
    if key is None:
        return None, None, None
    link = (collection, key) if meta.kind == "m2a" else key
    changes = _nested_changes(item, seen, journal) if _is_model(item) else {}
    if changes:
        nested = {item._meta.pk_field.api_name: key, **changes}
        return link, row(nested), nested
    return link, row(key), None


def _through_updates(obj: Model, meta: FieldMeta, update: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Changes to the junction rows' own fields (``M2M(through=...)``)."""
    from ._persistence import changed_fields, payload

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


def sync_after_write(obj: Model, journal: Journal, raw: Any) -> None:
    """Give created items their keys and reset snapshots, from the write's answer.

    ``raw`` is the answer's ``data`` for ``obj`` (a dict, or None when the
    server sent nothing back). Items whose key cannot be told apart (several
    created in a partially loaded list with non-integer keys) stay without one:
    they are marked saved, so a later save does not create them twice.
    """
    from ._persistence import mark_loaded

    raw = raw if isinstance(raw, dict) else {}
    for meta in type(obj)._meta.relational:
        write = journal.get((id(obj), meta.name))
        if write is None:
            continue
        answer = raw.get(meta.api_name)
        if meta.kind == "m2o":
            item, _ = write.nested[0]
            _absorb_key(item, answer)
            sync_after_write(item, journal, answer)
            mark_loaded((item,), item._meta.json_fields)
            continue
        rows = answer if isinstance(answer, list) else None
        if meta.kind == "o2m":
            _sync_o2m(obj, meta, write, rows, journal)
        else:
            _sync_junction(obj, meta, write, rows, journal)


def _absorb_key(item: Model, answer: Any) -> None:
    pk = item._meta.primary_key
    key = answer.get(item._meta.pk_field.api_name) if isinstance(answer, dict) else answer
    if item.__dict__.get(pk) is None and key is not None:
        item.__dict__[pk] = key
        item.__pydantic_fields_set__.add(pk)


def _pick(candidates: list[Any], count: int) -> list[Any] | None:
    """The ``count`` new keys, in creation order, or None when they cannot be told apart."""
    if count == 0:
        return []
    if len(candidates) == count:
        try:
            return sorted(candidates)
        except TypeError:
            return candidates
    if len(candidates) > count and all(isinstance(c, int) for c in candidates):
        return sorted(candidates)[-count:]  # auto-increment: the newest keys
    return None


def _sync_o2m(
    obj: Model, meta: FieldMeta, write: FieldWrite, rows: list[Any] | None, journal: Journal
) -> None:
    from ._persistence import mark_loaded

    target = meta.related
    assert target is not None
    cpk = target._meta.pk_field.api_name
    items = obj.__dict__.get(meta.name) or []
    snapshot = state_of(obj).get("rel", {}).get(meta.name) or []
    by_key: dict[Any, Any] = {}
    for row in rows or ():
        key = row.get(cpk) if isinstance(row, dict) else row
        by_key[key] = row
    known = {k for k in snapshot if k is not None} | {_key(i) for i in items if _key(i) is not None}
    created = [item for item, _ in write.creates]
    keys = _pick([k for k in by_key if k not in known], len(created)) if rows is not None else None
    if keys is not None:
        for item, key in zip(created, keys, strict=False):
            _absorb_key(item, key)
    for item, _ in write.nested:
        sync_after_write(item, journal, by_key.get(_key(item)))
        mark_loaded((item,), item._meta.json_fields)
    state_of(obj).setdefault("rel", {})[meta.name] = [_key(i) for i in items if _key(i) is not None]


def _sync_junction(
    obj: Model, meta: FieldMeta, write: FieldWrite, rows: list[Any] | None, journal: Journal
) -> None:
    from ._persistence import mark_loaded

    jpk = str(meta.junction_pk)
    m2a = meta.kind == "m2a"
    spec = meta.spec
    state = state_of(obj)
    snapshot = state.get("rel", {}).get(meta.name) or []
    known = {entry[0] for entry in snapshot if entry[0] is not None}
    fresh = [r for r in rows or () if isinstance(r, dict) and r.get(jpk) not in known]
    by_jpk = {r.get(jpk): r for r in fresh}
    picked = _pick(list(by_jpk), len(write.creates)) if rows is not None else None
    new_links: dict[int, Any] = {}  # id(item) or key -> jpk
    for (item, _link), jpk_value in zip(write.creates, picked or [], strict=False):
        row = by_jpk[jpk_value]
        if m2a:
            assert isinstance(spec, M2A)
            far_answer = row.get(spec.item_field)
        else:
            far_answer = row.get(str(meta.junction_field))
        if _is_model(item):
            if m2a and far_answer is not None and not isinstance(far_answer, dict):
                far_answer = _coerce_key(type(item), far_answer)  # the junction stores text
            _absorb_key(item, far_answer)
            sync_after_write(item, journal, far_answer if isinstance(far_answer, dict) else None)
        new_links[id(item)] = jpk_value
    for item, _ in write.nested:
        if _is_model(item) and id(item) not in new_links:
            sync_after_write(item, journal, None)
    for item, _ in [*write.nested, *[(i, None) for i, _ in write.creates]]:
        if _is_model(item):
            mark_loaded((item,), item._meta.json_fields)
    # The new snapshot: every loaded item with its junction key.
    remaining: dict[Any, list[Any]] = {}
    for entry in snapshot:
        remaining.setdefault(entry[1:] if m2a else entry[1], []).append(entry[0])
    new_snapshot: list[Any] = []
    for item in obj.__dict__.get(meta.name) or []:
        key = _key(item)
        if key is None:
            continue
        link = (type(item)._meta.collection, key) if m2a else key
        jpks = remaining.get(link)
        jpk_value = jpks.pop(0) if jpks else new_links.get(id(item))
        if jpk_value is None and not _is_model(item):
            jpk_value = new_links.get(id(item))
        new_snapshot.append((jpk_value, *link) if m2a else (jpk_value, key))
    state.setdefault("rel", {})[meta.name] = new_snapshot
    if meta.through is not None:
        state.get("through", {}).pop(meta.name, None)  # its rows changed: not loaded any more


def forget_to_many(obj: Model, names: Iterable[str]) -> None:
    """Mark to-many fields not loaded (after bulk writes, whose answers carry no keys)."""
    data = obj.__dict__
    state = state_of(obj)
    for name in names:
        meta = type(obj)._meta.fields.get(name)
        if meta is not None and meta.kind in ("o2m", "m2m", "m2a"):
            data.pop(name, None)
            state.get("rel", {}).pop(name, None)


def check_bulk(obj: Model, names: Iterable[str]) -> None:
    """Bulk writes send keys only: refuse related instances that are not saved yet."""
    data = obj.__dict__
    for name in names:
        meta = type(obj)._meta.fields.get(name)
        if meta is None or meta.kind not in ("m2o", "o2m", "m2m", "m2a"):
            continue
        value = data.get(name)
        values = value if isinstance(value, list) else [value]
        for item in values:
            if _is_model(item) and not from_db(item):
                raise QueryError(
                    f"{type(obj).__name__}.{name}: bulk writes cannot create related items "
                    f"({item!r} is not saved); save them first, or use save() on each object"
                )


# ================================================================== related managers


@overload
def related(obj: Model, field: str) -> RelatedManager[Any]: ...
@overload
def related(obj: Model, field: str, model: type[R]) -> RelatedManager[R]: ...
def related(obj: Model, field: str, model: type[Any] | None = None) -> RelatedManager[Any]:
    """Django's related manager for one to-many field of one object.

    ``related(article, "tags", Tag).add(python)`` links a tag at once (one PATCH of
    the article in Directus's detailed form). Passing the model class types the
    manager (``RelatedManager[Tag]``) and is checked against the declaration.
    """
    meta = type(obj)._meta.field(field)
    if meta.kind not in ("o2m", "m2m", "m2a"):
        raise QueryError(
            f"{type(obj).__name__}.{meta.name} is not a one-to-many, many-to-many or many-to-any "
            "field; assign a many-to-one directly and save()"
        )
    allowed = meta.targets if meta.kind == "m2a" else (meta.related,)
    if model is not None and model not in allowed:
        names = ", ".join(t.__name__ for t in allowed if t is not None)
        raise QueryError(f"{type(obj).__name__}.{meta.name} relates to {names}, not {model.__name__}")
    return RelatedManager(obj, meta)


class RelatedManager(Generic[R]):
    """The links of one to-many field of one object (``related(obj, "tags")``).

    Every method writes at once, like Django's: one PATCH of the owner in
    Directus's detailed form, preceded by one read when the current links
    must be known (``set``, ``clear``, and ``remove`` on a many-to-many whose
    links were not loaded). Items are instances or keys; unsaved instances are
    created in the same request. When the owner's list is loaded, it is
    updated too. Each method has an ``a``-prefixed twin for ``AsyncSession``.
    """

    def __init__(self, owner: Model, meta: FieldMeta) -> None:
        self.owner = owner
        self.meta = meta

    def __repr__(self) -> str:
        return f"<RelatedManager {type(self.owner).__name__}.{self.meta.name} of {self.owner.pk!r}>"

    @property
    def through(self) -> list[Any]:
        """The junction rows loaded with the list (``M2M(through=...)``); no I/O."""
        if self.meta.through is None:
            raise QueryError(f"{type(self.owner).__name__}.{self.meta.name} declares no through model")
        rows = state_of(self.owner).get("through", {}).get(self.meta.name)
        if rows is None:
            raise FieldNotLoaded(
                f"the junction rows of {type(self.owner).__name__}.{self.meta.name} were not loaded: "
                "select_related() it"
            )
        return list(rows)

    # ----------------------------------------------------------- sync API

    def add(self, *objs: R | Any, through_defaults: Mapping[str, Any] | None = None,
            using: BaseSession | None = None) -> None:
        """Link these items (created first when unsaved)."""
        from ._session import sync_session

        session = sync_session(using, "add")
        session._run(self._add_flow(session, objs, through_defaults))

    def remove(self, *objs: R | Any, using: BaseSession | None = None) -> None:
        """Unlink these items (the relation's deselect action applies: nullify or delete)."""
        from ._session import sync_session

        session = sync_session(using, "remove")
        session._run(self._remove_flow(session, objs))

    def set(self, objs: Iterable[R | Any], *, through_defaults: Mapping[str, Any] | None = None,
            using: BaseSession | None = None) -> None:
        """Make these exactly the linked items: one read, then one write of the difference."""
        from ._session import sync_session

        session = sync_session(using, "set")
        session._run(self._set_flow(session, list(objs), through_defaults))

    def clear(self, *, using: BaseSession | None = None) -> None:
        """Unlink every item."""
        from ._session import sync_session

        session = sync_session(using, "clear")
        session._run(self._set_flow(session, [], None))

    def create(self, *, through_defaults: Mapping[str, Any] | None = None,
               using: BaseSession | None = None, **data: Any) -> R:
        """Create a related item linked to the owner, in one request; returns it with its key."""
        item = self._new(data)
        self.add(item, through_defaults=through_defaults, using=using)
        return cast(R, item)

    # ---------------------------------------------------------- async API

    async def aadd(self, *objs: R | Any, through_defaults: Mapping[str, Any] | None = None,
                   using: BaseSession | None = None) -> None:
        """Async :meth:`add`."""
        from ._session import async_session

        session = async_session(using, "add")
        await session._arun(self._add_flow(session, objs, through_defaults))

    async def aremove(self, *objs: R | Any, using: BaseSession | None = None) -> None:
        """Async :meth:`remove`."""
        from ._session import async_session

        session = async_session(using, "remove")
        await session._arun(self._remove_flow(session, objs))

    async def aset(self, objs: Iterable[R | Any], *,
                   through_defaults: Mapping[str, Any] | None = None,
                   using: BaseSession | None = None) -> None:
        """Async :meth:`set`."""
        from ._session import async_session

        session = async_session(using, "set")
        await session._arun(self._set_flow(session, list(objs), through_defaults))

    async def aclear(self, *, using: BaseSession | None = None) -> None:
        """Async :meth:`clear`."""
        from ._session import async_session

        session = async_session(using, "clear")
        await session._arun(self._set_flow(session, [], None))

    async def acreate(self, *, through_defaults: Mapping[str, Any] | None = None,
                      using: BaseSession | None = None, **data: Any) -> R:
        """Async :meth:`create`."""
        item = self._new(data)
        await self.aadd(item, through_defaults=through_defaults, using=using)
        return cast(R, item)

    # -------------------------------------------------------------- flows

    def _new(self, data: Mapping[str, Any]) -> Any:
        if self.meta.kind == "m2a":
            raise QueryError("create() on a many-to-any: build the instance and add() it")
        target = self.meta.related
        assert target is not None
        return target(**{target._meta.field(k).name: v for k, v in data.items()})

    def _owner_key(self) -> Any:
        key = self.owner.pk
        if key is None:
            raise QueryError(
                f"{type(self.owner).__name__} has no primary key yet: save it before changing "
                f"its {self.meta.name!r} links"
            )
        return key

    def _link(self, item: Any) -> Any:
        """The identity of an item as the snapshot holds it: key, or (collection, key)."""
        if self.meta.kind == "m2a":
            if not _is_model(item) or not isinstance(item, self.meta.targets):
                raise QueryError(f"{self.meta.name}: pass instances of the allowed models, not {item!r}")
            return (type(item)._meta.collection, _key(item))
        return _key(item)

    def _entries(self, objs: Sequence[Any], through_defaults: Mapping[str, Any] | None) -> _Entries:
        """``create`` and ``update`` entries for linking ``objs``, and what to sync after."""
        meta = self.meta
        where = f"{type(self.owner).__name__}.{meta.name}"
        create: list[Any] = []
        update: list[dict[str, Any]] = []
        creates: list[tuple[Any, Any]] = []
        nested: list[tuple[Model, Any]] = []
        seen: set[int] = {id(self.owner)}
        journal: Journal = {}
        if through_defaults and meta.kind != "m2m":
            raise QueryError("through_defaults applies to a many-to-many")
        extra = dict(through_defaults or {})
        for item in objs:
            if meta.kind == "o2m":
                target = meta.related
                assert target is not None
                if _is_model(item) and not from_db(item):
                    body = _nested_create(item, seen, journal)
                    create.append(body)
                    creates.append((item, None))
                    nested.append((item, body))
                else:
                    update.append({target._meta.pk_field.api_name: _identity(item, where)})
            else:
                link, row, changes = _junction_entry(meta, item, seen, journal, where)
                if link is None:
                    raise QueryError(f"{where}: {item!r} has no primary key")
                create.append({**row, **extra})
                creates.append((item, link))
                if changes is not None and _is_model(item):
                    nested.append((item, changes))
        return _Entries(create, update, creates, nested, journal)

    def _links_flow(self, session: BaseSession, keys: Sequence[Any] | None = None) -> Flow[list[Any]]:
        """The current junction rows (or child keys) of the owner, read from the server."""
        from ._persistence import item_path
        from ._request import Call

        meta = self.meta
        spec: dict[str, Any] = {"_limit": -1}
        if keys is not None and meta.kind == "m2m":
            spec["_filter"] = {str(meta.junction_field): {"_in": list(keys)}}
        paths = [f"{meta.api_name}.{p}" for p in self._key_paths()]
        call = Call("GET", item_path(type(self.owner), self._owner_key()),
                    query={"fields": paths, "deep": {meta.api_name: spec}})
        body = yield from session._call_flow(call)
        data = body.get("data") if isinstance(body, dict) else None
        rows = data.get(meta.api_name) if isinstance(data, dict) else None
        return list(rows or [])

    def _key_paths(self) -> list[str]:
        meta = self.meta
        if meta.kind == "o2m":
            assert meta.related is not None
            return [meta.related._meta.pk_field.api_name]
        return _key_paths(meta)

    def _row_link(self, row: Any) -> tuple[Any, Any]:
        """(junction key or child key, identity) of a row the server sent."""
        meta = self.meta
        if meta.kind == "o2m":
            assert meta.related is not None
            key = row.get(meta.related._meta.pk_field.api_name) if isinstance(row, dict) else row
            return key, key
        jpk = row.get(str(meta.junction_pk))
        if meta.kind == "m2m":
            far = row.get(str(meta.junction_field))
            if isinstance(far, dict):
                assert meta.related is not None
                far = far.get(meta.related._meta.pk_field.api_name)
            return jpk, far
        spec = meta.spec
        assert isinstance(spec, M2A)
        collection = row.get(spec.collection_field)
        item = row.get(spec.item_field)
        if isinstance(item, dict):
            target = next((t for t in meta.targets if t._meta.collection == collection), None)
            item = item.get(target._meta.pk_field.api_name) if target is not None else None
        model = next((t for t in meta.targets if t._meta.collection == collection), None)
        if model is not None and item is not None:
            item = _coerce_key(model, item)
        return jpk, (collection, item)

    def _write_flow(
        self, session: BaseSession, entries: _Entries, delete: list[Any], before: list[Any] | None
    ) -> Flow[list[Any]]:
        """PATCH the owner with one alteration; give created items their keys.

        ``before`` (the rows read before the write) tells the created items'
        keys apart from the links that already existed.
        """
        from ._persistence import item_path, mark_loaded
        from ._request import Call

        meta = self.meta
        model = type(self.owner)
        creates, update = entries.creates, entries.update
        body = {meta.api_name: {"create": entries.create, "update": update, "delete": delete}}
        query = write_query(model, body)
        call = Call("PATCH", item_path(model, self._owner_key()), query=query, json=body,
                    send_json=True)
        response = yield from session._response_flow(call)
        data = json.loads(response.content).get("data") if response.content else None
        answer = data.get(meta.api_name) if isinstance(data, dict) else None
        rows = list(answer) if isinstance(answer, list) else []
        if creates and before is not None:
            known = {self._row_link(r)[0] for r in before}
            fresh = {self._row_link(r)[0]: r for r in rows}
            candidates = [k for k in fresh if k not in known]
            if meta.kind == "o2m":
                assert meta.related is not None
                cpk = meta.related._meta.pk_field.api_name
                linked = {u.get(cpk) for u in update}
                candidates = [k for k in candidates if k not in linked]
            picked = _pick(candidates, len(creates))
            for (item, _), key in zip(creates, picked or [], strict=False):
                if not _is_model(item) or from_db(item):
                    continue  # a link to an existing item: nothing to learn
                row = fresh[key]
                if meta.kind == "o2m":
                    far = key
                elif meta.kind == "m2m":
                    far = row.get(str(meta.junction_field))
                else:
                    spec = meta.spec
                    assert isinstance(spec, M2A)
                    far = row.get(spec.item_field)
                    if far is not None and not isinstance(far, dict):
                        far = _coerce_key(type(item), far)
                _absorb_key(item, far)
        for item, _ in entries.nested:
            sync_after_write(item, entries.journal, None)
            mark_loaded((item,), item._meta.json_fields)
        for item, _ in creates:
            if _is_model(item):
                mark_loaded((item,), item._meta.json_fields)
        return rows

    def _add_flow(
        self, session: BaseSession, objs: Sequence[Any], through_defaults: Mapping[str, Any] | None
    ) -> Flow[None]:
        self._owner_key()
        if not objs:
            return None
        entries = self._entries(objs, through_defaults)
        before = None
        if any(_is_model(i) and not from_db(i) for i, _ in entries.creates):
            before = yield from self._links_flow(session)  # to tell the created keys apart
        rows = yield from self._write_flow(session, entries, [], before)
        self._update_loaded(rows, add=list(objs))
        return None

    def _remove_flow(self, session: BaseSession, objs: Sequence[Any]) -> Flow[None]:
        self._owner_key()
        if not objs:
            return None
        meta = self.meta
        links = [self._link(item) for item in objs]
        if meta.kind == "o2m":
            delete = [k for k in links if k is not None]
        else:
            rows = yield from self._links_flow(
                session, [k for k in links] if meta.kind == "m2m" else None)
            wanted = list(links)
            delete = []
            for row in rows:
                jpk, link = self._row_link(row)
                if link in wanted:
                    wanted.remove(link)
                    delete.append(jpk)
        if not delete:
            return None
        rows = yield from self._write_flow(session, _Entries(), delete, None)
        self._update_loaded(rows, remove=links)
        return None

    def _set_flow(
        self, session: BaseSession, objs: list[Any], through_defaults: Mapping[str, Any] | None
    ) -> Flow[None]:
        self._owner_key()
        meta = self.meta
        current = yield from self._links_flow(session)
        existing: dict[Any, list[Any]] = {}
        for row in current:
            jpk, link = self._row_link(row)
            existing.setdefault(link, []).append(jpk)
        to_add: list[Any] = []
        for item in objs:
            link = self._link(item) if (not _is_model(item) or from_db(item)) else None
            if link is not None and existing.get(link):
                existing[link].pop(0)
            else:
                to_add.append(item)
        delete = [jpk for jpks in existing.values() for jpk in jpks if jpk is not None]
        if meta.kind == "o2m":
            delete = [link for link, jpks in existing.items() for _ in jpks]
        if not to_add and not delete:
            self._update_loaded(current, replace=objs)
            return None
        entries = self._entries(to_add, through_defaults) if to_add else _Entries()
        rows = yield from self._write_flow(session, entries, delete, current)
        self._update_loaded(rows, replace=objs)
        return None

    def _update_loaded(
        self,
        rows: list[Any],
        *,
        add: list[Any] | None = None,
        remove: list[Any] | None = None,
        replace: list[Any] | None = None,
    ) -> None:
        """Keep the owner's loaded list (and its snapshot) in step with what was written."""
        meta = self.meta
        data = self.owner.__dict__
        if meta.name not in data or data[meta.name] is None:
            return
        items: list[Any] = list(data[meta.name])
        if replace is not None:
            items = []
            add = replace
        if remove:
            gone = list(remove)
            kept = []
            for item in items:
                link = self._link(item) if meta.kind == "m2a" else _key(item)
                if link in gone:
                    gone.remove(link)
                else:
                    kept.append(item)
            items = kept
        holds_models = meta.kind == "m2a" or any(_is_model(i) for i in items) or (
            not items and any(_is_model(i) for i in add or ()))
        for item in add or ():
            if holds_models and not _is_model(item):
                item = _stub(meta, item)
            elif not holds_models and _is_model(item):
                item = _key(item)
            items.append(item)
        data[meta.name] = items
        # Snapshot: the loaded items that the server links, with their junction keys.
        by_link: dict[Any, list[Any]] = {}
        for row in rows:
            jpk, link = self._row_link(row)
            by_link.setdefault(link, []).append(jpk)
        snapshot: list[Any] = []
        for item in items:
            link = self._link(item) if meta.kind == "m2a" else _key(item)
            jpks = by_link.get(link)
            if not jpks:
                continue
            jpk = jpks.pop(0)
            if meta.kind == "o2m":
                snapshot.append(link)
            elif meta.kind == "m2m":
                snapshot.append((jpk, link))
            else:
                snapshot.append((jpk, *link))
        state_of(self.owner).setdefault("rel", {})[meta.name] = snapshot
        if meta.through is not None:
            state_of(self.owner).get("through", {}).pop(meta.name, None)


@dataclass
class _Entries:
    create: list[Any] = field(default_factory=list)
    update: list[dict[str, Any]] = field(default_factory=list)
    creates: list[tuple[Any, Any]] = field(default_factory=list)
    nested: list[tuple[Model, Any]] = field(default_factory=list)
    journal: Journal = field(default_factory=dict)


def _coerce_key(model: type[Model], key: Any) -> Any:
    """A many-to-any junction stores keys as strings: validate one as the model's key."""
    instance = model._meta.validator("item").validate_python({model._meta.pk_field.api_name: key})
    return instance.__dict__.get(model._meta.primary_key, key)


def _stub(meta: FieldMeta, key: Any) -> Any:
    """A loaded instance that holds only its key (for a key added to a list of instances)."""
    target = meta.related
    assert target is not None
    instance = target._meta.validator("item").validate_python({target._meta.pk_field.api_name: key})
    target._meta.strip((instance,))
    return instance
