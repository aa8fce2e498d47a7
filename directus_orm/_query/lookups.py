"""Django lookup names and the Directus filter operators they compile to.

Everything here is data, in the spirit of peewee's ``DJANGO_MAP``: the
compiler in ``_filters`` reads these tables and has no per-lookup branches
beyond the few structural cases (relations, ``some``/``none``), and the docs
can list ``LOOKUPS``, ``TRANSFORMS`` and ``UNSUPPORTED_LOOKUPS`` as tables.

A lookup's ``prepare`` receives a value that is already JSON-ready (see
``_filters.serialize_value``) and returns the ``(operator, value)`` pair to
send, or ``None`` when the condition can match nothing (``in=[]``). It raises
``ValueError`` with a short reason for a value the lookup cannot take; the
compiler turns that into a ``FieldError`` naming the model and field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from .variables import DynamicVariable

FieldKind = Literal["scalar", "json", "m2o", "o2m", "m2m", "m2a", "any"]


"""What a field is, as far as filtering cares. ``any``: unknown, allow everything."""


# (operator, value) to send, or None for "matches nothing".
Prepared = tuple[str, Any] | None


_ALL_KINDS: frozenset[FieldKind] = frozenset({"scalar", "json", "m2o", "o2m", "m2m", "m2a", "any"})


_COLUMN: frozenset[FieldKind] = frozenset({"scalar", "m2o", "any"})  # a value in a column


_SCALAR: frozenset[FieldKind] = frozenset({"scalar", "any"})  # not a relation, not json


RELATION_KINDS: frozenset[FieldKind] = frozenset({"m2o", "o2m", "m2m", "m2a"})
"""Kinds that are relations."""

TO_MANY_KINDS: frozenset[FieldKind] = frozenset({"o2m", "m2m", "m2a"})
"""Kinds that hold a list of related items: the one to-many set of the library."""

_TO_MANY: frozenset[FieldKind] = TO_MANY_KINDS | {"any"}  # to-many lookups also take unknown fields


@dataclass(frozen=True)
class Lookup:
    """One Django lookup (``title__icontains``) and how it becomes Directus JSON."""

    name: str
    operator: str
    """The Directus operator of the usual case (``exact`` with ``None`` uses ``_null``)."""
    applies_to: frozenset[FieldKind]
    prepare: Callable[[Any], Prepared] | None
    """``None`` for ``some``/``none``: their value is a filter on the related model."""
    doc: str

    @property
    def negated_operator(self) -> str | None:
        """The operator ``exclude()`` uses, or ``None`` when it cannot be negated."""
        return NEGATED_OPERATORS.get(self.operator)


@dataclass(frozen=True)
class Transform:
    """A Directus function applied to a field before the lookup (``year(date)``)."""

    name: str
    applies_to: frozenset[FieldKind]
    keeps_null: bool
    """True when the result is NULL exactly when the field is (``year``); ``count`` never is."""
    doc: str


# ------------------------------------------------------------------ operators

# Operator -> the operator matching exactly the rows it does not (SQL NULLs
# aside: the compiler adds the "OR field IS NULL" that Django's exclude() has).
# ``None``: Directus cannot express the negation; NOT_NEGATABLE says why.
NEGATED_OPERATORS: Mapping[str, str | None] = MappingProxyType(
    {
        "_eq": "_neq",
        "_neq": "_eq",
        "_lt": "_gte",
        "_gte": "_lt",
        "_gt": "_lte",
        "_lte": "_gt",
        "_in": "_nin",
        "_nin": "_in",
        "_null": "_nnull",
        "_nnull": "_null",
        "_empty": "_nempty",
        "_nempty": "_empty",
        "_contains": "_ncontains",
        "_ncontains": "_contains",
        "_icontains": None,
        "_starts_with": "_nstarts_with",
        "_nstarts_with": "_starts_with",
        "_istarts_with": "_nistarts_with",
        "_nistarts_with": "_istarts_with",
        "_ends_with": "_nends_with",
        "_nends_with": "_ends_with",
        "_iends_with": "_niends_with",
        "_niends_with": "_iends_with",
        "_between": "_nbetween",
        "_nbetween": "_between",
        "_intersects": "_nintersects",
        "_nintersects": "_intersects",
        "_intersects_bbox": "_nintersects_bbox",
        "_nintersects_bbox": "_intersects_bbox",
        "_some": "_none",
        "_none": "_some",
        "_json": None,
        "_regex": None,
    }
)


NOT_NEGATABLE: Mapping[str, str] = MappingProxyType(
    {
        "_icontains": (
            "Directus 12.4 rejects _nicontains, so 'does not contain, ignoring case' cannot "
            "be sent. Exclude with 'contains' instead (LIKE-based: case-sensitive on "
            "PostgreSQL, case-insensitive on SQLite and MySQL), or filter in Python"
        ),
        "_json": (
            "Directus has no negated _json operator. Negate the conditions inside the "
            "value instead, e.g. json={'path': {'_neq': 1}}"
        ),
        "_regex": "Directus accepts _regex only in permission and validation rules",
    }
)


# Operators that test NULL or emptiness themselves: two-valued, so their
# negation needs no extra "OR IS NULL".
NULL_TEST_OPERATORS: frozenset[str] = frozenset({"_null", "_nnull", "_empty", "_nempty"})


# -------------------------------------------------------------- value checks


# Directus rewrites these strings wherever they appear in a filter (checked on
# 12.4.0: {"title": {"_eq": "null"}} matches NULL titles, not the word).
_COERCED = {"null": "NULL", "NULL": "NULL", "true": "True", "false": "False"}


_VARIABLE_PREFIXES = ("$NOW", "$CURRENT_USER", "$CURRENT_ROLE", "$CURRENT_POLICIES")


def _check_string(value: Any, what: str) -> None:
    """Refuse a plain string that Directus would read as something else."""
    if not isinstance(value, str) or isinstance(value, DynamicVariable):
        return
    if value == "":
        raise ValueError(
            f"{what} cannot be an empty string: Directus refuses it. "
            "Use empty=True (matches '' and NULL) or empty=False"
        )
    if value.startswith(_VARIABLE_PREFIXES):
        raise ValueError(
            f"Directus reads {value!r} as a dynamic variable; to mean one, use NOW, "
            "now(...), CURRENT_USER, current_user(...), CURRENT_ROLE, CURRENT_ROLES or "
            "CURRENT_POLICIES from directus_orm"
        )


def _scalar(value: Any, what: str) -> Any:
    """A single comparable value; Directus refuses lists, objects and ''."""
    if value is None:
        raise ValueError(f"{what} cannot be None; use isnull=True to match NULL")
    if isinstance(value, (list, dict)):
        raise ValueError(
            f"{what} takes a single value, got {type(value).__name__}; "
            "use 'in' to match one of several values"
        )
    if isinstance(value, str) and value in _COERCED:
        raise ValueError(
            f"Directus reads the string {value!r} in a filter as {_COERCED[value]}, so "
            f"it cannot be matched with {what}; pass None, True or False to mean those"
        )
    _check_string(value, what)
    return value


def _prepare_exact(value: Any) -> Prepared:
    if value is None:
        return ("_null", True)
    return ("_eq", _scalar(value, "exact"))


def _prepare_in(value: Any) -> Prepared:
    if isinstance(value, DynamicVariable):  # $CURRENT_ROLES, $CURRENT_POLICIES
        return ("_in", value)
    if not isinstance(value, list):
        raise ValueError(f"in takes a list, tuple, set or frozenset, got {type(value).__name__}")
    # As in Django, None never matches inside IN: leave it out.
    items = [_scalar(item, "an 'in' item") for item in value if item is not None]
    return ("_in", items) if items else None


def _comparison(operator: str) -> Callable[[Any], Prepared]:
    def prepare(value: Any) -> Prepared:
        return (operator, _scalar(value, operator[1:]))

    return prepare


def _text(operator: str) -> Callable[[Any], Prepared]:
    def prepare(value: Any) -> Prepared:
        if not isinstance(value, str):
            raise ValueError(f"{operator[1:]} takes a string, got {type(value).__name__}")
        _check_string(value, operator[1:])
        return (operator, value)

    return prepare


def _prepare_between(value: Any) -> Prepared:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError("range takes a (low, high) pair")
    return ("_between", [_scalar(item, "a range bound") for item in value])


def _flag(true_operator: str, false_operator: str, name: str) -> Callable[[Any], Prepared]:
    def prepare(value: Any) -> Prepared:
        if not isinstance(value, bool):
            raise ValueError(f"{name} takes True or False, got {value!r}")
        return (true_operator if value else false_operator, True)

    return prepare


def _mapping(operator: str, what: str) -> Callable[[Any], Prepared]:
    def prepare(value: Any) -> Prepared:
        if not isinstance(value, dict):
            raise ValueError(f"{operator[1:]} takes {what}, got {type(value).__name__}")
        return (operator, value)

    return prepare


# --------------------------------------------------------------------- tables


def _lookup(
    name: str,
    operator: str,
    applies_to: frozenset[FieldKind],
    prepare: Callable[[Any], Prepared] | None,
    doc: str,
) -> tuple[str, Lookup]:
    return name, Lookup(name, operator, applies_to, prepare, doc)


_between_doc = "a (low, high) pair, both ends included"


LOOKUPS: Mapping[str, Lookup] = MappingProxyType(
    dict(
        [
            _lookup("exact", "_eq", _COLUMN, _prepare_exact, "the default; None -> _null"),
            _lookup("in", "_in", _COLUMN, _prepare_in, "a list, tuple, set or frozenset"),
            _lookup("gt", "_gt", _COLUMN, _comparison("_gt"), "greater than"),
            _lookup("gte", "_gte", _COLUMN, _comparison("_gte"), "greater than or equal"),
            _lookup("lt", "_lt", _COLUMN, _comparison("_lt"), "less than"),
            _lookup("lte", "_lte", _COLUMN, _comparison("_lte"), "less than or equal"),
            _lookup("contains", "_contains", _SCALAR, _text("_contains"), "LIKE-based"),
            _lookup("icontains", "_icontains", _SCALAR, _text("_icontains"), "not negatable"),
            _lookup("startswith", "_starts_with", _SCALAR, _text("_starts_with"), ""),
            _lookup("istartswith", "_istarts_with", _SCALAR, _text("_istarts_with"), ""),
            _lookup("endswith", "_ends_with", _SCALAR, _text("_ends_with"), ""),
            _lookup("iendswith", "_iends_with", _SCALAR, _text("_iends_with"), ""),
            _lookup("range", "_between", _COLUMN, _prepare_between, _between_doc),
            _lookup("between", "_between", _COLUMN, _prepare_between, _between_doc),
            _lookup(
                "isnull",
                "_null",
                _ALL_KINDS,
                _flag("_null", "_nnull", "isnull"),
                "True -> _null, False -> _nnull; on a to-many relation: count(...) = 0 / > 0",
            ),
            _lookup(
                "empty",
                "_empty",
                _SCALAR,
                _flag("_empty", "_nempty", "empty"),
                "True -> _empty ('' or NULL), False -> _nempty",
            ),
            _lookup(
                "intersects",
                "_intersects",
                _SCALAR,
                _mapping("_intersects", "a GeoJSON geometry (dict)"),
                "geometry fields",
            ),
            _lookup(
                "intersects_bbox",
                "_intersects_bbox",
                _SCALAR,
                _mapping("_intersects_bbox", "a GeoJSON geometry (dict)"),
                "geometry fields",
            ),
            _lookup(
                "json",
                "_json",
                frozenset({"json", "any"}),
                _mapping("_json", "a dict of JSON path -> Directus filter"),
                "json fields; the dict is sent as written; not negatable",
            ),
            _lookup(
                "some",
                "_some",
                _TO_MANY,
                None,
                "a Q or a dict of lookups on the related model",
            ),
            _lookup(
                "none",
                "_none",
                _TO_MANY,
                None,
                "a Q or a dict of lookups on the related model",
            ),
        ]
    )
)


TRANSFORMS: Mapping[str, Transform] = MappingProxyType(
    {
        "year": Transform("year", _SCALAR, True, "year(field)"),
        "month": Transform("month", _SCALAR, True, "month(field), 1-12"),
        "week": Transform("week", _SCALAR, True, "week(field)"),
        "day": Transform("day", _SCALAR, True, "day(field), day of the month"),
        "weekday": Transform("weekday", _SCALAR, True, "weekday(field)"),
        "hour": Transform("hour", _SCALAR, True, "hour(field)"),
        "minute": Transform("minute", _SCALAR, True, "minute(field)"),
        "second": Transform("second", _SCALAR, True, "second(field)"),
        "count": Transform("count", _TO_MANY, False, "count(relation), never NULL"),
    }
)


# A function result is an integer: only the numeric operators apply to it.
TRANSFORM_LOOKUPS: frozenset[str] = frozenset(
    {"exact", "in", "gt", "gte", "lt", "lte", "range", "between", "isnull"}
)


UNSUPPORTED_LOOKUPS: Mapping[str, str] = MappingProxyType(
    {
        "iexact": (
            "Directus 12.4 rejects _ieq. Use exact (case-sensitive), or istartswith / "
            "icontains if a looser match will do"
        ),
        "ieq": "Directus 12.4 rejects _ieq. Use exact (case-sensitive)",
        "nieq": "Directus 12.4 rejects _nieq. Use exclude(field=...) (case-sensitive)",
        "nicontains": (
            "Directus 12.4 rejects _nicontains. Use exclude(field__contains=...) "
            "(case-sensitive on PostgreSQL)"
        ),
        "regex": (
            "Directus rejects _regex in queries (it exists only for permission and "
            "validation rules). Use contains / startswith / endswith, or filter in Python"
        ),
        "iregex": "Directus has no case-insensitive regex operator. Use icontains",
        "week_day": "Use weekday (Directus weekday(); check its numbering on your database)",
        "iso_week_day": "Use weekday (Directus weekday(); check its numbering on your database)",
        "iso_year": "Directus has no iso_year(). Use year",
        "quarter": "Directus has no quarter(). Use month__in=[...]",
        "date": "Directus has no date() function in filters. Use range=(start, end) or gte/lt",
        "time": "Directus has no time() function in filters. Use hour / minute / second",
        "has_key": "Use json={'<key>': {'_nnull': True}}",
        "has_keys": "Use json={'<key>': {'_nnull': True}, ...}",
        "has_any_keys": "Combine json= lookups with Q(...) | Q(...)",
        "contained_by": "Directus has no contained_by operator",
    }
)


def lookup_names() -> str:
    """Every valid lookup and transform name, for error messages."""
    return ", ".join(sorted([*LOOKUPS, *TRANSFORMS]))
