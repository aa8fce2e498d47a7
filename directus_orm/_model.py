"""Declarative models: pydantic v2 classes bound to a Directus collection.

``class Article(Model, collection="articles")`` declares fields as pydantic
fields. The class keywords are ``collection`` (default: the snake_case class
name), ``primary_key`` (default ``"id"``), ``singleton`` and ``endpoint`` (for
system collections served outside ``/items``). Pydantic's own config keywords
work too; ``extra="allow"`` keeps fields the server returns but the model does
not declare (in ``model_extra``), the default ``extra="ignore"`` drops them.

Objects read from the server are hydrated from the response bytes in one
pydantic-core pass. Fields the query did not fetch are *not loaded*: reading
one raises :class:`~directus_orm.FieldNotLoaded`, never a silent ``None``.
"""

from __future__ import annotations

import re
import sys
import threading
import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict
from pydantic_core import SchemaValidator
from pydantic_core import core_schema as cs

from ._exceptions import FieldError, FieldNotLoaded, MultipleObjectsReturned, ObjectDoesNotExist
from ._filters import FieldResolver, ResolvedField
from ._flow import Flow
from ._manager import Manager
from ._persistence import (
    _STATE,
    LoadedPage,
    changed_fields,
    delete_flow,
    from_db,
    note_assignment,
    refresh_flow,
    save_flow,
    state_of,
)
from ._relations import M2A, M2M, Key, after_load, key_of, relation_field_schema
from ._session import BaseSession, async_session, sync_session

if TYPE_CHECKING:
    from ._queryset import QuerySet

__all__ = ["FieldMeta", "M2AResolver", "Model", "ModelOptions", "ModelResolver"]

M = TypeVar("M", bound="Model")


class _NotLoaded:
    """Placeholder pydantic fills in for a field missing from a response; removed at once."""

    _instance: ClassVar[_NotLoaded | None] = None

    def __new__(cls) -> _NotLoaded:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<not loaded>"

    def __deepcopy__(self, memo: dict[int, Any]) -> _NotLoaded:
        return self


NOT_LOADED = _NotLoaded()

FieldKind = Literal["scalar", "json", "m2o", "o2m", "m2m", "m2a", "any"]


@dataclass(frozen=True)
class FieldMeta:
    """What the ORM knows of one model field."""

    name: str
    """The Python attribute name."""
    api_name: str
    """The Directus field name (the pydantic alias, if any)."""
    kind: FieldKind
    nullable: bool
    related: type[Model] | None
    """The model on the far side of a relation, when the annotation names one
    (for a many-to-many, the far model, not the junction)."""
    many: bool
    junction_field: str | None = None
    """Many-to-many: the junction's field pointing at the far model (``tags_id``)."""
    junction_pk: str | None = None
    """Many-to-many and many-to-any: the junction collection's primary key field."""
    targets: tuple[type[Model], ...] = ()
    """Many-to-any: the models the relation may point at."""
    spec: M2M | M2A | None = None
    """The ``M2M(...)``/``M2A(...)`` marker the field was declared with, if any."""
    through: type[Model] | None = None
    """Many-to-many: the junction model, when declared (``M2M(through=ArticleTag)``)."""


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _flatten_annotation(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        out: list[Any] = []
        for arg in get_args(annotation):
            out.extend(_flatten_annotation(arg))
        return out
    if origin is typing.Annotated:
        return _flatten_annotation(get_args(annotation)[0])
    return [annotation]


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, Model)


