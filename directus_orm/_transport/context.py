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

_current: contextvars.ContextVar[BaseSession | None] = contextvars.ContextVar(
    "directus_orm_session", default=None
)
_default: BaseSession | None = None


def push(session: BaseSession) -> contextvars.Token[BaseSession | None]:
    """Make ``session`` current; returns the token that :func:`pop` takes."""
    return _current.set(session)


def pop(token: contextvars.Token[BaseSession | None]) -> None:
    """Undo one :func:`push`."""
    _current.reset(token)


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
    session = _current.get() or _default
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
