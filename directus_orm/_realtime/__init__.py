"""Realtime: Directus subscriptions as typed iterators over one WebSocket per session.

``protocol`` is the sans-IO core (messages, subscription state, the connection
flow); ``sync`` and ``aio`` drive it with the ``websockets`` package's blocking
and asyncio clients; ``query`` turns a QuerySet into a subscription.
"""

from .errors import (
    RealtimeAuthError,
    RealtimeConnectionError,
    RealtimeError,
    RealtimeServerError,
    RealtimeUnavailable,
    SubscriptionError,
)
from .events import EventType, SubscriptionEvent
from .protocol import RealtimeSettings

__all__ = [
    "EventType",
    "RealtimeAuthError",
    "RealtimeConnectionError",
    "RealtimeError",
    "RealtimeServerError",
    "RealtimeSettings",
    "RealtimeUnavailable",
    "SubscriptionError",
    "SubscriptionEvent",
]
