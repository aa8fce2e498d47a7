"""Compile ``Q`` trees into Directus filter JSON. Pure: no I/O.

Directus has ``_and`` and ``_or`` but no ``_not``, so negation (``exclude()``,
``~Q``) is pushed down to the leaves by De Morgan's laws, and each leaf uses
its negated operator (``_eq`` -> ``_neq``). Leaves keep Django's meaning of
``exclude()``:

* a negated comparison on a nullable field also matches NULL:
  ``exclude(views__gt=5)`` -> ``views <= 5 OR views IS NULL`` (SQL's
  ``NOT (views > 5)`` would drop the NULL rows);
* through a nullable many-to-one it also matches a missing relation:
  ``exclude(author__name="x")`` -> ``author.name != "x" OR author IS NULL``;
* through a to-many relation it means "no related item matches":
  ``exclude(tags__label="x")`` -> ``{"tags": {"_none": {"label": {"_eq": "x"}}}}``.

Conditions are simplified with three values, match-all, match-none and a
filter: ``in=[]`` matches nothing, so ``filter(id__in=[])`` raises
``EmptyResultSet`` (the QuerySet answers ``[]`` without a request), while
``Q(id__in=[]) | Q(x=1)`` is just ``x = 1`` and ``exclude(id__in=[])`` is no
filter at all.

Two Directus 12.4 behaviours shape the output (both checked on a live server):
a ``_some``/``_none`` whose filter holds more than one condition, or none, is
silently ignored (every item matches), so such filters are split, rewritten or
refused; and plain paths through the same to-many field are tested on the same
related item, as in a single Django ``filter()`` call, while each ``_some`` is
tested on its own items, as separate ``filter()`` calls are
(:func:`compile_chain`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol, TypeAlias
from uuid import UUID

from .._core.exceptions import FieldError, LookupNotSupported, QueryError
from .lookups import (
    LOOKUPS,
    NEGATED_OPERATORS,
    NOT_NEGATABLE,
    NULL_TEST_OPERATORS,
    TO_MANY_KINDS,
    TRANSFORM_LOOKUPS,
    TRANSFORMS,
    UNSUPPORTED_LOOKUPS,
    FieldKind,
    Lookup,
    Transform,
    lookup_names,
)
from .q import Q
from .variables import DynamicVariable

# Directus refuses larger numbers ("not a valid number"); it accepts numeric strings.
_MAX_SAFE_INTEGER = 2**53 - 1


@dataclass(frozen=True)
class ResolvedField:
    """What the compiler needs to know about one field of a model."""

    api_name: str
    """The Directus field name (after the pydantic alias)."""
    kind: FieldKind
    """``any`` means unknown: every lookup is allowed and the field may be NULL."""
    nullable: bool = True
    related: FieldResolver | None = None
    """The model on the far side of a relation; ``None``: unknown, names are not checked."""
    junction_field: str | None = None
    """For a many-to-many whose ``related`` is the far model rather than the junction:
    the junction's field that points at the far model (``tags_id``). The compiler
    inserts it into paths, so ``tags__label`` becomes ``tags.tags_id.label``."""


class FieldResolver(Protocol):
    """Looks up fields of one model by Python name.

    Raw filter dicts hold Directus names; their negation also asks the
    resolver about those, and trusts the answer only if ``api_name`` matches.
    """

    @property
    def model_name(self) -> str: ...

    def resolve(self, name: str) -> ResolvedField:
        """Return the field, or raise ``FieldError`` naming the model, the field
        and close matches."""
        ...


class EmptyResultSet(Exception):
    """The filter can match nothing (e.g. ``in=[]``): return ``[]`` without a request."""


class _Match(Enum):
    """The two conditions that need no filter JSON."""

    ALL = "match all"
    NONE = "match none"


# A compiled condition: a Directus filter dict, or one of the two constants.
_Tri: TypeAlias = "dict[str, Any] | _Match"


def compile_filter(q: Q, resolver: FieldResolver | None) -> dict[str, Any] | None:
    """Compile ``q`` into a Directus ``filter`` object.

    Returns ``None`` when ``q`` matches everything (no filter to send) and
    raises ``EmptyResultSet`` when it can match nothing. ``resolver`` checks
    field names and tells relations apart; without one, names are sent as
    written and every field counts as nullable and of unknown kind. Unknown
    fields raise ``FieldError``, unknown or unusable lookups
    ``LookupNotSupported``, before anything is sent.
    """
    result = _compile_q(q, _Scope(resolver, 0), negated=False)
    if result is _Match.NONE:
        raise EmptyResultSet(f"{q!r} can match no item")
    if result is _Match.ALL:
        return None
    return result


def compile_chain(calls: Sequence[Q], resolver: FieldResolver | None) -> dict[str, Any] | None:
    """Compile the ``filter()`` calls of a QuerySet, each a ``Q``, joined by AND.

    As in Django, conditions through a to-many relation inside one call test the
    same related item, while separate calls may each match a different one:
    ``filter(tags__label="go").filter(tags__label="rust")`` is "tagged go and
    tagged rust". Directus tests plain paths through the same to-many field
    anywhere in one filter on the same related item, and each ``_some`` on its
    own items (both checked on a live server). So when more than one call goes
    through the same to-many field, the calls that do so with one condition
    are sent as ``_some`` (a ``_some`` can hold only one condition); at most
    one call may test several conditions on the same item, which stay plain.
    Returns ``None`` for no filter, raises ``EmptyResultSet`` as
    :func:`compile_filter` does.
    """
    tris: list[_Tri] = []
    for q in calls:
        tri = _compile_q(q, _Scope(resolver, 0), negated=False)
        if tri is _Match.NONE:
            raise EmptyResultSet(f"{q!r} can match no item")
        if tri is not _Match.ALL:
            tris.append(tri)
    if len(tris) > 1:
        tris = _separate_calls(tris, resolver)
    result = _all_of(tris)
    if result is _Match.NONE:  # pragma: no cover - every part was checked above
        raise EmptyResultSet("the filter can match no item")
    return None if result is _Match.ALL else result


def _separate_calls(tris: list[_Tri], resolver: FieldResolver | None) -> list[_Tri]:
    """Rewrite plain to-many paths shared by several calls into ``_some`` (see compile_chain)."""
    leaves: list[dict[str, int]] = []  # per call: to-many key -> plain leaves through it
    for tri in tris:
        found: dict[str, int] = {}
        if isinstance(tri, dict):
            _count_plain_leaves(tri, resolver, found)
        leaves.append(found)
    shared = {key for key in {k for found in leaves for k in found}
              if sum(key in found for found in leaves) > 1}
    if not shared:
        return tris
    for key in sorted(shared):
        plain = [i for i, found in enumerate(leaves) if found.get(key, 0) > 1]
        if len(plain) > 1:
            raise LookupNotSupported(
                f"{key!r}: {len(plain)} filter() calls each test several conditions on the "
                "same related item; Directus can test only one such group per relation "
                "(a _some holding more than one condition is ignored). Put one group in "
                "a filter() on the related collection instead"
            )
    out: list[_Tri] = []
    for tri, found in zip(tris, leaves, strict=True):
        convert = {key for key in shared if found.get(key) == 1}
        out.append(_to_some(tri, convert) if convert and isinstance(tri, dict) else tri)
    return out


def _plain_to_many(condition: Mapping[str, Any], resolver: FieldResolver | None) -> str | None:
    """The top-level to-many field a leaf goes through as a plain path, else None."""
    if len(condition) != 1 or resolver is None:
        return None
    ((key, value),) = condition.items()
    if key.startswith("_") or not isinstance(value, Mapping) or len(value) != 1:
        return None
    (inner,) = value
    if inner.startswith("_"):  # _some / _none / an operator on the field itself
        return None
    try:
        field = resolver.resolve(key)
    except FieldError:
        return None
    return key if field.api_name == key and field.kind in TO_MANY_KINDS else None


def _count_plain_leaves(
    condition: Mapping[str, Any], resolver: FieldResolver | None, found: dict[str, int]
) -> None:
    for logical in ("_and", "_or"):
        if list(condition) == [logical] and isinstance(condition[logical], list):
            for item in condition[logical]:
                if isinstance(item, Mapping):
                    _count_plain_leaves(item, resolver, found)
            return
    key = _plain_to_many(condition, resolver)
    if key is not None:
        found[key] = found.get(key, 0) + 1


def _to_some(condition: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    for logical in ("_and", "_or"):
        if list(condition) == [logical] and isinstance(condition[logical], list):
            return {logical: [_to_some(item, keys) if isinstance(item, dict) else item
                              for item in condition[logical]]}
    if len(condition) == 1:
        ((key, value),) = condition.items()
        if key in keys and isinstance(value, Mapping) and not any(k.startswith("_") for k in value):
            return {key: {"_some": dict(value)}}
    return condition


# ----------------------------------------------------------------- values


def serialize_value(value: Any) -> Any:
    """Turn a Python filter value into what the JSON should carry.

    Aware datetimes are sent in UTC with a ``Z``; naive ones, dates and times
    as ``isoformat()``. Decimals, UUIDs and integers beyond 2**53 - 1 become
    strings (Directus accepts numeric strings but not unsafe integers). Enums
    send their value; sets are sorted so that the same query gives the same
    URL. A model instance sends its primary key (``filter(author=ada)``).
    Raises ``ValueError`` for anything else.
    """
    if value is None or isinstance(value, (bool, DynamicVariable)):
        return value
    if isinstance(value, Enum):
        return serialize_value(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return value if abs(value) <= _MAX_SAFE_INTEGER else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be sent to Directus")
        return value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} cannot be sent to Directus")
        return str(value)
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            return value.isoformat()
        return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if hasattr(value, "_meta") and hasattr(value, "pk"):  # a Model instance: its key
        return serialize_value(value.pk)
    if isinstance(value, (list, tuple)):
        return [serialize_value(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return _sorted([serialize_value(item) for item in value])
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"filter keys must be strings, got {key!r}")
            out[key] = serialize_value(item)
        return out
    raise ValueError(f"a {type(value).__name__} cannot be used as a filter value")


def _sorted(items: list[Any]) -> list[Any]:
    try:
        return sorted(items, key=lambda item: (type(item).__name__, item))
    except TypeError:  # unorderable items (lists of mixed types): keep the set's order
        return items


# ------------------------------------------------------ three-valued logic


def _all_of(parts: Sequence[_Tri]) -> _Tri:
    """AND: match-none wins, match-all drops out, nested ``_and`` is flattened."""
    out: list[dict[str, Any]] = []
    for part in parts:
        if part is _Match.NONE:
            return _Match.NONE
        if part is _Match.ALL:
            continue
        for item in _operands(part, "_and"):
            if item not in out:
                out.append(item)
    if not out:
        return _Match.ALL
    return out[0] if len(out) == 1 else {"_and": out}


def _any_of(parts: Sequence[_Tri]) -> _Tri:
    """OR: match-all wins, match-none drops out, nested ``_or`` is flattened."""
    out: list[dict[str, Any]] = []
    for part in parts:
        if part is _Match.ALL:
            return _Match.ALL
        if part is _Match.NONE:
            continue
        for item in _operands(part, "_or"):
            if item not in out:
                out.append(item)
    if not out:
        return _Match.NONE
    return out[0] if len(out) == 1 else {"_or": out}


def _operands(part: dict[str, Any], logical: str) -> list[Any]:
    """The children of ``{logical: [...]}`` (to flatten it), else ``[part]``."""
    if list(part) == [logical] and isinstance(part[logical], list):
        return list(part[logical])
    return [part]


def _nest(keys: Sequence[str], condition: dict[str, Any]) -> dict[str, Any]:
    """Put ``condition`` (one operator, or one path) under a field path.

    Logical operators never go under a field key: Directus lifts them out
    only at the top of a filter, not inside ``_some``/``_none``.
    """
    for key in reversed(keys):
        condition = {key: condition}
    return condition


# ------------------------------------------------------------ compilation


@dataclass(frozen=True)
class _Scope:
    """Where a filter is compiled: the model's resolver and how deep the
    filter object sits below a top level that accepts ``_some``/``_none``."""

    resolver: FieldResolver | None
    depth: int

    def where(self, key: str) -> str:
        model = self.resolver.model_name if self.resolver is not None else None
        return f"{model}.{key}" if model else repr(key)


@dataclass(frozen=True)
class _Step:
    """One key of a field path as sent (``author``, ``tags_id``, ``year(date)``)."""

    key: str
    kind: FieldKind
    nullable: bool


def _compile_q(q: Q, scope: _Scope, negated: bool) -> _Tri:
    if not q.children:  # Q() and ~Q() state no condition, as in Django
        return _Match.ALL
    negated = negated != q.negated
    parts = [_compile_child(child, scope, negated) for child in q.children]
    # De Morgan: a negated AND is an OR of negations, and the reverse.
    if (q.connector == "AND") != negated:
        return _all_of(parts)
    return _any_of(parts)


def _compile_child(child: Q | tuple[str, Any] | Mapping[str, Any], scope: _Scope, negated: bool) -> _Tri:
    if isinstance(child, Q):
        return _compile_q(child, scope, negated)
    if isinstance(child, tuple):
        return _compile_lookup(child[0], child[1], scope, negated)
    if negated:
        return _negate_raw(child, scope, (), None, scope.resolver)
    raw = _raw_value(child, f"raw filter {child!r}")
    _check_raw(raw)
    return raw if raw else _Match.ALL


def _compile_lookup(key: str, value: Any, scope: _Scope, negated: bool) -> _Tri:
    steps, field, transform, lookup = _resolve(key, scope)
    where = scope.where(key)
    if lookup.prepare is None:  # some / none
        return _compile_related(steps, field, lookup.operator, value, scope, negated, where)
    try:
        prepared = lookup.prepare(serialize_value(value))
    except ValueError as exc:
        raise FieldError(f"{where}: {exc}") from exc
    if prepared is None:  # in=[]
        return _Match.ALL if negated else _Match.NONE
    operator, json_value = prepared
    if transform is None and field.kind in TO_MANY_KINDS and lookup.name == "isnull":
        # "Has no related items": count() is documented; _null on an alias field is not.
        transform = TRANSFORMS["count"]
        operator, json_value = ("_eq", 0) if operator == "_null" else ("_gt", 0)
    if transform is not None:
        last = steps[-1]
        steps[-1] = _Step(f"{transform.name}({last.key})", "scalar", last.nullable and transform.keeps_null)
    return _emit(steps, operator, json_value, negated, scope, where)


def _emit(
    steps: Sequence[_Step],
    operator: str,
    value: Any,
    negated: bool,
    scope: _Scope,
    where: str,
) -> _Tri:
    """One leaf condition, negated with Django's exclude() semantics if asked."""
    keys = [step.key for step in steps]
    if not negated:
        return _nest(keys, {operator: value})
    for index, step in enumerate(steps[:-1]):
        if step.kind in TO_MANY_KINDS:
            # NOT (some related item matches) == no related item matches.
            _require_top_level(scope, index, step, where)
            return {step.key: {"_none": _nest(keys[index + 1 :], {operator: value})}}
    negated_operator = NEGATED_OPERATORS.get(operator)
    if negated_operator is None:
        reason = NOT_NEGATABLE.get(operator, f"{operator} is not a Directus operator")
        raise LookupNotSupported(f"{where}: {operator} cannot be negated: {reason}")
    alternatives = [_nest(keys, {negated_operator: value})]
    if operator not in NULL_TEST_OPERATORS:
        if steps[-1].nullable:
            alternatives.append(_nest(keys, {"_null": True}))
        for index in range(len(steps) - 2, -1, -1):
            if steps[index].kind == "m2o" and steps[index].nullable:
                alternatives.append(_nest(keys[: index + 1], {"_null": True}))
    return _any_of(alternatives)


