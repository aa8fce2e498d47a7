"""Relations against a real Directus: many-to-one, one-to-many, many-to-many, many-to-any.

The module schema has all four kinds, plus many-to-ones to ``directus_users`` and
``directus_files``. Expectations are computed from the seeded rows; writes are
checked on the wire (a recording transport) and then on the server.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Annotated, Any

import httpx
import pytest

from directus_orm import (
    M2M,
    DirectusFile,
    DirectusUser,
    FieldNotLoaded,
    Key,
    LookupNotSupported,
    Model,
    Q,
    QueryError,
    Session,
    pk_of,
    related,
)

from . import schema as f
from .schema import Schema

NAMED_TAGS = ["python", "rust", "go", "sql", "web"]
N_TAGS = 130  # article 0 has every tag: a many-to-many list longer than Directus's 100
N_ADA = 150  # Ada's articles: a one-to-many list longer than 100
N_GRACE = 20


class Tag(Model, collection="t5_tags"):
    id: int | None = None
    label: str
    # The reverse many-to-many, through the same junction.
    articles: Annotated[list[Article] | list[int] | None, M2M("t5_articles_id")] = None


class ArticleTag(Model, collection="t5_articles_tags"):
    id: int | None = None
    t5_articles_id: int | None = None
    t5_tags_id: Tag | int | None = None
    weight: int | None = None


class Author(Model, collection="t5_authors"):
    id: int | None = None
    name: str
    owner: DirectusUser | str | None = None
    avatar: DirectusFile | str | None = None
    articles: list[Article] | list[int] | None = None


class Article(Model, collection="t5_articles"):
    id: int | None = None
    title: str
    views: int = 0
    published: bool = False
    author: Author | int | None = None
    author_id = Key[int | None]()
    tags: Annotated[list[Tag] | list[int] | None, M2M(through=ArticleTag)] = None


class CountedArticle(Article):
    tags_count: int | None = None


class Heading(Model, collection="t5_headings"):
    id: int | None = None
    text: str


class Paragraph(Model, collection="t5_paragraphs"):
    id: int | None = None
    body: str


class Page(Model, collection="t5_pages"):
    id: int | None = None
    title: str
    blocks: list[Heading | Paragraph] | None = None


Author.model_rebuild()
Tag.model_rebuild()


def named_tags_of(i: int) -> list[int]:
    """Indexes (into NAMED_TAGS) of the named tags of article i."""
    return [k for k in range(len(NAMED_TAGS)) if i % (k + 2) == 0]


@pytest.fixture(scope="module")
def seeded(module_session, directus_server, admin_token) -> Iterator[dict[str, Any]]:
    s = module_session
    b = Schema(s)
    b.collection("t5_authors", [f.string("name", nullable=False), f.m2o_uuid("owner"),
                                f.m2o_uuid("avatar", "file")])
    b.relation("t5_authors", "owner", "directus_users")
    b.relation("t5_authors", "avatar", "directus_files")
    b.collection("t5_articles", [f.string("title", nullable=False), f.integer("views", default=0),
                                 f.boolean("published"), f.m2o("author")])
    b.m2o("t5_articles", "author", "t5_authors", one_field="articles")
    b.collection("t5_tags", [f.string("label", nullable=False)])
    b.m2m("t5_articles", "tags", "t5_tags", junction="t5_articles_tags",
          junction_fields=[f.integer("weight")], related_field="articles")
    b.collection("t5_headings", [f.string("text", nullable=False)])
    b.collection("t5_paragraphs", [f.text("body")])
    b.collection("t5_pages", [f.string("title", nullable=False)])
    b.m2a("t5_pages", "blocks", ["t5_headings", "t5_paragraphs"], junction="t5_pages_blocks")

    me = s.request("GET", "/users/me")["data"]
    with httpx.Client(base_url=directus_server.url, timeout=30) as client:
        upload = client.post(
            "/files", data={"title": "Ada's avatar"},
            files={"file": ("ada.txt", b"ada", "text/plain")},
            headers={"Authorization": f"Bearer {admin_token}"},
        )
        upload.raise_for_status()
    file_id = upload.json()["data"]["id"]

    labels = NAMED_TAGS + [f"t{i:03d}" for i in range(len(NAMED_TAGS), N_TAGS)]
    tag_ids = b.seed("t5_tags", [{"label": label} for label in labels])
    ada, grace, alan = b.seed("t5_authors", [
        {"name": "Ada", "owner": me["id"], "avatar": file_id}, {"name": "Grace"}, {"name": "Alan"}])
    rows = [{"title": f"A{i:03d}", "views": i, "published": i % 2 == 0,
             "author": ada if i < N_ADA else grace} for i in range(N_ADA + N_GRACE)]
    article_ids = b.seed("t5_articles", rows)
    links = [{"t5_articles_id": article_ids[0], "t5_tags_id": t, "weight": n}
             for n, t in enumerate(tag_ids)]
    for i, pk in enumerate(article_ids[1:], start=1):
        links += [{"t5_articles_id": pk, "t5_tags_id": tag_ids[k], "weight": k} for k in named_tags_of(i)]
    b.seed("t5_articles_tags", links)
    tags_of: dict[int, list[int]] = {pk: [] for pk in article_ids}
    for link in links:
        tags_of[link["t5_articles_id"]].append(link["t5_tags_id"])
    headings = b.seed("t5_headings", [{"text": "Welcome"}, {"text": "Bye"}])
    paragraphs = b.seed("t5_paragraphs", [{"body": "Hello"}])
    home = s.request("POST", "/items/t5_pages", json={"title": "Home", "blocks": [
        {"collection": "t5_headings", "item": headings[0]},
        {"collection": "t5_paragraphs", "item": paragraphs[0]},
        {"collection": "t5_headings", "item": headings[1]},
    ]})["data"]["id"]
    empty = s.request("POST", "/items/t5_pages", json={"title": "Empty"})["data"]["id"]
    try:
        yield {
            "me": me, "file": file_id, "tags": dict(zip(tag_ids, labels)), "tag_ids": tag_ids,
            "authors": {"Ada": ada, "Grace": grace, "Alan": alan}, "articles": article_ids,
            "views": {pk: r["views"] for pk, r in zip(article_ids, rows)},
            "author_of": {pk: r["author"] for pk, r in zip(article_ids, rows)},
            "published": {pk: r["published"] for pk, r in zip(article_ids, rows)},
            "tags_of": tags_of, "headings": headings, "paragraphs": paragraphs,
            "pages": {"Home": home, "Empty": empty},
        }
    finally:
        b.drop()
        try:
            s.request("DELETE", f"/files/{file_id}")
        except Exception:
            pass


class Recorder(httpx.HTTPTransport):
    """Keeps (method, path, query params, json body) of every request to the real server."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str, dict[str, str], Any]] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        with self._lock:
            self.calls.append((request.method, request.url.path, dict(request.url.params), body))
        return super().handle_request(request)

    def writes(self) -> list[tuple[str, str, dict[str, str], Any]]:
        return [c for c in self.calls if c[0] in ("POST", "PATCH", "DELETE")]


