"""Hydration of relations and the writes computed from them, without a server.

Objects are hydrated from crafted response bytes (as the QuerySet does), so they carry the
snapshots writes are computed against; requests go to an ``httpx.MockTransport``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from directus_orm import (
    FieldNotLoaded,
    Model,
    QueryError,
    Session,
    pk_of,
    related,
)
from directus_orm._models.changes import changed_fields, payload
from directus_orm._models.state import state_of

from ..models_for_tests import Article, Author, Heading, Page, Post, Tag, Text
from ..wire import BASE


def load(model: type[Any], data: dict[str, Any]) -> Any:
    """An object as a QuerySet would hydrate it from ``{"data": data}``."""
    obj = model._meta.validator("one").validate_json(json.dumps({"data": data}))["data"]
    model._meta.strip((obj,))
    return obj


def body_of(obj: Model) -> dict[str, Any]:
    return payload(obj, changed_fields(obj))


class Server:
    """A MockTransport handler: records requests, answers from a queue (default: echo the PATCH)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.answers: list[Any] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, dict(request.url.params), body))
        answer = self.answers.pop(0) if self.answers else {"data": {}}
        return httpx.Response(200, json=answer)


@pytest.fixture
def server() -> Iterator[Server]:
    handler = Server()
    with Session(BASE, static_token="t", transport=httpx.MockTransport(handler)):
        yield handler


# ------------------------------------------------------------------ hydration


def test_many_to_many_rows_become_the_far_models() -> None:
    post = load(Post, {"id": 1, "tags": [
        {"id": 10, "tags_id": {"id": 3, "label": "py"}, "weight": 2, "articles_id": 1},
        {"id": 11, "tags_id": {"id": 4, "label": "go"}, "weight": 5, "articles_id": 1},
        {"id": 12, "tags_id": None},  # a link to a deleted tag: dropped
    ]})
    assert [(t.id, t.label) for t in post.tags] == [(3, "py"), (4, "go")]
    assert state_of(post)["rel"]["tags"] == [(10, 3), (11, 4)]
    rows = related(post, "tags").through
    assert [(r.id, r.weight, r.tags_id) for r in rows] == [(10, 2, post.tags[0]), (11, 5, post.tags[1])]
    keys = load(Post, {"id": 1, "tags": [{"id": 10, "tags_id": 3}]})
    assert keys.tags == [3]
    with pytest.raises(FieldNotLoaded):  # bare junction keys say nothing of the tags
        _ = load(Post, {"id": 1, "tags": [10, 11]}).tags
    with pytest.raises(FieldNotLoaded, match="were not loaded"):
        _ = related(load(Post, {"id": 1}), "tags").through


def test_many_to_any_rows_become_instances_of_their_collection() -> None:
    page = load(Page, {"id": 1, "blocks": [
        {"id": 1, "collection": "headings", "item": {"id": 5, "text": "Hi"}},
        {"id": 2, "collection": "texts", "item": "7"},  # the junction stores keys as text
        {"id": 3, "collection": "elsewhere", "item": "1"},  # not declared: left out
    ]})
    heading, text = page.blocks
    assert isinstance(heading, Heading) and heading.text == "Hi"
    assert isinstance(text, Text) and text.id == 7
    with pytest.raises(FieldNotLoaded):
        _ = text.body
    assert state_of(page)["rel"]["blocks"] == [(1, "headings", 5), (2, "texts", 7)]


def test_keys_of_many_to_ones() -> None:
    plain = load(Article, {"id": 1, "author": 9})
    assert plain.author_id == 9 and pk_of(plain.author) == 9
    expanded = load(Article, {"id": 1, "author": {"id": 9, "name": "Ada"}})
    assert expanded.author_id == 9 and pk_of(expanded.author) == 9
    assert Article.author_id.field == "author"
    with pytest.raises(FieldNotLoaded, match="without its primary key"):
        _ = load(Article, {"id": 1, "author": {"name": "Ada"}}).author_id
    with pytest.raises(FieldNotLoaded, match=r"Article\.author was not loaded"):
        _ = load(Article, {"id": 1}).author_id

    class Note(Model, collection="notes"):
        id: int | None = None
        writer: Author | int | None = None

    note = load(Note, {"id": 1, "writer": {"id": 2}})
    assert note.writer_id == 2  # no Key declared: Model.__getattr__, typed Any
    with pytest.raises(AttributeError):
        _ = note.title_id


