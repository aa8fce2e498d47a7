# pyright: strict
"""Static checks of the auth surface: ``static()`` returns the user id, ``auth=`` takes a BaseAuth."""

from __future__ import annotations

from collections.abc import Callable

from typing_extensions import assert_type

from directus_orm import AsyncSession, AuthData, BaseAuth, Session


class TokenProvider(BaseAuth):
    def __init__(self, fetch: Callable[[], str]) -> None:
        super().__init__()
        self.fetch = fetch

    def new_token(self) -> str:
        return self.fetch()


def check_sync(url: str, token: str) -> None:
    with Session(url, auth=TokenProvider(lambda: token)) as s:
        assert_type(s.auth.core, BaseAuth)
        assert_type(s.auth.refresh(), AuthData)
        assert_type(s.auth.static(token), str)
        assert_type(s.auth.core.set_token(token), AuthData)


async def check_async(url: str, token: str) -> None:
    async with AsyncSession(url, auth=TokenProvider(lambda: token)) as s:
        assert_type(await s.auth.static(token), str)
        assert_type(await s.auth.refresh(), AuthData)
