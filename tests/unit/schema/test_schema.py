"""directus_orm.schema without a server: code generation, the declared schema of models, drift
between two descriptions, plans."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Annotated

import pytest

from directus_orm import M2A, M2M, DirectusORMError, Model
from directus_orm.schema import (
    CollectionSpec,
    FieldOptions,
    FieldSpec,
    ModelError,
    RelationSpec,
    SchemaSpec,
    compare,
    declared_schema,
    make_plan,
    render_models,
)


def _spec() -> SchemaSpec:
    spec = SchemaSpec()
    posts = CollectionSpec("blog-posts", note="Everything we publish")
    for f in (
        FieldSpec("blog-posts", "id", "integer", nullable=False, primary_key=True,
                  auto_increment=True, generated=True),
        FieldSpec("blog-posts", "class", "string"),
        FieldSpec("blog-posts", "pk", "string"),
        FieldSpec("blog-posts", "2nd", "integer", nullable=False, default=3),
        FieldSpec("blog-posts", "title", "string", nullable=False, unique=True, max_length=80,
                  note='The "headline"'),
        FieldSpec("blog-posts", "kind", "string", choices=("a", "b")),
        FieldSpec("blog-posts", "model", "integer"),
    ):
        posts.fields[f.field] = f
    spec.collections["blog-posts"] = posts
    model = CollectionSpec("model", singleton=True)
    model.fields["id"] = FieldSpec("model", "id", "integer", nullable=False, primary_key=True,
                                   auto_increment=True, generated=True)
    spec.collections["model"] = model
    spec.relations[("blog-posts", "model")] = RelationSpec("blog-posts", "model", "model")
    return spec


def test_render_models_names_keywords_collisions_and_comments(tmp_path: Path) -> None:
    source = render_models(_spec())
    assert source == render_models(_spec())
    assert 'class BlogPosts(Model, collection="blog-posts"):' in source
    assert '    """Everything we publish"""' in source
    # `model` collides with the imported Model class: it gets a suffix.
    assert 'class Model_(Model, collection="model", singleton=True):' in source
    assert '    class_: Annotated[str | None, Field(alias="class")] = None' in source
    assert '    pk_: Annotated[str | None, Field(alias="pk")] = None' in source
    assert '    f_2nd: Annotated[int, Field(alias="2nd")] = 3' in source
    assert '    title: Annotated[str, FieldOptions(unique=True, max_length=80)]' in source
    assert '    """The \\"headline\\""""' not in source
    assert '    # choices: "a", "b"' in source
    assert "    model: Model_ | int | None = None" in source
    literal = render_models(_spec(), literal_choices=True)
    assert '    kind: Literal["a", "b"] | None = None' in literal
    path = tmp_path / "m.py"
    path.write_text(source)
    fmt = subprocess.run([sys.executable, "-m", "ruff", "format", "--isolated", "--check", str(path)],
                         capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + source
    compiled = compile(source, "m.py", "exec")
    namespace: dict[str, object] = {"__name__": "generated_unit"}
    sys.modules["generated_unit"] = type(sys)("generated_unit")
    exec(compiled, namespace)
    cls = namespace["BlogPosts"]
    assert isinstance(cls, type) and issubclass(cls, Model)
    assert cls._meta.field("class_").api_name == "class"


class Tag(Model, collection="tags"):
    id: int | None = None
    label: Annotated[str, FieldOptions(unique=True, max_length=50)]


class Heading(Model, collection="headings"):
    id: int | None = None


class Author(Model, collection="authors"):
    id: int | None = None
    name: str
    articles: list[Article] | list[int] | None = None


class Article(Model, collection="articles"):
    id: int | None = None
    title: str
    views: int = 0
    author: Annotated[Author | int | None, FieldOptions(on_delete="CASCADE")] = None
    tags: Annotated[list[Tag] | list[int] | None, M2M()] = None
    blocks: Annotated[list[Heading | Tag] | None, M2A()] = None


Author.model_rebuild()


def test_declared_schema_of_every_relation_kind() -> None:
    spec = declared_schema([Tag, Heading, Author, Article])
    assert sorted(spec.collections) == ["articles", "articles_blocks", "articles_tags", "authors",
                                        "headings", "tags"]
    assert spec.collections["articles_tags"].derived
    views = spec.collections["articles"].fields["views"]
    assert (views.type, views.nullable, views.default) == ("integer", False, 0)
    assert spec.relations[("articles", "author")] == RelationSpec(
        "articles", "author", "authors", one_field="articles", on_delete="CASCADE",
        one_deselect_action="nullify")
    m2m = spec.relations[("articles_tags", "articles_id")]
    assert (m2m.related_collection, m2m.one_field, m2m.junction_field) == ("articles", "tags",
                                                                           "tags_id")
    item = spec.relations[("articles_blocks", "item")]
    assert item.related_collection is None and item.one_allowed_collections == ("headings", "tags")
    assert spec.collections["articles"].fields["tags"].special == ("m2m",)

    # The same models against themselves: no drift, nothing to plan.
    same = declared_schema([Tag, Heading, Author, Article])
    assert compare(spec, same) == []
    assert not make_plan(spec, same)
    # Against an empty server: every collection is created, then aliases, then relations.
    plan = make_plan(spec, SchemaSpec())
    actions = [s.action for s in plan.steps]
    assert actions == sorted(actions, key=["create_collection", "create_field",
                                           "create_relation"].index)
    assert len(plan) == 6 + 3 + 5


def test_an_ambiguous_one_to_many_is_refused() -> None:
    class Person(Model, collection="people"):
        id: int | None = None
        entries: list[Entry] | list[int] | None = None

    class Entry(Model, collection="entries"):
        id: int | None = None
        writer: Person | int | None = None
        editor: Person | int | None = None

    Person.model_rebuild()
    with pytest.raises(ModelError, match="exactly one many-to-one"):
        declared_schema([Person, Entry])
    # Related models come along: the tags of Article need no listing.
    assert "tags" in declared_schema([Article]).collections


class Link(Model, collection="post_links"):
    id: int | None = None
    post: Post | int | None = None
    tag: Tag | int | None = None
    weight: int = 0


class Post(Model, collection="posts"):
    id: int | None = None
    tags: Annotated[list[Tag] | list[int] | None, M2M(through=Link, junction_field="tag")] = None


Link.model_rebuild()


def test_a_junction_model_names_the_junction_and_its_keys() -> None:
    spec = declared_schema([Tag, Link, Post])
    assert not spec.collections["post_links"].derived
    assert sorted(spec.collections["post_links"].fields) == ["id", "post", "tag", "weight"]
    here = spec.relations[("post_links", "post")]
    there = spec.relations[("post_links", "tag")]
    assert (here.related_collection, here.one_field, here.junction_field) == ("posts", "tags", "tag")
    assert (there.related_collection, there.one_field, there.junction_field) == ("tags", None, "post")


def test_long_names_are_laid_out_as_ruff_formats_them(tmp_path: Path) -> None:
    spec = SchemaSpec()
    a = "a_very_long_collection_name_for_articles_in_the_archive"
    b = "yet_another_extremely_long_collection_name_for_the_other_authors_and_all"
    for name in (a, b):
        coll = CollectionSpec(name, singleton=name == b)
        coll.fields["identifier_of_the_item"] = FieldSpec(
            name, "identifier_of_the_item", "string", nullable=False, primary_key=True)
        spec.collections[name] = coll
    fk = "required_editor_with_a_long_name_too"
    spec.collections[a].fields[fk] = FieldSpec(a, fk, "string", nullable=False)
    spec.relations[(a, fk)] = RelationSpec(a, fk, b, one_field="edited_articles_of_this_author")
    spec.collections[b].fields["edited_articles_of_this_author"] = FieldSpec(
        b, "edited_articles_of_this_author", "alias", special=("o2m",))
    long_text = "some_very_long_required_text_field_name_that_goes_on_and_on_and_on"
    spec.collections[a].fields[long_text] = FieldSpec(a, long_text, "text", nullable=False)
    source = render_models(spec)
    # A NOT NULL many-to-one without a default is required, like any other column.
    assert (f"    {fk}: (\n        YetAnotherExtremelyLongCollectionNameForTheOtherAuthorsAndAll | str\n"
            "    )\n") in source
    path = tmp_path / "long.py"
    path.write_text(source)
    fmt = subprocess.run([sys.executable, "-m", "ruff", "format", "--isolated", "--check", str(path)],
                         capture_output=True, text=True)
    assert fmt.returncode == 0, fmt.stdout + source


def test_removals_and_type_changes_wait_for_allow_delete() -> None:
    declared = declared_schema([Tag])
    actual = declared_schema([Tag])
    actual.collections["tags"].fields["old"] = FieldSpec("tags", "old", "string")
    actual.collections["tags"].fields["label"].type = "integer"
    actual.collections["stale"] = CollectionSpec("stale")
    actual.collections["other"] = CollectionSpec("other")
    plan = make_plan(declared, actual, drop=["stale"])
    assert not plan.steps
    assert plan.skipped == [
        "alter field tags.label: type integer -> string (may lose data)",
        "delete field tags.old (drops data)",
        "delete collection stale (drops data)",
    ]
    assert "skipped (needs allow_delete)" in str(plan)
    # A collection without a model is dropped only when named; `other` stays.
    plan = make_plan(declared, actual, allow_delete=True, drop=["stale"])
    assert [(s.action, s.request.method, s.request.path) for s in plan.steps] == [
        ("alter_field", "PATCH", "/fields/tags/label"),
        ("delete_field", "DELETE", "/fields/tags/old"),
        ("delete_collection", "DELETE", "/collections/stale"),
    ]
    assert not any(s.collection == "other" for s in make_plan(declared, actual, allow_delete=True).steps)
    with pytest.raises(DirectusORMError, match="models declare"):
        make_plan(declared, actual, allow_delete=True, drop=["tags"])
    with pytest.raises(DirectusORMError, match="does not have"):
        make_plan(declared, actual, allow_delete=True, drop=["nope"])