@pytest.fixture
def recorded(directus_server, admin_token, seeded) -> Iterator[tuple[Session, Recorder]]:
    recorder = Recorder()
    with Session(directus_server.url, static_token=admin_token, transport=recorder) as s:
        yield s, recorder


def server_item(s: Session, collection: str, pk: Any, **query: Any) -> dict[str, Any]:
    return s.request("GET", f"/items/{collection}/{pk}", query=query or None)["data"]


def linked_articles(s: Session, author: int) -> list[int]:
    rows = s.request("GET", "/items/t5_articles", query={
        "filter": {"author": {"_eq": author}}, "fields": ["id"], "limit": -1, "sort": ["id"]})
    return [r["id"] for r in rows["data"]]


def junction_tags(s: Session, article: int) -> list[int]:
    rows = s.request("GET", "/items/t5_articles_tags", query={
        "filter": {"t5_articles_id": {"_eq": article}}, "fields": ["t5_tags_id"], "limit": -1,
        "sort": ["id"]})
    return [r["t5_tags_id"] for r in rows["data"]]


# ------------------------------------------------------------------ loading


def test_many_to_one_is_its_key_until_expanded(session, seeded):
    pk = seeded["articles"][3]
    ada = seeded["authors"]["Ada"]
    plain = Article.objects.get(pk=pk)
    assert plain.author == ada
    assert plain.author_id == ada and pk_of(plain.author) == ada

    article = Article.objects.select_related("author").get(pk=pk)
    assert isinstance(article.author, Author)
    assert article.author.name == "Ada" and article.author_id == ada
    # The related row comes without its own to-many lists (not a silent partial list).
    with pytest.raises(FieldNotLoaded, match=r"Author\.articles"):
        _ = article.author.articles

    named = Article.objects.fields("id", "author.name").get(pk=pk)
    assert isinstance(named.author, Author) and named.author.name == "Ada"
    with pytest.raises(FieldNotLoaded, match="without its primary key"):
        _ = named.author_id
    with pytest.raises(FieldNotLoaded):
        _ = Article.objects.fields("id").get(pk=pk).author_id


