"""Relation declarations (``M2M``, ``M2A``, ``Key``) and the keys of related values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from pydantic_core import core_schema as cs

from ..._core.exceptions import FieldError, FieldNotLoaded
from ..state import is_model

if TYPE_CHECKING:
    from ..model import Model
    from ..options import FieldMeta

K = TypeVar("K")


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


class Expanded(Generic[K]):
    """A typed accessor for the related item of a many-to-one, once it was expanded.

    ::

        class Article(Model):
            author: Author | int | None = None
            writer = Expanded[Author | None]("author")   # typed Author | None

        article = Article.objects.select_related("author").get(pk=1)
        article.writer.name                              # no isinstance() needed

    Reading it never does I/O: when ``author`` holds only a key (not expanded),
    it raises ``FieldNotLoaded`` naming ``select_related("author")``; ``None``
    (no related item) comes back as ``None``.
    """

    def __init__(self, field: str) -> None:
        self.field = field
        self.name = field

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Expanded({self.field!r})"

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> Expanded[K]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any]) -> K: ...
    def __get__(self, instance: object | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        cls = type(instance)
        meta = cls._meta.field(self.field)  # type: ignore[attr-defined]
        if meta.kind != "m2o":
            raise FieldError(f"{cls.__name__}.{self.name}: {meta.name!r} is not a many-to-one field")
        value = getattr(instance, meta.name)
        if value is None or is_model(value):
            return value
        raise FieldNotLoaded(
            f"{cls.__name__}.{meta.name} holds the key {value!r}, not the related item: "
            f"load it with select_related({meta.name!r})"
        )


def key_of(value: Any, where: str) -> Any:
    if is_model(value):
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


def _coerce_key(model: type[Model], key: Any) -> Any:
    """A many-to-any junction stores keys as strings: validate one as the model's key."""
    instance = model._meta.validator("item").validate_python({model._meta.pk_field.api_name: key})
    return instance.__dict__.get(model._meta.primary_key, key)
