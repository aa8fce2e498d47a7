"""The QuerySet's write flows: create, get_or_create, bulk writes, update and delete by query."""


from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pydantic_core import to_json

from .._core.exceptions import BatchLimitExceeded, QueryError, RecordNotUnique
from .._core.flow import Flow
from .._core.request import Call
from .._query.filters import EmptyResultSet
from .._transport.session import BaseSession
from .batches import Progress, plan_batches, run_batches
from .changes import absorb, insert_fields, payload
from .hydrate import hydrate_many
from .persistence import _check_writable, item_path, save_flow
from .relations.fields import pk_of
from .relations.sync import check_bulk, forget_to_many
from .state import state_of

if TYPE_CHECKING:
    from .model import Model


from .reads import ReadFlows

T = TypeVar("T")


class WriteFlows(ReadFlows[T]):
    """The sans-IO write flows of a QuerySet; the terminals in ``queryset.py`` drive them."""

    # ------------------------------------------------------------ write flows

    def _create_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        meta = self.model._meta
        return {meta.field(key).name: value for key, value in data.items() if "__" not in key}

    def _create_flow(self, session: BaseSession, data: Mapping[str, Any]) -> Flow[T]:
        obj = self.model(**self._create_data(data))
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
        on_progress: Progress | None,
    ) -> Flow[list[T]]:
        model = self.model
        _check_writable(model)
        items = [cast("Model", obj) for obj in objs]
        relational = bool(model._meta.relational)
        for obj in items:
            if not isinstance(obj, model):
                raise QueryError(f"bulk_create() takes {model.__name__} objects, not {obj!r}")
            if relational:
                check_bulk(obj, insert_fields(obj))
        bodies = [to_json(payload(obj, insert_fields(obj))) for obj in items]
        path = item_path(model)

        read_back = self._read_back_query()

        def send(part: range) -> Call:
            body = b"[" + b",".join(bodies[part.start : part.stop]) + b"]"
            return Call("POST", path, query=read_back, content=body,
                        headers={"Content-Type": "application/json"})

        def done(part: range, response: Any) -> None:
            fresh = hydrate_many(model, response.content)
            batch = items[part.start : part.stop]
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
            bodies.append(to_json({pk_api: obj.pk, **payload(obj, names)}))
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
        for key, value in data.items():
            field = meta.field(key)
            if field.kind in ("o2m", "m2m", "m2a"):
                raise QueryError(
                    f"update() cannot set the to-many field {field.name!r}: Directus would replace "
                    "the list of every matching item. Use related(obj, ...).add/remove/set, or save()"
                )
            out[field.api_name] = pk_of(value)
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