def test_one_to_many_lists_are_complete_past_100(session, seeded):
    ada = seeded["authors"]["Ada"]
    expected = [pk for pk, a in seeded["author_of"].items() if a == ada]
    assert len(expected) == N_ADA > 100
    # Directus itself stops nested lists at 100 per parent ...
    raw = session.request("GET", f"/items/t5_authors/{ada}", query={"fields": ["articles"]})
    assert len(raw["data"]["articles"]) == 100
    # ... the ORM asks for them all, as keys or as models.
    assert Author.objects.get(pk=ada).articles == expected
    author = Author.objects.select_related("articles").get(pk=ada)
    assert [a.id for a in author.articles] == expected
    assert all(isinstance(a, Article) and a.title == f"A{seeded['views'][a.id]:03d}"
               for a in author.articles)
    assert Author.objects.get(pk=seeded["authors"]["Alan"]).articles == []
    fielded = Author.objects.fields("id", "articles.title").get(pk=ada)
    assert [a.id for a in fielded.articles] == expected  # keys added for writes


@pytest.mark.smoke
def test_many_to_many_hides_the_junction(session, seeded):
    first = seeded["articles"][0]
    expected = seeded["tags_of"][first]
    assert len(expected) == N_TAGS > 100
    assert Article.objects.get(pk=first).tags == expected  # tag keys, not junction keys
    article = Article.objects.select_related("tags").get(pk=first)
    assert [t.id for t in article.tags] == expected
    assert [t.label for t in article.tags] == [seeded["tags"][t] for t in expected]
    rows = related(article, "tags", Tag).through
    assert [r.weight for r in rows] == list(range(N_TAGS))
    assert all(isinstance(r.t5_tags_id, Tag) for r in rows)
    labels = Article.objects.fields("id", "tags.label").get(pk=seeded["articles"][6])
    assert [t.label for t in labels.tags] == [NAMED_TAGS[k] for k in named_tags_of(6)]
    assert [t.id for t in labels.tags] == seeded["tags_of"][seeded["articles"][6]]


def test_many_to_any_holds_the_allowed_models(session, seeded):
    home = seeded["pages"]["Home"]
    h1, h2 = seeded["headings"]
    (p1,) = seeded["paragraphs"]
    page = Page.objects.get(pk=home)
    assert [(type(b), b.id) for b in page.blocks] == [(Heading, h1), (Paragraph, p1), (Heading, h2)]
    with pytest.raises(FieldNotLoaded):
        _ = page.blocks[0].text  # not expanded: only the key is known
    page = Page.objects.select_related("blocks").get(pk=home)
    assert [getattr(b, "text", None) or b.body for b in page.blocks] == ["Welcome", "Hello", "Bye"]
    only_headings = Page.objects.fields("id", "blocks.t5_headings.text").get(pk=home)
    assert [b.text for b in only_headings.blocks if isinstance(b, Heading)] == ["Welcome", "Bye"]
    assert Page.objects.get(pk=seeded["pages"]["Empty"]).blocks == []


def test_users_and_files_as_relation_targets(session, seeded):
    author = Author.objects.select_related("owner", "avatar").get(pk=seeded["authors"]["Ada"])
    assert isinstance(author.owner, DirectusUser) and author.owner.email == seeded["me"]["email"]
    assert isinstance(author.avatar, DirectusFile) and author.avatar.title == "Ada's avatar"
    plain = Author.objects.get(pk=seeded["authors"]["Ada"])
    assert plain.owner == seeded["me"]["id"] and plain.avatar == seeded["file"]


