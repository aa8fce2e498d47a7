"""Directus's system collections as typed, extendable models.

``DirectusUser``, ``DirectusFile``, ``DirectusRole``, ... bind the ``directus_*``
collections; subclass one to add your own fields. :data:`SYSTEM_MODELS` lists them all.
The same names (but ``SYSTEM_MODELS``) are importable from ``directus_orm`` itself.
"""

from ._system.info import (
    CollectionMetaInfo,
    CollectionSchemaInfo,
    FieldMetaInfo,
    FieldSchemaInfo,
    RelationMetaInfo,
    RelationSchemaInfo,
)
from ._system.models import (
    SYSTEM_MODELS,
    DirectusAccess,
    DirectusActivity,
    DirectusCollection,
    DirectusComment,
    DirectusDashboard,
    DirectusField,
    DirectusFile,
    DirectusFlow,
    DirectusFolder,
    DirectusNotification,
    DirectusOperation,
    DirectusPanel,
    DirectusPermission,
    DirectusPolicy,
    DirectusPreset,
    DirectusRelation,
    DirectusRevision,
    DirectusRole,
    DirectusSettings,
    DirectusShare,
    DirectusTranslation,
    DirectusUser,
    DirectusVersion,
)
from ._system.querysets import (
    PermissionQuerySet,
    SchemaQuerySet,
)

__all__ = [
    "CollectionMetaInfo",
    "CollectionSchemaInfo",
    "DirectusAccess",
    "DirectusActivity",
    "DirectusCollection",
    "DirectusComment",
    "DirectusDashboard",
    "DirectusField",
    "DirectusFile",
    "DirectusFlow",
    "DirectusFolder",
    "DirectusNotification",
    "DirectusOperation",
    "DirectusPanel",
    "DirectusPermission",
    "DirectusPolicy",
    "DirectusPreset",
    "DirectusRelation",
    "DirectusRevision",
    "DirectusRole",
    "DirectusSettings",
    "DirectusShare",
    "DirectusTranslation",
    "DirectusUser",
    "DirectusVersion",
    "FieldMetaInfo",
    "FieldSchemaInfo",
    "PermissionQuerySet",
    "RelationMetaInfo",
    "RelationSchemaInfo",
    "SYSTEM_MODELS",
    "SchemaQuerySet",
]
