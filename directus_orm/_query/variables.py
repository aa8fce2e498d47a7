"""Directus dynamic variables, for use as filter values.

The server replaces these strings when it runs the query: ``$NOW`` becomes the
current time, ``$CURRENT_USER`` the id of the user making the request, and so
on. They are ``str`` subclasses, so they go into the JSON as plain strings::

    Article.objects.filter(published_at__lte=NOW)
    Article.objects.filter(published_at__gte=now("-7 days"))
    Article.objects.filter(owner=CURRENT_USER)
    Article.objects.filter(role__in=CURRENT_ROLES)
"""

from __future__ import annotations

import re


class DynamicVariable(str):
    """A Directus dynamic variable such as ``$NOW``.

    A ``str`` so that it serializes unchanged; a class of its own so that the
    filter compiler can tell a variable from a literal string that merely
    starts with ``$``.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"DynamicVariable({str.__repr__(self)})"


# The units Directus accepts in ``$NOW(<offset>)`` (@directus/utils adjustDate).
_UNITS = (
    "milliseconds|millisecond|msecs|msec|ms|"
    "seconds|second|secs|sec|s|"
    "minutes|minute|mins|min|m|"
    "hours|hour|hrs|hr|h|"
    "days|day|d|"
    "weeks|week|w|"
    "months|month|mth|mo|"
    "years|year|yrs|yr|y"
)


# Sign and unit are required here although Directus would default them: an
# offset without a sign or unit is more likely a typo than a wish for "+N days".
_OFFSET = re.compile(rf"[+-] ?(?:\d+(?:\.\d+)?|\.\d+) ?(?:{_UNITS})", re.IGNORECASE)


# A field path on the current user: ``email``, ``role.name``.
_FIELD_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


NOW = DynamicVariable("$NOW")


CURRENT_USER = DynamicVariable("$CURRENT_USER")


CURRENT_ROLE = DynamicVariable("$CURRENT_ROLE")


CURRENT_ROLES = DynamicVariable("$CURRENT_ROLES")


CURRENT_POLICIES = DynamicVariable("$CURRENT_POLICIES")


def now(offset: str) -> DynamicVariable:
    """``$NOW(<offset>)``: the current time moved by ``offset``.

    ``offset`` is a sign, a number and a unit: ``"-1 year"``, ``"+2 days"``,
    ``"-30 minutes"``. Raises ``ValueError`` for any other shape, because the
    server silently treats an offset it cannot parse as "no date at all".
    """
    text = offset.strip()
    if not _OFFSET.fullmatch(text):
        raise ValueError(
            f"invalid $NOW offset {offset!r}: expected a sign, a number and a unit, "
            "such as '-1 year', '+2 days' or '-30 minutes'"
        )
    return DynamicVariable(f"$NOW({text})")


def current_user(field: str) -> DynamicVariable:
    """``$CURRENT_USER.<field>``: a field of the user making the request.

    ``field`` may be a dotted path (``"role.name"``). Raises ``ValueError``
    for anything that is not a field path.
    """
    if not _FIELD_PATH.fullmatch(field):
        raise ValueError(
            f"invalid $CURRENT_USER field {field!r}: expected a field name or a dotted "
            "path such as 'email' or 'role.name'"
        )
    return DynamicVariable(f"$CURRENT_USER.{field}")
