"""directus_orm.schema and the directus-orm command line against a real Directus.

inspect: every field type, every relation kind, a singleton, a UUID key and a relation to
directus_users; the generated module passes ruff format, mypy --strict, reads every row and
has no drift. check: each kind of drift. migrate: the publishing app on an empty server.
"""

from __future__ import annotations

import datetime
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import pytest

from directus_orm import (
    M2A,
    M2M,
    DirectusUser,
    Forbidden,
    Model,
    SchemaMismatch,
    Session,
    WrongSessionKind,
)
from directus_orm.cli.main import main
from directus_orm.schema import (
    FieldOptions,
    MigrationError,
    acheck,
    ainspect,
    amigrate,
    check,
    inspect,
    migrate,
    read_schema,
)

from . import schema as sch
from .schema import Schema, unique

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def _import_file(path: Path, name: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _tool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([PYTHON, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True)


# ------------------------------------------------------------------ inspect


def _build_everything(schema: Schema, session: Session) -> dict[str, str]:
    n = {k: unique(f"ins_{k}") for k in ("authors", "articles", "tags", "things", "site",
                                           "art_tags", "art_blocks")}
    schema.collection(n["authors"], [sch.string("name", nullable=False), sch.m2o_uuid("owner")])
    schema.relation(n["authors"], "owner", "directus_users")
    schema.collection(n["tags"], [sch.string("label")])
    schema.collection(n["things"], [
        {"field": "id", "type": "uuid", "meta": {"special": ["uuid"], "hidden": True},
         "schema": {"is_primary_key": True, "length": 36, "has_auto_increment": False}},
        sch.string("name"),
    ])
    schema.collection(n["articles"], [
        sch.string("title", nullable=False, unique=True),
        sch.text("body"),
        sch.integer("views", default=0, nullable=False),
        {"field": "big", "type": "bigInteger", "meta": {}, "schema": {}},
        sch.float_("score"),
        sch.decimal("price"),
        sch.boolean("published"),
        sch.json_("data"),
        {"field": "keywords", "type": "csv", "meta": {"special": ["cast-csv"]}, "schema": {}},
        {"field": "ref", "type": "uuid", "meta": {"special": ["uuid"]}, "schema": {}},
        {"field": "secret", "type": "hash", "meta": {"special": ["hash"]}, "schema": {}},
        sch.date("day"),
        {"field": "at", "type": "time", "meta": {}, "schema": {}},
        sch.datetime_("local_dt"),
        sch.timestamp("created", ["date-created"]),
        {"field": "status", "type": "string",
         "meta": {"interface": "select-dropdown", "note": "Where the article stands",
                  "options": {"choices": [{"text": "Draft", "value": "draft"},
                                          {"text": "Published", "value": "published"}]}},
         "schema": {"default_value": "draft"}},
        sch.string("class"),
        sch.string("model_name"),
        sch.m2o("author"),
    ])
    schema.m2o(n["articles"], "author", n["authors"], one_field="articles")
    schema.m2m(n["articles"], "tags", n["tags"], junction=n["art_tags"])
    schema.m2a(n["articles"], "blocks", [n["tags"], n["things"]], junction=n["art_blocks"])
    schema.collection(n["site"], [sch.string("title")], singleton=True)
    return n


def _seed(session: Session, n: dict[str, str]) -> None:
    me = session.request("GET", "/users/me")["data"]["id"]
    author = session.request("POST", f"/items/{n['authors']}", json={"name": "Ada", "owner": me})
    tag = session.request("POST", f"/items/{n['tags']}", json={"label": "python"})["data"]["id"]
    thing = session.request("POST", f"/items/{n['things']}", json={"name": "box"})["data"]["id"]
    session.request("POST", f"/items/{n['articles']}", json=[
        {
            "title": "First", "body": "long text", "big": 2**40, "score": 1.5,
            "price": 9.99, "published": True, "data": {"k": [1, 2]}, "keywords": ["a", "b"],
            "secret": "s3cret", "day": "2024-05-06", "at": "07:08:09",
            "local_dt": "2024-05-06T07:08:09", "class": "A", "model_name": "m",
            "author": author["data"]["id"],
            "tags": {"create": [{f"{n['tags']}_id": tag}], "update": [], "delete": []},
            "blocks": {"create": [{"collection": n["tags"], "item": str(tag)},
                                  {"collection": n["things"], "item": thing}],
                       "update": [], "delete": []},
        },
        {"title": "Second"},
    ])
    session.request("PATCH", f"/items/{n['site']}", json={"title": "My site"})


def test_inspect_generates_checked_models_that_read_every_row(session, schema, tmp_path, directus_server):
    n = _build_everything(schema, session)
    _seed(session, n)
    names = sorted(n.values())

    source = inspect(session, names)
    assert source == inspect(session, names), "inspect is deterministic"
    path = tmp_path / "generated_models.py"
    path.write_text(source)

    fmt = _tool("ruff", "format", "--isolated", "--check", str(path), cwd=tmp_path)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr + source
    lint = _tool("ruff", "check", "--isolated", "--select", "E,F,I,UP,B", str(path), cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout + source
    typed = _tool("mypy", "--strict", "--no-incremental", str(path), cwd=tmp_path)
    assert typed.returncode == 0, typed.stdout + typed.stderr + source

    classes = {c: "".join(p.capitalize() for p in c.split("_")) for c in names}
    articles, authors = classes[n["articles"]], classes[n["authors"]]
    tags, things = classes[n["tags"]], classes[n["things"]]
    # What the annotation says, per Directus type and relation kind.
    for line in (
        "    big: Annotated[int | None, FieldOptions(type=\"bigInteger\")] = None",
        "    body: Annotated[str | None, FieldOptions(type=\"text\")] = None",
        "    views: int = 0",
        "    score: float | None = None",
        "    published: bool | None = False",
        "    data: Any = None",
        "    keywords: list[str] | None = None",
        "    secret: Annotated[str | None, FieldOptions(type=\"hash\")] = None",
        "    day: datetime.date | None = None",
        "    at: datetime.time | None = None",
        "    local_dt: Annotated[datetime.datetime | None, FieldOptions(type=\"dateTime\")] = None",
        "    created: datetime.datetime | None = None",
        "    # choices: \"draft\", \"published\"",
        "    status: str | None = \"draft\"",
        "    \"\"\"Where the article stands\"\"\"",
        "    class_: Annotated[str | None, Field(alias=\"class\")] = None",
        "    model_name_: Annotated[str | None, Field(alias=\"model_name\")] = None",
        f"    author: {authors} | int | None = None",
        f"    articles: list[{articles}] | list[int] | None = None",
        "    owner: DirectusUser | str | None = None",
        f"class {classes[n['site']]}(Model, collection=\"{n['site']}\", singleton=True):",
        "    id: UUID | None = None",
        "    name: str\n",
    ):
        assert line in source, f"{line!r} not in:\n{source}"
    flat = re.sub(r"\[\s+", "[", " ".join(source.split()))
    assert f"tags: Annotated[list[{tags}] | list[int] | None, M2M(), FieldOptions(junction=" in flat
    assert f"blocks: Annotated[list[{tags} | {things}] | None, M2A(), FieldOptions(junction=" in flat
    assert "    title: Annotated[str, FieldOptions(unique=True)]\n" in source
    # SQLite keeps decimals as floats: Directus reports the column as float; PostgreSQL has
    # a numeric column.
    on_postgres = directus_server.database == "postgres"
    price_line = ("    price: Annotated[Decimal | None, FieldOptions(precision=10, scale=2)] = None"
                  if on_postgres else "    price: float | None = None")
    assert price_line in source, source

    module = _import_file(path, "generated_models_" + n["articles"])
    counts = {}
    for collection in names:
        model = getattr(module, classes[collection])
        if model._meta.singleton:
            counts[collection] = 1 if model.objects.get().title == "My site" else 0
            continue
        rows = list(model.objects.all())
        counts[collection] = len(rows)
    assert counts == {
        n["articles"]: 2, n["authors"]: 1, n["tags"]: 1, n["things"]: 1,
        n["art_tags"]: 1, n["art_blocks"]: 2, n["site"]: 1,
    }
    Articles = getattr(module, articles)
    first = Articles.objects.select_related("author", "tags", "blocks").get(title="First")
    assert first.author.name == "Ada"
    assert first.price == (Decimal("9.99") if on_postgres else 9.99)
    assert first.big == 2**40 and first.keywords == ["a", "b"]
    assert first.class_ == "A" and first.day == datetime.date(2024, 5, 6)
    assert [t.label for t in first.tags] == ["python"]
    assert sorted(type(b).__name__ for b in first.blocks) == sorted([tags, things])
    assert isinstance(first.author.owner, str)

    # The generated models and the server agree.
    assert check(session, module, only_modelled=True) == []


def test_inspect_command_writes_a_file(session, schema, directus_server, admin_token, tmp_path):
    name = schema.collection(unique("ins_cli"), [sch.string("label")])
    out = tmp_path / "m.py"
    code = main(["inspect", "--collections", name, "-o", str(out),
                 "--url", directus_server.url, "--token", admin_token])
    assert code == 0
    assert f'collection="{name}"' in out.read_text()


# ------------------------------------------------------------------ check


def test_check_finds_each_kind_of_drift(session, schema, directus_server, admin_token, capsys):
    a, b, c, other, gone, extra = (unique(p) for p in ("dr_a", "dr_b", "dr_c", "dr_o", "dr_gone",
                                                       "dr_extra"))

    class Author(Model, collection=a):
        id: int | None = None
        name: str
        owner: str | None = None

    class Other(Model, collection=other):
        id: int | None = None

    class Post(Model, collection=b):
        id: int | None = None
        title: str
        score: float | None = None
        hidden_note: str | None = None
        author: Author | int | None = None

    class Conf(Model, collection=c):
        id: int | None = None
        theme: str | None = None

    models = [Author, Other, Post, Conf]
    plan = migrate(session, models)
    schema.collections.extend([a, other, b, c])
    assert plan.applied
    assert check(session, models, only_modelled=True) == []

    class Gone(Model, collection=gone):
        id: int | None = None

    class Post2(Model, collection=b):
        id: int | None = None
        title: str
        score: float | None = None
        hidden_note: str | None = None
        author: Author | int | None = None
        editor: Author | int | None = None
        reviewer: Author | int | None = None

    # Introduce one drift of each kind.
    schema.collection(extra, [sch.string("x")])                              # unmodelled_collection
    session.fields.delete(b, "hidden_note")                                  # missing_field
    session.fields.create(a, "nickname", "string")                           # unmodelled_field
    session.fields.delete(b, "score")
    session.fields.create(b, "score", "string")                              # type
    session.fields.update(b, "title", schema={"is_nullable": True})          # nullable
    session.collections.update(c, {"singleton": True})                       # singleton
    session.fields.create(b, "editor", "integer", meta={"special": ["m2o"]})
    session.relations.create(b, "editor", other)                             # relation
    session.fields.create(b, "reviewer", "integer")                          # missing_relation
    session.fields.delete(a, "owner")
    session.fields.create(a, "owner", "uuid", meta={"special": ["m2o"]})
    session.relations.create(a, "owner", "directus_users")                   # unmodelled_relation

    drift = check(session, [Author, Other, Post2, Conf, Gone])
    found = {(d.kind, d.collection, d.field) for d in drift}
    for expected in [
        ("missing_collection", gone, None),
        ("unmodelled_collection", extra, None),
        ("missing_field", b, "hidden_note"),
        ("unmodelled_field", a, "nickname"),
        ("type", b, "score"),
        ("nullable", b, "title"),
        ("singleton", c, None),
        ("relation", b, "editor"),
        ("missing_relation", b, "reviewer"),
        ("unmodelled_relation", a, "owner"),
    ]:
        assert expected in found, f"{expected} not in {sorted(found, key=str)}"
    lines = [str(d) for d in drift]
    assert f"{b}.score: server type string, the model's annotation holds float [type]" in lines
    assert f"{b}.editor: related collection '{other}', model '{a}' [relation]" in lines

    # The command line: one line per drift, exit 1; --only-modelled leaves out other collections.
    capsys.readouterr()
    code = main(["check", str(_write_models(a, b, c, other)), "--only-modelled",
                 "--url", directus_server.url, "--token", admin_token])
    out, err = capsys.readouterr()
    assert code == 1
    assert f"{b}.score: server type string" in out and "difference(s)" in err
    assert "unmodelled_collection" not in out


def _write_models(a: str, b: str, c: str, other: str) -> Path:
    text = f'''
from __future__ import annotations
from directus_orm import Model

class Author(Model, collection="{a}"):
    id: int | None = None
    name: str

class Other(Model, collection="{other}"):
    id: int | None = None

class Post(Model, collection="{b}"):
    id: int | None = None
    title: str
    score: float | None = None
    author: Author | int | None = None

class Conf(Model, collection="{c}"):
    id: int | None = None
    theme: str | None = None
'''
    path = Path(tempfile.mkdtemp()) / "drift_models.py"  # a file path, as the CLI takes it
    path.write_text(text)
    return path


def test_deleting_a_relation_on_sqlite_keeps_it(session, schema, directus_server):
    """Directus 12.4 on SQLite: DELETE /relations drops the relation's meta only; the foreign
    key stays, and the relation is still listed (with ``meta: null``). On PostgreSQL the
    foreign key goes too, and the relation is gone."""
    a = schema.collection(unique("rd_a"), [sch.string("name")])
    b = schema.collection(unique("rd_b"), [sch.m2o("a")])
    schema.relation(b, "a", a)
    session.request("DELETE", f"/relations/{b}/a")
    if directus_server.database == "postgres":
        with pytest.raises(Forbidden):
            session.request("GET", f"/relations/{b}/a")
        return
    left = session.request("GET", f"/relations/{b}/a")["data"]
    assert left["related_collection"] == a and left["meta"] is None


async def test_acheck_runs_on_an_async_session(asession, schema):
    name = schema.collection(unique("dr_async"), [sch.string("label")])

    class Thing(Model, collection=name):
        id: int | None = None
        label: str | None = None
        missing: int | None = None

    drift = await acheck(asession, [Thing], only_modelled=True)
    assert [(d.kind, d.field) for d in drift] == [("missing_field", "missing")]
    plan = await amigrate(asession, [Thing], dry_run=True)
    assert [str(s) for s in plan.steps] == [f"create field {name}.missing: integer"]
    await amigrate(asession, [Thing])
    assert await acheck(asession, [Thing], only_modelled=True) == []
    source = await ainspect(asession, [name])
    assert "    missing: int | None = None" in source
    with pytest.raises(WrongSessionKind):
        check(asession, [Thing])


# ------------------------------------------------------------------ migrate


EXAMPLE = ROOT / "examples" / "publishing_models.py"


@pytest.fixture(scope="module")
def empty_server(directus_factory):
    return directus_factory({"SCHEMA_TEST_SERVER": "migrate"})


def test_migrate_builds_the_publishing_app_on_an_empty_server(empty_server, capsys, monkeypatch):
    with Session(empty_server.url) as s:
        s.auth.login(empty_server.email, empty_server.password)
        assert read_schema(s).collections == {}

        dry = migrate(s, str(EXAMPLE), dry_run=True)
        assert not dry.applied and len(dry) == 14
        assert read_schema(s).collections == {}, "a dry run changes nothing"
        lines = str(dry).splitlines()
        assert "create collection articles_tags: id, articles_id, tags_id" in lines[1]
        assert any("create relation comments.article: to articles (one_field comments)" in line
                   for line in lines)

        plan = migrate(s, str(EXAMPLE))
        assert plan.applied and len(plan) == 14
        again = migrate(s, str(EXAMPLE))
        assert not again and not again.applied
        assert str(again) == "Nothing to do: the server's schema matches the models."
        assert check(s, str(EXAMPLE)) == []

        # What was built is what the Studio builds.
        snap = read_schema(s)
        assert snap.collections["settings"].singleton
        tags = snap.relation("articles_tags", "articles_id")
        assert tags is not None and tags.one_field == "tags" and tags.junction_field == "tags_id"
        comment = snap.relation("comments", "article")
        assert comment is not None and comment.on_delete == "CASCADE"
        title = snap.collections["articles"].fields["title"]
        assert title.unique and title.max_length == 200 and not title.nullable
        assert snap.collections["articles"].fields["status"].choices == ("draft", "published")
        assert snap.relation("authors", "user").related_collection == "directus_users"

        # And the models work on it.
        models = _import_file(EXAMPLE, "publishing_models_under_test")
        ada = models.Author(name="Ada")
        ada.save()
        tag = models.Tag(label="python")
        tag.save()
        art = models.Article(title="Hello", author=ada, tags=[tag])
        art.save()
        models.Comment(article=art, name="Bob", body="Nice").save()
        got = models.Article.objects.select_related("author", "tags", "comments").get(pk=art.pk)
        assert (got.author.name, [t.label for t in got.tags], [c.body for c in got.comments]) == (
            "Ada", ["python"], ["Nice"])
        assert got.status == "draft" and got.views == 0
        assert models.Settings.objects.get().site_name == "My site"

    capsys.readouterr()
    creds = ["--url", empty_server.url, "--email", empty_server.email,
             "--password", empty_server.password]
    assert main(["migrate", str(EXAMPLE), "--dry-run", *creds]) == 0
    assert "Nothing to do" in capsys.readouterr().out
    assert main(["check", str(EXAMPLE), *creds]) == 0
    assert "No drift" in capsys.readouterr().out
    # The same from the environment, as a separate process (python -m directus_orm).
    monkeypatch.setenv("DIRECTUS_URL", empty_server.url)
    monkeypatch.setenv("DIRECTUS_EMAIL", empty_server.email)
    monkeypatch.setenv("DIRECTUS_PASSWORD", empty_server.password)
    monkeypatch.delenv("DIRECTUS_TOKEN", raising=False)
    run = _tool("directus_orm", "check", "examples.publishing_models", cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No drift" in run.stdout
    monkeypatch.setenv("DIRECTUS_PASSWORD", "wrong")
    run = _tool("directus_orm", "migrate", str(EXAMPLE), "--dry-run", cwd=ROOT)
    assert run.returncode == 1 and "InvalidCredentials" in run.stderr


def test_inspect_system_writes_subclasses_for_fields_added_to_system_collections(
    empty_server, tmp_path
):
    with Session(empty_server.url) as s:
        s.auth.login(empty_server.email, empty_server.password)
        migrate(s, str(EXAMPLE))  # a no-op after the test above
        s.fields.create("directus_users", "nickname", "string")
        me = s.request("GET", "/users/me")["data"]["id"]
        s.request("PATCH", "/users/me", json={"nickname": "ada"})
        source = inspect(s, ["authors"], system=True)
        assert "class AppUser(DirectusUser):\n    nickname: str | None = None\n" in source
        assert "    user: AppUser | str | None = None" in source  # authors.user uses it
        path = tmp_path / "with_system.py"
        path.write_text(source)
        typed = _tool("mypy", "--strict", "--no-incremental", str(path), cwd=tmp_path)
        assert typed.returncode == 0, typed.stdout + source
        module = _import_file(path, "with_system_models")
        user = module.AppUser.objects.get(pk=me)
        assert user.nickname == "ada" and user.email == empty_server.email
        assert "class AppUser" not in inspect(s, ["authors"])


def test_migrate_adds_to_an_existing_schema_and_deletes_only_when_allowed(session, schema):
    a, b = unique("mg_a"), unique("mg_b")

    class A(Model, collection=a):
        id: int | None = None
        name: str | None = None

    migrate(session, [A])
    schema.collections.append(a)

    class A2(Model, collection=a):
        id: int | None = None
        name: str | None = None
        items: list[B] | list[int] | None = None

    class B(Model, collection=b):
        id: int | None = None
        a: A2 | int | None = None
        label: Annotated[str | None, FieldOptions(note="A label")] = None

    A2.model_rebuild()
    plan = migrate(session, [A2, B], dry_run=True)
    assert [str(s) for s in plan.steps] == [
        f"create collection {b}: id, a, label",
        f"create field {a}.items: alias (o2m)",
        f"create relation {b}.a: to {a} (one_field items)",
    ]
    migrate(session, [A2, B])
    schema.collections.append(b)
    assert check(session, [A2, B], only_modelled=True) == []

    # A model without the o2m and without `label`: nothing is dropped by default.
    class B2(Model, collection=b):
        id: int | None = None
        a: A2 | int | None = None

    plan = migrate(session, [A, B2], dry_run=True)
    assert not plan.steps
    assert any(f"delete field {b}.label" in s for s in plan.skipped)
    assert any(f"delete field {a}.items" in s for s in plan.skipped)
    migrate(session, [A, B2], allow_delete=False)
    assert "label" in read_schema(session).collections[b].fields
    done = migrate(session, [A, B2], allow_delete=True)
    assert done.applied and {str(s) for s in done.steps} == {
        f"delete field {b}.label", f"delete field {a}.items"}, "no other collection is dropped"
    after = read_schema(session)
    assert "label" not in after.collections[b].fields and "items" not in after.collections[a].fields
    assert check(session, [A, B2], only_modelled=True) == []


def test_migrate_reports_the_failed_step(session, schema):
    name = unique("mg_bad")

    class Bad(Model, collection=name):
        id: int | None = None
        when: Annotated[str | None, FieldOptions(type="no-such-type")] = None

    with pytest.raises(MigrationError) as info:
        migrate(session, [Bad])
    schema.collections.append(name)
    assert f"create collection {name}" in str(info.value)


def test_m2m_model_with_decimal_and_uuid(session, schema):
    p, q = unique("mm_p"), unique("mm_q")

    class Q(Model, collection=q):
        id: int | None = None
        price: Decimal | None = None
        when: datetime.datetime | None = None

    class P(Model, collection=p):
        id: int | None = None
        qs: Annotated[list[Q] | list[int] | None, M2M()] = None
        user: DirectusUser | str | None = None

    migrate(session, [P, Q])
    schema.collections.extend([f"{p}_{q}", p, q])
    assert check(session, [P, Q], only_modelled=True) == []
    obj = P(qs=[Q(price=Decimal("1.25"))])
    obj.save()
    got = P.objects.select_related("qs").get(pk=obj.pk)
    assert [x.price for x in got.qs] == [Decimal("1.25")]


# ------------------------------------------------------------------ reads and writes


def test_reads_fetch_the_declared_fields_and_mismatches_are_typed(session, schema):
    name = schema.collection(unique("rt"), [sch.string("title"), sch.integer("views"),
                                            sch.text("body")])
    session.request("POST", f"/items/{name}", json={"title": "a", "views": 1, "body": "long"})

    class Narrow(Model, collection=name):
        id: int | None = None
        title: str | None = None

    (row,) = list(Narrow.objects.all())
    assert row.title == "a" and "views" not in (row.model_extra or {})
    assert Narrow.objects.all().query_params()["fields"] == ["id", "title"]

    class Keep(Model, collection=name, extra="allow"):
        id: int | None = None

    (kept,) = list(Keep.objects.all())
    assert kept.model_extra == {"title": "a", "views": 1, "body": "long"}
    (star,) = Narrow.objects.fields("*").values()
    assert star["body"] == "long"

    class Wrong(Model, collection=name):
        id: int | None = None
        title: str | None = None
        color: str | None = None

    with pytest.raises(SchemaMismatch) as info:
        list(Wrong.objects.all())
    assert (info.value.model, info.value.field, info.value.collection) == ("Wrong", "color", name)
    assert "Wrong.color" in str(info.value) and isinstance(info.value.__cause__, Forbidden)
    with pytest.raises(SchemaMismatch, match=r"Wrong\.color"):
        Wrong.objects.get(pk=1)
    assert [w.title for w in Wrong.objects.fields("id", "title")] == ["a"]

    # A write of a field the server lacks raises instead of being dropped silently.
    with pytest.raises(SchemaMismatch, match="write was applied without it") as info:
        Wrong.objects.create(title="b", color="red")
    assert info.value.field == "color"
    # System models keep reading *: their collections gain fields between versions.
    me = DirectusUser.objects.get(email=session.request("GET", "/users/me")["data"]["email"])
    assert me.model_extra is not None


def test_migrate_builds_a_many_to_any_and_a_uuid_key(session, schema):
    page, heading, text = unique("ma_page"), unique("ma_head"), unique("ma_text")

    class Heading(Model, collection=heading):
        id: UUID | None = None
        title: str | None = None

    class Text(Model, collection=text):
        id: int | None = None
        body: Annotated[str | None, FieldOptions(type="text")] = None

    class Page(Model, collection=page):
        id: int | None = None
        blocks: Annotated[list[Heading | Text] | None, M2A()] = None

    plan = migrate(session, [Heading, Text, Page])
    schema.collections.extend([f"{page}_blocks", page, heading, text])
    assert f"create relation {page}_blocks.item: many-to-any to {heading}, {text}" in [
        str(s) for s in plan.steps]
    assert check(session, [Heading, Text, Page], only_modelled=True) == []
    assert not migrate(session, [Heading, Text, Page])

    h = Heading(title="Hello")
    h.save()
    assert isinstance(h.id, UUID)
    t = Text(body="World")
    t.save()
    p = Page(blocks=[h, t])
    p.save()
    got = Page.objects.select_related("blocks").get(pk=p.pk)
    assert [type(b).__name__ for b in got.blocks] == ["Heading", "Text"]
    assert got.blocks[0].title == "Hello" and got.blocks[1].body == "World"
