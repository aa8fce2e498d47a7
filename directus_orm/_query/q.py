"""``Q`` objects: lookups combined with ``&``, ``|`` and ``~``, as in Django.

A ``Q`` is an immutable tree. Its children are lookups (``("title", "x")``
pairs, from keyword arguments), other ``Q`` objects, or raw Directus filter
dicts, the escape hatch for what lookups cannot say::

    Q(title__icontains="news") | Q(views__gt=100)
    ~Q(status="draft")
    Q({"items": {"item:headings": {"text": {"_eq": "x"}}}})

``_filters.compile_filter`` turns a tree into Directus filter JSON.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Literal, NoReturn, TypeAlias

Connector = Literal["AND", "OR"]


_Child: TypeAlias = "Q | tuple[str, Any] | Mapping[str, Any]"


class Q:
    """A filter condition: ``Q(*children, **lookups)``.

    Positional children are ``Q`` objects or raw Directus filter dicts;
    keyword arguments are lookups (``author__name__icontains="x"``), kept in
    the order given. All children are joined with AND. ``Q()`` (and ``~Q()``)
    states no condition and matches everything; like Django, ``&`` and ``|``
    ignore an empty ``Q``, so ``q = Q()`` then ``q |= Q(...)`` in a loop works.
    """

    __slots__ = ("children", "connector", "negated")

    children: tuple[_Child, ...]
    connector: Connector
    negated: bool

    def __init__(self, *children: Q | Mapping[str, Any], **lookups: Any) -> None:
        items: list[_Child] = []
        for child in children:
            if isinstance(child, Q):
                items.append(child)
            elif isinstance(child, Mapping):
                # A private deep copy: later changes to the caller's dict must not leak in.
                items.append(copy.deepcopy(dict(child)))
            else:
                raise TypeError(
                    f"Q() takes Q objects, Directus filter dicts and keyword lookups, "
                    f"not {type(child).__name__}"
                )
        items.extend(lookups.items())
        self._init(tuple(items), "AND", False)

    def _init(
        self,
        children: tuple[_Child, ...],
        connector: Connector,
        negated: bool,
    ) -> None:
        object.__setattr__(self, "children", children)
        object.__setattr__(self, "connector", connector)
        object.__setattr__(self, "negated", negated)

    @classmethod
    def _make(
        cls,
        children: tuple[_Child, ...],
        connector: Connector,
        negated: bool = False,
    ) -> Q:
        q = cls.__new__(cls)
        q._init(children, connector, negated)
        return q

    # ------------------------------------------------------------ immutability

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Q objects are immutable; combine them with &, | and ~")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("Q objects are immutable; combine them with &, | and ~")

    def __reduce__(self) -> tuple[Any, ...]:
        """Copy and pickle through ``_make``: ``__setattr__`` is closed."""
        return (Q._make, (self.children, self.connector, self.negated))

    # ------------------------------------------------------------ combination

    def __bool__(self) -> bool:
        """False for ``Q()`` (and ``~Q()``): no condition at all."""
        return bool(self.children)

    def _combine(self, other: Q, connector: Connector) -> Q:
        if not other:
            return self
        if not self:
            return other
        return Q._make((*self._operands(connector), *other._operands(connector)), connector)

    def _operands(self, connector: Connector) -> tuple[_Child, ...]:
        """Children to splice into a new node: ``(a & b) & c`` is one AND of three."""
        if self.connector == connector and not self.negated:
            return self.children
        return (self,)

    def __and__(self, other: Q) -> Q:
        if not isinstance(other, Q):
            return NotImplemented
        return self._combine(other, "AND")

    def __or__(self, other: Q) -> Q:
        if not isinstance(other, Q):
            return NotImplemented
        return self._combine(other, "OR")

    def __invert__(self) -> Q:
        return Q._make(self.children, self.connector, not self.negated)

    # ------------------------------------------------------------ comparison

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Q):
            return NotImplemented
        return (self.connector, self.negated, self.children) == (
            other.connector,
            other.negated,
            other.children,
        )

    def __repr__(self) -> str:
        text = self._repr_body()
        return f"~{text}" if self.negated else text

    def _repr_body(self) -> str:
        if self.connector == "AND" and _call_order(self.children):
            args = [_child_repr(c) for c in self.children if not isinstance(c, tuple)]
            args += [f"{c[0]}={c[1]!r}" for c in self.children if isinstance(c, tuple)]
            return f"Q({', '.join(args)})"
        joiner = " & " if self.connector == "AND" else " | "
        return "(" + joiner.join(_operand_repr(c) for c in self.children) + ")"


def _call_order(children: tuple[_Child, ...]) -> bool:
    """True when the children can be written as one ``Q(...)`` call."""
    seen_keyword = False
    names: set[str] = set()
    for child in children:
        if isinstance(child, tuple):
            if child[0] in names:
                return False
            names.add(child[0])
            seen_keyword = True
        elif seen_keyword:
            return False
    return True


def _child_repr(child: Q | Mapping[str, Any]) -> str:
    return repr(child) if isinstance(child, Q) else repr(dict(child))


def _operand_repr(child: _Child) -> str:
    if isinstance(child, tuple):
        return f"Q({child[0]}={child[1]!r})"
    if isinstance(child, Q):
        return repr(child)
    return f"Q({dict(child)!r})"
