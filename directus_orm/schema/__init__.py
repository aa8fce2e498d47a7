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

from .declared import ModelError, declared_schema, load_models
from .drift import Drift, DriftKind, acheck, check, compare
from .fields import FieldOptions, OnDelete
from .inspect import ainspect, inspect, render_models
from .introspect import aread_schema, read_schema
from .migrate import MigrationError, amigrate, migrate
from .plan import Plan, Step, make_plan
from .spec import CollectionSpec, FieldSpec, RelationSpec, SchemaSpec
from .types import TYPES, TypeRow

__all__ = [
    "TYPES",
    "CollectionSpec",
    "Drift",
    "DriftKind",
    "FieldOptions",
    "FieldSpec",
    "MigrationError",
    "ModelError",
    "OnDelete",
    "Plan",
    "RelationSpec",
    "SchemaSpec",
    "Step",
    "TypeRow",
    "acheck",
    "ainspect",
    "amigrate",
    "aread_schema",
    "check",
    "compare",
    "declared_schema",
    "inspect",
    "load_models",
    "make_plan",
    "migrate",
    "read_schema",
    "render_models",
]
