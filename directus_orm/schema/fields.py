"""``FieldOptions``: what a Python type cannot say about a Directus field.

Used in ``Annotated`` on a model field; the ORM's reads and writes ignore it,
``directus_orm.schema`` reads it to create, migrate and check the schema::

    from typing import Annotated
    from directus_orm.schema import FieldOptions

    class Article(Model, collection="articles"):
        id: int | None = None
        title: Annotated[str, FieldOptions(unique=True, max_length=200, note="Shown in lists")]
        body: Annotated[str | None, FieldOptions(type="text")] = None
        author: Annotated[Author | int | None, FieldOptions(on_delete="CASCADE")] = None

This module imports nothing from the rest of the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["FieldOptions", "OnDelete"]

OnDelete = Literal["SET NULL", "CASCADE", "NO ACTION", "RESTRICT", "SET DEFAULT"]


@dataclass(frozen=True)
class FieldOptions:
    """Directus field metadata that the annotation does not carry.

    Every attribute is optional; ``None`` means "what the type implies" (see
    ``directus_orm.schema.types``).
    """

    type: str | None = None
    """The Directus type when the Python type allows several (``"text"`` for a
    ``str``, ``"dateTime"`` for a naive ``datetime``, ``"bigInteger"``,
    ``"hash"``, ``"uuid"`` for a ``str`` key)."""
    interface: str | None = None
    """The Studio interface (``"input-rich-text-html"``, ``"select-dropdown"``)."""
    note: str | None = None
    """The help text the Studio shows under the field."""
    unique: bool = False
    """A unique index on the column."""
    max_length: int | None = None
    """The column length of a ``string`` (Directus's default is 255)."""
    precision: int | None = None
    """Total digits of a ``decimal`` (Directus's default is 10)."""
    scale: int | None = None
    """Digits after the point of a ``decimal`` (Directus's default is 5)."""
    default: Any = None
    """A database default, when it differs from the Python default (or there is none)."""
    choices: tuple[Any, ...] | None = None
    """Dropdown choices (values), stored in the field's interface options."""
    hidden: bool = False
    """Hidden in the Studio's item page."""
    on_delete: OnDelete | None = None
    """Many-to-one: what deleting the related item does to this column
    (default ``"SET NULL"``)."""
    one_deselect_action: Literal["nullify", "delete"] | None = None
    """One-to-many, many-to-many and many-to-any: what removing an item from the
    list does to the child or junction row (default ``"nullify"`` for a
    one-to-many, ``"delete"`` for a junction row)."""
    junction: str | None = None
    """Many-to-many and many-to-any: the junction collection's name (default
    ``<collection>_<related collection>`` for a many-to-many,
    ``<collection>_<field>`` for a many-to-any), unless ``M2M(through=...)``
    names a junction model."""
    related_field: str | None = None
    """One-to-many: the foreign key on the child (default: the child model's
    only many-to-one field to this model). Many-to-many: the junction's field
    pointing back at this collection (default ``<collection>_id``)."""