def test_prefetch_filters_sorts_and_limits_nested_lists(session, seeded):
    authors = Author.objects.filter(id__in=list(seeded["authors"].values())).prefetch(
        articles=Article.objects.filter(published=True).order_by("-views")[:3]
    ).order_by("id")
    for author in authors:
        own = sorted((pk for pk, a in seeded["author_of"].items()
                      if a == author.id and seeded["published"][pk]),
                     key=lambda pk: -seeded["views"][pk])
        assert [a.id for a in author.articles] == own[:3]
    # Unsliced: every match, past 100.
    ada = Author.objects.prefetch(articles=Article.objects.filter(views__gte=10)).get(
        pk=seeded["authors"]["Ada"])
    assert len(ada.articles) == N_ADA - 10
    # Through a many-to-many: the nested QuerySet speaks of tags; Directus of junction rows.
    first = seeded["articles"][0]
    article = Article.objects.prefetch(
        tags=Tag.objects.filter(label__startswith="t1").order_by("-label")[:4]
    ).get(pk=first)
    wanted = sorted((t for t in seeded["tags_of"][first] if seeded["tags"][t].startswith("t1")),
                    key=lambda t: seeded["tags"][t], reverse=True)[:4]
    assert [t.id for t in article.tags] == wanted
    # Nested select inside a prefetch: each article with its tags.
    grace = Author.objects.prefetch(
        articles=Article.objects.order_by("id").select_related("tags")
    ).get(pk=seeded["authors"]["Grace"])
    for a in grace.articles:
        assert [t.id for t in a.tags] == seeded["tags_of"][a.id]
    # The plain deep(): shapes a list that fields() fetches.
    shaped = Author.objects.fields("id", "articles.id").deep(
        articles=Article.objects.order_by("-views")[:2]).get(pk=seeded["authors"]["Grace"])
    assert [a.id for a in shaped.articles] == sorted(
        (pk for pk, a in seeded["author_of"].items() if a == seeded["authors"]["Grace"]),
        key=lambda pk: -seeded["views"][pk])[:2]


# ------------------------------------------------------------------ filtering


def ids(qs: Any) -> set[int]:
    return {obj.id for obj in qs}


@pytest.mark.smoke
def test_filters_across_every_kind_of_relation(session, seeded):
    articles = seeded["articles"]
    mine = Article.objects.filter(id__in=articles)
    ada, grace = seeded["authors"]["Ada"], seeded["authors"]["Grace"]
    assert ids(mine.filter(author__name="Grace")) == {
        pk for pk in articles if seeded["author_of"][pk] == grace}
    rust = seeded["tag_ids"][1]
    assert ids(mine.filter(tags__label="rust")) == {pk for pk in articles if rust in seeded["tags_of"][pk]}
    assert ids(mine.exclude(tags__label="rust")) == {pk for pk in articles if rust not in seeded["tags_of"][pk]}
    authors = Author.objects.filter(id__in=list(seeded["authors"].values()))
    assert ids(authors.filter(articles__some=Q(views__gte=N_ADA))) == {grace}
    assert ids(authors.filter(articles__none=Q(views__gte=N_ADA))) == {ada, seeded["authors"]["Alan"]}
    assert ids(authors.filter(articles__isnull=True)) == {seeded["authors"]["Alan"]}
    assert ids(mine.filter(tags__some=Q(label="sql"))) == {
        pk for pk in articles if seeded["tag_ids"][3] in seeded["tags_of"][pk]}
    # The reverse many-to-many, and on through it to the many-to-one.
    seeded_tags = Tag.objects.filter(id__in=seeded["tag_ids"])
    a6 = seeded["articles"][6]
    assert ids(seeded_tags.filter(articles__title="A006")) == set(seeded["tags_of"][a6])
    assert ids(seeded_tags.filter(articles__author__name="Grace")) == {
        t for pk in articles if seeded["author_of"][pk] == grace for t in seeded["tags_of"][pk]}
    python = seeded["tag_ids"][0]
    assert sorted(Tag.objects.get(pk=python).articles) == sorted(
        pk for pk in articles if python in seeded["tags_of"][pk])
    home = seeded["pages"]["Home"]
    pages = Page.objects.filter(id__in=list(seeded["pages"].values()))
    assert ids(pages.filter(blocks__t5_headings__text="Bye")) == {home}
    assert ids(pages.filter(blocks__some=Q(Heading__text="Nope"))) == set()
    assert ids(pages.filter(blocks__none=Q(t5_paragraphs__body="Hello"))) == {seeded["pages"]["Empty"]}
    with pytest.raises(LookupNotSupported):
        authors.filter(articles__none=Q(views__gte=1, published=True))  # Directus ignores it