def _compile_related(
    steps: list[_Step],
    field: ResolvedField,
    operator: str,
    value: Any,
    scope: _Scope,
    negated: bool,
    where: str,
) -> _Tri:
    """``tags__some=Q(...)`` / ``tags__none={...}``: a filter on the related model.

    Directus 12.4 silently ignores a ``_some``/``_none`` whose filter holds
    more than one condition (every item matches, checked on a live server),
    and an empty one. So: no condition becomes ``count(...)``; an OR is split,
    as some(a | b) == some(a) | some(b) and none(a | b) == none(a) & none(b);
    some(a & b) becomes plain paths in one ``_and`` (tested on one related
    item); none(a & b) has no correct form and is refused.
    """
    if isinstance(value, Q):
        inner_q = value
    elif isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        inner_q = Q(**value)
    else:
        raise FieldError(
            f"{where}: {operator[1:]} takes a Q or a dict of lookups on the related "
            f"model, got {type(value).__name__}"
        )
    _require_top_level(scope, len(steps) - 1, steps[-1], where)
    hop = [field.junction_field] if field.junction_field else []
    inner = _compile_q(inner_q, _Scope(field.related, len(hop)), negated=False)
    if negated:
        operator = "_none" if operator == "_some" else "_some"
    key = steps[-1].key
    if inner is _Match.NONE:  # some(nothing) is nothing; none(nothing) is everything
        return _Match.NONE if operator == "_some" else _Match.ALL
    if inner is _Match.ALL:  # some(anything) is "has related items"
        return {f"count({key})": {"_gt": 0} if operator == "_some" else {"_eq": 0}}
    parts: list[_Tri] = []
    for item in _operands(inner, "_or"):
        if _single_condition(item):
            parts.append({key: {operator: _nest(hop, item)}})
            continue
        conditions = _operands(item, "_and")
        if operator == "_some" and all(_single_condition(c) for c in conditions):
            # "Some related item matches all of these": plain paths through the
            # relation in one _and, which Directus tests on the same related item.
            parts.append(_all_of([{key: _nest(hop, c)} for c in conditions]))
            continue
        raise LookupNotSupported(
            f"{where}: Directus 12.4 ignores a {operator} filter that holds more than "
            f"one condition (it matches every item), so {item!r} cannot be sent "
            "inside it. 'some' of several conditions joined by AND is sent as plain "
            "paths through the relation (tested on the same related item); 'none' of "
            "them, or an OR nested inside an AND, has no form Directus evaluates "
            "correctly: filter from the related collection instead"
        )
    return _any_of(parts) if operator == "_some" else _all_of(parts)


