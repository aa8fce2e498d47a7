"""Flows: protocol logic written once, run by the sync and the async session.

A flow is a generator that yields *steps* and receives their results:

- :class:`Send` → the ``httpx.Response`` (body read), or the ``httpx.TransportError``
  raised while sending (the flow decides whether to retry);
- :class:`Refresh` → ``None`` once the access token was refreshed (single-flight:
  the session refreshes only if no one else did since ``generation``);
- :class:`Sleep` → ``None`` after the delay.

A flow's return value is its result. ``Session`` drives flows with blocking
calls, ``AsyncSession`` with awaits; neither knows anything of Directus.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from .request import Call

T = TypeVar("T")


@dataclass(frozen=True)
class Send:
    """Send ``call`` with these extra headers; ``stream`` leaves the body unread."""

    call: Call
    headers: Mapping[str, str] = field(default_factory=dict)
    stream: bool = False


@dataclass(frozen=True)
class Refresh:
    """Refresh the access token unless it changed since ``generation``."""

    generation: int


@dataclass(frozen=True)
class Sleep:
    """Wait ``seconds`` (between retries)."""

    seconds: float


Step = Send | Refresh | Sleep


Flow = Generator[Step, httpx.Response | httpx.TransportError | None, T]
