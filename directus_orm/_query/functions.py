"""Field functions for ``QuerySet.annotate``: Directus ``count(relation)`` and date parts.

``Article.objects.annotate(n_comments=Count("comments"), year=Year("published_on"))``
asks for ``alias[n_comments]=count(comments)&alias[year]=year(published_on)``; each
object then carries ``n_comments`` and ``year``. A filter or sort on an annotation
(``filter(n_comments__gt=2)``, ``order_by("-year")``) is sent as the function
itself (``count(comments)``), as Directus filters and sorts on functions but not
on aliases.
"""

from __future__ import annotations

from typing import ClassVar


class FieldFunction:
    """One Directus function over one field: ``year(published_on)``."""

    function: ClassVar[str]

    def __init__(self, field: str) -> None:
        if not field or field == "*":
            raise ValueError(f"{type(self).__name__} needs a field name")
        self.field = field

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.field!r})"

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and isinstance(other, FieldFunction) and other.field == self.field

    def __hash__(self) -> int:
        return hash((type(self), self.field))


class Year(FieldFunction):
    """The year of a date or date-time field."""

    function = "year"


class Month(FieldFunction):
    """The month (1-12) of a date or date-time field."""

    function = "month"


class Week(FieldFunction):
    """The week of the year of a date or date-time field."""

    function = "week"


class Day(FieldFunction):
    """The day of the month of a date or date-time field."""

    function = "day"


class Weekday(FieldFunction):
    """The day of the week of a date or date-time field."""

    function = "weekday"


class Hour(FieldFunction):
    """The hour of a date-time or time field."""

    function = "hour"


class Minute(FieldFunction):
    """The minute of a date-time or time field."""

    function = "minute"


class Second(FieldFunction):
    """The second of a date-time or time field."""

    function = "second"
