"""Collections, fields, relations and schema snapshot/diff/apply, as services."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from .._core.flow import Flow
from .._core.request import Call, path_of
from .._core.version import require
from .._models.hydrate import hydrate_many, hydrate_one
from .._system.models import (
    DirectusCollection,
    DirectusField,
    DirectusRelation,
)
from .common import _data, _json
from .server import ServerFlows

if TYPE_CHECKING:
    from .._transport.session import AsyncDriver, BaseSession, SyncDriver


# ====================================================== collections, fields, relations


def _field_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(spec)
    # SQLite: a timestamp or json field created inside POST /collections without a
    # meta object fails validation; an empty meta is harmless everywhere.
    if out.get("meta") is None and out.get("type") != "alias":
        out["meta"] = {}
    return out


class SchemaFlows:
    """``/collections``, ``/fields``, ``/relations`` and ``/schema``."""

    def __init__(self, session: BaseSession) -> None:
        self._session = session

    # collections
    def collections(self) -> Flow[list[DirectusCollection]]:
        response = yield from self._session.response_flow(Call("GET", "/collections"))
        return hydrate_many(DirectusCollection, response.content)

    def collection(self, name: str) -> Flow[DirectusCollection]:
        response = yield from self._session.response_flow(Call("GET", path_of("collections", name)))
        obj = hydrate_one(DirectusCollection, response.content)
        if obj is None:
            raise DirectusCollection.DoesNotExist(f"no collection {name!r}")
        return obj

    def create_collection(
        self, name: str, fields: Sequence[Mapping[str, Any]], meta: Mapping[str, Any] | None,
        schema: Mapping[str, Any] | None,
    ) -> Flow[DirectusCollection | None]:
        body: dict[str, Any] = {"collection": name, "meta": dict(meta) if meta is not None else None,
                                "schema": dict(schema) if schema is not None else None}
        if fields:
            body["fields"] = [_field_spec(f) for f in fields]
        response = yield from self._session.response_flow(_json("POST", "/collections", body))
        return hydrate_one(DirectusCollection, response.content)

    def update_collection(self, name: str, meta: Mapping[str, Any]) -> Flow[DirectusCollection | None]:
        response = yield from self._session.response_flow(
            _json("PATCH", path_of("collections", name), {"meta": dict(meta)})
        )
        return hydrate_one(DirectusCollection, response.content)

    def delete_collection(self, name: str) -> Flow[None]:
        yield from self._session.response_flow(Call("DELETE", path_of("collections", name)))
        return None

    # fields
    def fields(self, collection: str | None) -> Flow[list[DirectusField]]:
        path = path_of("fields", collection) if collection else "/fields"
        response = yield from self._session.response_flow(Call("GET", path))
        return hydrate_many(DirectusField, response.content)

    def field(self, collection: str, field: str) -> Flow[DirectusField]:
        response = yield from self._session.response_flow(
            Call("GET", path_of("fields", collection, field))
        )
        obj = hydrate_one(DirectusField, response.content)
        if obj is None:
            raise DirectusField.DoesNotExist(f"no field {collection}.{field}")
        return obj

    def create_field(self, collection: str, spec: Mapping[str, Any]) -> Flow[DirectusField | None]:
        response = yield from self._session.response_flow(
            _json("POST", path_of("fields", collection), dict(spec))
        )
        return hydrate_one(DirectusField, response.content)

    def update_field(
        self, collection: str, field: str, spec: Mapping[str, Any]
    ) -> Flow[DirectusField | None]:
        response = yield from self._session.response_flow(
            _json("PATCH", path_of("fields", collection, field), dict(spec))
        )
        return hydrate_one(DirectusField, response.content)

    def delete_field(self, collection: str, field: str) -> Flow[None]:
        yield from self._session.response_flow(Call("DELETE", path_of("fields", collection, field)))
        return None

    # relations
    def relations(self, collection: str | None) -> Flow[list[DirectusRelation]]:
        path = path_of("relations", collection) if collection else "/relations"
        response = yield from self._session.response_flow(Call("GET", path))
        return hydrate_many(DirectusRelation, response.content)

    def relation(self, collection: str, field: str) -> Flow[DirectusRelation]:
        response = yield from self._session.response_flow(
            Call("GET", path_of("relations", collection, field))
        )
        obj = hydrate_one(DirectusRelation, response.content)
        if obj is None:
            raise DirectusRelation.DoesNotExist(f"no relation on {collection}.{field}")
        return obj

    def create_relation(self, spec: Mapping[str, Any]) -> Flow[DirectusRelation | None]:
        response = yield from self._session.response_flow(_json("POST", "/relations", dict(spec)))
        return hydrate_one(DirectusRelation, response.content)

    def update_relation(
        self, collection: str, field: str, spec: Mapping[str, Any]
    ) -> Flow[DirectusRelation | None]:
        body = dict(spec)
        # Directus 11 reads collection, field and related_collection from the PATCH body (12
        # reads the stored relation): without them its process dies on any relation update
        # (an uncaught TypeError in RelationsService.alterType). Send the stored ones.
        body.setdefault("collection", collection)
        body.setdefault("field", field)
        if "related_collection" not in body:
            existing = yield from self.relation(collection, field)
            if existing.related_collection is not None:
                body["related_collection"] = existing.related_collection
        response = yield from self._session.response_flow(
            _json("PATCH", path_of("relations", collection, field), body)
        )
        return hydrate_one(DirectusRelation, response.content)

    def delete_relation(self, collection: str, field: str) -> Flow[None]:
        yield from self._session.response_flow(
            Call("DELETE", path_of("relations", collection, field))
        )
        return None

    # schema
    def snapshot(self) -> Flow[SchemaSnapshot]:
        body = yield from self._session.call_flow(Call("GET", "/schema/snapshot"))
        data: SchemaSnapshot = _data(body)
        return data

    def diff(self, snapshot: Mapping[str, Any], force: bool, mode: str | None) -> Flow[SchemaDiff | None]:
        if mode is not None:  # Directus 12.2 added the modes; older servers ignore the parameter
            if mode not in ("merge", "mirror"):
                raise ValueError(f"mode is 'merge' or 'mirror', not {mode!r}")
            version = yield from ServerFlows(self._session).version()
            require(version, "schema_diff_mode")
        params: dict[str, str] = {}
        if force:
            params["force"] = "true"
        if mode is not None:
            params["mode"] = mode
        call = Call("POST", "/schema/diff", params=params or None, json=dict(snapshot),
                    send_json=True)
        response = yield from self._session.response_flow(call)
        if response.status_code == 204 or not response.content:
            return None
        diff: SchemaDiff = response.json().get("data")
        return diff

    def apply(self, diff: Mapping[str, Any], force: bool) -> Flow[None]:
        call = Call("POST", "/schema/apply", params={"force": "true"} if force else None,
                    json=dict(diff), send_json=True)
        yield from self._session.response_flow(call)
        return None


class SchemaSnapshot(TypedDict):
    """``GET /schema/snapshot``: the data model, to diff against another server."""

    version: int
    directus: str
    vendor: str
    collections: list[dict[str, Any]]
    fields: list[dict[str, Any]]
    systemFields: list[dict[str, Any]]
    relations: list[dict[str, Any]]


class SchemaDiff(TypedDict):
    """``POST /schema/diff``: what ``apply()`` would change, and the hash it was made against."""

    hash: str
    diff: dict[str, list[dict[str, Any]]]


class Collections:
    """``session.collections``: list, create, change and delete collections.

    ``DirectusCollection.objects`` reads them with a QuerySet (filtered in
    Python: ``/collections`` ignores query parameters).
    """

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    def list(self) -> list[DirectusCollection]:
        """Every collection the current user may see, system ones included."""
        return self._session.run_flow(self._flows.collections())

    def get(self, name: str) -> DirectusCollection:
        """One collection (unknown or hidden → ``Forbidden``)."""
        return self._session.run_flow(self._flows.collection(name))

    def create(
        self,
        name: str,
        fields: Sequence[Mapping[str, Any]] = (),
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
        folder: bool = False,
    ) -> DirectusCollection | None:
        """Create a collection with its fields (Directus field objects:
        ``{"field", "type", "meta", "schema"}``).

        Without a primary key field Directus adds an auto-increment ``id``.
        ``meta`` defaults to ``{}`` (a collection the app shows); pass
        ``folder=True`` for a folder (no table). Fields get an empty ``meta``
        when they have none (SQLite needs one for timestamp and json fields).
        The Core license allows 25 collections.
        """
        table = None if folder else (schema if schema is not None else {})
        return self._session.run_flow(
            self._flows.create_collection(name, fields, meta if meta is not None else {}, table)
        )

    def update(self, name: str, meta: Mapping[str, Any]) -> DirectusCollection | None:
        """Change a collection's ``meta`` (``{"note": ..., "versioning": True}``)."""
        return self._session.run_flow(self._flows.update_collection(name, meta))

    def delete(self, name: str) -> None:
        """Drop a collection, its table and its data."""
        return self._session.run_flow(self._flows.delete_collection(name))