def _single_condition(condition: Any) -> bool:
    """True for one field path ending in one operator, which _some/_none accept."""
    while isinstance(condition, Mapping):
        if len(condition) != 1:
            return False
        ((key, condition),) = condition.items()
        if key in ("_and", "_or"):
            return False
        if key.startswith("_"):
            return True
    return True  # a bare value: Directus reads it as _eq


def _require_top_level(scope: _Scope, index: int, step: _Step, where: str) -> None:
    if scope.depth + index > 0:
        raise LookupNotSupported(
            f"{where}: needs _some/_none on {step.key!r}, and Directus accepts them only "
            "directly under a top-level one-to-many or many-to-many field. Filter from "
            "the related collection instead"
        )


# --------------------------------------------------------- path resolution


def _resolve(key: str, scope: _Scope) -> tuple[list[_Step], ResolvedField, Transform | None, Lookup]:
    """Split ``author__name__icontains`` into field steps, a transform and a lookup.

    Field names win over lookup names, as in Django: a part is read as a
    lookup only when it is not a field of the related model (or, with no
    related model known, when it is a lookup or transform name).
    """
    parts = key.split("__")
    if "" in parts:
        raise FieldError(f"{scope.where(key)}: malformed lookup (empty part)")
    field = _field(parts[0], scope.resolver, key)
    steps = [_Step(field.api_name, field.kind, field.nullable)]
    index = 1
    while index < len(parts) and field.kind not in ("scalar", "json"):
        rest = parts[index:]
        if field.related is None:
            if _is_tail(rest):
                break
            nxt = ResolvedField(parts[index], "any")
        else:
            try:
                nxt = field.related.resolve(parts[index])
            except FieldError as exc:
                if _is_tail(rest):
                    break
                raise FieldError(f"cannot resolve {key!r}: {exc}") from exc
        if field.junction_field:
            steps.append(_Step(field.junction_field, "m2o", True))
        steps.append(_Step(nxt.api_name, nxt.kind, nxt.nullable))
        field = nxt
        index += 1
    transform, lookup = _parse_tail(parts[index:], field, scope.where(key))
    return steps, field, transform, lookup