def _describe_field(
    owner: type[Model], name: str, api_name: str, annotation: Any, metadata: Sequence[Any] = ()
) -> FieldMeta:
    parts = _flatten_annotation(annotation)
    nullable = any(p is type(None) for p in parts)
    spec = next((m for m in metadata if isinstance(m, (M2M, M2A))), None)
    related: type[Model] | None = None
    targets: tuple[type[Model], ...] = ()
    many = False
    json_like = False
    for part in parts:
        origin = get_origin(part)
        if origin in (list, tuple, set, frozenset):
            args = get_args(part)
            inner = [a for a in _flatten_annotation(args[0] if args else Any) if a is not type(None)]
            models = tuple(a for a in inner if _is_model(a))
            if len(models) > 1 or (models and isinstance(spec, M2A)):
                targets, many = models, True
            elif models:
                related, many = models[0], True
            else:
                json_like = True
        elif origin is dict or part is dict or part is Any:
            json_like = True
        elif _is_model(part):
            related = part
    where = f"{owner.__name__}.{name}"
    if isinstance(spec, M2M):
        if related is None or not many:
            raise FieldError(f"{where}: M2M() needs a list of one model, like list[Tag] | list[int]")
        through = spec.through
        if isinstance(through, str):
            module = sys.modules.get(owner.__module__)
            through = getattr(module, through, None)
            if not _is_model(through):
                raise FieldError(f"{where}: M2M(through={spec.through!r}) names no model "
                                 f"in module {owner.__module__}")
        junction_field = spec.junction_field or f"{related._meta.collection}_id"
        return FieldMeta(name, api_name, "m2m", nullable, related, True,
                         junction_field=junction_field, junction_pk=spec.junction_pk,
                         spec=spec, through=through)
    if targets or isinstance(spec, M2A):
        if not targets:
            raise FieldError(f"{where}: M2A() needs a list of models, like list[Heading | Text]")
        m2a = spec if isinstance(spec, M2A) else M2A()
        return FieldMeta(name, api_name, "m2a", nullable, None, True,
                         junction_pk=m2a.junction_pk, targets=targets, spec=m2a)
    kind: FieldKind
    if related is not None:
        kind = "o2m" if many else "m2o"
    elif json_like:
        kind = "json"
    else:
        kind = "scalar"
    return FieldMeta(name, api_name, kind, nullable, related, many)


RELATION_KINDS = frozenset({"m2o", "o2m", "m2m", "m2a"})
TO_MANY_KINDS = frozenset({"o2m", "m2m", "m2a"})


