"""``session.settings``: the project settings singleton (wire format, sync and async)."""

from __future__ import annotations

import pytest
from pytest_httpx import HTTPXMock

import directus_orm as d

from ..wire import Runner, sent


class MySettings(d.DirectusSettings):
    shop_open: bool | None = None


def test_read_asks_for_the_fields_and_types_the_answer(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"data": {"id": 1, "project_name": "Shop", "shop_open": True}})
    settings = call(lambda s: s.settings.read(MySettings, fields=["project_name", "shop_open"]))
    assert isinstance(settings, MySettings)
    assert (settings.project_name, settings.shop_open) == ("Shop", True)
    assert sent(httpx_mock.get_requests()[0]) == ("GET", "/settings", [("fields", "project_name,shop_open")], None)


def test_update_patches_data_and_keywords_together(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"data": {"id": 1, "project_name": "New", "public_registration": True}})
    httpx_mock.add_response(status_code=204)
    updated = call(lambda s: s.settings.update({"project_name": "New"}, public_registration=True))
    assert isinstance(updated, d.DirectusSettings) and updated.project_name == "New"
    # 204: the write was accepted, but the user may not read the result.
    assert call(lambda s: s.settings.update(project_color="#000")) is None
    first, second = httpx_mock.get_requests()
    assert sent(first) == ("PATCH", "/settings", [], {"project_name": "New", "public_registration": True})
    assert first.headers["Content-Type"] == "application/json"
    assert sent(second) == ("PATCH", "/settings", [], {"project_color": "#000"})


def test_an_empty_answer_to_read_is_does_not_exist(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"data": None})
    with pytest.raises(d.DirectusSettings.DoesNotExist):
        call(lambda s: s.settings.read())
