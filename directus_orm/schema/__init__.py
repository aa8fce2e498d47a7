"""Models and the server's schema as one truth.

* :func:`inspect` writes ``Model`` classes from a live server's schema;
* :func:`check` lists where models and server disagree (:class:`Drift`);
* :func:`migrate` creates the missing collections, fields and relations from
  models (:class:`Plan`), never dropping anything without ``allow_delete``;
* :class:`FieldOptions` carries what a type cannot say (``unique``,
  ``max_length``, ``note``, a relation's ``on_delete``, ...).

Each has an ``a``-twin for ``AsyncSession``. The command line
``directus-orm inspect|check|migrate`` wraps them.
"""

from __future__ import annotations

from .fields import FieldOptions, OnDelete
from .inspect import ainspect, inspect, render_models
from .introspect import aread_schema, read_schema
from .spec import CollectionSpec, FieldSpec, RelationSpec, SchemaSpec
from .types import TYPES, TypeRow

__all__ = [
    "TYPES",
    "CollectionSpec",
    "FieldOptions",
    "FieldSpec",
    "OnDelete",
    "RelationSpec",
    "SchemaSpec",
    "TypeRow",
    "ainspect",
    "aread_schema",
    "inspect",
    "read_schema",
    "render_models",
]
