"""A Directus filter evaluated in Python, for endpoints that cannot filter on the server."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._core.exceptions import QueryError

# ------------------------------------------------------- client-side evaluation

_Row = Mapping[str, Any]


_CONDITION_RE = re.compile(r"^[a-z_]+\(")


def _missing_operator(op: str) -> QueryError:
    return QueryError(
        f"the filter operator {op!r} cannot be evaluated in Python; /collections, "
        "/fields and /relations ignore filters, so this QuerySet filters locally"
    )


def _as_number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _compare(left: Any, right: Any) -> int | None:
    """-1/0/1, or None when the two cannot be ordered."""
    if isinstance(left, bool) or isinstance(right, bool):
        left, right = int(left) if isinstance(left, bool) else left, (
            int(right) if isinstance(right, bool) else right)
    if isinstance(left, (int, float)) != isinstance(right, (int, float)):
        left, right = _as_number(left), _as_number(right)
    try:
        return -1 if left < right else (1 if left > right else 0)
    except TypeError:
        return None


def _equal(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is right
    return _compare(left, right) == 0 if not isinstance(left, (dict, list)) else left == right


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _str_op(fn: Callable[[str, str], bool], fold: bool) -> Callable[[Any, Any], bool]:
    def test(value: Any, arg: Any) -> bool:
        text, needle = _text(value), _text(arg)
        if text is None or needle is None:
            return False
        if fold:
            text, needle = text.lower(), needle.lower()
        return fn(text, needle)

    return test


def _contains(value: Any, arg: Any) -> bool:
    if isinstance(value, list):
        return any(_equal(v, arg) for v in value)
    return _str_op(lambda t, n: n in t, False)(value, arg)


def _between(value: Any, arg: Any) -> bool:
    if value is None or not isinstance(arg, (list, tuple)) or len(arg) != 2:
        return False
    low, high = _compare(value, arg[0]), _compare(value, arg[1])
    return low is not None and high is not None and low >= 0 and high <= 0


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _ordered(pred: Callable[[int], bool]) -> Callable[[Any, Any], bool]:
    def test(value: Any, arg: Any) -> bool:
        if value is None or arg is None:
            return False
        result = _compare(value, arg)
        return result is not None and pred(result)

    return test


def _in(value: Any, arg: Any) -> bool:
    items = arg if isinstance(arg, (list, tuple)) else str(arg).split(",")
    return any(_equal(value, item) for item in items)


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "_eq": _equal,
    "_neq": lambda v, a: not _equal(v, a),
    "_lt": _ordered(lambda r: r < 0),
    "_lte": _ordered(lambda r: r <= 0),
    "_gt": _ordered(lambda r: r > 0),
    "_gte": _ordered(lambda r: r >= 0),
    "_in": _in,
    "_nin": lambda v, a: not _in(v, a),
    "_null": lambda v, a: (v is None) == bool(a),
    "_nnull": lambda v, a: (v is not None) == bool(a),
    "_empty": lambda v, a: _empty(v) == bool(a),
    "_nempty": lambda v, a: (not _empty(v)) == bool(a),
    "_contains": _contains,
    "_ncontains": lambda v, a: not _contains(v, a),
    "_icontains": _str_op(lambda t, n: n in t, True),
    "_nicontains": lambda v, a: not _str_op(lambda t, n: n in t, True)(v, a),
    "_starts_with": _str_op(str.startswith, False),
    "_nstarts_with": lambda v, a: not _str_op(str.startswith, False)(v, a),
    "_istarts_with": _str_op(str.startswith, True),
    "_nistarts_with": lambda v, a: not _str_op(str.startswith, True)(v, a),
    "_ends_with": _str_op(str.endswith, False),
    "_nends_with": lambda v, a: not _str_op(str.endswith, False)(v, a),
    "_iends_with": _str_op(str.endswith, True),
    "_niends_with": lambda v, a: not _str_op(str.endswith, True)(v, a),
    "_between": _between,
    "_nbetween": lambda v, a: v is not None and not _between(v, a),
    "_regex": lambda v, a: _text(v) is not None and re.search(str(a), str(_text(v))) is not None,
}


def _check_value(arg: Any) -> None:
    if isinstance(arg, str) and arg.startswith("$"):
        raise QueryError(
            f"dynamic variables ({arg}) cannot be evaluated in Python; /collections, "
            "/fields and /relations ignore filters, so this QuerySet filters locally"
        )


def _test_value(value: Any, condition: Any) -> bool:
    """Does ``value`` (a field's value) satisfy ``condition`` (operators or a nested filter)?"""
    if not isinstance(condition, Mapping):
        return _equal(value, condition)
    operators = {k: v for k, v in condition.items() if k.startswith("_")}
    nested = {k: v for k, v in condition.items() if not k.startswith("_")}
    for op, arg in operators.items():
        _check_value(arg)
        if op in ("_some", "_none"):
            rows = value if isinstance(value, list) else ([] if value is None else [value])
            hit = any(isinstance(r, Mapping) and matches(r, arg) for r in rows)
            if hit != (op == "_some"):
                return False
            continue
        if op in ("_and", "_or"):
            parts = [isinstance(value, Mapping) and matches(value, c) for c in arg]
            if not (all(parts) if op == "_and" else any(parts)):
                return False
            continue
        test = _OPERATORS.get(op)
        if test is None:
            raise _missing_operator(op)
        if isinstance(value, list) and op not in ("_contains", "_ncontains", "_null", "_nnull",
                                                   "_empty", "_nempty"):
            # A to-many field compared directly: any related row may match.
            if not any(test(v, arg) for v in value):
                return False
        elif not test(value, arg):
            return False
    if nested:
        rows = value if isinstance(value, list) else [value]
        return any(isinstance(r, Mapping) and matches(r, nested) for r in rows)
    return True


def matches(row: _Row, flt: Mapping[str, Any]) -> bool:
    """Whether ``row`` (a JSON object) satisfies the Directus filter ``flt``."""
    for key, condition in flt.items():
        if key == "_and":
            if not all(matches(row, part) for part in condition):
                return False
        elif key == "_or":
            if not any(matches(row, part) for part in condition):
                return False
        elif _CONDITION_RE.match(key):
            raise QueryError(
                f"functions such as {key!r} cannot be evaluated in Python; /collections, "
                "/fields and /relations ignore filters, so this QuerySet filters locally"
            )
        elif not _test_value(row.get(key), condition):
            return False
    return True


def _dig(row: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(row, Mapping):
            return None
        row = row.get(part)
    return row


def _searched(row: _Row, text: str) -> bool:
    needle = text.lower()
    return any(isinstance(v, str) and needle in v.lower() for v in row.values())


class _SortKey:
    """Orders JSON values like the database: NULLs first, then by value."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _SortKey) -> bool:
        a, b = self.value, other.value
        if a is None or b is None:
            return a is None and b is not None
        result = _compare(a, b)
        if result is None:
            return str(a) < str(b)
        return result < 0


def _sort_key(path: str) -> Callable[[Any], _SortKey]:
    return lambda row: _SortKey(_dig(row, path))


def _project(row: _Row, fields: Sequence[str]) -> dict[str, Any]:
    if "*" in fields:
        return dict(row)
    keep = {f.split(".", 1)[0] for f in fields}
    return {k: v for k, v in row.items() if k in keep}