@pytest.mark.smoke
def test_counts_in_filters_sorts_and_fields(session, seeded):
    articles = seeded["articles"]
    mine = Article.objects.filter(id__in=articles)
    count = {pk: len(seeded["tags_of"][pk]) for pk in articles}
    assert ids(mine.filter(tags__count__gte=3)) == {pk for pk in articles if count[pk] >= 3}
    top = list(mine.order_by("-count(tags)", "id")[:3])
    assert [a.id for a in top] == sorted(articles, key=lambda pk: (-count[pk], pk))[:3]
    rows = list(mine.order_by("id").values("id", "count(tags)")[:5])
    assert rows == [{"id": pk, "count(tags)": count[pk]} for pk in articles[:5]]
    counted = CountedArticle.objects.fields("id", "count(tags)").get(pk=articles[0])
    assert counted.tags_count == N_TAGS


# ------------------------------------------------------------------ writing


def test_one_changed_child_of_300_is_one_update_on_the_wire(recorded, seeded):
    s, rec = recorded
    owner = Author.objects.create(name="Prolific")
    Article.objects.bulk_create([Article(title=f"P{i}", author=owner.id) for i in range(300)])
    author = Author.objects.select_related("articles").get(pk=owner.id)
    assert len(author.articles) == 300
    target = author.articles[123]
    target.title = "the one that changed"
    assert author.changed_fields == ["articles"]
    rec.calls.clear()
    assert author.save() is True
    ((method, path, params, body),) = rec.writes()
    assert (method, path) == ("PATCH", f"/items/t5_authors/{owner.id}")
    assert body == {"articles": {"create": [], "update": [{"id": target.id, "title": "the one that changed"}],
                                 "delete": []}}
    assert json.loads(params["deep"]) == {"articles": {"_limit": -1}}
    assert len(linked_articles(s, owner.id)) == 300
    assert server_item(s, "t5_articles", target.id)["title"] == "the one that changed"
    assert author.changed_fields == [] and author.save() is False


def test_nested_create_update_and_delete_in_one_request(recorded, seeded):
    s, rec = recorded
    author = Author.objects.create(name="Writer")
    kept = Article.objects.create(title="kept", author=author.id)
    dropped = Article.objects.create(title="dropped", author=author.id)
    author = Author.objects.select_related("articles").get(pk=author.id)
    author.articles[0].views = 7
    author.articles.remove(next(a for a in author.articles if a.id == dropped.id))
    fresh = Article(title="fresh", views=1)
    author.articles.append(fresh)
    rec.calls.clear()
    author.save()
    ((_, _, _, body),) = rec.writes()
    assert body == {"articles": {"create": [{"title": "fresh", "views": 1, "published": False}],
                                 "update": [{"id": kept.id, "views": 7}], "delete": [dropped.id]}}
    assert isinstance(fresh.id, int)  # the created child has its key
    assert linked_articles(s, author.id) == sorted([kept.id, fresh.id])
    assert server_item(s, "t5_articles", dropped.id)["author"] is None  # nullified, not deleted
    assert fresh.changed_fields == [] and author.changed_fields == []
    fresh.title = "fresh, renamed"
    author.save()
    assert rec.writes()[-1][3] == {"articles": {"create": [], "update": [
        {"id": fresh.id, "title": "fresh, renamed"}], "delete": []}}


