"""Typed ``meta``/``schema`` parts of collections, fields and relations."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

# ============================================ schema: collections, fields, relations


class _Info(BaseModel):
    """An open object: known keys typed, unknown ones kept (``model_extra``)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    @model_serializer(mode="wrap")
    def _only_set(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Send back only what the server sent or you set: a PATCH of a field's
        # meta must not turn every unmentioned key into null.
        data: dict[str, Any] = handler(self)
        keep = self.model_fields_set | set(self.model_extra or {})
        return {k: v for k, v in data.items() if k in keep}


class CollectionMetaInfo(_Info):
    """``meta`` of a collection: its ``directus_collections`` row (``None`` for a
    database-only table)."""

    collection: str | None = None
    icon: str | None = None
    note: str | None = None
    display_template: str | None = None
    hidden: bool | None = None
    singleton: bool | None = None
    translations: list[dict[str, Any]] | None = None
    archive_field: str | None = None
    archive_app_filter: bool | None = None
    archive_value: str | None = None
    unarchive_value: str | None = None
    sort_field: str | None = None
    accountability: str | None = None
    color: str | None = None
    item_duplication_fields: list[str] | None = None
    sort: int | None = None
    group: str | None = None
    collapse: str | None = None
    preview_url: str | None = None
    versioning: bool | None = None
    status: str | None = None
    """``active`` or ``inactive`` (set by the license; inactive collections answer 403)."""
    autosave_revision_interval: float | None = None
    system: bool | None = None


class CollectionSchemaInfo(_Info):
    """``schema`` of a collection: the database table (``None`` for a folder)."""

    name: str | None = None
    comment: str | None = None
    sql: str | None = None
    """The ``CREATE TABLE`` statement (SQLite only)."""


class FieldMetaInfo(_Info):
    """``meta`` of a field: its ``directus_fields`` row."""

    id: int | None = None
    collection: str | None = None
    field: str | None = None
    special: list[str] | None = None
    interface: str | None = None
    options: dict[str, Any] | None = None
    display: str | None = None
    display_options: dict[str, Any] | None = None
    readonly: bool | None = None
    hidden: bool | None = None
    sort: int | None = None
    width: str | None = None
    translations: list[dict[str, Any]] | None = None
    note: str | None = None
    conditions: list[dict[str, Any]] | None = None
    required: bool | None = None
    group: str | None = None
    validation: dict[str, Any] | None = None
    validation_message: str | None = None
    searchable: bool | None = None
    system: bool | None = None


class FieldSchemaInfo(_Info):
    """``schema`` of a field: the database column (``None`` for an alias field)."""

    name: str | None = None
    table: str | None = None
    data_type: str | None = None
    default_value: Any = None
    max_length: int | None = None
    numeric_precision: int | None = None
    numeric_scale: int | None = None
    is_generated: bool | None = None
    generation_expression: str | None = None
    is_nullable: bool | None = None
    is_unique: bool | None = None
    is_indexed: bool | None = None
    is_primary_key: bool | None = None
    has_auto_increment: bool | None = None
    foreign_key_column: str | None = None
    foreign_key_table: str | None = None
    comment: str | None = None


class RelationMetaInfo(_Info):
    """``meta`` of a relation: its ``directus_relations`` row."""

    id: int | None = None
    many_collection: str | None = None
    many_field: str | None = None
    one_collection: str | None = None
    one_field: str | None = None
    one_collection_field: str | None = None
    one_allowed_collections: list[str] | None = None
    one_deselect_action: str | None = None
    junction_field: str | None = None
    sort_field: str | None = None
    system: bool | None = None


class RelationSchemaInfo(_Info):
    """``schema`` of a relation: the foreign key constraint (``None`` without one)."""

    table: str | None = None
    column: str | None = None
    foreign_key_table: str | None = None
    foreign_key_column: str | None = None
    constraint_name: str | None = None
    on_update: str | None = None
    on_delete: str | None = None
