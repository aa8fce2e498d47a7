"""Create and drop test collections through the Directus API.

Field helpers return the JSON Directus expects in ``POST /collections``; every
field gets a ``meta`` object (Directus on SQLite needs one for timestamp and
JSON fields) and booleans/JSON get their cast specials, as the Studio does.
"""

from __future__ import annotations

import uuid
from typing import Any

from directus_orm import Session


def unique(prefix: str) -> str:
    """A collection name that no other test (or earlier run) uses."""
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def pk_integer(name: str = "id") -> dict[str, Any]:
    return {
        "field": name,
        "type": "integer",
        "meta": {"hidden": True, "interface": "input", "readonly": True},
        "schema": {"is_primary_key": True, "has_auto_increment": True},
    }


def pk_string(name: str = "id") -> dict[str, Any]:
    return {
        "field": name,
        "type": "string",
        "meta": {"interface": "input"},
        "schema": {"is_primary_key": True, "length": 255, "has_auto_increment": False},
    }


def string(name: str, *, nullable: bool = True, unique: bool = False) -> dict[str, Any]:
    return {
        "field": name,
        "type": "string",
        "meta": {"interface": "input"},
        "schema": {"is_nullable": nullable, "is_unique": unique},
    }


def text(name: str) -> dict[str, Any]:
    return {"field": name, "type": "text", "meta": {"interface": "input-multiline"}, "schema": {}}


def integer(name: str, *, default: int | None = None, nullable: bool = True) -> dict[str, Any]:
    return {
        "field": name,
        "type": "integer",
        "meta": {"interface": "input"},
        "schema": {"default_value": default, "is_nullable": nullable},
    }


def float_(name: str) -> dict[str, Any]:
    return {"field": name, "type": "float", "meta": {"interface": "input"}, "schema": {}}


def decimal(name: str, precision: int = 10, scale: int = 2) -> dict[str, Any]:
    return {
        "field": name,
        "type": "decimal",
        "meta": {"interface": "input"},
        "schema": {"numeric_precision": precision, "numeric_scale": scale},
    }


def boolean(name: str, *, default: bool = False) -> dict[str, Any]:
    return {
        "field": name,
        "type": "boolean",
        "meta": {"interface": "boolean", "special": ["cast-boolean"]},
        "schema": {"default_value": default},
    }


def timestamp(name: str, special: list[str] | None = None) -> dict[str, Any]:
    return {
        "field": name,
        "type": "timestamp",
        "meta": {"interface": "datetime", "special": special or []},
        "schema": {},
    }


def datetime_(name: str) -> dict[str, Any]:
    return {"field": name, "type": "dateTime", "meta": {"interface": "datetime"}, "schema": {}}


def date(name: str) -> dict[str, Any]:
    return {"field": name, "type": "date", "meta": {"interface": "datetime"}, "schema": {}}


def json_(name: str) -> dict[str, Any]:
    return {
        "field": name,
        "type": "json",
        "meta": {"interface": "input-code", "special": ["cast-json"]},
        "schema": {},
    }


def uuid_(name: str) -> dict[str, Any]:
    return {"field": name, "type": "uuid", "meta": {"interface": "input"}, "schema": {}}


def m2o(name: str) -> dict[str, Any]:
    """The foreign-key field of a many-to-one (add the relation with :meth:`Schema.m2o`)."""
    return {
        "field": name,
        "type": "integer",
        "meta": {"interface": "select-dropdown-m2o", "special": ["m2o"]},
        "schema": {},
    }


def m2o_uuid(name: str, special: str = "m2o") -> dict[str, Any]:
    """A uuid foreign key (to ``directus_users`` or, with ``special="file"``, ``directus_files``)."""
    interface = "file" if special == "file" else "select-dropdown-m2o"
    return {
        "field": name,
        "type": "uuid",
        "meta": {"interface": interface, "special": [special]},
        "schema": {},
    }


