"""The QuerySet's base: its state, and how that state compiles to a Directus query."""


from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from typing_extensions import Self

from .._core.exceptions import FieldError, QueryError
from .._core.request import path_of, read_call
from .._query.aggregates import Aggregate, Count
from .._query.filters import EmptyResultSet, compile_chain, compile_filter
from .._query.functions import FieldFunction
from .._query.q import Q
from .._query.state import QueryState
from .._transport.session import AsyncDriver, BaseSession, SyncDriver, async_session, sync_session
from .relations.loading import LoadPlan, default_fields, hop_filter, plan_load
from .relations.paths import api_paths
from .resolver import ModelResolver

if TYPE_CHECKING:
    from .model import Model
    from .queryset import QuerySet

T = TypeVar("T")

_META_VALUES = ("total_count", "filter_count", "*")

#: The explicit limit that asks for every item (see ``QuerySet._evaluation_query``).
READ_ALL = 2_147_483_647



def check_list_names(model: str, path: str, api_paths: Sequence[str], param: str) -> None:
    """Refuse field names that a comma-joined list parameter would misread."""
    for api in api_paths:
        for part in api.split("."):
            if "," in part or part.startswith("-"):
                raise FieldError(
                    f"{model}: field {path!r} (Directus name {part!r}) cannot be used in {param}: "
                    "Directus splits that parameter on commas and reads a leading '-' as a "
                    "descending sort. Rename the field in Directus, or filter on it instead"
                )


