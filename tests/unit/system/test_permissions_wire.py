"""The wire format of DirectusPermission reads and writes (stored rows only, rules sent along)."""

from __future__ import annotations

from pytest_httpx import HTTPXMock

from directus_orm import DirectusPermission, Session

from ..wire import body, params, rows, sent

STORED = {"policy": {"_nnull": True}}
RULES = {"collection": "directus_files", "action": "read", "fields": ["*"], "permissions": None,
         "validation": None, "presets": None}


def test_reads_ask_for_stored_rows_only(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json=rows({"id": 5, **RULES}))
    httpx_mock.add_response(json=rows({"id": 5}, {"id": 6}, {"id": 7}))
    assert DirectusPermission.objects.get(pk=5).id == 5
    # The endpoint ignores limit: a slice is cut here.
    assert [p.id for p in DirectusPermission.objects.all()[:2]] == [5, 6]
    first, second = httpx_mock.get_requests()
    assert dict(params(first))["filter"] == '{"_and":[{"id":{"_eq":5}},' + '{"policy":{"_nnull":true}}]}'
    assert dict(params(second))["filter"] == '{"policy":{"_nnull":true}}'


def test_save_sends_the_rules_the_object_holds(httpx_mock: HTTPXMock, session: Session) -> None:
    httpx_mock.add_response(json=rows({"id": 5, **RULES}))
    httpx_mock.add_response(json={"data": {"id": 5, **RULES, "action": "create"}})
    permission = DirectusPermission.objects.get(pk=5)
    permission.action = "create"
    permission.save()
    request = httpx_mock.get_requests()[1]
    assert sent(request)[:2] == ("PATCH", "/permissions/5")
    assert body(request) == {**RULES, "action": "create"}


def test_update_by_query_sends_each_rule_set_with_the_change(
    httpx_mock: HTTPXMock, session: Session
) -> None:
    other = {**RULES, "collection": "directus_folders"}
    httpx_mock.add_response(json=rows({"id": 5, **RULES}, {"id": 6, **RULES}, {"id": 7, **other}))
    httpx_mock.add_response(json={"data": [{"id": 5}, {"id": 6}]})
    httpx_mock.add_response(json={"data": [{"id": 7}]})
    assert DirectusPermission.objects.filter(pk__in=[5, 6, 7]).update(action="share") == 3
    read, one, two = httpx_mock.get_requests()
    assert "filter" in dict(params(read))
    bodies = sorted((body(one), body(two)), key=lambda b: b["keys"])
    rest = {k: v for k, v in RULES.items() if k != "action"}
    assert bodies == [
        {"keys": [5, 6], "data": {**rest, "action": "share"}},
        {"keys": [7], "data": {**rest, "collection": "directus_folders", "action": "share"}},
    ]


def test_bulk_create_reads_its_rows_back_without_the_built_in_ones(
    httpx_mock: HTTPXMock, session: Session
) -> None:
    httpx_mock.add_response(json={"data": [{"id": 8, **RULES}]})
    (created,) = DirectusPermission.objects.bulk_create([DirectusPermission(**RULES, policy="p")])
    assert created.id == 8
    (request,) = httpx_mock.get_requests()
    assert params(request) == [("filter", '{"policy":{"_nnull":true}}')]