def test_select_related_marks_the_related_rows_lists_not_loaded(server: Server) -> None:
    server.answers.append({"data": [{"id": 1, "author": {"id": 2, "name": "Ada", "articles": []},
                                     "tags": [{"id": 5, "tags_id": 7}]}]})
    (article,) = Article.objects.select_related("author")
    assert article.author.name == "Ada" and article.tags == [7]
    with pytest.raises(FieldNotLoaded):
        _ = article.author.articles  # came back as [] because of deep _limit=0, not really empty
    assert "articles" not in state_of(article.author).get("rel", {})


# ------------------------------------------------------------------ payloads


def test_one_changed_child_is_one_update() -> None:
    author = load(Author, {"id": 1, "articles": [{"id": i, "title": f"t{i}"} for i in range(300)]})
    assert changed_fields(author) == []
    author.articles[123].title = "changed"
    assert changed_fields(author) == ["articles"]
    assert body_of(author) == {"articles": {"create": [], "update": [{"id": 123, "title": "changed"}],
                                            "delete": []}}


def test_to_many_diff_creates_links_updates_and_unlinks_only_what_was_loaded() -> None:
    author = load(Author, {"id": 1, "articles": [{"id": 1, "title": "a"}, {"id": 2, "title": "b"}]})
    author.articles.pop(0)
    author.articles.append(Article(title="new"))
    author.articles.append(load(Article, {"id": 9, "title": "elsewhere"}))
    assert body_of(author) == {"articles": {"create": [{"title": "new"}], "update": [{"id": 9}], "delete": [1]}}
    keys = load(Author, {"id": 1, "articles": [1, 2, 3]})
    keys.articles = [3, 4]
    assert body_of(keys) == {"articles": {"create": [], "update": [{"id": 4}], "delete": [1, 2]}}
    unloaded = load(Author, {"id": 1, "name": "x"})
    unloaded.articles = [5]  # never loaded: nothing can be unlinked
    assert body_of(unloaded) == {"articles": {"create": [], "update": [{"id": 5}], "delete": []}}
    same = load(Author, {"id": 1, "articles": [1, 2]})
    same.articles = [2, 1]  # order is not a change
    assert changed_fields(same) == []


def test_many_to_many_diff_speaks_junction_rows() -> None:
    article = load(Article, {"id": 1, "tags": [{"id": 10, "tags_id": {"id": 3, "label": "py"}},
                                               {"id": 11, "tags_id": {"id": 4, "label": "go"}}]})
    article.tags.pop(1)
    article.tags[0].label = "python"
    article.tags.append(Tag(label="new"))
    article.tags.append(load(Tag, {"id": 8, "label": "old"}))
    assert body_of(article) == {"tags": {
        "create": [{"tags_id": {"label": "new"}}, {"tags_id": 8}],
        "update": [{"id": 10, "tags_id": {"id": 3, "label": "python"}}],
        "delete": [11]}}
    new = Article(title="t", tags=[load(Tag, {"id": 3}), Tag(label="x")])
    assert payload(new, ["tags"]) == {"tags": {"create": [{"tags_id": 3}, {"tags_id": {"label": "x"}}],
                                               "update": [], "delete": []}}
    assert payload(Article(tags=[3, 4]), ["tags"]) == {"tags": {
        "create": [{"tags_id": 3}, {"tags_id": 4}], "update": [], "delete": []}}