class QueryCompiler(Generic[T]):
    """The state of a QuerySet and its compilation to Directus query parameters (no I/O)."""

    def __init__(
        self,
        model: type[Model],
        state: QueryState | None = None,
        session: BaseSession | None = None,
    ) -> None:
        self.model = model
        self._state = state or QueryState()
        self._session = session
        self._cache: list[T] | None = None
        self._meta_result: dict[str, Any] = {}
        self._plan: LoadPlan | None = None

    # ------------------------------------------------------------ helpers

    def _clone(self, **changes: Any) -> Self:
        clone = copy.copy(self)
        clone._state = replace(self._state, **changes)
        clone._cache = None
        clone._meta_result = {}
        clone._plan = None
        return clone

    def _check_not_sliced(self, what: str) -> None:
        if self._state.sliced:
            raise QueryError(f"cannot {what} a QuerySet once a slice has been taken")

    def _resolver(self) -> ModelResolver:
        return ModelResolver(self.model)

    def _api_path(self, path: str) -> str:
        """Validate a dotted field path and translate it to Directus names.

        A many-to-many hides its junction (``tags.label`` is ``tags.tags_id.label``)
        and a many-to-any names a scope (``blocks.headings.text``); see
        :func:`~directus_orm._relations.api_paths`.
        """
        paths = api_paths(self.model, path, self._state.alias)
        if len(paths) != 1:
            raise QueryError(f"{path!r} names {len(paths)} paths ({', '.join(paths)}); name one")
        return paths[0]

    def _api_paths(self, path: str) -> list[str]:
        return api_paths(self.model, path, self._state.alias)

    def _list_path(self, path: str, param: str) -> str:
        """:meth:`_api_path` for a comma-joined list parameter (``fields``, ``sort``,
        ``groupBy``, ``aggregate``): Directus splits those on commas and reads a leading
        ``-`` as a descending sort, so a name holding either is refused here."""
        api = self._api_path(path)
        check_list_names(self.model.__name__, path, [api], param)
        return api

    def _group_paths(self, fields: Sequence[str], what: str) -> tuple[str, ...]:
        """API paths Directus can group by: own fields and date parts, not relations."""
        out: list[str] = []
        for name in fields:
            api = self._list_path(name, "groupBy")
            inner = api[:-1].partition("(")[2] if api.endswith(")") else api
            meta = self.model._meta.by_api(inner) if "." not in inner else None
            if meta is None or meta.kind in ("o2m", "m2m", "m2a"):
                raise QueryError(
                    f"{what}({name!r}): Directus groups only by fields of "
                    f"{self.model.__name__} itself (or a many-to-one's key, or a date part "
                    "like year(date)); grouping through a relation fails on the server. "
                    f"Group by the key ({name.replace('.', '__').split('__')[0]!r}) instead"
                )
            out.append(api)
        return tuple(out)

    def __repr__(self) -> str:
        if self._cache is not None:
            shown = ", ".join(repr(item) for item in self._cache[:20])
            more = ", ..." if len(self._cache) > 20 else ""
            return f"<QuerySet [{shown}{more}]>"
        return f"<QuerySet {self.model.__name__}: {self.explain()}>"

    def _compile_check(self, q: Q) -> None:
        # Fail on unknown fields and lookups now, not at evaluation time.
        try:
            compile_filter(q, self._resolver())
        except EmptyResultSet:
            pass

    # ------------------------------------------------------------ compile

    def _matches_nothing(self) -> bool:
        """Whether no row can match (``none()``, or a filter such as ``id__in=[]``).

        Every flow asks this first and answers without a request when it is true.
        """
        if self._state.empty:
            return True
        try:
            self._filter()
        except EmptyResultSet:
            return True
        return False

    def _filter(self) -> dict[str, Any] | None:
        """The compiled filter; raises EmptyResultSet when it can match nothing."""
        if not self._state.where:
            return None
        return compile_chain(self._state.where, self._resolver())

    def _load_plan(self) -> LoadPlan:
        if self._plan is None:
            self._plan = plan_load(self, augment=self._state.rows == "model")
        return self._plan

    def _base_query(self, plan: bool = True) -> dict[str, Any]:
        state = self._state
        query: dict[str, Any] = {}
        fields_out: Sequence[str] | None = state.fields
        deep_out: Mapping[str, Any] | None = state.deep
        if plan and (state.related or self.model._meta.relational):
            load = self._load_plan()
            fields_out, deep_out = load.fields, load.deep
        elif plan and fields_out is None and state.rows == "model":
            fields_out = default_fields(self.model)
        if state.annotations:
            names = [name for name, _, _ in state.annotations]
            base = list(fields_out) if fields_out is not None else ["*"]
            fields_out = [*base, *(n for n in names if n not in base)]
        if fields_out is not None:
            fields = list(fields_out)
            if state.alias and all(name in state.alias for name in fields):
                # Directus 12.4 answers bare primary keys when every requested
                # field is an alias; asking for the key too gives real rows.
                fields.append(self.model._meta.pk_field.api_name)
            query["fields"] = fields
        if state.distinct and state.rows != "model" and state.fields:
            query["groupBy"] = list(self._group_paths(state.fields, "distinct"))
        flt = self._filter()
        if flt:
            query["filter"] = flt
        if state.search is not None:
            query["search"] = state.search
        if state.sort:
            query["sort"] = list(state.sort)
        if deep_out:
            query["deep"] = dict(deep_out)
        if state.alias:
            query["alias"] = dict(state.alias)
        if state.meta:
            query["meta"] = list(state.meta)
        if state.params:
            query.update(state.params)
        return query

    def _as_deep(self, hop: Sequence[str] = ()) -> dict[str, Any]:
        """This QuerySet as a Directus ``deep`` entry (``_filter``, ``_sort``, ``_limit``...).

        ``hop`` is the junction field of a many-to-many: the entry then speaks of
        junction rows (``_filter: {tags_id: {...}}``, ``_sort: ["tags_id.label"]``).
        """
        query = self._base_query(plan=False)
        query.pop("meta", None)
        if self._state.limit is not None:
            query["limit"] = self._state.limit
        if self._state.offset:
            query["offset"] = self._state.offset
        if hop:
            prefix = ".".join(hop) + "."
            if "filter" in query:
                query["filter"] = hop_filter(query["filter"], list(hop))
            if "sort" in query:
                query["sort"] = [("-" + prefix + k[1:]) if k.startswith("-") else prefix + k
                                 for k in query["sort"]]
            if "fields" in query:
                query["fields"] = [prefix + f for f in query["fields"]]
            if "deep" in query:
                nested: dict[str, Any] = query["deep"]
                for part in reversed(hop):
                    nested = {part: nested}
                query["deep"] = nested
            if "search" in query:
                raise QueryError("search() cannot shape a many-to-many list (it would search junction rows)")
        return {"_" + key: value for key, value in query.items()}

    def _evaluation_query(self) -> dict[str, Any]:
        """The query that evaluating (iterating) sends first; raises EmptyResultSet.

        "Everything" is asked for as ``limit=READ_ALL``, not ``-1``: a server with
        ``QUERY_LIMIT_MAX`` caps ``-1`` silently, but refuses a larger explicit
        limit with an error that names its maximum; the QuerySet then pages.
        """
        query = self._base_query()
        state = self._state
        query["limit"] = state.limit if state.limit is not None else READ_ALL
        if state.offset:
            query["offset"] = state.offset
        return query

    def query_params(self) -> dict[str, Any]:
        """The structured Directus query this QuerySet sends when evaluated.

        ``{"_empty": True}`` when it can match nothing (and sends no request).
        """
        if self._matches_nothing():
            return {"_empty": True}
        return self._evaluation_query()

    def explain(self) -> str:
        """The request evaluating this QuerySet sends, e.g. ``GET /items/articles?filter=...``.

        Parameters are shown decoded for reading; a query too long for a URL shows
        as ``SEARCH`` with its body, as it is sent.
        """
        query = self.query_params()
        if query.get("_empty"):
            return "(no request: the QuerySet matches nothing)"
        return read_call(self._path(), query).describe()

    @property
    def query(self) -> str:
        """``str(qs.query)``: the Directus parameters, as JSON."""
        return json.dumps(self.query_params(), default=str)

    # ----------------------------------------------------------- sessions

    def _sync(self, method: str) -> SyncDriver:
        hint = " (or `async for`)" if method == "__iter__" else ""
        return sync_session(self._session, method.strip("_"), hint)

    def _async(self, method: str) -> AsyncDriver:
        return async_session(self._session, method.strip("_"))

    # -------------------------------------------------------------- flows

    def _path(self) -> str:
        return path_of(*self.model._meta.endpoint_parts)

    def _not_singleton(self, what: str) -> None:
        if self.model._meta.singleton:
            raise QueryError(
                f"{self.model.__name__} is a singleton: {what} does not apply; use "
                f"{self.model.__name__}.objects.get() and obj.save()"
            )

    def _describe_filter(self) -> str:
        try:
            return f"filter={json.dumps(self._filter(), default=str)}"
        except EmptyResultSet:
            return "filter matches nothing"

    # ------------------------------------------------------ chain methods

    # ------------------------------------------------------ chain methods

    def all(self) -> Self:
        """A copy of this QuerySet (with an empty cache)."""
        return self._clone()

    def none(self) -> Self:
        """A QuerySet that matches nothing and never sends a request."""
        return self._clone(empty=True)

    def using(self, session: BaseSession) -> Self:
        """Run this QuerySet on ``session`` instead of the current one."""
        clone = self._clone()
        clone._session = session
        return clone

    def _annotated(self, q: Q) -> Q:
        """``q`` with lookups on annotations turned into lookups on their functions."""
        if not self._state.annotations:
            return q
        prefixes = {name: lookup for name, _, lookup in self._state.annotations}
        children: list[Any] = []
        for child in q.children:
            if isinstance(child, Q):
                children.append(self._annotated(child))
            elif isinstance(child, tuple):
                head, sep, rest = child[0].partition("__")
                key = prefixes[head] + sep + rest if head in prefixes else child[0]
                children.append((key, child[1]))
            else:
                children.append(child)
        out = Q.__new__(Q)
        out._init(tuple(children), q.connector, q.negated)
        return out

    def annotate(self, **annotations: Aggregate | FieldFunction) -> Self:
        """Read a function of each item onto it: ``annotate(n_comments=Count("comments"))``.

        ``Count(relation)`` counts the related items of a one-to-many, many-to-many
        or many-to-any; :class:`~directus_orm.Year`, ``Month``, ``Week``, ``Day``,
        ``Weekday``, ``Hour``, ``Minute`` and ``Second`` take a date part. Each
        object then has the value as an attribute (declare a field of that name
        on the model, or a subclass, to type it); ``values()`` and
        ``values_list()`` can name it, and ``filter()``/``exclude()``/``order_by()``
        take it (Directus filters and sorts on the function).
        """
        merged_alias = dict(self._state.alias or {})
        entries = {name: (path, lookup) for name, path, lookup in self._state.annotations}
        for name, expr in annotations.items():
            if "__" in name or name.startswith("_"):
                raise QueryError(f"annotate({name}=...): the name cannot contain '__' or start with '_'")
            if isinstance(expr, Count) and type(expr) is Count and expr.field != "*":
                meta = self.model._meta.field(expr.field.split("__")[0].split(".")[0])
                if "__" in expr.field or "." in expr.field or meta.kind not in ("o2m", "m2m", "m2a"):
                    raise QueryError(
                        f"annotate({name}={expr!r}): Directus counts the items of a to-many "
                        f"relation of {self.model.__name__} (count(relation)); for a count over "
                        "the whole query use aggregate(), per group group_by().aggregate()"
                    )
                path, lookup = f"count({meta.api_name})", f"{meta.name}__count"
            elif isinstance(expr, FieldFunction):
                meta = self.model._meta.field(expr.field)
                if meta.kind != "scalar":
                    raise QueryError(f"annotate({name}={expr!r}): {expr.field!r} is not a date or time field")
                path, lookup = f"{expr.function}({meta.api_name})", f"{meta.name}__{expr.function}"
            else:
                raise QueryError(
                    f"annotate({name}=...) takes Count(relation) or a date part (Year, Month, "
                    f"Day, ...), not {expr!r}: Directus has no other per-item function"
                )
            entries[name] = (path, lookup)
            merged_alias[name] = path
        return self._clone(
            alias=merged_alias,
            annotations=tuple((n, p, lk) for n, (p, lk) in entries.items()),
        )

    def filter(self, *args: Q | Mapping[str, Any], **lookups: Any) -> Self:
        """Keep items matching every lookup (``title__icontains="x"``), Q and raw filter."""
        self._check_not_sliced("filter")
        q = self._annotated(Q(*args, **lookups))
        self._compile_check(q)
        return self._clone(where=(*self._state.where, q))

    def exclude(self, *args: Q | Mapping[str, Any], **lookups: Any) -> Self:
        """Drop items matching all of the lookups together (Django's ``exclude``)."""
        self._check_not_sliced("exclude")
        q = ~self._annotated(Q(*args, **lookups))
        self._compile_check(q)
        return self._clone(where=(*self._state.where, q))

    def distinct(self, *fields: str) -> Self:
        """Leave out repeated rows of ``values()``/``values_list()`` (Directus ``groupBy``).

        ``Article.objects.values_list("author", flat=True).distinct()``. Model rows
        are distinct already (one per item), so on them this changes nothing.
        Fields named here (Postgres' ``DISTINCT ON``) are not supported.
        """
        if fields:
            raise QueryError("distinct(*fields) is not supported; use values(*fields).distinct()")
        return self._clone(distinct=True)

    def search(self, text: str) -> Self:
        """Directus full-text ``search`` over the collection's text fields."""
        self._check_not_sliced("search")
        return self._clone(search=text)

    def fields(self, *paths: str) -> Self:
        """Fetch only these fields (dot paths like ``author.name``, ``*``, ``author.*``).

        Paths through a many-to-many name the far model's fields (``tags.label``);
        nested lists come complete (Directus would stop at 100 per parent), with
        their keys.
        """
        api = tuple(p for path in paths for p in self._api_paths(path))
        for path in paths:
            check_list_names(self.model.__name__, path, self._api_paths(path), "fields")
        return self._clone(fields=api or None)

    def only(self, *paths: str) -> Self:
        """Django's name for :meth:`fields`."""
        return self.fields(*paths)

    def defer(self, *names: str | None) -> Self:
        """Fetch every field of the model but these (big text, JSON ...).

        A deferred field is *not loaded*: reading it raises
        :class:`~directus_orm.FieldNotLoaded` (there is no I/O on attribute access);
        ``refresh_from_db(["body"])`` fetches it. ``defer(None)`` clears the list.
        """
        if names == (None,):
            return self._clone(deferred=(), fields=None)
        meta = self.model._meta
        deferred = {*self._state.deferred, *(meta.field(n).name for n in names if n is not None)}
        if meta.primary_key in deferred:
            raise QueryError("the primary key cannot be deferred")
        keep = [name for name in meta.fields if name not in deferred]
        clone = self.fields(*keep)
        return clone._clone(deferred=tuple(n for n in meta.fields if n in deferred))

    def order_by(self, *keys: str) -> Self:
        """Sort by fields: ``"-date_created"``, ``"author.name"``, ``"?"`` is not supported."""
        self._check_not_sliced("reorder")
        sort: list[str] = []
        for key in keys:
            desc = key.startswith("-")
            name = key[1:] if desc else key
            if not name or name == "?":
                raise QueryError(f"cannot sort by {key!r}")
            annotated = {n: path for n, path, _ in self._state.annotations}
            sort.append(("-" if desc else "") + (annotated.get(name) or self._list_path(name, "sort")))
        return self._clone(sort=tuple(sort))

    def reverse(self) -> Self:
        """Reverse the sort order (by primary key when none is set)."""
        sort = self._state.sort or (self.model._meta.pk_field.api_name,)
        flipped = tuple(k[1:] if k.startswith("-") else "-" + k for k in sort)
        return self._clone(sort=flipped)

    def meta(self, *names: str) -> Self:
        """Ask for ``total_count`` and/or ``filter_count`` with the results."""
        for name in names:
            if name not in _META_VALUES:
                raise QueryError(f"unknown meta {name!r}; use one of {_META_VALUES}")
        return self._clone(meta=tuple(names))

    def deep(self, **relations: QuerySet[Any] | Mapping[str, Any]) -> Self:
        """Filter, sort or limit nested lists: ``deep(articles=Article.objects.order_by("-views")[:5])``.

        This shapes lists that ``fields()`` fetches; :meth:`prefetch` also loads them.
        """
        deep = dict(self._state.deep or {})
        for name, spec in relations.items():
            api = self._api_path(name)
            if isinstance(spec, QueryCompiler):
                meta = self.model._meta.by_api(api)
                hop = (meta.junction_field,) if meta is not None and meta.junction_field else ()
                deep[api] = spec._as_deep(hop)
            else:
                deep[api] = dict(spec)
        return self._clone(deep=deep)

    def select_related(self, *names: str) -> Self:
        """Load these relations in the same request: ``select_related("author", "tags")``.

        Any kind of relation, nested with ``__`` (``"articles__tags"``); with no
        names, every relation of the model. A related item comes with its own
        fields (``author.*``) but not its own to-many lists unless named too.
        Nested lists come complete; shape them with :meth:`prefetch`.
        """
        if not names:
            names = tuple(f.name for f in self.model._meta.relational)
        return self._with_related([(name, None) for name in names])

    def prefetch(self, **relations: QuerySet[Any]) -> Self:
        """Load relations shaped by a QuerySet on the related model, in the same request.

        ``prefetch(articles=Article.objects.filter(published=True).order_by("-views")[:5])``
        loads each author's five most viewed published articles: the nested
        QuerySet's filter, search, sort and slice go to Directus ``deep``, its
        ``fields()`` and ``select_related()`` to the nested fields. Without a
        slice, every matching item is loaded.
        """
        for name, sub in relations.items():
            if not isinstance(sub, QueryCompiler):
                raise QueryError(f"prefetch({name}=...) takes a QuerySet of the related model")
        return self._with_related(list(relations.items()))

    def prefetch_related(self, *names: str, **relations: QuerySet[Any]) -> Self:
        """Django's name: :meth:`select_related` for ``names``, :meth:`prefetch` for the rest.

        Everything still comes in one request (Directus nests it).
        """
        return self.select_related(*names).prefetch(**relations) if names else self.prefetch(**relations)

    def _with_related(self, entries: list[tuple[str, QuerySet[Any] | None]]) -> Self:
        merged = dict(self._state.related)
        for name, sub in entries:
            merged[name.replace(".", "__")] = sub
        clone = self._clone(related=tuple(merged.items()))
        clone._load_plan()  # unknown names fail now, not at evaluation
        return clone

    def alias(self, **aliases: str) -> Self:
        """Directus ``alias``: ``alias(headline="title").fields("headline")``."""
        merged = dict(self._state.alias or {})
        for name, target in aliases.items():
            if "." in target:
                raise QueryError(f"alias {name!r}: Directus aliases cannot contain a period")
            merged[name] = self._api_path(target)
        return self._clone(alias=merged)

    def version(self, key: str) -> Self:
        """Read the items as they are in content version ``key`` (``version("draft")``).

        Directus then returns only the items that have such a version (the others
        are left out; with an unknown key, none). ``version("published")`` reads
        the main items.
        """
        if not key:
            raise QueryError("version() needs a key, such as 'draft'")
        return self.with_params(version=key)

    def with_params(self, **params: Any) -> Self:
        """Extra Directus query parameters (``version="draft"``, ``backlink=False``)."""
        merged = dict(self._state.params or {})
        merged.update(params)
        return self._clone(params=merged)

    def _slice(self, start: int, stop: int | None) -> Self:
        """``self[start:stop]``, as a new QuerySet (no I/O)."""
        if start < 0 or (stop is not None and stop < 0):
            raise QueryError("negative indexing is not supported")
        if self._cache is not None:
            clone = self._clone()
            clone._cache = self._cache[start:stop]
            return clone
        offset = self._state.offset + start
        limit = None if stop is None else max(stop - start, 0)
        if self._state.limit is not None:
            limit = max(min(self._state.limit - start, limit if limit is not None else 1 << 62), 0)
        return self._clone(offset=offset, limit=limit)