class ModelOptions:
    """``Model._meta``: the collection, endpoint and field table of a model class."""

    def __init__(
        self,
        model: type[Model],
        *,
        collection: str,
        primary_key: str,
        singleton: bool,
        endpoint: str | None,
        read_only: bool,
    ) -> None:
        self.model = model
        self.collection = collection
        self.primary_key = primary_key
        self.singleton = singleton
        self.read_only = read_only
        self.endpoint = endpoint if endpoint is not None else f"items/{collection}"
        # Path segments: a collection name is one segment even if it holds a "/".
        self.endpoint_parts: tuple[str, ...] = (
            tuple(endpoint.split("/")) if endpoint is not None else ("items", collection)
        )
        self._fields: dict[str, FieldMeta] | None = None
        self._by_api: dict[str, FieldMeta] | None = None
        self._relational: tuple[FieldMeta, ...] | None = None
        self._to_many: tuple[FieldMeta, ...] | None = None
        self._validators: dict[str, SchemaValidator] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<ModelOptions {self.model.__name__} collection={self.collection!r}>"

    @property
    def fields(self) -> dict[str, FieldMeta]:
        """Python name → field metadata, in declaration order."""
        if self._fields is None:
            fields: dict[str, FieldMeta] = {}
            for name, info in self.model.model_fields.items():
                api = info.alias if isinstance(info.alias, str) else name
                fields[name] = _describe_field(self.model, name, api, info.annotation, info.metadata)
            self._by_api = {f.api_name: f for f in fields.values()}
            self._fields = fields
        return self._fields

    def by_api(self, api_name: str) -> FieldMeta | None:
        """The field whose Directus name is ``api_name``, if any."""
        self.fields  # noqa: B018 (builds the tables)
        assert self._by_api is not None
        return self._by_api.get(api_name)

    def field(self, name: str) -> FieldMeta:
        """The field called ``name`` (Python name, Directus name, or ``pk``)."""
        fields = self.fields
        if name == "pk":
            name = self.primary_key
        meta = fields.get(name)
        if meta is None and self._by_api is not None:
            meta = self._by_api.get(name)
        if meta is None:
            known = ", ".join(fields)
            raise FieldError(
                f"{self.model.__name__} has no field {name!r} (fields: {known})"
            )
        return meta

    @property
    def pk_field(self) -> FieldMeta:
        return self.field(self.primary_key)

    @property
    def relational(self) -> tuple[FieldMeta, ...]:
        """The relation fields (many-to-one, one-to-many, many-to-many, many-to-any)."""
        if self._relational is None:
            self._relational = tuple(f for f in self.fields.values() if f.kind in RELATION_KINDS)
        return self._relational

    @property
    def to_many(self) -> tuple[FieldMeta, ...]:
        """The one-to-many, many-to-many and many-to-any fields."""
        if self._to_many is None:
            self._to_many = tuple(f for f in self.relational if f.kind in TO_MANY_KINDS)
        return self._to_many

    @property
    def json_api_fields(self) -> tuple[tuple[str, str], ...]:
        """``(python name, Directus name)`` of the JSON fields."""
        fields = self.fields
        return tuple((name, fields[name].api_name) for name in self.json_fields)

    @property
    def json_fields(self) -> tuple[str, ...]:
        """Fields whose values can change in place (JSON objects and lists)."""
        return tuple(f.name for f in self.fields.values() if f.kind == "json")

    # ------------------------------------------------------------ hydration

    def validator(self, shape: Literal["list", "one", "item"]) -> SchemaValidator:
        """A validator for ``{"data": [...]}``, ``{"data": {...}}`` or a bare item.

        Fields absent from the input are allowed (filled with a placeholder that
        :meth:`strip` removes), so partial responses still become models.
        """
        validator = self._validators.get(shape)
        if validator is None:
            with self._lock:
                validator = self._validators.get(shape)
                if validator is None:
                    validator = _build_validator(self.model, shape)
                    self._validators[shape] = validator
        return validator

    def strip(self, objs: Iterable[Model], raw: bytes | None = None) -> None:
        """Mark fields that were not in the response as not loaded (in place).

        ``raw`` is the response body the objects came from (``{"data": ...}``);
        with it, loading keeps no copy of JSON fields until an object is touched.
        """
        # The hot path of every read: as little Python per object as possible.
        count = len(self.fields)
        items = objs if isinstance(objs, list) else list(objs)
        for obj in items:
            if len(obj.__pydantic_fields_set__) != count:
                _strip_one(obj)
        if not items:
            return
        page = LoadedPage(items, self.json_api_fields, raw)
        shared = page.shared
        set_private = object.__setattr__
        for obj in items:
            private = obj.__pydantic_private__
            if private is None:
                set_private(obj, "__pydantic_private__", shared)
            else:  # the model declares private attributes: keep its own dict
                private[_STATE] = page
        relational = self.relational
        if not relational:
            return
        # Expanded many-to-one items: stripped together, per related model.
        for meta in relational:
            if meta.kind == "m2o":
                name = meta.name
                nested = [v for v in (o.__dict__.get(name) for o in items) if isinstance(v, Model)]
                by_model: dict[type[Model], list[Model]] = {}
                for value in nested:
                    by_model.setdefault(type(value), []).append(value)
                for model, group in by_model.items():
                    model._meta.strip(group)
        # To-many lists need their own per-object snapshot (what writes diff against).
        to_many = tuple(meta for meta in relational if meta.kind != "m2o")
        if to_many:
            for obj in items:
                data = obj.__dict__
                if any(data.get(meta.name) is not None for meta in to_many):
                    after_load(obj, to_many, state_of(obj))


def _strip_one(obj: Model) -> None:
    # Fields missing from the response hold NOT_LOADED or their default; the
    # fields set by validation are exactly those the server sent.
    data = obj.__dict__
    loaded = obj.__pydantic_fields_set__
    for name in [n for n in data if n not in loaded]:
        del data[name]


def _partial_schema(schema: Any, models: set[type[Model]]) -> Any:
    """Copy a core schema so every field of every Model in it becomes optional.

    Many-to-many and many-to-any fields get the shape Directus sends for them
    (junction rows), which hydration then turns into the declared lists.
    """
    if isinstance(schema, list):
        return [_partial_schema(item, models) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _partial_schema(value, models) for key, value in schema.items()}
    if out.get("type") == "model":
        cls = out.get("cls")
        if isinstance(cls, type) and issubclass(cls, Model):
            models.add(cls)
            inner = out.get("schema")
            if isinstance(inner, dict) and inner.get("type") == "model-fields":
                for name, field in inner["fields"].items():
                    if field["schema"].get("type") != "default":
                        field["schema"] = cs.with_default_schema(
                            field["schema"], default=NOT_LOADED
                        )
                    meta = cls._meta.fields.get(name)
                    if meta is not None and meta.kind in ("m2m", "m2a"):
                        field["schema"] = relation_field_schema(meta, field["schema"])
    return out


