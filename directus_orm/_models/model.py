"""Declarative models: pydantic v2 classes bound to a Directus collection.

``class Article(Model, collection="articles")`` declares fields as pydantic
fields. The class keywords are ``collection`` (default: the snake_case class
name), ``primary_key`` (default ``"id"``), ``singleton`` and ``endpoint`` (for
system collections served outside ``/items``). Pydantic's own config keywords
work too; ``extra="allow"`` keeps fields the server returns but the model does
not declare (in ``model_extra``), the default ``extra="ignore"`` drops them.

Objects read from the server are hydrated from the response bytes in one
pydantic-core pass. Fields the query did not fetch are *not loaded*: reading
one raises :class:`~directus_orm.FieldNotLoaded`, never a silent ``None``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from .._core.exceptions import FieldError, FieldNotLoaded, MultipleObjectsReturned, ObjectDoesNotExist
from .._core.flow import Flow
from .._transport.session import BaseSession, async_session, sync_session
from .changes import changed_fields
from .manager import Manager
from .options import ModelOptions, _snake_case
from .persistence import delete_flow, refresh_flow, save_flow, save_version_flow
from .relations.fields import Expanded, Key, key_of
from .state import _STATE, from_db, note_assignment, state_of


class Model(BaseModel):
    """Base class of Directus models.

    ``Article.objects`` is a :class:`~directus_orm.QuerySet` over the collection;
    ``Article.DoesNotExist`` and ``Article.MultipleObjectsReturned`` are the
    model's own exception classes; ``obj.pk`` is the primary key.
    """

    model_config = ConfigDict(
        populate_by_name=True,
        extra="ignore",
        ignored_types=(Manager, Key, Expanded),
    )

    _meta: ClassVar[ModelOptions]
    objects = Manager()
    DoesNotExist: ClassVar[type[ObjectDoesNotExist]] = ObjectDoesNotExist
    MultipleObjectsReturned: ClassVar[type[MultipleObjectsReturned]] = MultipleObjectsReturned

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The class keywords (collection=..., ...) are read once pydantic has
        # built the fields, in __pydantic_init_subclass__.
        super().__init_subclass__()

    @classmethod
    def __pydantic_init_subclass__(
        cls,
        *,
        collection: str | None = None,
        primary_key: str | None = None,
        singleton: bool | None = None,
        endpoint: str | None = None,
        read_only: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        parent: ModelOptions | None = next(
            (b.__dict__["_meta"] for b in cls.__mro__[1:] if "_meta" in b.__dict__), None
        )
        inherited = parent is not None and collection is None
        meta = ModelOptions(
            cls,
            collection=collection
            or (parent.collection if inherited and parent else _snake_case(cls.__name__)),
            primary_key=primary_key or (parent.primary_key if parent else "id"),
            singleton=singleton if singleton is not None else bool(parent and parent.singleton),
            endpoint=endpoint or (parent.endpoint if inherited and parent else None),
            read_only=read_only if read_only is not None else bool(parent and parent.read_only),
        )
        type.__setattr__(cls, "_meta", meta)
        if meta.primary_key not in cls.model_fields:
            raise FieldError(
                f"{cls.__name__}: the primary key {meta.primary_key!r} is not a field; "
                f"declare it (e.g. `{meta.primary_key}: int | None = None`) or pass "
                "primary_key=... in the class keywords"
            )
        # Model-specific exception classes, as in Django.
        for attr, base in (
            ("DoesNotExist", ObjectDoesNotExist),
            ("MultipleObjectsReturned", MultipleObjectsReturned),
        ):
            parents = tuple(
                getattr(b, attr) for b in cls.__bases__ if issubclass(b, Model) and b is not Model
            ) or (base,)
            exc = type(attr, parents, {"__module__": cls.__module__,
                                       "__qualname__": f"{cls.__qualname__}.{attr}"})
            type.__setattr__(cls, attr, exc)

    @property
    def pk(self) -> Any:
        """The primary key value (``None`` for an unsaved object)."""
        return getattr(self, type(self)._meta.primary_key)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: a declared field missing from
        # __dict__ was not fetched by the query.
        cls = type(self)
        if name in cls.model_fields:
            raise FieldNotLoaded(
                f"{cls.__name__}.{name} was not loaded: the query did not fetch it. "
                f"Add it with .fields(...) or call refresh_from_db()"
            )
        if not name.startswith("_"):
            private = self.__pydantic_private__
            state = private.get(_STATE) if private else None
            if state is not None and not isinstance(state, dict):  # a loaded page: its own state
                state = state_of(self)
            if state and name in state.get("annotations", ()):
                return state["annotations"][name]
        if name.endswith("_id") and not name.startswith("_"):
            # ``article.author_id``: the key of a many-to-one, loaded or not expanded.
            meta = cls._meta.fields.get(name[:-3])
            if meta is not None and meta.kind == "m2o":
                return key_of(getattr(self, meta.name), f"{cls.__name__}.{meta.name}")
        return super().__getattr__(name)  # type: ignore[misc]

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        data = self.__dict__
        for name, info in type(self).model_fields.items():
            if name in data and info.repr:
                yield name, data[name]
        if self.__pydantic_extra__:
            yield from self.__pydantic_extra__.items()

    def __eq__(self, other: object) -> bool:
        # Value equality, as in pydantic, but blind to the ORM's bookkeeping
        # (where an object was loaded from, what changed since).
        if not isinstance(other, BaseModel) or type(other) is not type(self):
            return NotImplemented
        return (
            self.__dict__ == other.__dict__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    def __hash__(self) -> int:
        # By primary key, as in Django: ``{article}`` and dict keys work for saved
        # objects (equal objects have equal keys, so equal hashes).
        pk = self.pk if type(self)._meta.primary_key in self.__dict__ else None
        if pk is None:
            raise TypeError(f"{type(self).__name__} instances without a primary key are unhashable")
        return hash((type(self)._meta.collection, pk))

    def __setattr__(self, name: str, value: Any) -> None:
        if name in type(self).model_fields and from_db(self):
            note_assignment(self, name)
        super().__setattr__(name, value)

    # The flows behind save/delete/refresh_from_db and their a-twins: a model
    # whose items live at other routes overrides these, not the six methods.
    def _save_flow(
        self, session: BaseSession, force_insert: bool, update_fields: Sequence[str] | None
    ) -> Flow[bool]:
        return save_flow(self, session, force_insert=force_insert, update_fields=update_fields)

    def _delete_flow(self, session: BaseSession) -> Flow[None]:
        return delete_flow(self, session)

    def _refresh_flow(self, session: BaseSession, fields: Sequence[str] | None) -> Flow[None]:
        return refresh_flow(self, session, fields)

    @property
    def changed_fields(self) -> list[str]:
        """Fields that ``save()`` would send (all set fields for a new object)."""
        return changed_fields(self)

    def save(
        self,
        *,
        force_insert: bool = False,
        update_fields: Sequence[str] | None = None,
        using: BaseSession | None = None,
        version: str | None = None,
    ) -> bool:
        """Create (POST) a new object, or PATCH the changed fields of a loaded one.

        A loaded object sends only the fields that changed since it was read or
        saved, or exactly ``update_fields``; with nothing changed nothing is
        sent. Afterwards the object holds what the server returned (generated
        key, defaults, dates). Returns whether a request was sent.

        ``version="draft"`` saves the changes into that content version of the
        item instead (created if needed; see ``session.versions``), leaving the
        item itself as it is.
        """
        session = sync_session(using, "save")
        if version is not None:
            return session.run_flow(save_version_flow(self, session, version, update_fields))
        return session.run_flow(self._save_flow(session, force_insert, update_fields))

    async def asave(
        self,
        *,
        force_insert: bool = False,
        update_fields: Sequence[str] | None = None,
        using: BaseSession | None = None,
        version: str | None = None,
    ) -> bool:
        """Async :meth:`save`."""
        session = async_session(using, "save")
        if version is not None:
            return await session.arun_flow(save_version_flow(self, session, version, update_fields))
        return await session.arun_flow(self._save_flow(session, force_insert, update_fields))

    def delete(self, *, using: BaseSession | None = None) -> None:
        """DELETE this item; the object keeps its data, without a primary key."""
        session = sync_session(using, "delete")
        session.run_flow(self._delete_flow(session))

    async def adelete(self, *, using: BaseSession | None = None) -> None:
        """Async :meth:`delete`."""
        session = async_session(using, "delete")
        await session.arun_flow(self._delete_flow(session))

    def refresh_from_db(
        self, fields: Sequence[str] | None = None, *, using: BaseSession | None = None
    ) -> None:
        """Reload all fields (or ``fields``) from the server, discarding local changes."""
        session = sync_session(using, "refresh_from_db")
        session.run_flow(self._refresh_flow(session, fields))

    async def arefresh_from_db(
        self, fields: Sequence[str] | None = None, *, using: BaseSession | None = None
    ) -> None:
        """Async :meth:`refresh_from_db`."""
        session = async_session(using, "refresh_from_db")
        await session.arun_flow(self._refresh_flow(session, fields))

    @property
    def loaded_fields(self) -> frozenset[str]:
        """The names of the fields this object holds (fetched or assigned)."""
        return frozenset(n for n in type(self).model_fields if n in self.__dict__)
