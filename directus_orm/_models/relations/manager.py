"""``related(obj, "tags", Tag)``: a manager of one to-many relation (add, remove, set, clear)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast, overload

from ..._core.exceptions import FieldNotLoaded, QueryError
from ..._core.flow import Flow
from ..._core.request import Call
from ..._transport.session import async_session, sync_session
from ..changes import Journal, _identity, _junction_entry, _nested_create, write_query
from ..persistence import item_path
from ..state import from_db, is_model, mark_loaded, state_of
from .fields import M2A, _coerce_key, _key
from .loading import _key_paths
from .sync import _absorb_key, _pick, sync_after_write

if TYPE_CHECKING:
    from ..._transport.session import BaseSession
    from ..model import Model
    from ..options import FieldMeta

R = TypeVar("R")


"""(id(owner), field name) -> what was written; filled while a payload is built."""


# ================================================================== related managers


@overload
def related(obj: Model, field: str) -> RelatedManager[Any]: ...


@overload
def related(obj: Model, field: str, model: type[R]) -> RelatedManager[R]: ...


def related(obj: Model, field: str, model: type[Any] | None = None) -> RelatedManager[Any]:
    """Django's related manager for one to-many field of one object.

    ``related(article, "tags", Tag).add(python)`` links a tag at once (one PATCH of
    the article in Directus's detailed form). Passing the model class types the
    manager (``RelatedManager[Tag]``) and is checked against the declaration.
    """
    meta = type(obj)._meta.field(field)
    if meta.kind not in ("o2m", "m2m", "m2a"):
        raise QueryError(
            f"{type(obj).__name__}.{meta.name} is not a one-to-many, many-to-many or many-to-any "
            "field; assign a many-to-one directly and save()"
        )
    allowed = meta.targets if meta.kind == "m2a" else (meta.related,)
    if model is not None and model not in allowed:
        names = ", ".join(t.__name__ for t in allowed if t is not None)
        raise QueryError(f"{type(obj).__name__}.{meta.name} relates to {names}, not {model.__name__}")
    return RelatedManager(obj, meta)


class RelatedManager(Generic[R]):
    """The links of one to-many field of one object (``related(obj, "tags")``).

    Every method writes at once, like Django's: one PATCH of the owner in
    Directus's detailed form, preceded by one read when the current links
    must be known (``set``, ``clear``, and ``remove`` on a many-to-many whose
    links were not loaded). Items are instances or keys; unsaved instances are
    created in the same request. When the owner's list is loaded, it is
    updated too. Each method has an ``a``-prefixed twin for ``AsyncSession``.
    """

    def __init__(self, owner: Model, meta: FieldMeta) -> None:
        self.owner = owner
        self.meta = meta

    def __repr__(self) -> str:
        return f"<RelatedManager {type(self.owner).__name__}.{self.meta.name} of {self.owner.pk!r}>"

    @property
    def through(self) -> list[Any]:
        """The junction rows loaded with the list (``M2M(through=...)``); no I/O."""
        if self.meta.through is None:
            raise QueryError(f"{type(self.owner).__name__}.{self.meta.name} declares no through model")
        rows = state_of(self.owner).get("through", {}).get(self.meta.name)
        if rows is None:
            raise FieldNotLoaded(
                f"the junction rows of {type(self.owner).__name__}.{self.meta.name} were not loaded: "
                "select_related() it"
            )
        return list(rows)

    # ----------------------------------------------------------- sync API

    def add(self, *objs: R | Any, through_defaults: Mapping[str, Any] | None = None,
            using: BaseSession | None = None) -> None:
        """Link these items (created first when unsaved)."""
        session = sync_session(using, "add")
        session.run_flow(self._add_flow(session, objs, through_defaults))

    def remove(self, *objs: R | Any, using: BaseSession | None = None) -> None:
        """Unlink these items (the relation's deselect action applies: nullify or delete)."""
        session = sync_session(using, "remove")
        session.run_flow(self._remove_flow(session, objs))

    def set(self, objs: Iterable[R | Any], *, through_defaults: Mapping[str, Any] | None = None,
            using: BaseSession | None = None) -> None:
        """Make these exactly the linked items: one read, then one write of the difference."""
        session = sync_session(using, "set")
        session.run_flow(self._set_flow(session, list(objs), through_defaults))

    def clear(self, *, using: BaseSession | None = None) -> None:
        """Unlink every item."""
        session = sync_session(using, "clear")
        session.run_flow(self._set_flow(session, [], None))

    def create(self, *, through_defaults: Mapping[str, Any] | None = None,
               using: BaseSession | None = None, **data: Any) -> R:
        """Create a related item linked to the owner, in one request; returns it with its key."""
        item = self._new(data)
        self.add(item, through_defaults=through_defaults, using=using)
        return cast(R, item)

    # ---------------------------------------------------------- async API

    async def aadd(self, *objs: R | Any, through_defaults: Mapping[str, Any] | None = None,
                   using: BaseSession | None = None) -> None:
        """Async :meth:`add`."""
        session = async_session(using, "add")
        await session.arun_flow(self._add_flow(session, objs, through_defaults))

    async def aremove(self, *objs: R | Any, using: BaseSession | None = None) -> None:
        """Async :meth:`remove`."""
        session = async_session(using, "remove")
        await session.arun_flow(self._remove_flow(session, objs))

    async def aset(self, objs: Iterable[R | Any], *,
                   through_defaults: Mapping[str, Any] | None = None,
                   using: BaseSession | None = None) -> None:
        """Async :meth:`set`."""
        session = async_session(using, "set")
        await session.arun_flow(self._set_flow(session, list(objs), through_defaults))

    async def aclear(self, *, using: BaseSession | None = None) -> None:
        """Async :meth:`clear`."""
        session = async_session(using, "clear")
        await session.arun_flow(self._set_flow(session, [], None))

    async def acreate(self, *, through_defaults: Mapping[str, Any] | None = None,
                      using: BaseSession | None = None, **data: Any) -> R:
        """Async :meth:`create`."""
        item = self._new(data)
        await self.aadd(item, through_defaults=through_defaults, using=using)
        return cast(R, item)

    # -------------------------------------------------------------- flows

    def _new(self, data: Mapping[str, Any]) -> Any:
        if self.meta.kind == "m2a":
            raise QueryError("create() on a many-to-any: build the instance and add() it")
        target = self.meta.related
        assert target is not None
        return target(**{target._meta.field(k).name: v for k, v in data.items()})

    def _owner_key(self) -> Any:
        key = self.owner.pk
        if key is None:
            raise QueryError(
                f"{type(self.owner).__name__} has no primary key yet: save it before changing "
                f"its {self.meta.name!r} links"
            )
        return key

    def _link(self, item: Any) -> Any:
        """The identity of an item as the snapshot holds it: key, or (collection, key)."""
        if self.meta.kind == "m2a":
            if not is_model(item) or not isinstance(item, self.meta.targets):
                raise QueryError(f"{self.meta.name}: pass instances of the allowed models, not {item!r}")
            return (type(item)._meta.collection, _key(item))
        return _key(item)

    def _entries(self, objs: Sequence[Any], through_defaults: Mapping[str, Any] | None) -> _Entries:
        """``create`` and ``update`` entries for linking ``objs``, and what to sync after."""
        meta = self.meta
        where = f"{type(self.owner).__name__}.{meta.name}"
        create: list[Any] = []
        update: list[dict[str, Any]] = []
        creates: list[tuple[Any, Any]] = []
        nested: list[tuple[Model, Any]] = []
        seen: set[int] = {id(self.owner)}
        journal: Journal = {}
        if through_defaults and meta.kind != "m2m":
            raise QueryError("through_defaults applies to a many-to-many")
        extra = dict(through_defaults or {})
        for item in objs:
            if meta.kind == "o2m":
                target = meta.related
                assert target is not None
                if is_model(item) and not from_db(item):
                    body = _nested_create(item, seen, journal)
                    create.append(body)
                    creates.append((item, None))
                    nested.append((item, body))
                else:
                    update.append({target._meta.pk_field.api_name: _identity(item, where)})
            else:
                link, row, changes = _junction_entry(meta, item, seen, journal, where)
                if link is None:
                    raise QueryError(f"{where}: {item!r} has no primary key")
                create.append({**row, **extra})
                creates.append((item, link))
                if changes is not None and is_model(item):
                    nested.append((item, changes))
        return _Entries(create, update, creates, nested, journal)

    def _links_flow(self, session: BaseSession, keys: Sequence[Any] | None = None) -> Flow[list[Any]]:
        """The current junction rows (or child keys) of the owner, read from the server."""
        meta = self.meta
        spec: dict[str, Any] = {"_limit": -1}
        if keys is not None and meta.kind == "m2m":
            spec["_filter"] = {str(meta.junction_field): {"_in": list(keys)}}
        paths = [f"{meta.api_name}.{p}" for p in self._key_paths()]
        call = Call("GET", item_path(type(self.owner), self._owner_key()),
                    query={"fields": paths, "deep": {meta.api_name: spec}})
        body = yield from session.call_flow(call)
        data = body.get("data") if isinstance(body, dict) else None
        rows = data.get(meta.api_name) if isinstance(data, dict) else None
        return list(rows or [])

    def _key_paths(self) -> list[str]:
        meta = self.meta
        if meta.kind == "o2m":
            assert meta.related is not None
            return [meta.related._meta.pk_field.api_name]
        return _key_paths(meta)

    def _row_link(self, row: Any) -> tuple[Any, Any]:
        """(junction key or child key, identity) of a row the server sent."""
        meta = self.meta
        if meta.kind == "o2m":
            assert meta.related is not None
            key = row.get(meta.related._meta.pk_field.api_name) if isinstance(row, dict) else row
            return key, key
        jpk = row.get(str(meta.junction_pk))
        if meta.kind == "m2m":
            far = row.get(str(meta.junction_field))
            if isinstance(far, dict):
                assert meta.related is not None
                far = far.get(meta.related._meta.pk_field.api_name)
            return jpk, far
        spec = meta.spec
        assert isinstance(spec, M2A)
        collection = row.get(spec.collection_field)
        item = row.get(spec.item_field)
        if isinstance(item, dict):
            target = next((t for t in meta.targets if t._meta.collection == collection), None)
            item = item.get(target._meta.pk_field.api_name) if target is not None else None
        model = next((t for t in meta.targets if t._meta.collection == collection), None)
        if model is not None and item is not None:
            item = _coerce_key(model, item)
        return jpk, (collection, item)

    def _write_flow(
        self, session: BaseSession, entries: _Entries, delete: list[Any], before: list[Any] | None
    ) -> Flow[list[Any]]:
        """PATCH the owner with one alteration; give created items their keys.

        ``before`` (the rows read before the write) tells the created items'
        keys apart from the links that already existed.
        """
        meta = self.meta
        model = type(self.owner)
        creates, update = entries.creates, entries.update
        body = {meta.api_name: {"create": entries.create, "update": update, "delete": delete}}
        query = write_query(model, body)
        call = Call("PATCH", item_path(model, self._owner_key()), query=query, json=body,
                    send_json=True)
        response = yield from session.response_flow(call)
        data = json.loads(response.content).get("data") if response.content else None
        answer = data.get(meta.api_name) if isinstance(data, dict) else None
        rows = list(answer) if isinstance(answer, list) else []
        if creates and before is not None:
            known = {self._row_link(r)[0] for r in before}
            fresh = {self._row_link(r)[0]: r for r in rows}
            candidates = [k for k in fresh if k not in known]
            if meta.kind == "o2m":
                assert meta.related is not None
                cpk = meta.related._meta.pk_field.api_name
                linked = {u.get(cpk) for u in update}
                candidates = [k for k in candidates if k not in linked]
            picked = _pick(candidates, len(creates))
            for (item, _), key in zip(creates, picked or [], strict=False):
                if not is_model(item) or from_db(item):
                    continue  # a link to an existing item: nothing to learn
                row = fresh[key]
                if meta.kind == "o2m":
                    far = key
                elif meta.kind == "m2m":
                    far = row.get(str(meta.junction_field))
                else:
                    spec = meta.spec
                    assert isinstance(spec, M2A)
                    far = row.get(spec.item_field)
                    if far is not None and not isinstance(far, dict):
                        far = _coerce_key(type(item), far)
                _absorb_key(item, far)
        for item, _ in entries.nested:
            sync_after_write(item, entries.journal, None)
            mark_loaded((item,), item._meta.json_fields)
        for item, _ in creates:
            if is_model(item):
                mark_loaded((item,), item._meta.json_fields)
        return rows

    def _add_flow(
        self, session: BaseSession, objs: Sequence[Any], through_defaults: Mapping[str, Any] | None
    ) -> Flow[None]:
        self._owner_key()
        if not objs:
            return None
        objs = yield from self._not_linked_flow(session, objs)
        if not objs:
            return None
        entries = self._entries(objs, through_defaults)
        before = None
        if any(is_model(i) and not from_db(i) for i, _ in entries.creates):
            before = yield from self._links_flow(session)  # to tell the created keys apart
        rows = yield from self._write_flow(session, entries, [], before)
        self._update_loaded(rows, add=list(objs))
        return None

    def _not_linked_flow(self, session: BaseSession, objs: Sequence[Any]) -> Flow[list[Any]]:
        """``objs`` without the items already linked (and without repeats), as Django's add().

        A many-to-many or many-to-any would otherwise get a second junction row for
        the same item; a one-to-many link is a key on the child and needs no check.
        """
        if self.meta.kind == "o2m":
            return list(objs)
        entries: list[tuple[Any, Any]] = []  # (item, link); link None: unsaved, created
        seen: set[Any] = set()
        for item in objs:
            if is_model(item) and not from_db(item) and item.pk is None:
                entries.append((item, None))
                continue
            link = self._link(item)
            if link not in seen:
                seen.add(link)
                entries.append((item, link))
        linked: set[Any] = set()
        if seen:
            keys = list(seen) if self.meta.kind == "m2m" else None
            rows = yield from self._links_flow(session, keys)
            linked = {self._row_link(row)[1] for row in rows}
        return [item for item, link in entries if link is None or link not in linked]

    def _remove_flow(self, session: BaseSession, objs: Sequence[Any]) -> Flow[None]:
        self._owner_key()
        if not objs:
            return None
        meta = self.meta
        links = [self._link(item) for item in objs]
        if meta.kind == "o2m":
            delete = [k for k in links if k is not None]
        else:
            rows = yield from self._links_flow(
                session, [k for k in links] if meta.kind == "m2m" else None)
            # Every junction row of a removed item goes: the link is removed, as in Django.
            delete = [jpk for jpk, link in map(self._row_link, rows) if link in links]
        if not delete:
            return None
        rows = yield from self._write_flow(session, _Entries(), delete, None)
        self._update_loaded(rows, remove=links)
        return None

    def _set_flow(
        self, session: BaseSession, objs: list[Any], through_defaults: Mapping[str, Any] | None
    ) -> Flow[None]:
        self._owner_key()
        meta = self.meta
        current = yield from self._links_flow(session)
        existing: dict[Any, list[Any]] = {}
        for row in current:
            jpk, link = self._row_link(row)
            existing.setdefault(link, []).append(jpk)
        to_add: list[Any] = []
        for item in objs:
            link = self._link(item) if (not is_model(item) or from_db(item)) else None
            if link is not None and existing.get(link):
                existing[link].pop(0)
            else:
                to_add.append(item)
        delete = [jpk for jpks in existing.values() for jpk in jpks if jpk is not None]
        if meta.kind == "o2m":
            delete = [link for link, jpks in existing.items() for _ in jpks]
        if not to_add and not delete:
            self._update_loaded(current, replace=objs)
            return None
        entries = self._entries(to_add, through_defaults) if to_add else _Entries()
        rows = yield from self._write_flow(session, entries, delete, current)
        self._update_loaded(rows, replace=objs)
        return None

    def _update_loaded(
        self,
        rows: list[Any],
        *,
        add: list[Any] | None = None,
        remove: list[Any] | None = None,
        replace: list[Any] | None = None,
    ) -> None:
        """Keep the owner's loaded list (and its snapshot) in step with what was written."""
        meta = self.meta
        data = self.owner.__dict__
        if meta.name not in data or data[meta.name] is None:
            return
        items: list[Any] = list(data[meta.name])
        if replace is not None:
            items = []
            add = replace
        if remove:
            gone = list(remove)
            kept = []
            for item in items:
                link = self._link(item) if meta.kind == "m2a" else _key(item)
                if link in gone:
                    gone.remove(link)
                else:
                    kept.append(item)
            items = kept
        holds_models = meta.kind == "m2a" or any(is_model(i) for i in items) or (
            not items and any(is_model(i) for i in add or ()))
        for item in add or ():
            if holds_models and not is_model(item):
                item = _stub(meta, item)
            elif not holds_models and is_model(item):
                item = _key(item)
            items.append(item)
        data[meta.name] = items
        # Snapshot: the loaded items that the server links, with their junction keys.
        by_link: dict[Any, list[Any]] = {}
        for row in rows:
            jpk, link = self._row_link(row)
            by_link.setdefault(link, []).append(jpk)
        snapshot: list[Any] = []
        for item in items:
            link = self._link(item) if meta.kind == "m2a" else _key(item)
            jpks = by_link.get(link)
            if not jpks:
                continue
            jpk = jpks.pop(0)
            if meta.kind == "o2m":
                snapshot.append(link)
            elif meta.kind == "m2m":
                snapshot.append((jpk, link))
            else:
                snapshot.append((jpk, *link))
        state_of(self.owner).setdefault("rel", {})[meta.name] = snapshot
        if meta.through is not None:
            state_of(self.owner).get("through", {}).pop(meta.name, None)


@dataclass
class _Entries:
    create: list[Any] = field(default_factory=list)
    update: list[dict[str, Any]] = field(default_factory=list)
    creates: list[tuple[Any, Any]] = field(default_factory=list)
    nested: list[tuple[Model, Any]] = field(default_factory=list)
    journal: Journal = field(default_factory=dict)


def _stub(meta: FieldMeta, key: Any) -> Any:
    """A loaded instance that holds only its key (for a key added to a list of instances)."""
    target = meta.related
    assert target is not None
    instance = target._meta.validator("item").validate_python({target._meta.pk_field.api_name: key})
    target._meta.strip((instance,))
    return instance