def test_through_rows_own_fields_are_updates() -> None:
    post = load(Post, {"id": 1, "tags": [{"id": 10, "tags_id": 3, "weight": 1, "articles_id": 1}]})
    related(post, "tags").through[0].weight = 7
    assert body_of(post) == {"tags": {"create": [], "update": [{"id": 10, "weight": 7}], "delete": []}}


def test_many_to_any_diff() -> None:
    page = load(Page, {"id": 1, "blocks": [{"id": 1, "collection": "headings", "item": "5"},
                                           {"id": 2, "collection": "texts", "item": {"id": 6, "body": "b"}}]})
    page.blocks[1].body = "changed"
    page.blocks.pop(0)
    page.blocks.append(Heading(text="new"))
    assert body_of(page) == {"blocks": {
        "create": [{"collection": "headings", "item": {"text": "new"}}],
        "update": [{"id": 2, "collection": "texts", "item": {"id": 6, "body": "changed"}}],
        "delete": [1]}}
    with pytest.raises(QueryError, match="instances of Heading, Text"):
        page.blocks.append(3)  # type: ignore[arg-type]
        body_of(page)


def test_many_to_one_key_instance_nested_create_and_update() -> None:
    article = load(Article, {"id": 1, "author": {"id": 2, "name": "Ada"}})
    assert changed_fields(article) == []
    article.author.name = "Ada L."
    assert body_of(article) == {"author": {"id": 2, "name": "Ada L."}}
    article = load(Article, {"id": 1, "author": 2})
    article.author = load(Author, {"id": 2, "name": "Ada"})  # same key: nothing to send
    assert changed_fields(article) == []
    article.author = Author(name="New")
    assert body_of(article) == {"author": {"name": "New"}}
    article.author = 5
    assert body_of(article) == {"author": 5}


def test_cycles_are_written_once() -> None:
    author = Author(name="A")
    article = Article(title="t", author=author)
    author.articles = [article]
    # The article's back-reference to its unsaved author is left out (Directus sets it).
    assert payload(author, ["name", "articles"]) == {
        "name": "A", "articles": {"create": [{"title": "t"}], "update": [], "delete": []}}


def test_an_item_loaded_without_its_key_cannot_be_saved() -> None:
    author = load(Author, {"id": 1, "articles": [{"title": "no key"}]})
    author.articles[0].title = "changed"
    with pytest.raises(QueryError, match="without its primary key"):
        body_of(author)


# ------------------------------------------------------------------ save and managers


def test_save_reads_created_keys_back(server: Server) -> None:
    author = load(Author, {"id": 1, "articles": [{"id": 1, "title": "a"}]})
    first, second = Article(title="x"), Article(title="y")
    author.articles += [first, second]
    server.answers.append({"data": {"id": 1, "articles": [{"id": 1}, {"id": 40}, {"id": 41}]}})
    assert author.save() is True
    method, path, params, body = server.requests[-1]
    assert (method, path) == ("PATCH", "/items/authors/1")
    assert params["fields"] == "*,articles.id" and json.loads(params["deep"]) == {"articles": {"_limit": -1}}
    assert body["articles"]["create"] == [{"title": "x"}, {"title": "y"}]
    assert (first.id, second.id) == (40, 41)
    assert changed_fields(author) == [] and changed_fields(first) == []
    assert state_of(author)["rel"]["articles"] == [1, 40, 41]


def test_save_of_a_partial_list_takes_the_newest_keys(server: Server) -> None:
    # Loaded: 2 of many children. The answer lists them all; the created one is the newest.
    author = load(Author, {"id": 1, "articles": [{"id": 5}, {"id": 6}]})
    created = Article(title="n")
    author.articles.append(created)
    server.answers.append({"data": {"id": 1, "articles": [{"id": k} for k in (1, 2, 5, 6, 7, 99)]}})
    author.save()
    assert created.id == 99


