# pyright: strict
"""Static typing contract of realtime subscriptions (mypy --strict and pyright strict; never run)."""

from __future__ import annotations

from typing import Any

from typing_extensions import assert_type

from directus_orm import (
    AsyncSession,
    AsyncSubscription,
    Model,
    RealtimeSettings,
    Session,
    Subscription,
    SubscriptionEvent,
)


class Article(Model, collection="articles"):
    id: int | None = None
    title: str


def sync_use(s: Session) -> None:
    sub = Article.objects.filter(title="x").fields("id").subscribe()
    assert_type(sub, Subscription[Article])
    for event in sub:
        assert_type(event, SubscriptionEvent[Article])
        assert_type(event.items, list[Article])
        assert_type(event.keys, list[Any])
        assert_type(event.gap, bool)
    with Article.objects.all().subscribe() as live:
        assert_type(live.get(timeout=1.0), SubscriptionEvent[Article])
    assert_type(s.realtime.subscribe("articles"), Subscription[dict[str, Any]])
    assert_type(s.realtime.settings, RealtimeSettings)
    rows = Article.objects.values("title").subscribe()
    assert_type(rows, Subscription[dict[str, Any]])
    Article.objects.subscribe().get(timeout="soon")  # type: ignore[arg-type]  # pyright: ignore[reportArgumentType]


async def async_use(s: AsyncSession) -> None:
    sub = Article.objects.filter(title="x").asubscribe()
    assert_type(sub, AsyncSubscription[Article])
    async for event in sub:
        assert_type(event, SubscriptionEvent[Article])
    async with Article.objects.all().asubscribe() as live:
        assert_type(await live.get(timeout=1.0), SubscriptionEvent[Article])
    assert_type(s.realtime.subscribe("articles"), AsyncSubscription[dict[str, Any]])
    async for message in s.realtime.listen():
        assert_type(message, dict[str, Any])
