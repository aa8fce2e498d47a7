"""Reads ask for the declared fields; a field the server lacks is a SchemaMismatch (wire)."""

from __future__ import annotations

from typing import Annotated

import pytest
from pytest_httpx import HTTPXMock

from directus_orm import Model, SchemaMismatch, Session
from directus_orm.schema import FieldOptions


class Tag(Model, collection="tags"):
    id: int | None = None
    label: Annotated[str, FieldOptions(unique=True, max_length=50)]


def test_reads_ask_for_the_declared_fields_and_star_on_demand() -> None:
    assert Tag.objects.all().explain() == "GET /items/tags?fields=id,label&limit=2147483647"
    assert Tag.objects.fields("*").explain() == "GET /items/tags?fields=*&limit=2147483647"
    assert Tag.objects.fields("label").explain() == "GET /items/tags?fields=label&limit=2147483647"


def test_a_read_of_a_field_the_server_lacks_is_a_schema_mismatch(
    httpx_mock: HTTPXMock, session: Session
) -> None:
    message = ('You don\'t have permission to access field "label" in collection "tags" or it '
               "does not exist. Queried in root.")
    httpx_mock.add_response(status_code=403, json={"errors": [
        {"message": message, "extensions": {"code": "FORBIDDEN", "reason": message}}]})
    with pytest.raises(SchemaMismatch) as info:
        list(Tag.objects.all())
    err = info.value
    assert (err.model, err.field, err.collection) == ("Tag", "label", "tags")
    assert str(err).startswith("Tag.label: the collection 'tags' on the server has no field 'label'")


def test_a_write_the_server_dropped_a_field_of_is_a_schema_mismatch(
    httpx_mock: HTTPXMock, session: Session
) -> None:
    httpx_mock.add_response(json={"data": {"id": 4}})  # the server kept no `label`
    tag = Tag(label="x")
    with pytest.raises(SchemaMismatch) as info:
        tag.save()
    assert (info.value.field, info.value.collection) == ("label", "tags")
    assert "the write was applied without it" in str(info.value)