@pytest.mark.smoke
def test_many_to_many_writes_use_junction_rows(recorded, seeded):
    s, rec = recorded
    python, rust, go = seeded["tag_ids"][:3]
    article = Article.objects.create(title="m2m", tags=[python, rust])
    assert rec.writes()[-1][3] == {"title": "m2m", "views": 0, "published": False, "tags": {
        "create": [{"t5_tags_id": python}, {"t5_tags_id": rust}], "update": [], "delete": []}}
    assert junction_tags(s, article.id) == [python, rust]
    loaded = Article.objects.select_related("tags").get(pk=article.id)
    loaded.tags = [t for t in loaded.tags if t.id != python]
    new_tag = Tag(label="w-brand-new")
    loaded.tags.append(new_tag)
    loaded.tags.append(Tag.objects.get(pk=go))
    loaded.tags[0].label = "rust"  # unchanged value: nothing to send for it
    rec.calls.clear()
    loaded.save()
    ((_, _, _params, body),) = rec.writes()
    assert body["tags"]["create"] == [{"t5_tags_id": {"label": "w-brand-new"}}, {"t5_tags_id": go}]
    assert body["tags"]["update"] == []
    assert len(body["tags"]["delete"]) == 1  # the junction row of python, not the tag
    assert isinstance(new_tag.id, int)
    assert junction_tags(s, article.id) == [rust, new_tag.id, go]
    assert Tag.objects.filter(pk=python).exists()  # unlinking never deletes the tag itself
    # A change inside a linked tag is a nested update through its junction row.
    loaded.tags[1].label = "w-renamed"
    loaded.save()
    ((_, _, _, body),) = rec.writes()[-1:]
    (entry,) = body["tags"]["update"]
    assert entry["t5_tags_id"] == {"id": new_tag.id, "label": "w-renamed"}
    assert Tag.objects.get(pk=new_tag.id).label == "w-renamed"
    # Junction rows' own fields (through model).
    again = Article.objects.select_related("tags").get(pk=article.id)
    rows = related(again, "tags").through
    rows[0].weight = 42
    again.save()
    assert rec.writes()[-1][3] == {"tags": {"create": [], "update": [{"id": rows[0].id, "weight": 42}],
                                            "delete": []}}
    assert server_item(s, "t5_articles_tags", rows[0].id)["weight"] == 42


def test_many_to_one_nested_create_and_update(recorded, seeded):
    s, rec = recorded
    article = Article(title="with a new author", author=Author(name="Newcomer"))
    article.save()
    method, _, _params, body = rec.writes()[-1]
    assert (method, body) == ("POST", {"title": "with a new author", "views": 0, "published": False,
                                       "author": {"name": "Newcomer"}})
    assert isinstance(article.author, Author) and isinstance(article.author.id, int)
    assert article.author_id == article.author.id
    assert server_item(s, "t5_authors", article.author.id)["name"] == "Newcomer"
    article.author.name = "Renamed"
    assert article.changed_fields == ["author"]
    article.save()
    assert rec.writes()[-1][3] == {"author": {"id": article.author.id, "name": "Renamed"}}
    assert server_item(s, "t5_authors", article.author.id)["name"] == "Renamed"
    other = Author.objects.create(name="Other")
    article.author = other  # an instance: its key is sent
    article.save()
    assert rec.writes()[-1][3] == {"author": other.id}
    article.author = seeded["authors"]["Grace"]  # a key
    article.save()
    assert rec.writes()[-1][3] == {"author": seeded["authors"]["Grace"]}
    assert Article.objects.get(pk=article.id).author == seeded["authors"]["Grace"]


def test_many_to_any_writes(recorded, seeded):
    _s, rec = recorded
    page = Page(title="built", blocks=[Heading(text="Top"), Paragraph(body="Text")])
    page.save()
    assert rec.writes()[-1][3] == {"title": "built", "blocks": {"create": [
        {"collection": "t5_headings", "item": {"text": "Top"}},
        {"collection": "t5_paragraphs", "item": {"body": "Text"}}], "update": [], "delete": []}}
    assert all(isinstance(b.id, int) for b in page.blocks)
    page.blocks.pop(0)
    page.blocks.append(Heading.objects.get(pk=seeded["headings"][1]))
    page.save()
    body = rec.writes()[-1][3]["blocks"]
    assert body["create"] == [{"collection": "t5_headings", "item": seeded["headings"][1]}]
    assert len(body["delete"]) == 1
    again = Page.objects.select_related("blocks").get(pk=page.id)
    assert [(type(b), getattr(b, "text", None) or b.body) for b in again.blocks] == [
        (Paragraph, "Text"), (Heading, "Bye")]