class Schema:
    """Creates collections and relations; :meth:`drop` removes them all."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.collections: list[str] = []

    def collection(
        self,
        name: str,
        fields: list[dict[str, Any]],
        *,
        singleton: bool = False,
        sort_field: str | None = None,
    ) -> str:
        has_pk = any(f.get("schema", {}) and f["schema"].get("is_primary_key") for f in fields)
        if not has_pk:
            fields = [pk_integer(), *fields]
        try:  # a collection left over by an interrupted run
            self.session.request("DELETE", f"/collections/{name}")
        except Exception:
            pass
        meta: dict[str, Any] = {"singleton": singleton}
        if sort_field:
            meta["sort_field"] = sort_field
        self.session.request(
            "POST",
            "/collections",
            json={"collection": name, "meta": meta, "schema": {}, "fields": fields},
        )
        self.collections.append(name)
        return name

    def m2o(self, collection: str, field: str, related: str, *, one_field: str | None = None) -> None:
        """A many-to-one from ``collection.field`` to ``related``; ``one_field`` adds the O2M alias."""
        if one_field:
            self.session.request(
                "POST",
                f"/fields/{related}",
                json={
                    "field": one_field,
                    "type": "alias",
                    "meta": {"special": ["o2m"], "interface": "list-o2m"},
                    "schema": None,
                },
            )
        self.session.request(
            "POST",
            "/relations",
            json={
                "collection": collection,
                "field": field,
                "related_collection": related,
                "meta": {"one_field": one_field, "one_deselect_action": "nullify"},
                "schema": {"on_delete": "SET NULL"},
            },
        )

    def alias(self, collection: str, field: str, special: str) -> None:
        """An alias field (``o2m``, ``m2m``, ``m2a``): it has no column, only a relation."""
        interface = {"o2m": "list-o2m", "m2m": "list-m2m", "m2a": "list-m2a"}[special]
        self.session.request(
            "POST",
            f"/fields/{collection}",
            json={
                "field": field,
                "type": "alias",
                "meta": {"special": [special], "interface": interface},
                "schema": None,
            },
        )

    def m2m(
        self,
        collection: str,
        field: str,
        related: str,
        *,
        junction: str,
        many_field: str | None = None,
        junction_fields: list[dict[str, Any]] | None = None,
        related_field: str | None = None,
        deselect: str = "delete",
    ) -> None:
        """A many-to-many ``collection.field`` -> ``related`` through a new ``junction`` collection.

        The junction has ``id``, ``{collection}_id`` and ``{related}_id`` (or ``many_field``), plus
        ``junction_fields``. ``related_field`` adds the reverse many-to-many alias on ``related``.
        Removing a link deletes the junction row (``deselect="delete"``), as a junction row
        without a parent is garbage; the Studio's default is ``"nullify"``.
        """
        here = f"{collection}_id"
        there = many_field or f"{related}_id"
        if here == there:
            here, there = f"{collection}_parent_id", f"{related}_related_id"
        self.collection(junction, [m2o(here), m2o(there), *(junction_fields or [])])
        self.alias(collection, field, "m2m")
        if related_field:
            self.alias(related, related_field, "m2m")
        self._relation(junction, here, collection, one_field=field, junction_field=there,
                       deselect=deselect)
        self._relation(junction, there, related, one_field=related_field, junction_field=here,
                       deselect=deselect)

    def m2a(
        self,
        collection: str,
        field: str,
        allowed: list[str],
        *,
        junction: str,
        deselect: str = "delete",
    ) -> None:
        """A many-to-any ``collection.field`` -> any of ``allowed``, through a new ``junction``
        (``id``, ``{collection}_id``, ``item``, ``collection``)."""
        here = f"{collection}_id"
        self.collection(
            junction,
            [
                m2o(here),
                {"field": "item", "type": "string", "meta": {"hidden": True}, "schema": {}},
                {"field": "collection", "type": "string", "meta": {"hidden": True}, "schema": {}},
            ],
        )
        self.alias(collection, field, "m2a")
        self.session.request(
            "POST",
            "/relations",
            json={
                "collection": junction,
                "field": "item",
                "related_collection": None,
                "meta": {
                    "one_allowed_collections": allowed,
                    "one_collection_field": "collection",
                    "junction_field": here,
                },
            },
        )
        self._relation(junction, here, collection, one_field=field, junction_field="item",
                       deselect=deselect)

    def relation(self, collection: str, field: str, related: str) -> None:
        """A plain many-to-one relation (e.g. to ``directus_users`` or ``directus_files``)."""
        self._relation(collection, field, related, one_field=None, junction_field=None,
                       deselect="nullify")

    def _relation(
        self,
        collection: str,
        field: str,
        related: str,
        *,
        one_field: str | None,
        junction_field: str | None,
        deselect: str,
    ) -> None:
        self.session.request(
            "POST",
            "/relations",
            json={
                "collection": collection,
                "field": field,
                "related_collection": related,
                "meta": {
                    "one_field": one_field,
                    "junction_field": junction_field,
                    "one_deselect_action": deselect,
                },
                "schema": {"on_delete": "SET NULL"},
            },
        )

    def seed(self, collection: str, items: list[dict[str, Any]], batch: int = 1000) -> list[Any]:
        """Insert items in batches; returns their primary keys."""
        keys: list[Any] = []
        for start in range(0, len(items), batch):
            body = self.session.request(
                "POST",
                f"/items/{collection}",
                json=items[start : start + batch],
                query={"fields": ["id"]},
            )
            keys.extend(row["id"] for row in body["data"])
        return keys

    def drop(self) -> None:
        # Relations first go with their collections; delete in reverse creation order.
        for name in reversed(self.collections):
            try:
                # Directus 12.4 on SQLite can hang deleting a collection with relations
                # right after a schema change cleared its cache; reading the relations
                # first refills the cache and avoids it.
                self.session.request("GET", f"/relations/{name}")
                self.session.request("DELETE", f"/collections/{name}")
            except Exception:
                pass
        self.collections.clear()