def _field(name: str, resolver: FieldResolver | None, key: str) -> ResolvedField:
    if resolver is None:
        return ResolvedField(name, "any")
    try:
        return resolver.resolve(name)
    except FieldError as exc:
        raise FieldError(f"cannot resolve {key!r}: {exc}") from exc


def _is_tail(parts: Sequence[str]) -> bool:
    """Whether ``parts`` reads as ``[transform][__lookup]`` (known or refused names)."""
    known = (*LOOKUPS, *TRANSFORMS, *UNSUPPORTED_LOOKUPS)
    return len(parts) <= 2 and all(part in known for part in parts)


def _parse_tail(tail: Sequence[str], field: ResolvedField, where: str) -> tuple[Transform | None, Lookup]:
    for name in tail:
        if name in UNSUPPORTED_LOOKUPS:
            raise LookupNotSupported(
                f"{where}: lookup {name!r} is not supported: {UNSUPPORTED_LOOKUPS[name]}"
            )
    names = list(tail)
    transform = TRANSFORMS.get(names[0]) if names else None
    if transform is not None:
        names.pop(0)
    if len(names) > 1 or (names and names[0] not in LOOKUPS):
        raise LookupNotSupported(
            f"{where}: unsupported lookup {'__'.join(tail)!r} on "
            f"{_kind_label(field)} {field.api_name!r}. Valid lookups: {lookup_names()}"
        )
    lookup = LOOKUPS[names[0] if names else "exact"]
    if transform is not None:
        if field.kind not in transform.applies_to:
            raise LookupNotSupported(
                f"{where}: {transform.name}() does not apply to {_kind_label(field)} {field.api_name!r}"
            )
        if lookup.name not in TRANSFORM_LOOKUPS:
            raise LookupNotSupported(
                f"{where}: {lookup.name!r} cannot follow {transform.name!r} (an integer); "
                f"use one of {', '.join(sorted(TRANSFORM_LOOKUPS))}"
            )
    elif field.kind not in lookup.applies_to:
        valid = sorted(n for n, lk in LOOKUPS.items() if field.kind in lk.applies_to)
        hint = ""
        if field.kind in TO_MANY_KINDS:  # Directus would compare the junction row's key
            hint = f", or a field of the related items ({field.api_name}__id=...)"
        raise LookupNotSupported(
            f"{where}: lookup {lookup.name!r} does not apply to {_kind_label(field)} "
            f"{field.api_name!r}. Valid here: {', '.join(valid)}{hint}"
        )
    return transform, lookup


