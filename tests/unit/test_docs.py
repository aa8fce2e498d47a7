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
