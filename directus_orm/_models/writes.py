"""The QuerySet's write flows: create, get_or_create, bulk writes, update and delete by query."""


from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pydantic import ValidationError as PydanticValidationError
from pydantic_core import to_json

from .._core.exceptions import (
    BatchLimitExceeded,
    HydrationError,
    QueryError,
    RecordNotUnique,
    ValidationError,
)
from .._core.flow import Flow
from .._core.request import Call
from .._core.values import check_json
from .._query.filters import EmptyResultSet
from .._transport.session import BaseSession
from .batches import Progress, plan_batches, run_batches
from .changes import absorb, checked_payload, insert_fields
from .hydrate import hydrate_many
from .persistence import _check_writable, item_path, save_flow
from .relations.fields import pk_of
from .relations.sync import check_bulk, forget_to_many
from .state import state_of

if TYPE_CHECKING:
    from .model import Model


from .reads import ReadFlows

T = TypeVar("T")


def _conflict_options(
    model: type[Model], ignore: bool, update: bool, unique_fields: Sequence[str] | None,
    update_fields: Sequence[str] | None,
) -> tuple[list[str] | None, list[str]] | None:
    """Check bulk_create's conflict options before any request: ``(unique, updates)``, or
    None without them."""
    meta = model._meta
    if ignore and update:
        raise QueryError("bulk_create(): ignore_conflicts and update_conflicts exclude each other")
    if not ignore and not update:
        if unique_fields or update_fields:
            raise QueryError(
                "bulk_create(): unique_fields/update_fields need ignore_conflicts=True or "
                "update_conflicts=True"
            )
        return None
    unique = [meta.field(n).name for n in unique_fields] if unique_fields else None
    if update:
        if not update_fields:
            raise QueryError("bulk_create(update_conflicts=True) needs update_fields=[...]")
        updates = [meta.field(n).name for n in update_fields]
    else:
        if update_fields:
            raise QueryError("bulk_create(): update_fields goes with update_conflicts=True")
        updates = []
    return unique, updates


def _key_of(obj: Model, names: Sequence[str]) -> tuple[Any, ...]:
    return tuple(obj.__dict__.get(n) for n in names)


