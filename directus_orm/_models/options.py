"""``Model._meta``: a model's collection, endpoint, field table and its pydantic validators."""

from __future__ import annotations

import re
import sys
import threading
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeGuard, Union, get_args, get_origin

from pydantic_core import SchemaValidator
from pydantic_core import ValidationError as PydanticValidationError
from pydantic_core import core_schema as cs

from .._core.exceptions import FieldError, ValidationError, register_secret_field
from .._query.lookups import RELATION_KINDS, TO_MANY_KINDS, FieldKind
from .relations.fields import M2A, M2M, relation_field_schema
from .relations.loaded import after_load
from .state import _STATE, LoadedPage, is_model, state_of

if TYPE_CHECKING:
    from .model import Model


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


def _is_model(value: Any) -> TypeGuard[type[Model]]:
    """Whether ``value`` is a model class (known by its options, so no import of Model)."""
    return isinstance(value, type) and isinstance(value.__dict__.get("_meta"), ModelOptions)


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
                extra = info.json_schema_extra
                if isinstance(extra, dict) and extra.get("secret"):
                    register_secret_field(api)  # never quoted in an error
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

    def key_field(self, name: str) -> FieldMeta | None:
        """The many-to-one that ``name`` is the key of (``author_id``), if it is one."""
        if not name.endswith("_id") or name in self.fields or self.by_api(name) is not None:
            return None
        meta = self.fields.get(name[:-3]) or self.by_api(name[:-3])
        return meta if meta is not None and meta.kind == "m2o" else None

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

    # ------------------------------------------------------------ writes

    def check_values(self, values: Mapping[str, Any]) -> None:
        """Check values (by Python field name) against the field types before a write.

        Raises :class:`~directus_orm.ValidationError` naming every field whose value the
        model's type rejects (a choice its ``Literal`` lacks, text for a number), so that
        nothing is written that no read could load again. Relation fields are not checked.
        One pass of the model's own item validator (fields left out stay unchecked).
        """
        fields = self.fields
        item = {
            fields[name].api_name: value
            for name, value in values.items()
            if name in fields and fields[name].kind not in RELATION_KINDS
        }
        if not item:
            return
        try:
            self.validator("item").validate_python(item)
        except PydanticValidationError as error:
            problems: dict[str, str] = {}
            for detail in error.errors():
                loc = detail.get("loc") or ()
                if not loc or not isinstance(loc[0], str):
                    continue
                found = self.by_api(loc[0])
                name = found.name if found is not None else loc[0]
                problems.setdefault(name, str(detail.get("msg", "invalid value")))
            if not problems:
                raise ValidationError(
                    f"{self.model.__name__}: the values do not fit the model. Nothing was sent",
                    model=self.model.__name__,
                ) from None
            detail_text = "; ".join(f"{name}: {msg}" for name, msg in problems.items())
            raise ValidationError(
                f"{self.model.__name__}: invalid value for field(s) {list(problems)} "
                f"({detail_text}). Nothing was sent",
                model=self.model.__name__,
                fields=list(problems),
            ) from None

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
                nested = [v for v in (o.__dict__.get(name) for o in items) if is_model(v)]
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


def epoch_to_naive(value: Any) -> Any:
    """A number where a date-time was expected: milliseconds since the epoch, naive UTC.

    Directus 12.4 on SQLite sends a date-time at 1970-01-01T00:00:00 as the number
    ``0`` (every other ``dateTime`` value as a naive ISO string); pydantic would read
    a number as an aware datetime, which then cannot be compared with the others.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime(1970, 1, 1) + timedelta(milliseconds=value)
    return value


def epoch_to_aware(value: Any) -> Any:
    """As :func:`epoch_to_naive`, in UTC, for fields declared ``AwareDatetime``.

    A ``timestamp`` field comes back aware (``...Z``), and at the epoch as ``0`` too.
    """
    value = epoch_to_naive(value)
    return value.replace(tzinfo=timezone.utc) if isinstance(value, datetime) else value


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
    if out.get("type") == "datetime":
        # Strings take the first branch (strict: parsed in Rust, no Python call per
        # value); a number fails it and is read by epoch_to_naive.
        epoch = epoch_to_aware if out.get("tz_constraint") == "aware" else epoch_to_naive
        return cs.union_schema(
            [{**out, "strict": True}, cs.no_info_before_validator_function(epoch, out)],
            mode="left_to_right",
        )
    if out.get("type") == "model":
        cls = out.get("cls")
        if _is_model(cls):
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
