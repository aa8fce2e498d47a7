"""Schema work as generator flows over ``session.request``, driven sync or async.

A flow yields :class:`Req` and receives the decoded JSON body (``None`` for
204); a failed request is thrown into the flow. The same flow runs under
``Session`` (:func:`run`) and ``AsyncSession`` (:func:`arun`).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from .. import AsyncSession, BaseSession, Session, WrongSessionKind, get_current_session

__all__ = ["Req", "SchemaFlow", "arun", "run"]

T = TypeVar("T")


@dataclass(frozen=True)
class Req:
    """One request of a schema flow."""

    method: str
    path: str
    json: Any = None
    params: Mapping[str, str] | None = None


SchemaFlow = Generator[Req, Any, T]


def _session(session: BaseSession | None) -> BaseSession:
    return session if session is not None else get_current_session()


def run(session: BaseSession | None, flow: SchemaFlow[T], what: str) -> T:
    """Drive ``flow`` with a blocking ``Session``."""
    s = _session(session)
    if not isinstance(s, Session):
        flow.close()
        raise WrongSessionKind(f"{what}() needs a Session; with an AsyncSession use a{what}()")
    try:
        req = next(flow)
        while True:
            try:
                body = s.request(req.method, req.path, json=req.json, params=req.params)
            except Exception as exc:
                req = flow.throw(exc)
            else:
                req = flow.send(body)
    except StopIteration as stop:
        result: T = stop.value
        return result


async def arun(session: BaseSession | None, flow: SchemaFlow[T], what: str) -> T:
    """Drive ``flow`` with an ``AsyncSession``."""
    s = _session(session)
    if not isinstance(s, AsyncSession):
        flow.close()
        raise WrongSessionKind(f"a{what}() needs an AsyncSession; with a Session use {what}()")
    try:
        req = next(flow)
        while True:
            try:
                body = await s.request(req.method, req.path, json=req.json, params=req.params)
            except Exception as exc:
                req = flow.throw(exc)
            else:
                req = flow.send(body)
    except StopIteration as stop:
        result: T = stop.value
        return result
