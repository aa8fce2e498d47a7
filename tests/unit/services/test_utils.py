"""``session.utils``: random strings, sort, revert, cache, export, import, hashes (wire format)."""

from __future__ import annotations

from typing import Any

from pytest_httpx import HTTPXMock

from directus_orm import AsyncSession

from ..models_for_tests import PlainArticle as Article
from ..wire import BASE, Runner, error_body, sent


def test_random_string(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(json={"data": "x" * 16})
    assert call(lambda s: s.utils.random_string(16)) == "x" * 16
    assert sent(httpx_mock.get_requests()[0]) == ("GET", "/utils/random/string", [("length", "16")], None)


def test_sort_revert_and_cache_clear(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(status_code=204, is_reusable=True)
    call(lambda s: s.utils.sort("my articles", 1, Article(id=5, title="t")))
    call(lambda s: s.utils.revert(9))
    call(lambda s: s.utils.cache_clear())
    call(lambda s: s.utils.cache_clear(system=True))
    assert [sent(r) for r in httpx_mock.get_requests()] == [
        ("POST", "/utils/sort/my%20articles", [], {"item": 1, "to": 5}),
        ("POST", "/utils/revert/9", [], None),
        ("POST", "/utils/cache/clear", [], None),
        ("POST", "/utils/cache/clear", [("system", "true")], None),
    ]


def test_export_of_a_collection_and_of_a_queryset(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(status_code=204, is_reusable=True)
    call(lambda s: s.utils.export("articles", {"fields": ["id"]}, "json", file={"title": "Dump"}))
    call(lambda s: s.utils.export(Article.objects.filter(published=True).fields("id")[:10], format="csv"))
    first, second = httpx_mock.get_requests()
    assert sent(first) == ("POST", "/utils/export/articles", [], {
        "query": {"fields": ["id"], "limit": -1}, "format": "json", "file": {"title": "Dump"}})
    assert sent(second) == ("POST", "/utils/export/articles", [], {
        "query": {"filter": {"published": {"_eq": True}}, "fields": ["id"], "limit": 10}, "format": "csv"})


def test_import_file_is_a_multipart_upload(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(status_code=204, is_reusable=True)
    call(lambda s: s.utils.import_file("articles", b'[{"title": "t"}]', filename="rows.json"))
    call(lambda s: s.utils.import_file("articles", b"title\nt\n", filename="rows.csv", background=True))
    first, second = httpx_mock.get_requests()
    assert (first.method, first.url.raw_path) == ("POST", b"/utils/import/articles")
    assert (second.method, second.url.raw_path) == ("POST", b"/utils/import/articles?background=true")
    assert first.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'filename="rows.json"' in first.content and b'[{"title": "t"}]' in first.content
    assert b"Content-Type: application/json" in first.content


def test_hashes_use_the_server_until_it_has_no_hash_route(httpx_mock: HTTPXMock, call: Runner) -> None:
    httpx_mock.add_response(url=f"{BASE}/utils/hash/generate", status_code=404, json=error_body("ROUTE_NOT_FOUND"))

    async def ahash(s: Any) -> tuple[str, bool]:
        hashed = await s.utils.hash_generate("secret")
        return hashed, await s.utils.hash_verify("secret", hashed)

    def command(s: Any) -> Any:
        if isinstance(s, AsyncSession):
            return ahash(s)
        hashed = s.utils.hash_generate("secret")
        return hashed, s.utils.hash_verify("secret", hashed)

    hashed, verified = call(command)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and verified is True
    # The 404 is remembered: verify is computed locally without a second request.
    (request,) = httpx_mock.get_requests()
    assert sent(request) == ("POST", "/utils/hash/generate", [], {"string": "secret"})
