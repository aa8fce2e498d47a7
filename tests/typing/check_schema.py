# pyright: strict
"""Static typing contract of directus_orm.schema, checked by mypy --strict and pyright (strict).

Never executed (no ``test_`` prefix).
"""

from __future__ import annotations

from typing import Annotated

from typing_extensions import assert_type

from directus_orm import AsyncSession, Model, SchemaMismatch, Session
from directus_orm.schema import (
    Drift,
    FieldOptions,
    Plan,
    SchemaSpec,
    acheck,
    ainspect,
    amigrate,
    check,
    inspect,
    migrate,
    read_schema,
)


class Article(Model, collection="articles"):
    id: int | None = None
    title: Annotated[str, FieldOptions(unique=True, max_length=200)]


def sync_api(s: Session) -> None:
    assert_type(inspect(s), str)
    assert_type(inspect(s, ["articles"], exclude=["x"], literal_choices=True), str)
    assert_type(check(s, [Article]), list[Drift])
    assert_type(check(s, "app.models", only_modelled=True), list[Drift])
    assert_type(migrate(s, [Article], dry_run=True), Plan)
    assert_type(read_schema(s), SchemaSpec)
    drift = check(s, [Article])[0]
    assert_type(drift.field, str | None)
    try:
        Article.objects.get(pk=1)
    except SchemaMismatch as error:
        assert_type(error.collection, str | None)


async def async_api(s: AsyncSession) -> None:
    assert_type(await ainspect(s), str)
    assert_type(await acheck(s, [Article]), list[Drift])
    assert_type(await amigrate(s, [Article], allow_delete=True), Plan)