def _build_validator(model: type[Model], shape: str) -> SchemaValidator:
    models: set[type[Model]] = set()
    schema = _partial_schema(model.__pydantic_core_schema__, models)
    definitions: list[Any] | None = None
    if schema.get("type") == "definitions":
        definitions = schema["definitions"]
        schema = schema["schema"]
    meta = cs.typed_dict_field(cs.any_schema(), required=False)
    if shape == "list":
        top: Any = cs.typed_dict_schema(
            {"data": cs.typed_dict_field(cs.list_schema(schema)), "meta": meta}
        )
    elif shape == "one":
        top = cs.typed_dict_schema(
            {"data": cs.typed_dict_field(cs.nullable_schema(schema)), "meta": meta}
        )
    else:
        top = schema
    if definitions is not None:
        top = cs.definitions_schema(top, definitions)
    # pydantic-core reuses a finished class's own validator for "model" nodes,
    # which would bring back the required fields; mark the classes unfinished
    # while the partial validator is built.
    saved = [(cls, cls.__dict__.get("__pydantic_complete__")) for cls in models]
    try:
        for cls, _ in saved:
            type.__setattr__(cls, "__pydantic_complete__", False)
        return SchemaValidator(top)
    finally:
        for cls, value in saved:
            type.__setattr__(cls, "__pydantic_complete__", value)