_KIND_LABELS: Mapping[FieldKind, str] = {
    "scalar": "field",
    "json": "JSON field",
    "m2o": "many-to-one field",
    "o2m": "one-to-many field",
    "m2m": "many-to-many field",
    "m2a": "many-to-any field",
    "any": "field",
}


def _kind_label(field: ResolvedField) -> str:
    return _KIND_LABELS[field.kind]


# ------------------------------------------------------ raw dict negation


def _negate_raw(
    raw: Mapping[str, Any],
    scope: _Scope,
    steps: tuple[_Step, ...],
    parent: ResolvedField | None,
    resolver: FieldResolver | None,
) -> _Tri:
    """NOT of a raw Directus filter, with the same leaf rules as lookups.

    ``steps`` is the field path walked so far; ``resolver`` the model at
    that point, if known (used only to learn kinds and nullability: raw
    names are never rejected). Keys of one object are ANDed, so the
    negation is the OR of the negated entries.
    """
    where = f"raw filter {raw!r}"
    parts: list[_Tri] = []
    for key, value in raw.items():
        if key in ("_and", "_or"):
            if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
                raise QueryError(f"{where}: {key} takes a list of filter objects")
            negs = [_negate_raw(v, scope, steps, parent, resolver) for v in value]
            parts.append(_any_of(negs) if key == "_and" else _all_of(negs))
        elif key in ("_some", "_none"):
            if not steps:
                raise QueryError(f"{where}: {key} needs a relational field above it")
            _require_top_level(scope, len(steps) - 1, steps[-1], where)
            swapped = "_none" if key == "_some" else "_some"
            inner = _raw_value(value, where)
            _check_raw({key: inner})
            parts.append(_nest([s.key for s in steps], {swapped: inner}))
        elif key.startswith("_"):
            if not steps:
                raise QueryError(f"{where}: operator {key} needs a field above it")
            operator, operand = key, _raw_value(value, where)
            if operand is None and operator in ("_eq", "_neq"):  # Directus: IS (NOT) NULL
                operator, operand = ("_null" if operator == "_eq" else "_nnull"), True
            parts.append(_emit(steps, operator, operand, True, scope, where))
        else:
            step, field = _raw_field(key, parent, resolver)
            sub = value if isinstance(value, Mapping) else {"_eq": value}
            next_resolver = None
            if field is not None and field.junction_field is None:
                next_resolver = field.related
            parts.append(_negate_raw(sub, scope, (*steps, step), field, next_resolver))
    return _any_of(parts)


