"""The blog's tests: a real Directus from the directus_orm pytest plugin, no mocks.

``directus_schema(Author, Article)`` creates the collections from the models for one test and
drops them after it; ``directus_session`` is a logged-in admin session, current for the test,
so the app's ``Article.objects`` calls use it.
"""

from __future__ import annotations

import time

import pytest
from blog import service
from blog.models import Article, Author

from directus_orm import Session


@pytest.fixture
def blog(directus_schema, directus_session):
    """The blog's collections, with two authors."""
    directus_schema(Author, Article)
    return Author.objects.create(name="Ada"), Author.objects.create(name="Grace")


def test_a_new_article_is_a_draft(blog):
    ada, _ = blog
    article = service.write(ada, "Notes on the engine")
    assert Article.objects.get(pk=article.pk).published is False


def test_most_read_lists_published_articles_only(blog):
    ada, grace = blog
    hidden = service.write(ada, "Draft")
    for title, views in [("A", 5), ("B", 9), ("C", 1)]:
        article = service.write(grace, title)
        service.publish(article)
        for _ in range(views):
            service.read(article)
    for _ in range(20):
        service.read(hidden)
    assert [a.title for a in service.most_read(2)] == ["B", "A"]


def test_drafts_per_author(blog):
    ada, grace = blog
    service.write(ada, "one")
    service.write(ada, "two")
    service.publish(service.write(grace, "three"))
    assert service.drafts_per_author() == {"Ada": 2}


def test_each_test_starts_empty(blog):
    # The tests above wrote articles; their collections were dropped after each of them.
    assert Article.objects.count() == 0
    assert Author.objects.count() == 2


@pytest.mark.anyio
async def test_count_published_async(directus_schema, directus_async_session):
    directus_schema(Author, Article)
    await Article.objects.abulk_create([Article(title=f"#{i}", published=i % 2 == 0) for i in range(6)])
    assert await service.count_published() == 3


@pytest.mark.directus(env={"ACCESS_TOKEN_TTL": "3s"})
def test_a_long_job_outlives_its_access_token(directus_test_server, directus_schema):
    # A server whose access tokens last 3 seconds, booted for the tests marked like this one.
    directus_schema(Author, Article)
    with Session(directus_test_server.url) as session:
        session.auth.login(directus_test_server.email, directus_test_server.password)
        ada = Author.objects.create(name="Ada")
        time.sleep(4)  # the access token has expired: the session refreshes it
        service.write(ada, "after the expiry")
    assert directus_test_server.env == {"ACCESS_TOKEN_TTL": "3s"}