def _split_by_existing(
    model: type[Model], items: Sequence[Model], unique: Sequence[str] | None,
    existing: Mapping[tuple[Any, ...], Any],
) -> tuple[list[Model], list[tuple[Model, Any]]]:
    """``(to create, [(object, key of its existing row)])``; an object repeating an
    earlier one's unique values is not created twice."""
    names = list(unique) if unique is not None else [model._meta.primary_key]
    fresh: list[Model] = []
    matched: list[tuple[Model, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    for obj in items:
        key = _key_of(obj, names)
        if key[0] is None:  # no primary key to compare: a new row
            fresh.append(obj)
        elif key in existing:
            matched.append((obj, existing[key]))
        elif _hashable(key) and key in seen:
            continue
        else:
            if _hashable(key):
                seen.add(key)
            fresh.append(obj)
    return fresh, matched


def _hashable(key: tuple[Any, ...]) -> bool:
    try:
        hash(key)
    except TypeError:
        return False
    return True


def _take_keys(model: type[Model], batch: Sequence[Model], content: bytes) -> None:
    """A written batch whose reply did not fit the model: give the objects their keys."""
    try:
        rows = json.loads(content).get("data") or []
    except (ValueError, AttributeError):
        return
    pk_api = model._meta.pk_field.api_name
    keys = [row.get(pk_api) for row in rows if isinstance(row, dict)]
    if len(keys) != len(batch):
        return
    if all(obj.pk is None for obj in batch):
        try:
            keys.sort()
        except TypeError:
            pass
        for obj, key in zip(batch, keys, strict=True):
            obj.__dict__[model._meta.primary_key] = key


class WriteFlows(ReadFlows[T]):
    """The sans-IO write flows of a QuerySet; the terminals in ``queryset.py`` drive them."""

    # ------------------------------------------------------------ write flows

    def _create_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        meta = self.model._meta
        return {meta.field(key).name: value for key, value in data.items() if "__" not in key}

    def _create_flow(self, session: BaseSession, data: Mapping[str, Any]) -> Flow[T]:
        values = self._create_data(data)
        self.model._meta.check_values(values)
        try:
            obj = self.model(**values)
        except PydanticValidationError as error:  # a model validator refused the object
            fields = [str(e["loc"][0]) for e in error.errors() if e.get("loc")]
            raise ValidationError(
                f"{self.model.__name__}: invalid values for field(s) {fields}. Nothing was sent",
                model=self.model.__name__, fields=fields,
            ) from None
        yield from save_flow(obj, session, force_insert=True)
        return cast(T, obj)

    def _get_or_create_flow(
        self, session: BaseSession, defaults: Mapping[str, Any] | None, lookups: dict[str, Any]
    ) -> Flow[tuple[T, bool]]:
        try:
            return (yield from self._get_flow(session, (), lookups)), False
        except self.model.DoesNotExist:
            pass
        data = {**lookups, **(defaults or {})}
        try:
            return (yield from self._create_flow(session, data)), True
        except RecordNotUnique:
            # Created by someone else in between: return theirs.
            return (yield from self._get_flow(session, (), lookups)), False

    def _update_or_create_flow(
        self, session: BaseSession, defaults: Mapping[str, Any] | None, lookups: dict[str, Any]
    ) -> Flow[tuple[T, bool]]:
        try:
            obj = yield from self._get_flow(session, (), lookups)
        except self.model.DoesNotExist:
            return (yield from self._create_flow(session, {**lookups, **(defaults or {})})), True
        model_obj = cast("Model", obj)
        for key, value in (defaults or {}).items():
            setattr(model_obj, self.model._meta.field(key).name, value)
        yield from save_flow(model_obj, session)
        return obj, False

    def _read_back_query(self) -> dict[str, Any] | None:
        """The query of the rows a batch create answers with (Directus reads them back)."""
        return None


    def _bulk_create_flow(
        self, session: BaseSession, objs: Sequence[T], batch_size: int,
        on_progress: Progress | None, *, ignore_conflicts: bool = False,
        update_conflicts: bool = False, unique_fields: Sequence[str] | None = None,
        update_fields: Sequence[str] | None = None,
    ) -> Flow[list[T]]:
        model = self.model
        _check_writable(model)
        items = [cast("Model", obj) for obj in objs]
        relational = bool(model._meta.relational)
        conflicts = _conflict_options(model, ignore_conflicts, update_conflicts, unique_fields,
                                      update_fields)
        for obj in items:
            if not isinstance(obj, model):
                raise QueryError(f"bulk_create() takes {model.__name__} objects, not {obj!r}")
            if relational:
                check_bulk(obj, insert_fields(obj))
        bodies = [to_json(checked_payload(obj, insert_fields(obj))) for obj in items]
        if conflicts is not None:
            unique, updates = conflicts
            existing = yield from self._existing_flow(session, items, unique, batch_size)
            fresh, matched = _split_by_existing(model, items, unique, existing)
            pk_name = model._meta.primary_key
            for obj, key in matched:
                obj.__dict__[pk_name] = key
            if updates and matched:
                yield from self._bulk_update_flow(
                    session, [cast(T, obj) for obj, _ in matched], updates, batch_size, None
                )
            index = {id(obj): i for i, obj in enumerate(items)}
            keep = [index[id(obj)] for obj in fresh]
            items = fresh
            bodies = [bodies[i] for i in keep]
            if not items:
                return list(objs)
        path = item_path(model)

        read_back = self._read_back_query()

        def send(part: range) -> Call:
            body = b"[" + b",".join(bodies[part.start : part.stop]) + b"]"
            return Call("POST", path, query=read_back, content=body,
                        headers={"Content-Type": "application/json"})

        def done(part: range, response: Any) -> None:
            batch = items[part.start : part.stop]
            try:
                fresh = hydrate_many(model, response.content)
            except HydrationError as error:
                _take_keys(model, batch, response.content)
                raise HydrationError(
                    f"{error} (the batch was written: its objects took their primary keys)",
                    model=error.model, collection=error.collection, keys=error.keys,
                    fields=error.fields, written=True,
                ) from error
            if len(fresh) != len(batch):
                return
            if all(obj.pk is None for obj in batch):
                # Auto-increment keys: ascending keys are the order of creation.
                try:
                    fresh.sort(key=lambda o: o.pk)
                except TypeError:
                    pass
                pairs: list[tuple[Model, Model]] = list(zip(batch, fresh, strict=True))
            else:
                by_pk = {o.pk: o for o in fresh}
                pairs = [(o, by_pk[o.pk]) for o in batch if o.pk in by_pk]
            for obj, new in pairs:
                absorb(obj, new, keep_relations=relational)
                if relational:  # the answer carries no junction keys: reload to change links
                    forget_to_many(obj, [f.name for f in model._meta.to_many])

        ranges = plan_batches(bodies, batch_size)
        yield from run_batches(
            session, ranges, send, what="bulk_create", on_progress=on_progress,
            total=len(items), on_done=done,
        )
        return list(objs)

    def _existing_flow(
        self, session: BaseSession, items: Sequence[Model], unique: Sequence[str] | None,
        batch_size: int,
    ) -> Flow[dict[tuple[Any, ...], Any]]:
        """Keys of the rows that already hold the objects' ``unique`` values (or primary keys):
        ``{(values...): primary key}``, read in batches."""
        meta = self.model._meta
        pk = meta.primary_key
        names = list(unique) if unique is not None else [pk]
        first = names[0]
        wanted = sorted(
            {_key_of(obj, names)[0] for obj in items if _key_of(obj, names)[0] is not None},
            key=repr,
        )
        found: dict[tuple[Any, ...], Any] = {}
        manager: Any = self.model.objects
        api = tuple(meta.field(n).api_name for n in names)
        pk_api = meta.pk_field.api_name
        for start in range(0, len(wanted), max(1, min(batch_size, 500))):
            chunk = wanted[start : start + max(1, min(batch_size, 500))]
            qs = manager.filter(**{f"{first}__in": chunk})._clone(
                fields=(pk_api, *api), rows="dict", row_fields=(pk, *names), meta=(), deep=None,
                related=(),
            )
            rows = yield from qs._all_flow(session)
            for row in rows:
                found.setdefault(tuple(row[n] for n in names), row[pk])
        return found

    def _bulk_update_flow(
        self, session: BaseSession, objs: Sequence[T], fields: Sequence[str], batch_size: int,
        on_progress: Progress | None,
    ) -> Flow[int]:
        model = self.model
        _check_writable(model)
        meta = model._meta
        names = [meta.field(name).name for name in fields]
        if not names:
            raise QueryError("bulk_update() needs the names of the fields to write")
        items = [cast("Model", obj) for obj in objs]
        pk_api = meta.pk_field.api_name
        bodies = []
        for obj in items:
            if obj.pk is None:
                raise QueryError(f"bulk_update(): {obj!r} has no primary key")
            if meta.relational:
                check_bulk(obj, names)
            bodies.append(to_json({pk_api: obj.pk, **checked_payload(obj, names)}))
        path = item_path(model)

        def send(part: range) -> Call:
            body = b"[" + b",".join(bodies[part.start : part.stop]) + b"]"
            return Call("PATCH", path, query={"fields": [pk_api]}, content=body,
                        headers={"Content-Type": "application/json"})

        def done(part: range, response: Any) -> None:
            for obj in items[part.start : part.stop]:
                changed = state_of(obj).get("changed", {})
                for name in names:
                    changed.pop(name, None)
                if meta.relational:
                    forget_to_many(obj, names)

        yield from run_batches(
            session, plan_batches(bodies, batch_size), send, what="bulk_update",
            on_progress=on_progress, total=len(items), on_done=done,
        )
        return len(items)

    def _keys_flow(self, session: BaseSession) -> Flow[list[Any]]:
        pk = self.model._meta.pk_field.api_name
        keys_qs = self._clone(fields=(pk,), rows="flat", row_fields=(pk,), meta=(), deep=None,
                              related=())
        return (yield from keys_qs._all_flow(session))

    def _write_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        if not data:
            raise QueryError("update() needs at least one field=value")
        meta = self.model._meta
        out: dict[str, Any] = {}
        checked: dict[str, Any] = {}
        for key, value in data.items():
            field = meta.field(key)
            if field.kind in ("o2m", "m2m", "m2a"):
                raise QueryError(
                    f"update() cannot set the to-many field {field.name!r}: Directus would replace "
                    "the list of every matching item. Use related(obj, ...).add/remove/set, or save()"
                )
            checked[field.name] = value
            out[field.api_name] = pk_of(value)
        meta.check_values(checked)
        check_json(out, model=self.model.__name__)
        return out

    def _update_flow(
        self, session: BaseSession, data: Mapping[str, Any], batch_size: int,
        on_progress: Progress | None,
    ) -> Flow[int]:
        self._not_singleton("update() on a QuerySet")
        _check_writable(self.model)
        body = self._write_data(data)
        if self._state.empty:
            return 0
        pk_api = self.model._meta.pk_field.api_name
        path = item_path(self.model)
        # By query in one request, unless sliced or the server caps query limits
        # (QUERY_LIMIT_MAX would cap the update silently): then by keys.
        if not self._state.sliced and session.query_limit_max is None:
            try:
                query = self._base_query()
            except EmptyResultSet:
                return 0
            for key in ("fields", "sort", "meta", "deep"):
                query.pop(key, None)
            query["limit"] = -1  # without it Directus updates only the first 100
            call = Call("PATCH", path, query={"fields": [pk_api]},
                        json={"query": query, "data": body}, send_json=True)
            try:
                response = yield from session.response_flow(call)
            except BatchLimitExceeded:
                pass  # more rows than MAX_BATCH_MUTATION: update by keys, in batches
            else:
                rows = json.loads(response.content).get("data") if response.content else []
                count = len(rows or [])
                if on_progress is not None:
                    on_progress(count, count)
                return count
        keys = yield from self._keys_flow(session)

        def send(part: range) -> Call:
            return Call("PATCH", path, query={"fields": [pk_api]},
                        json={"keys": keys[part.start : part.stop], "data": body}, send_json=True)

        ranges = [range(i, min(i + batch_size, len(keys))) for i in range(0, len(keys), batch_size)]
        yield from run_batches(session, ranges, send, what="update", on_progress=on_progress,
                               total=len(keys))
        return len(keys)

    def _delete_flow(
        self, session: BaseSession, batch_size: int, on_progress: Progress | None
    ) -> Flow[int]:
        self._not_singleton("delete() on a QuerySet")
        _check_writable(self.model)
        if self._matches_nothing():
            return 0
        # Directus answers a delete by query with 204 and no count, and applies
        # its default limit of 100: resolve the keys, then delete exactly those.
        keys = yield from self._keys_flow(session)
        path = item_path(self.model)

        def send(part: range) -> Call:
            return Call("DELETE", path, json={"keys": keys[part.start : part.stop]}, send_json=True)

        ranges = [range(i, min(i + batch_size, len(keys))) for i in range(0, len(keys), batch_size)]
        yield from run_batches(session, ranges, send, what="delete", on_progress=on_progress,
                               total=len(keys))
        return len(keys)


