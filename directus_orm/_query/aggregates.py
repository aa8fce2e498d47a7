"""Aggregate functions for ``QuerySet.aggregate`` and ``group_by``.

``Article.objects.aggregate(total=Sum("views"), n=Count())`` compiles to
Directus ``aggregate={"sum":["views"],"count":["*"]}`` and returns
``{"total": 266, "n": 5}``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class Aggregate:
    """One Directus aggregate function over one field."""

    function: ClassVar[str]

    def __init__(self, field: str) -> None:
        if not field:
            raise ValueError(f"{type(self).__name__} needs a field name")
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.field!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Aggregate) and type(other) is type(self) and other.field == self.field

    def __hash__(self) -> int:
        return hash((type(self), self.field))

    def pick(self, row: dict[str, Any]) -> Any:
        """This aggregate's value in a Directus result row."""
        value = row.get(self.function)
        if isinstance(value, dict):
            value = value.get(self.field)
        return self.normalize(value)

    def normalize(self, value: Any) -> Any:
        """The value as Python sees it on every database (PostgreSQL sends some as strings)."""
        return value


def as_count(value: Any) -> Any:
    """A count as an ``int``: PostgreSQL's ``count()`` is a bigint, sent as a string (``"130"``)."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return value


#: Field functions whose values are integers (``count(rel)``, ``year(date)``, ...).
INTEGER_FUNCTIONS = frozenset(
    {"count", "year", "month", "week", "day", "weekday", "hour", "minute", "second"}
)


def function_value(path: str, value: Any) -> Any:
    """The value of a field function (``count(tags)``, ``year(published_on)``) in a row, as a
    number on every database (PostgreSQL sends these as strings)."""
    if path.endswith(")") and path.rpartition(".")[2].partition("(")[0] in INTEGER_FUNCTIONS:
        return as_count(value)
    return value


def normalize(function: str, value: Any) -> Any:
    """An aggregate's value: counts as ``int``, sums and averages as ``int``/``float``."""
    if function in ("count", "countDistinct"):
        return as_count(value)
    if function in ("sum", "sumDistinct", "avg", "avgDistinct"):
        return as_number(value)
    return value


def as_number(value: Any) -> Any:
    """A sum or average as ``int``/``float``, as on SQLite: PostgreSQL sends ``numeric`` as text."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    return value


class Count(Aggregate):
    """Number of items (``Count()``), or of non-null values of a field."""

    function = "count"

    def __init__(self, field: str = "*") -> None:
        super().__init__(field)

    def normalize(self, value: Any) -> Any:
        return as_count(value)


class CountDistinct(Aggregate):
    """Number of distinct values of a field."""

    function = "countDistinct"

    def normalize(self, value: Any) -> Any:
        return as_count(value)


class Sum(Aggregate):
    """Sum of a numeric field."""

    function = "sum"

    def normalize(self, value: Any) -> Any:
        return as_number(value)


class SumDistinct(Aggregate):
    """Sum of the distinct values of a numeric field."""

    function = "sumDistinct"

    def normalize(self, value: Any) -> Any:
        return as_number(value)


class Avg(Aggregate):
    """Average of a numeric field."""

    function = "avg"

    def normalize(self, value: Any) -> Any:
        return as_number(value)


class AvgDistinct(Aggregate):
    """Average of the distinct values of a numeric field."""

    function = "avgDistinct"

    def normalize(self, value: Any) -> Any:
        return as_number(value)


class Min(Aggregate):
    """Smallest value of a field."""

    function = "min"


class Max(Aggregate):
    """Largest value of a field."""

    function = "max"
