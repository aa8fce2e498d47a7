"""What a subscription yields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

__all__ = ["EventType", "SubscriptionEvent"]

M = TypeVar("M")

EventType = Literal["init", "create", "update", "delete"]


@dataclass(frozen=True)
class SubscriptionEvent(Generic[M]):
    """One event of a subscription.

    - ``type``: ``"init"`` (the current matches, always first), ``"create"``,
      ``"update"`` or ``"delete"``.
    - ``items``: the items, hydrated like a read of the QuerySet (its ``fields``);
      empty for deletes.
    - ``keys``: the primary keys the event is about (for deletes, the only data
      Directus sends: the keys of every deleted item of the collection, matching
      the filter or not).
    - ``gap``: ``True`` on an ``init`` sent after the subscription was set up
      again (reconnect, or re-authentication after the server dropped it); events
      in between may have been missed, and this ``init`` holds the current matches.
    """

    type: EventType
    items: list[M] = field(default_factory=list)
    keys: list[Any] = field(default_factory=list)
    uid: str = ""
    gap: bool = False

    def __repr__(self) -> str:
        gap = " gap" if self.gap else ""
        return f"<SubscriptionEvent {self.type}{gap} uid={self.uid!r} keys={self.keys!r}>"