def test_partial_loads_never_unlink_children(recorded, seeded):
    s, rec = recorded
    owner = Author.objects.create(name="Partial")
    Article.objects.bulk_create([Article(title=f"Q{i}", views=i, author=owner.id) for i in range(120)])
    before = linked_articles(s, owner.id)
    # Only the top five are loaded; one of them is removed, one changed.
    author = Author.objects.prefetch(articles=Article.objects.order_by("-views")[:5]).get(pk=owner.id)
    assert len(author.articles) == 5
    gone = author.articles.pop()
    author.articles[0].title = "top"
    rec.calls.clear()
    author.save()
    body = rec.writes()[-1][3]["articles"]
    assert body["delete"] == [gone.id] and len(body["update"]) == 1 and body["create"] == []
    assert linked_articles(s, owner.id) == [pk for pk in before if pk != gone.id]
    # A list that was never loaded and is then assigned only adds: nothing is unlinked.
    bare = Author.objects.fields("id", "name").get(pk=owner.id)
    bare.articles = [Article(title="added to an unloaded list")]
    bare.save()
    assert rec.writes()[-1][3]["articles"]["delete"] == []
    assert len(linked_articles(s, owner.id)) == len(before)
    # Loading the list as keys is a full load: removing a key unlinks exactly that one.
    keys = Author.objects.get(pk=owner.id)
    assert len(keys.articles) == len(before)
    keys.articles = keys.articles[1:]
    keys.save()
    assert rec.writes()[-1][3] == {"articles": {"create": [], "update": [], "delete": [before[0]]}}


def test_related_managers(recorded, seeded):
    s, rec = recorded
    python, rust, go, sql = seeded["tag_ids"][:4]
    article = Article.objects.create(title="managed")
    tags = related(article, "tags", Tag)
    tags.add(python, Tag.objects.get(pk=rust), through_defaults={"weight": 5})
    assert rec.writes()[-1][3] == {"tags": {"create": [
        {"t5_tags_id": python, "weight": 5}, {"t5_tags_id": rust, "weight": 5}], "update": [], "delete": []}}
    assert junction_tags(s, article.id) == [python, rust]
    made = tags.create(label="w-made")
    assert isinstance(made.id, int) and junction_tags(s, article.id) == [python, rust, made.id]
    tags.remove(python)
    assert junction_tags(s, article.id) == [rust, made.id]
    tags.set([go, made, sql])
    assert sorted(junction_tags(s, article.id)) == sorted([go, made.id, sql])
    # A loaded list follows the manager.
    loaded = Article.objects.select_related("tags").get(pk=article.id)
    related(loaded, "tags").remove(go)
    assert [t.id for t in loaded.tags] == [t for t in junction_tags(s, article.id)]
    assert loaded.changed_fields == []
    related(loaded, "tags").clear()
    assert junction_tags(s, article.id) == [] and loaded.tags == []
    # One-to-many: add links existing children, create makes new ones, remove unlinks.
    author = Author.objects.create(name="Managed")
    child = Article.objects.create(title="child")
    articles = related(author, "articles", Article)
    articles.add(child)
    created = articles.create(title="created child")
    assert linked_articles(s, author.id) == sorted([child.id, created.id])
    articles.remove(child)
    assert linked_articles(s, author.id) == [created.id]
    with pytest.raises(QueryError):
        related(author, "name")
    with pytest.raises(QueryError):
        related(Author(name="unsaved"), "articles").add(child)


async def test_async_loading_and_managers(asession, seeded):
    first = seeded["articles"][0]
    article = await Article.objects.select_related("author", "tags").aget(pk=first)
    assert isinstance(article.author, Author) and len(article.tags) == N_TAGS
    authors = await Author.objects.filter(id__in=list(seeded["authors"].values())).prefetch(
        articles=Article.objects.order_by("id")[:2]).alist()
    assert {a.name: len(a.articles) for a in authors} == {"Ada": 2, "Grace": 2, "Alan": 0}
    fresh = await Article.objects.acreate(title="async managed")
    tags = related(fresh, "tags", Tag)
    await tags.aadd(seeded["tag_ids"][0])
    made = await tags.acreate(label="w-async")
    await tags.aremove(seeded["tag_ids"][0])
    reread = await Article.objects.aget(pk=fresh.id)
    assert reread.tags == [made.id]
    await tags.aset([seeded["tag_ids"][1]])
    await tags.aclear()
    assert (await Article.objects.aget(pk=fresh.id)).tags == []
    reread.title = "async saved"
    await reread.asave()
    assert (await Article.objects.aget(pk=fresh.id)).title == "async saved"