class AsyncCollections:
    """``session.collections`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    async def list(self) -> list[DirectusCollection]:
        """Every collection the current user may see."""
        return await self._session.arun_flow(self._flows.collections())

    async def get(self, name: str) -> DirectusCollection:
        """One collection."""
        return await self._session.arun_flow(self._flows.collection(name))

    async def create(
        self,
        name: str,
        fields: Sequence[Mapping[str, Any]] = (),
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
        folder: bool = False,
    ) -> DirectusCollection | None:
        """Create a collection with its fields; see :meth:`Collections.create`."""
        table = None if folder else (schema if schema is not None else {})
        return await self._session.arun_flow(
            self._flows.create_collection(name, fields, meta if meta is not None else {}, table)
        )

    async def update(self, name: str, meta: Mapping[str, Any]) -> DirectusCollection | None:
        """Change a collection's ``meta``."""
        return await self._session.arun_flow(self._flows.update_collection(name, meta))

    async def delete(self, name: str) -> None:
        """Drop a collection, its table and its data."""
        return await self._session.arun_flow(self._flows.delete_collection(name))


def _spec(field: str | None, type: str | None, meta: Mapping[str, Any] | None,
          schema: Mapping[str, Any] | None, unset_schema: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if field is not None:
        out["field"] = field
    if type is not None:
        out["type"] = type
    if meta is not None:
        out["meta"] = dict(meta)
    if schema is not None:
        out["schema"] = dict(schema)
    elif unset_schema:
        out["schema"] = None
    return out


class Fields:
    """``session.fields``: list, create, change and delete fields."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    def list(self, collection: str | None = None) -> list[DirectusField]:
        """The fields of one collection, or of all."""
        return self._session.run_flow(self._flows.fields(collection))

    def get(self, collection: str, field: str) -> DirectusField:
        """One field (unknown → ``Forbidden``)."""
        return self._session.run_flow(self._flows.field(collection, field))

    def create(
        self,
        collection: str,
        field: str,
        type: str,
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusField | None:
        """Add a field: ``create("articles", "views", "integer", schema={"default_value": 0})``.
        Alias fields (``type="alias"``, o2m/m2m sides) get ``schema=None``."""
        spec = _spec(field, type, meta if meta is not None else {},
                     schema if schema is not None or type == "alias" else {}, type == "alias")
        return self._session.run_flow(self._flows.create_field(collection, spec))

    def update(
        self,
        collection: str,
        field: str,
        *,
        type: str | None = None,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusField | None:
        """Change a field's type, ``meta`` or ``schema`` (only what is given)."""
        spec = _spec(None, type, meta, schema, False)
        return self._session.run_flow(self._flows.update_field(collection, field, spec))

    def delete(self, collection: str, field: str) -> None:
        """Drop a field and its data."""
        return self._session.run_flow(self._flows.delete_field(collection, field))


class AsyncFields:
    """``session.fields`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    async def list(self, collection: str | None = None) -> list[DirectusField]:
        """The fields of one collection, or of all."""
        return await self._session.arun_flow(self._flows.fields(collection))

    async def get(self, collection: str, field: str) -> DirectusField:
        """One field."""
        return await self._session.arun_flow(self._flows.field(collection, field))

    async def create(
        self,
        collection: str,
        field: str,
        type: str,
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusField | None:
        """Add a field; see :meth:`Fields.create`."""
        spec = _spec(field, type, meta if meta is not None else {},
                     schema if schema is not None or type == "alias" else {}, type == "alias")
        return await self._session.arun_flow(self._flows.create_field(collection, spec))

    async def update(
        self,
        collection: str,
        field: str,
        *,
        type: str | None = None,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusField | None:
        """Change a field's type, ``meta`` or ``schema``."""
        spec = _spec(None, type, meta, schema, False)
        return await self._session.arun_flow(self._flows.update_field(collection, field, spec))

    async def delete(self, collection: str, field: str) -> None:
        """Drop a field and its data."""
        return await self._session.arun_flow(self._flows.delete_field(collection, field))


def _relation(collection: str, field: str, related: str | None, meta: Mapping[str, Any] | None,
              schema: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"collection": collection, "field": field,
                           "related_collection": related}
    if meta is not None:
        out["meta"] = dict(meta)
    if schema is not None:
        out["schema"] = dict(schema)
    return out


class Relations:
    """``session.relations``: list, create, change and delete relations."""

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    def list(self, collection: str | None = None) -> list[DirectusRelation]:
        """The relations of one collection (its many side), or all."""
        return self._session.run_flow(self._flows.relations(collection))

    def get(self, collection: str, field: str) -> DirectusRelation:
        """The relation on ``collection.field`` (none → ``Forbidden``)."""
        return self._session.run_flow(self._flows.relation(collection, field))

    def create(
        self,
        collection: str,
        field: str,
        related_collection: str | None,
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusRelation | None:
        """Relate ``collection.field`` (the foreign key) to ``related_collection``.

        ``meta={"one_field": "<alias on the other side>"}`` adds the one-to-many
        side; ``schema={"on_delete": "SET NULL"}`` shapes the foreign key;
        ``related_collection=None`` with ``meta.one_allowed_collections`` is a
        many-to-any.
        """
        spec = _relation(collection, field, related_collection, meta, schema)
        return self._session.run_flow(self._flows.create_relation(spec))

    def update(
        self,
        collection: str,
        field: str,
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusRelation | None:
        """Change a relation's ``meta`` or ``schema``."""
        spec = {k: dict(v) for k, v in (("meta", meta), ("schema", schema)) if v is not None}
        return self._session.run_flow(self._flows.update_relation(collection, field, spec))

    def delete(self, collection: str, field: str) -> None:
        """Remove the relation (the field stays)."""
        return self._session.run_flow(self._flows.delete_relation(collection, field))


class AsyncRelations:
    """``session.relations`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    async def list(self, collection: str | None = None) -> list[DirectusRelation]:
        """The relations of one collection, or all."""
        return await self._session.arun_flow(self._flows.relations(collection))

    async def get(self, collection: str, field: str) -> DirectusRelation:
        """The relation on ``collection.field``."""
        return await self._session.arun_flow(self._flows.relation(collection, field))

    async def create(
        self,
        collection: str,
        field: str,
        related_collection: str | None,
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusRelation | None:
        """Relate ``collection.field`` to ``related_collection``; see :meth:`Relations.create`."""
        spec = _relation(collection, field, related_collection, meta, schema)
        return await self._session.arun_flow(self._flows.create_relation(spec))

    async def update(
        self,
        collection: str,
        field: str,
        *,
        meta: Mapping[str, Any] | None = None,
        schema: Mapping[str, Any] | None = None,
    ) -> DirectusRelation | None:
        """Change a relation's ``meta`` or ``schema``."""
        spec = {k: dict(v) for k, v in (("meta", meta), ("schema", schema)) if v is not None}
        return await self._session.arun_flow(self._flows.update_relation(collection, field, spec))

    async def delete(self, collection: str, field: str) -> None:
        """Remove the relation."""
        return await self._session.arun_flow(self._flows.delete_relation(collection, field))


class Schema:
    """``session.schema``: snapshot the data model, diff it against this server, apply.

    Admins only (others get ``Forbidden``).
    """

    def __init__(self, session: SyncDriver) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    def snapshot(self) -> SchemaSnapshot:
        """This server's collections, fields and relations."""
        return self._session.run_flow(self._flows.snapshot())

    def diff(
        self,
        snapshot: Mapping[str, Any],
        *,
        force: bool = False,
        mode: Literal["mirror", "merge"] | None = None,
    ) -> SchemaDiff | None:
        """What applying ``snapshot`` here would change, or ``None`` when nothing
        (Directus answers 204). ``force`` diffs across Directus versions or
        database vendors; ``mode="merge"`` only adds (12.2+: an older server raises
        ``FeatureNotSupported`` naming its version, before the diff is sent)."""
        return self._session.run_flow(self._flows.diff(snapshot, force, mode))

    def apply(self, diff: Mapping[str, Any], *, force: bool = False) -> None:
        """Apply a diff from :meth:`diff`. A diff made before the schema changed
        raises ``InvalidPayload`` (hash mismatch) unless ``force``."""
        return self._session.run_flow(self._flows.apply(diff, force))


class AsyncSchema:
    """``session.schema`` on an ``AsyncSession``."""

    def __init__(self, session: AsyncDriver) -> None:
        self._session = session
        self._flows = SchemaFlows(session)

    async def snapshot(self) -> SchemaSnapshot:
        """This server's collections, fields and relations."""
        return await self._session.arun_flow(self._flows.snapshot())

    async def diff(
        self,
        snapshot: Mapping[str, Any],
        *,
        force: bool = False,
        mode: Literal["mirror", "merge"] | None = None,
    ) -> SchemaDiff | None:
        """What applying ``snapshot`` here would change, or ``None``."""
        return await self._session.arun_flow(self._flows.diff(snapshot, force, mode))

    async def apply(self, diff: Mapping[str, Any], *, force: bool = False) -> None:
        """Apply a diff from :meth:`diff`."""
        return await self._session.arun_flow(self._flows.apply(diff, force))