def test_a_plain_model_write_sends_no_query() -> None:
    class Plain(Model, collection="plain"):
        id: int | None = None
        title: str = ""

    handler = Server()
    handler.answers.append({"data": {"id": 1, "title": "x"}})
    with Session(BASE, static_token="t", transport=httpx.MockTransport(handler)):
        Plain(title="x").save()
    assert handler.requests[-1][2] == {}


def test_bulk_writes_refuse_unsaved_related_items(server: Server) -> None:
    with pytest.raises(QueryError, match="bulk writes cannot create related items"):
        Article.objects.bulk_create([Article(title="t", author=Author(name="new"))])
    with pytest.raises(QueryError, match="cannot set the to-many field 'tags'"):
        Article.objects.filter(title="t").update(tags=[1])
    assert server.requests == []
    server.answers.append({"data": [{"id": 1}]})
    assert Article.objects.filter(title="t").update(author=load(Author, {"id": 4})) == 1
    assert server.requests[-1][3] == {"query": {"filter": {"title": {"_eq": "t"}}, "limit": -1},
                                      "data": {"author": 4}}


def test_manager_add_remove_on_a_loaded_list(server: Server) -> None:
    article = load(Article, {"id": 1, "tags": [{"id": 10, "tags_id": {"id": 3, "label": "py"}}]})
    server.answers += [{"data": {"id": 1, "tags": []}},
                       {"data": {"id": 1, "tags": [{"id": 10, "tags_id": 3}, {"id": 11, "tags_id": 4}]}}]
    related(article, "tags", Tag).add(4, 4, through_defaults={"weight": 2})
    (lookup, write) = server.requests[-2:]
    assert lookup[0] == "GET" and json.loads(lookup[2]["deep"]) == {
        "tags": {"_limit": -1, "_filter": {"tags_id": {"_in": [4]}}}}
    assert write[3] == {"tags": {"create": [{"tags_id": 4, "weight": 2}], "update": [], "delete": []}}
    assert [t.id for t in article.tags] == [3, 4] and state_of(article)["rel"]["tags"] == [(10, 3), (11, 4)]
    # remove(): the junction keys are looked up, then deleted.
    server.answers += [{"data": {"id": 1, "tags": [{"id": 10, "tags_id": 3}]}},
                       {"data": {"id": 1, "tags": [{"id": 11, "tags_id": 4}]}}]
    related(article, "tags").remove(article.tags[0])
    (lookup, write) = server.requests[-2:]
    assert lookup[0] == "GET" and json.loads(lookup[2]["deep"]) == {
        "tags": {"_limit": -1, "_filter": {"tags_id": {"_in": [3]}}}}
    assert write[3] == {"tags": {"create": [], "update": [], "delete": [10]}}
    assert [t.id for t in article.tags] == [4] and changed_fields(article) == []


def test_manager_add_skips_links_that_exist(server: Server) -> None:
    article = load(Article, {"id": 1})
    server.answers.append({"data": {"id": 1, "tags": [{"id": 10, "tags_id": 3}]}})
    related(article, "tags", Tag).add(3)
    assert [r[0] for r in server.requests] == ["GET"]  # already linked: no write


def test_manager_remove_deletes_every_junction_row_of_the_item(server: Server) -> None:
    article = load(Article, {"id": 1})
    server.answers += [{"data": {"id": 1, "tags": [{"id": 10, "tags_id": 3}, {"id": 12, "tags_id": 3}]}},
                       {"data": {"id": 1, "tags": []}}]
    related(article, "tags", Tag).remove(3)
    assert server.requests[-1][3] == {"tags": {"create": [], "update": [], "delete": [10, 12]}}


def test_manager_needs_a_saved_owner_and_a_to_many_field(server: Server) -> None:
    with pytest.raises(QueryError, match="save it before"):
        related(Author(name="x"), "articles").add(1)
    with pytest.raises(QueryError, match="not a one-to-many"):
        related(Article(), "author")
    with pytest.raises(QueryError, match="relates to Tag, not Author"):
        related(Article(), "tags", Author)
    assert server.requests == []
