"""What the session drivers add to every request, and which kind of session a call needs."""

from __future__ import annotations

import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d
from directus_orm import AsyncSession, Session

from ..models_for_tests import PlainArticle as Article
from ..wire import BASE, params, rows


def test_session_params_and_headers_are_sent_on_every_request(httpx_mock: HTTPXMock) -> None:
    httpx_mock.add_response(json=rows())
    with Session(BASE, static_token="t", params={"access": "x"}, headers={"X-Trace": "1"}):
        list(Article.objects.all()[:1])
    request = httpx_mock.get_requests()[0]
    assert request.headers["X-Trace"] == "1"
    assert ("access", "x") in params(request)


@pytest.mark.anyio
async def test_sync_and_async_sessions_refuse_the_other_kind(
    httpx_mock: HTTPXMock, asession: AsyncSession
) -> None:
    with pytest.raises(d.WrongSessionKind, match="aget"):
        Article.objects.get(pk=1)
    with pytest.raises(d.WrongSessionKind, match="async for"):
        list(Article.objects.all())
    with Session(BASE, static_token="t") as sync:
        with pytest.raises(d.WrongSessionKind, match="count"):
            await Article.objects.using(sync).acount()
    assert httpx_mock.get_requests() == []