class Model(BaseModel):
    """Base class of Directus models.

    ``Article.objects`` is a :class:`~directus_orm.QuerySet` over the collection;
    ``Article.DoesNotExist`` and ``Article.MultipleObjectsReturned`` are the
    model's own exception classes; ``obj.pk`` is the primary key.
    """

    model_config = ConfigDict(
        populate_by_name=True,
        extra="ignore",
        ignored_types=(Manager, Key),
    )

    _meta: ClassVar[ModelOptions]
    objects = Manager()
    DoesNotExist: ClassVar[type[ObjectDoesNotExist]] = ObjectDoesNotExist
    MultipleObjectsReturned: ClassVar[type[MultipleObjectsReturned]] = MultipleObjectsReturned

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The class keywords (collection=..., ...) are read once pydantic has
        # built the fields, in __pydantic_init_subclass__.
        super().__init_subclass__()

    @classmethod
    def __pydantic_init_subclass__(
        cls,
        *,
        collection: str | None = None,
        primary_key: str | None = None,
        singleton: bool | None = None,
        endpoint: str | None = None,
        read_only: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        parent: ModelOptions | None = next(
            (b.__dict__["_meta"] for b in cls.__mro__[1:] if "_meta" in b.__dict__), None
        )
        inherited = parent is not None and collection is None
        meta = ModelOptions(
            cls,
            collection=collection
            or (parent.collection if inherited and parent else _snake_case(cls.__name__)),
            primary_key=primary_key or (parent.primary_key if parent else "id"),
            singleton=singleton if singleton is not None else bool(parent and parent.singleton),
            endpoint=endpoint or (parent.endpoint if inherited and parent else None),
            read_only=read_only if read_only is not None else bool(parent and parent.read_only),
        )
        type.__setattr__(cls, "_meta", meta)
        if meta.primary_key not in cls.model_fields:
            raise FieldError(
                f"{cls.__name__}: the primary key {meta.primary_key!r} is not a field; "
                f"declare it (e.g. `{meta.primary_key}: int | None = None`) or pass "
                "primary_key=... in the class keywords"
            )
        # Model-specific exception classes, as in Django.
        for attr, base in (
            ("DoesNotExist", ObjectDoesNotExist),
            ("MultipleObjectsReturned", MultipleObjectsReturned),
        ):
            parents = tuple(
                getattr(b, attr) for b in cls.__bases__ if issubclass(b, Model) and b is not Model
            ) or (base,)
            exc = type(attr, parents, {"__module__": cls.__module__,
                                       "__qualname__": f"{cls.__qualname__}.{attr}"})
            type.__setattr__(cls, attr, exc)

    @property
    def pk(self) -> Any:
        """The primary key value (``None`` for an unsaved object)."""
        return getattr(self, type(self)._meta.primary_key)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: a declared field missing from
        # __dict__ was not fetched by the query.
        cls = type(self)
        if name in cls.model_fields:
            raise FieldNotLoaded(
                f"{cls.__name__}.{name} was not loaded: the query did not fetch it. "
                f"Add it with .fields(...) or call refresh_from_db()"
            )
        if name.endswith("_id") and not name.startswith("_"):
            # ``article.author_id``: the key of a many-to-one, loaded or not expanded.
            meta = cls._meta.fields.get(name[:-3])
            if meta is not None and meta.kind == "m2o":
                return key_of(getattr(self, meta.name), f"{cls.__name__}.{meta.name}")
        return super().__getattr__(name)  # type: ignore[misc]

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        data = self.__dict__
        for name, info in type(self).model_fields.items():
            if name in data and info.repr:
                yield name, data[name]
        if self.__pydantic_extra__:
            yield from self.__pydantic_extra__.items()

    def __eq__(self, other: object) -> bool:
        # Value equality, as in pydantic, but blind to the ORM's bookkeeping
        # (where an object was loaded from, what changed since).
        if not isinstance(other, BaseModel) or type(other) is not type(self):
            return NotImplemented
        return (
            self.__dict__ == other.__dict__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, like pydantic models

    def __setattr__(self, name: str, value: Any) -> None:
        if name in type(self).model_fields and from_db(self):
            note_assignment(self, name)
        super().__setattr__(name, value)

    # The flows behind save/delete/refresh_from_db and their a-twins: a model
    # whose items live at other routes overrides these, not the six methods.
    def _save_flow(
        self, session: BaseSession, force_insert: bool, update_fields: Sequence[str] | None
    ) -> Flow[bool]:
        return save_flow(self, session, force_insert=force_insert, update_fields=update_fields)

    def _delete_flow(self, session: BaseSession) -> Flow[None]:
        return delete_flow(self, session)

    def _refresh_flow(self, session: BaseSession, fields: Sequence[str] | None) -> Flow[None]:
        return refresh_flow(self, session, fields)

    @property
    def changed_fields(self) -> list[str]:
        """Fields that ``save()`` would send (all set fields for a new object)."""
        return changed_fields(self)

    def save(
        self,
        *,
        force_insert: bool = False,
        update_fields: Sequence[str] | None = None,
        using: BaseSession | None = None,
    ) -> bool:
        """Create (POST) a new object, or PATCH the changed fields of a loaded one.

        A loaded object sends only the fields that changed since it was read or
        saved, or exactly ``update_fields``; with nothing changed nothing is
        sent. Afterwards the object holds what the server returned (generated
        key, defaults, dates). Returns whether a request was sent.
        """
        session = sync_session(using, "save")
        return session._run(self._save_flow(session, force_insert, update_fields))

    async def asave(
        self,
        *,
        force_insert: bool = False,
        update_fields: Sequence[str] | None = None,
        using: BaseSession | None = None,
    ) -> bool:
        """Async :meth:`save`."""
        session = async_session(using, "save")
        return await session._arun(self._save_flow(session, force_insert, update_fields))

    def delete(self, *, using: BaseSession | None = None) -> None:
        """DELETE this item; the object keeps its data, without a primary key."""
        session = sync_session(using, "delete")
        session._run(self._delete_flow(session))

    async def adelete(self, *, using: BaseSession | None = None) -> None:
        """Async :meth:`delete`."""
        session = async_session(using, "delete")
        await session._arun(self._delete_flow(session))

    def refresh_from_db(
        self, fields: Sequence[str] | None = None, *, using: BaseSession | None = None
    ) -> None:
        """Reload all fields (or ``fields``) from the server, discarding local changes."""
        session = sync_session(using, "refresh_from_db")
        session._run(self._refresh_flow(session, fields))

    async def arefresh_from_db(
        self, fields: Sequence[str] | None = None, *, using: BaseSession | None = None
    ) -> None:
        """Async :meth:`refresh_from_db`."""
        session = async_session(using, "refresh_from_db")
        await session._arun(self._refresh_flow(session, fields))

    @property
    def loaded_fields(self) -> frozenset[str]:
        """The names of the fields this object holds (fetched or assigned)."""
        return frozenset(n for n in type(self).model_fields if n in self.__dict__)

    @classmethod
    def _queryset(cls: type[M]) -> QuerySet[M]:
        from ._queryset import QuerySet

        return QuerySet(cls)


class ModelResolver:
    """Answers the filter compiler's questions about a model's fields."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model

    @property
    def model_name(self) -> str:
        return self.model.__name__

    def resolve(self, name: str) -> ResolvedField:
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
