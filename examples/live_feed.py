"""A live feed of published articles over Directus's WebSocket.

    python live_feed.py            # subscribe, then make a few changes from a second session
    python live_feed.py --watch    # only watch; change articles in the Studio and see them here

Needs DIRECTUS_URL, DIRECTUS_EMAIL and DIRECTUS_PASSWORD, the demo data of ``seed_demo.py``
(``make demo``), and a server started with ``WEBSOCKETS_ENABLED=true`` (the local servers of
``scripts/directus_local.py`` are). See docs/realtime.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os

from models import Article

from directus_orm import AsyncSession, SubscriptionEvent


def show(event: SubscriptionEvent[Article]) -> str:
    if event.type == "init":
        note = " (after a reconnect: events may have been missed)" if event.gap else ""
        return f"init: {len(event.items)} published articles{note}"
    if event.type == "delete":  # Directus sends the keys of every deleted item, matching or not
        return f"delete: #{', #'.join(str(k) for k in event.keys)}"
    return f"{event.type}: " + "; ".join(f"#{a.id} {a.title!r} ({a.views} views)" for a in event.items)


async def make_changes(url: str, email: str, password: str) -> None:
    """What another user might do meanwhile: publish, edit and delete an article."""
    async with AsyncSession(url) as writer:
        await writer.auth.login(email, password)
        await asyncio.sleep(0.5)
        draft = await Article.objects.using(writer).acreate(title="Breaking: live feeds", published=True)
        await asyncio.sleep(0.5)
        await Article.objects.using(writer).filter(id=draft.id).aupdate(views=42)
        await asyncio.sleep(0.5)
        await Article.objects.using(writer).acreate(title="A draft nobody sees", published=False)
        await asyncio.sleep(0.5)
        await Article.objects.using(writer).filter(title="A draft nobody sees").adelete()
        await Article.objects.using(writer).filter(id=draft.id).adelete()


async def main(watch: bool) -> None:
    url, email = os.environ["DIRECTUS_URL"], os.environ["DIRECTUS_EMAIL"]
    password = os.environ["DIRECTUS_PASSWORD"]
    async with AsyncSession(url) as s:
        await s.auth.login(email, password)
        published = Article.objects.filter(published=True).fields("id", "title", "views")
        changes: asyncio.Task[None] | None = None
        seen = 0
        async for event in published.asubscribe():  # leaving the loop unsubscribes
            print(show(event), flush=True)
            seen += 1
            if watch:
                continue
            if changes is None:  # subscribed: now let the other session write
                changes = asyncio.create_task(make_changes(url, email, password))
            if seen == 5:  # init, create, update, and the deletes of the two articles
                break
        if changes is not None:
            await changes
        print("unsubscribed")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--watch", action="store_true", help="only watch, until Ctrl-C")
    arguments = parser.parse_args()
    try:
        asyncio.run(main(arguments.watch))
    except KeyboardInterrupt:
        pass
