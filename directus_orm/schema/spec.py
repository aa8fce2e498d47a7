"""A plain description of a Directus schema: collections, fields, relations.

Both sides of every comparison are one of these: ``introspect`` reads it from
a server, ``declared`` derives it from model classes. ``inspect`` writes code
from it, ``check`` compares two, ``plan`` turns the difference into steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["GENERATED_SPECIALS", "CollectionSpec", "FieldSpec", "RelationSpec", "SchemaSpec"]

GENERATED_SPECIALS = frozenset(
    {"uuid", "date-created", "date-updated", "user-created", "user-updated", "role-created",
     "role-updated"}
)
"""``meta.special`` flags with which the server fills a field's value itself."""


@dataclass
class FieldSpec:
    """One field of a collection (``type="alias"`` for fields without a column)."""

    collection: str
    field: str
    type: str
    nullable: bool = True
    default: Any = None
    primary_key: bool = False
    auto_increment: bool = False
    unique: bool = False
    max_length: int | None = None
    precision: int | None = None
    scale: int | None = None
    special: tuple[str, ...] = ()
    interface: str | None = None
    note: str | None = None
    choices: tuple[Any, ...] | None = None
    hidden: bool = False
    accepts: tuple[str, ...] = ()
    """Declared fields: every Directus type the model's annotation can hold
    (``check`` accepts any of them; ``type`` is the one ``migrate`` creates)."""
    generated: bool = False
    """The server fills the value (auto-increment or uuid key, ``date-created``, ...)."""
    system: bool = False
    """A field of Directus itself (``meta.system``), not one added to a system collection."""

    @property
    def is_alias(self) -> bool:
        return self.type == "alias"


@dataclass
class CollectionSpec:
    """One collection with a table (folders are left out)."""

    name: str
    singleton: bool = False
    note: str | None = None
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    derived: bool = False
    """Declared schemas: a junction collection no model declares (made for a
    many-to-many or many-to-any)."""

    @property
    def primary_key(self) -> str | None:
        return next((f.field for f in self.fields.values() if f.primary_key), None)


@dataclass
class RelationSpec:
    """A Directus relation, stored on its many side (``collection.field`` holds the key)."""

    collection: str
    field: str
    related_collection: str | None
    one_field: str | None = None
    junction_field: str | None = None
    one_collection_field: str | None = None
    one_allowed_collections: tuple[str, ...] | None = None
    on_delete: str | None = None
    one_deselect_action: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.collection, self.field)


@dataclass
class SchemaSpec:
    """Collections by name and relations by ``(collection, field)``."""

    collections: dict[str, CollectionSpec] = field(default_factory=dict)
    relations: dict[tuple[str, str], RelationSpec] = field(default_factory=dict)
    directus: str | None = None
    """The server's Directus version, when read from one."""

    def relation(self, collection: str, field: str) -> RelationSpec | None:
        return self.relations.get((collection, field))

    def relations_of(self, collection: str) -> list[RelationSpec]:
        """Relations whose many side or one side is ``collection``."""
        return [
            r for r in self.relations.values()
            if r.collection == collection or r.related_collection == collection
        ]

    def one_side(self, collection: str, field: str) -> RelationSpec | None:
        """The relation whose alias field (``one_field``) is ``collection.field``."""
        for rel in self.relations.values():
            if rel.one_field == field and rel.related_collection == collection:
                return rel
        return None
