"""QuerySets of system collections that need special handling (permissions, schema endpoints)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from .._core.exceptions import Forbidden, QueryError, ResourceRestricted
from .._core.flow import Flow
from .._core.request import Call, path_of
from .._models.batches import Progress
from .._models.changes import absorb, changed_fields, insert_fields, payload
from .._models.hydrate import OnInvalid, hydrate_one, hydrate_rows
from .._models.model import Model
from .._models.persistence import save_flow
from .._models.queryset import QuerySet
from .._models.reads import _Batch
from .._models.state import from_db, mark_loaded, state_of
from .._query.local import _project, _searched, _sort_key, matches

if TYPE_CHECKING:
    from .._query.aggregates import Aggregate
    from .._transport.session import BaseSession

T = TypeVar("T")


#: Keeps the built-in rows out of a ``/permissions`` read: they are the only rows
#: without a policy (every stored permission must have one).
_STORED_ONLY: dict[str, Any] = {"policy": {"_nnull": True}}

#: What an unlicensed server checks in every permission write body.
PERMISSION_RULES: tuple[str, ...] = (
    "collection", "action", "fields", "permissions", "validation", "presets",
)


def explain_restricted(error: ResourceRestricted) -> ResourceRestricted:
    """``error`` with a message that says what an unlicensed server wants."""
    if error.extensions.get("category") != "custom_permission_rules_enabled":
        return error
    message = (
        f"{error.message} This server's license allows only permissions whose `fields` "
        "include '*' and that have no `permissions`, `validation` or `presets` rules, and "
        "it checks every write for that: send `fields=['*']` (or the fields the permission "
        "holds) with the change, e.g. update(..., fields=['*']), or load `fields` before "
        "save()/bulk_update() so they are sent along"
    )
    clear = ResourceRestricted(
        message, status=error.status, code=error.code, extensions=error.extensions,
        errors=error.errors, method=error.method, path=error.path,
    )
    return clear


class PermissionQuerySet(QuerySet[T]):
    """The QuerySet of ``/permissions``: the stored permissions, by their keys.

    For a user with app access, Directus 12.4 appends its built-in permissions
    (no ``id``, no ``policy``, ``system=True``) to every list it answers,
    ignoring ``limit``, ``fields`` and ``aggregate`` for them and matching
    conditions on ``id`` as true. Every read here adds ``policy is not null`` to
    the filter, which drops them on the server: results, counts, ``get(pk=...)``
    and writes by query see only stored rows. The endpoint applies ``offset``
    but not ``limit``: pages are cut here. An unlicensed server also drops
    the ``aggregate`` result itself (it is not a permission without rules), so
    ``aggregate()`` raises and ``count()`` counts the listed keys.

    Writes send the rule fields the objects hold (``collection``, ``action``,
    ``fields``, ``permissions``, ``validation``, ``presets``) with every change:
    an unlicensed server refuses a write body that does not show it is allowed.
    """

    def _filter(self) -> dict[str, Any] | None:
        flt = super()._filter()
        return {"_and": [flt, _STORED_ONLY]} if flt else dict(_STORED_ONLY)

    def _read_back_query(self) -> dict[str, Any] | None:
        # A batch create answers with its rows read back with this query: without
        # the filter, the built-in rows come too, and the created keys are lost.
        return {"filter": dict(_STORED_ONLY)}

    def _rows_clone(self, **changes: Any) -> QuerySet[Any]:
        clone: PermissionQuerySet[Any] = PermissionQuerySet(
            self.model, replace(self._state, **changes), self._session
        )
        return clone

    def _chunks_plan(self) -> tuple[dict[str, Any], str | None, bool]:
        # Cut pages would lose the last key: iterate by offset, in the same order.
        query, _, _ = super()._chunks_plan()
        return query, None, False

    def _fetch_flow(
        self, session: BaseSession, query: dict[str, Any], on_invalid: OnInvalid = "raise"
    ) -> Flow[_Batch[T]]:
        # /permissions applies `offset` but not `limit`: cut here.
        batch = yield from super()._fetch_flow(session, query, on_invalid)
        limit = query.get("limit")
        if isinstance(limit, int) and limit >= 0 and len(batch.items) > limit:
            batch.items = batch.items[:limit]
        return batch

    def _count_flow(self, session: BaseSession) -> Flow[int]:
        pk = self.model._meta.pk_field.api_name
        rows = yield from self._rows_clone(
            fields=(pk,), rows="flat", row_fields=(pk,), sort=(), meta=()
        )._all_flow(session)
        return len(rows)

    def _aggregate_flow(
        self,
        session: BaseSession,
        aggregates: Mapping[str, Aggregate],
        group: tuple[str, ...],
        sort: Sequence[str] | None = None,
    ) -> Flow[list[dict[str, Any]]]:
        raise QueryError(
            "/permissions answers aggregate queries with its built-in permissions instead of "
            "a result; use count(), or iterate and compute in Python"
        )
        yield  # pragma: no cover - makes this a generator

    def _create_flow(self, session: BaseSession, data: Mapping[str, Any]) -> Flow[T]:
        try:
            return (yield from super()._create_flow(session, data))
        except ResourceRestricted as error:
            raise explain_restricted(error) from None

    def _update_flow(
        self, session: BaseSession, data: Mapping[str, Any], batch_size: int,
        on_progress: Progress | None,
    ) -> Flow[int]:
        """By keys, one request per distinct set of rules, each sent with the change."""
        body = self._write_data(data)
        if self._state.empty:
            return 0
        meta = self.model._meta
        pk = meta.pk_field.api_name
        rules = [r for r in PERMISSION_RULES if r not in body]
        rows: list[Any] = yield from self._rows_clone(
            fields=(pk, *rules), rows="dict", row_fields=(pk, *rules), meta=(), deep=None,
            related=(),
        )._all_flow(session)
        groups: dict[str, tuple[dict[str, Any], list[Any]]] = {}
        for row in rows:
            held = {r: row.get(r) for r in rules}
            key = json.dumps(held, sort_keys=True, default=str)
            groups.setdefault(key, ({**held, **body}, []))[1].append(row[pk])
        done = 0
        path = path_of(*meta.endpoint_parts)
        for group_body, keys in groups.values():
            for start in range(0, len(keys), batch_size):
                part = keys[start : start + batch_size]
                call = Call("PATCH", path, query={"fields": [pk]},
                            json={"keys": part, "data": group_body}, send_json=True)
                try:
                    yield from session.response_flow(call)
                except ResourceRestricted as error:
                    raise explain_restricted(error) from None
                done += len(part)
                if on_progress is not None:
                    on_progress(done, len(rows))
        return done

    def _bulk_update_flow(
        self, session: BaseSession, objs: Sequence[T], fields: Sequence[str], batch_size: int,
        on_progress: Progress | None,
    ) -> Flow[int]:
        names = [self.model._meta.field(name).name for name in fields]
        names += [r for r in PERMISSION_RULES if r not in names
                  and all(r in cast(Model, obj).__dict__ for obj in objs)]
        try:
            return (yield from super()._bulk_update_flow(
                session, objs, names, batch_size, on_progress))
        except ResourceRestricted as error:
            raise explain_restricted(error) from None


def _permission_save_flow(
    obj: Model, session: BaseSession, force_insert: bool, update_fields: Sequence[str] | None
) -> Flow[bool]:
    """``save()`` of a permission: an update also sends the rules the object holds."""
    if not force_insert and from_db(obj):
        names = list(update_fields) if update_fields is not None else changed_fields(obj)
        names = [type(obj)._meta.field(n).name for n in names]
        if names:
            update_fields = names + [
                r for r in PERMISSION_RULES if r not in names and r in obj.__dict__
            ]
    try:
        return (yield from save_flow(obj, session, force_insert=force_insert,
                                     update_fields=update_fields))
    except ResourceRestricted as error:
        raise explain_restricted(error) from None


class SchemaQuerySet(QuerySet[T]):
    """The QuerySet of ``/collections``, ``/fields`` and ``/relations``.

    Those endpoints ignore every query parameter and return everything, so this
    QuerySet fetches the full list once per evaluation and applies ``filter``,
    ``exclude``, ``search``, ``order_by``, slices and ``fields`` in Python
    (``count()`` and ``exists()`` too). A filter on ``collection`` alone is sent
    to the per-collection route (``/fields/{collection}``), which is smaller.
    Functions (``year(...)``), dynamic variables (``$CURRENT_USER``) and
    ``aggregate()``/``group_by()`` raise ``QueryError``: the server would
    ignore them, and this class will not pretend.
    """

    #: Whether ``/{endpoint}/{collection}`` lists only that collection's rows.
    by_collection_route: ClassVar[bool] = True

    def _collection_only(self, flt: Mapping[str, Any] | None) -> str | None:
        if not self.by_collection_route or not flt or set(flt) != {"collection"}:
            return None
        condition = flt["collection"]
        if isinstance(condition, Mapping) and set(condition) == {"_eq"}:
            condition = condition["_eq"]
        if not isinstance(condition, str) or not condition or condition.startswith("$"):
            return None
        return condition

    def _rows_flow(self, session: BaseSession, query: Mapping[str, Any]) -> Flow[list[Any]]:
        flt = query.get("filter")
        endpoint = self.model._meta.endpoint.split("/")
        asked = query.get("meta") or ()
        # total_count counts every row: then the whole list is needed.
        collection = None if ("total_count" in asked or "*" in asked) else self._collection_only(flt)
        call = Call("GET", path_of(*endpoint, collection) if collection else path_of(*endpoint))
        try:
            body = yield from session.call_flow(call)
        except Forbidden:
            if collection is None:
                raise
            return []  # unknown or hidden collection: matches nothing, as a filter would
        rows = body.get("data") if isinstance(body, dict) else None
        if isinstance(rows, dict):  # /collections/{name} answers with the one object
            return [rows]
        return list(rows) if isinstance(rows, list) else []

    def _local(self, rows: list[Any], query: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        total = len(rows)
        flt = query.get("filter")
        if flt:
            rows = [r for r in rows if isinstance(r, Mapping) and matches(r, flt)]
        search = query.get("search")
        if search:
            rows = [r for r in rows if isinstance(r, Mapping) and _searched(r, str(search))]
        for key in reversed(list(query.get("sort") or ())):
            desc = key.startswith("-")
            rows.sort(key=_sort_key(key[1:] if desc else key), reverse=desc)
        meta = {"total_count": total, "filter_count": len(rows)}
        offset = int(query.get("offset") or 0)
        limit = query.get("limit")
        end = None if limit is None or int(limit) < 0 else offset + int(limit)
        rows = rows[offset:end]
        fields = query.get("fields")
        if fields and self._state.rows == "model":
            rows = [_project(r, list(fields)) for r in rows]
        return rows, meta

    def _fetch_flow(
        self, session: BaseSession, query: dict[str, Any], on_invalid: OnInvalid = "raise"
    ) -> Flow[_Batch[T]]:
        if "aggregate" in query or "groupBy" in query:
            raise QueryError(
                f"{self.model.__name__}: /{self.model._meta.endpoint} ignores aggregate and "
                "groupBy; use count(), or compute in Python"
            )
        raw = yield from self._rows_flow(session, query)
        rows, meta = self._local(raw, query)
        pk = self.model._meta.pk_field.api_name
        last = rows[-1].get(pk) if rows and isinstance(rows[-1], Mapping) else None
        items: list[Any]
        if self._state.rows == "model":
            items = hydrate_rows(self.model, rows)
        else:
            items = self._shape_rows(rows)
        asked = query.get("meta") or ()
        return _Batch(items, {k: v for k, v in meta.items() if k in asked or "*" in asked}
                      if asked else {}, last)

    def _rows_clone(self, **changes: Any) -> QuerySet[Any]:
        # values()/values_list() must stay local too.
        clone: SchemaQuerySet[Any] = SchemaQuerySet(
            self.model, replace(self._state, **changes), self._session
        )
        return clone

    def _chunks_plan(self) -> tuple[dict[str, Any], str | None, bool]:
        # The key is not unique across collections: page by offset, never by key.
        query = self._base_query()
        query.pop("meta", None)
        return query, None, False

    def _count_flow(self, session: BaseSession) -> Flow[int]:
        if self._matches_nothing():
            return 0
        query = self._base_query()
        raw = yield from self._rows_flow(session, query)
        query["limit"] = self._state.limit if self._state.limit is not None else -1
        query["offset"] = self._state.offset
        rows, _ = self._local(raw, query)
        return len(rows)

    # Writes: these endpoints have no batch routes; each row has its own path.

    def _row_path(self, obj: Any) -> str:
        endpoint = self.model._meta.endpoint
        if endpoint == "collections":
            return path_of("collections", _need(obj, "collection"))
        return path_of(endpoint, _need(obj, "collection"), _need(obj, "field"))

    def _rows_to_write(self, session: BaseSession) -> Flow[list[Any]]:
        qs = self._clone(rows="model", row_fields=(), fields=None)
        return (yield from qs._all_flow(session))

    def _update_flow(
        self, session: BaseSession, data: Mapping[str, Any], batch_size: int,
        on_progress: Progress | None,
    ) -> Flow[int]:
        if not data:
            raise QueryError("update() needs at least one field=value")
        body = {self.model._meta.field(k).api_name: v for k, v in data.items()}
        rows = yield from self._rows_to_write(session)
        for done, obj in enumerate(rows, 1):
            yield from session.response_flow(
                Call("PATCH", self._row_path(obj), json=body, send_json=True)
            )
            if on_progress is not None:
                on_progress(done, len(rows))
        return len(rows)

    def _delete_flow(
        self, session: BaseSession, batch_size: int, on_progress: Progress | None
    ) -> Flow[int]:
        rows = yield from self._rows_to_write(session)
        for done, obj in enumerate(rows, 1):
            yield from session.response_flow(Call("DELETE", self._row_path(obj)))
            if on_progress is not None:
                on_progress(done, len(rows))
        return len(rows)

    def _bulk_create_flow(
        self, session: BaseSession, objs: Sequence[T], batch_size: int,
        on_progress: Progress | None, **conflicts: Any,
    ) -> Flow[list[T]]:
        raise QueryError(
            f"{self.model.__name__}: /{self.model._meta.endpoint} has no batch create; "
            "save() each object, or use session.collections/fields/relations"
        )
        yield  # pragma: no cover - makes this a generator

    def _bulk_update_flow(
        self, session: BaseSession, objs: Sequence[T], fields: Sequence[str], batch_size: int,
        on_progress: Progress | None,
    ) -> Flow[int]:
        raise QueryError(
            f"{self.model.__name__}: /{self.model._meta.endpoint} has no batch update; "
            "save() each object, or use update() on a QuerySet"
        )
        yield  # pragma: no cover - makes this a generator

    def _aggregate_flow(
        self,
        session: BaseSession,
        aggregates: Mapping[str, Aggregate],
        group: tuple[str, ...],
        sort: Sequence[str] | None = None,
    ) -> Flow[list[dict[str, Any]]]:
        raise QueryError(
            f"{self.model.__name__}: /{self.model._meta.endpoint} ignores aggregate and "
            "groupBy; use count(), or iterate and compute in Python"
        )
        yield  # pragma: no cover - makes this a generator


# ------------------------------------------------ writes of fields and relations


class _Routes:
    """Where a field or relation is created, addressed and deleted."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def create(self, obj: Model) -> str:
        if self.kind == "fields":
            return path_of("fields", _need(obj, "collection"))
        return "/relations"

    def item(self, obj: Model) -> str:
        return path_of(self.kind, _need(obj, "collection"), _need(obj, "field"))


