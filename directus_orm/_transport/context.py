"""The current session: the innermost ``with`` block's, else the process default.

A context variable, so threads and asyncio tasks never see each other's session.
"""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING, TypeVar, overload

from .._core.exceptions import NoSessionError, WrongSessionKind

if TYPE_CHECKING:
    from .session import BaseSession

S = TypeVar("S", bound="BaseSession")

# The sessions of the enclosing ``with`` blocks, innermost last (a tuple: contexts copied
# into threads and tasks never share a mutable stack).
_stack: contextvars.ContextVar[tuple[BaseSession, ...]] = contextvars.ContextVar(
    "directus_orm_sessions", default=()
)
_default: BaseSession | None = None


def push(session: BaseSession) -> None:
    """Make ``session`` current (entering its ``with`` block)."""
    _stack.set((*_stack.get(), session))


def pop(session: BaseSession) -> None:
    """Leave ``session``'s innermost block, even out of order: the enclosing sessions
    stay current in their order, and a left (closed) session never becomes current again."""
    stack = _stack.get()
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] is session:
            _stack.set(stack[:i] + stack[i + 1 :])
            return


def set_default_session(session: BaseSession | None) -> None:
    """Use ``session`` for model operations when no ``with`` block names one."""
    global _default
    _default = session


@overload
def get_current_session(kind: type[S]) -> S: ...


@overload
def get_current_session(kind: None = None) -> BaseSession: ...


def get_current_session(kind: type[BaseSession] | None = None) -> BaseSession:
    """The session of the innermost ``with`` block, else the default session.

    ``kind`` checks that it is a ``Session`` or an ``AsyncSession``.
    """
    stack = _stack.get()
    session = stack[-1] if stack else _default
    if session is None:
        raise NoSessionError(
            "no Directus session: use `with Session(url) as s:` (or `async with "
            "AsyncSession(url)`), pass one with `.using(session)`, or call "
            "directus_orm.set_default_session(session)"
        )
    if kind is not None and not isinstance(session, kind):
        raise WrongSessionKind(
            f"this needs a {kind.__name__}, but the current session is a "
            f"{type(session).__name__}"
        )
    return session
