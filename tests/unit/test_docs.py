"""The docs stay true to the code: the exception tree and the lookup table."""

from __future__ import annotations

import re
from pathlib import Path

import directus_orm
from directus_orm._core import exceptions as _exceptions
from directus_orm._query.lookups import LOOKUPS, TRANSFORMS, UNSUPPORTED_LOOKUPS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_errors_doc_draws_the_same_tree_as_the_module():
    docstring = _exceptions.__doc__ or ""
    tree = re.search(r"The tree::\n\n(.*?)\n\n", docstring, re.S)
    assert tree is not None
    lines = [line[4:] for line in tree.group(1).splitlines()]
    assert "\n".join(lines) in (DOCS / "errors.md").read_text()


def test_every_exception_is_in_the_tree():
    docstring = _exceptions.__doc__ or ""
    for name in directus_orm.__all__:
        obj = getattr(directus_orm, name)
        if isinstance(obj, type) and issubclass(obj, directus_orm.DirectusORMError):
            assert re.search(rf"\b{name}\b", docstring), f"{name} is missing from the tree"


def test_querying_doc_lists_every_lookup_transform_and_refusal():
    text = (DOCS / "querying.md").read_text()
    for name in [*LOOKUPS, *TRANSFORMS, *UNSUPPORTED_LOOKUPS]:
        assert f"`{name}`" in text or f"`{name}`," in text or re.search(rf"`[^`]*\b{name}\b[^`]*`", text), name


def _mapping_calls() -> list[str]:
    """The code of the directus_orm columns of docs/sdk-mapping.md (not the SDK's)."""
    text = (DOCS / "sdk-mapping.md").read_text()
    out = []
    for row in text.splitlines():
        if not row.startswith("| "):
            continue
        cells = re.split(r"(?<!\\)\|", row)[2:-1]  # drop the SDK column and the edges
        out += [code for cell in cells for code in re.findall(r"`([^`]+)`", cell)]
    return out


def test_every_session_call_in_the_sdk_mapping_exists_on_both_sessions():
    sessions = [directus_orm.Session("http://x"), directus_orm.AsyncSession("http://x")]
    checked = 0
    for snippet in _mapping_calls():
        for chain in re.findall(r"\bsession\.((?:\w+\.)*\w+)\(", snippet):
            for s in sessions:
                obj: object = s
                for part in chain.split("."):
                    obj = getattr(obj, part, None)
                    assert obj is not None, f"session.{chain} in sdk-mapping.md ({type(s).__name__})"
            checked += 1
    assert checked > 80


def test_every_model_call_in_the_sdk_mapping_exists():
    checked = 0
    for snippet in _mapping_calls():
        for model, method in re.findall(r"\b(Directus\w+)\.objects\.(\w+)\(", snippet):
            assert hasattr(getattr(directus_orm, model).objects, method), f"{model}.objects.{method}"
            checked += 1
        # `....method(` and `...).method(`: a QuerySet's, or session.items(c)/singleton(c)'s.
        owners = (directus_orm.QuerySet, directus_orm.Items, directus_orm.AsyncItems,
                  directus_orm.Singleton, directus_orm.AsyncSingleton, directus_orm.Model)
        for method in re.findall(r"(?:\.\.\.\.|\))\.(\w+)\(", snippet):
            assert any(hasattr(owner, method) for owner in owners), method
            checked += 1
        for method in re.findall(r"\bobj\.(\w+)\(", snippet):
            assert hasattr(directus_orm.Model, method), f"obj.{method}"
            checked += 1
    assert checked > 100
