"""What the app does with its models: plain functions on the current session."""

from __future__ import annotations

from directus_orm import Count

from .models import Article, Author


def write(author: Author, title: str) -> Article:
    """A draft by ``author``."""
    return Article.objects.create(title=title, author=author)


def publish(article: Article) -> None:
    article.published = True
    article.save(update_fields=["published"])


def read(article: Article) -> None:
    """Count one more view."""
    article.views += 1
    article.save(update_fields=["views"])


def most_read(limit: int = 3) -> list[Article]:
    """The most read published articles, most read first."""
    return list(Article.objects.filter(published=True).order_by("-views", "id")[:limit])


def drafts_per_author() -> dict[str, int]:
    """How many drafts each author has (authors without drafts are left out)."""
    counts = Article.objects.filter(published=False).group_by("author").aggregate(n=Count())
    names = {author.id: author.name for author in Author.objects.all()}
    return {names[row["author"]]: int(row["n"]) for row in counts if row["author"] is not None}


async def count_published() -> int:
    """The number of published articles (for an async app: needs an AsyncSession)."""
    return await Article.objects.filter(published=True).acount()
