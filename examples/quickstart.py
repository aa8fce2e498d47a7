"""directus_orm in a minute: log in, query with Django's vocabulary, write, go async.

Needs DIRECTUS_URL, DIRECTUS_EMAIL and DIRECTUS_PASSWORD, and the demo data of
``seed_demo.py`` (``make demo`` does all of it against a local Directus).
"""

from __future__ import annotations

import asyncio

from connection import server_from_env
from models import Article, Author

from directus_orm import AsyncSession, Count, Q, Session, Sum


def sync_demo(url: str, email: str, password: str) -> None:
    with Session(url) as s:  # the current session for model operations in this block
        s.auth.login(email, password)
        print("server:", s.server.ping(), "- Directus", s.server.info()["version"])

        published = Article.objects.filter(published=True).order_by("-views")
        print(f"\n{published.count()} published articles; the five most read:")
        print("  query:", published[:5].explain())
        for article in published.fields("id", "title", "views", "author.name")[:5]:
            author = article.author.name if isinstance(article.author, Author) else "-"
            print(f"  #{article.id:<4} {article.views:>5} views  {article.title}  ({author})")

        print("\nall articles, streamed past the server's 100-item default:",
              sum(1 for _ in Article.objects.iterator(chunk_size=100)))
        print("custom QuerySet method:", Article.objects.published().filter(views__gte=4000).count())
        popular_or_new = Article.objects.filter(Q(views__gte=4500) | Q(status="draft"))
        print("Q objects:", popular_or_new.count(), "popular or draft")
        print("per status:", Article.objects.group_by("status").aggregate(n=Count(), views=Sum("views")))

        article = Article.objects.filter(published=False).order_by("id").first()
        if article is not None:
            article.published = True
            article.save()  # PATCHes only the changed field
            print(f"\npublished #{article.id}; changed count:", Article.objects.published().count())

        page = Article.objects.published().order_by("id").page(2, size=20)
        print(f"page 2: {len(page)} items of {page.filter_count}, has_next={page.has_next}")


async def async_demo(url: str, email: str, password: str) -> None:
    async with AsyncSession(url) as s:
        await s.auth.login(email, password)
        counts = await asyncio.gather(*(
            Article.objects.filter(status=status).acount() for status in ("draft", "review", "done")
        ))
        print("\nasync, three counts at once:", dict(zip(("draft", "review", "done"), counts, strict=False)))
        top = await Article.objects.published().order_by("-views").afirst()
        if top is not None:
            print("async first():", top.title)


def main() -> None:
    url, email, password = server_from_env()
    sync_demo(url, email, password)
    asyncio.run(async_demo(url, email, password))


if __name__ == "__main__":
    main()