def _raw_field(
    key: str, parent: ResolvedField | None, resolver: FieldResolver | None
) -> tuple[_Step, ResolvedField | None]:
    """The step for a raw key, with what the resolver knows about it (if anything)."""
    if parent is not None and parent.junction_field == key:
        junction = ResolvedField(key, "m2o", related=parent.related)
        return _Step(key, "m2o", True), junction
    if resolver is not None:
        try:
            field = resolver.resolve(key)
        except FieldError:
            field = None
        # Raw keys are Directus names; trust the resolver only if the names agree.
        if field is not None and field.api_name == key:
            return _Step(key, field.kind, field.nullable), field
    return _Step(key, "any", True), None


def _raw_value(value: Any, where: str) -> Any:
    try:
        return serialize_value(value)
    except ValueError as exc:
        raise QueryError(f"{where}: {exc}") from exc


def _check_raw(raw: Any) -> None:
    """Refuse the raw ``_some``/``_none`` filters that Directus 12.4 would ignore."""
    if isinstance(raw, list):
        for item in raw:
            _check_raw(item)
    elif isinstance(raw, Mapping):
        for key, value in raw.items():
            if key in ("_some", "_none") and not _single_condition(value):
                raise LookupNotSupported(
                    f"raw filter: Directus 12.4 ignores a {key} filter that is empty or "
                    f"holds more than one condition (it matches every item): {value!r}. "
                    "Split an _or into several _some (or _none joined by _and)"
                )
            _check_raw(value)