def _need(obj: Model, name: str) -> str:
    value = obj.__dict__.get(name)
    if not value:
        raise QueryError(f"{type(obj).__name__}.{name} must be set to address it")
    return str(value)


def _schema_save_flow(
    obj: Model, session: BaseSession, routes: _Routes, force_insert: bool,
    update_fields: Sequence[str] | None,
) -> Flow[bool]:
    model = type(obj)
    creating = force_insert or (not from_db(obj) and update_fields is None)
    if creating:
        call = Call("POST", routes.create(obj), json=payload(obj, insert_fields(obj)),
                    send_json=True)
    else:
        names = list(update_fields) if update_fields is not None else changed_fields(obj)
        names = [model._meta.field(n).name for n in names]
        names = [n for n in names if n not in ("collection", "field")]
        if not names:
            return False
        call = Call("PATCH", routes.item(obj), json=payload(obj, names), send_json=True)
    response = yield from session.response_flow(call)
    fresh = hydrate_one(model, response.content)
    if fresh is not None:
        absorb(obj, fresh)
    else:
        mark_loaded((obj,), model._meta.json_fields)
    return True


def _schema_delete_flow(obj: Model, session: BaseSession, routes: _Routes) -> Flow[None]:
    yield from session.response_flow(Call("DELETE", routes.item(obj)))
    state_of(obj).clear()
    return None


def _schema_refresh_flow(
    obj: Model, session: BaseSession, routes: _Routes, fields: Sequence[str] | None
) -> Flow[None]:
    response = yield from session.response_flow(Call("GET", routes.item(obj)))
    fresh = hydrate_one(type(obj), response.content)
    if fresh is None:
        raise type(obj).DoesNotExist(f"{routes.item(obj)} returned nothing")
    if fields:
        keep = {type(obj)._meta.field(n).name for n in fields}
        for name in list(fresh.__dict__):
            if name not in keep:
                del fresh.__dict__[name]
    absorb(obj, fresh)
    return None


_FIELD_ROUTES = _Routes("fields")


_RELATION_ROUTES = _Routes("relations")
