"""The documentation's Python examples pass ``mypy --strict``, as a reader's project would run it.

Each page with examples becomes one module (its blocks at their own line numbers, see
tests/docs_examples.py), so an error names the markdown file and line. Relations must be narrowed
the way users have to (``isinstance(article.author, Author)``), not cast away.
"""

from __future__ import annotations

import re

import pytest
from mypy import api as mypy_api

from tests import docs_examples

PAGES = docs_examples.pages()


def test_examples_pass_mypy_strict(tmp_path):
    modules = {}
    for page in PAGES:
        target = tmp_path / f"{docs_examples.module_name(page)}.py"
        target.write_text(docs_examples.module_source(page), encoding="utf-8")
        modules[target.name] = page
    stdout, stderr, status = mypy_api.run([
        "--strict", "--python-version", "3.10", "--no-error-summary", "--show-error-codes",
        "--config-file", str(docs_examples.ROOT / "pyproject.toml"),
        "--cache-dir", str(docs_examples.ROOT / ".mypy_cache"),
        *map(str, sorted(tmp_path.glob("*.py"))),
    ])
    # Name the page, not the generated module: "docs/relations.md:120: error: ...".
    report = re.sub(
        r"^.*?(docs_\w+\.py)",
        lambda m: str(modules[m.group(1)].relative_to(docs_examples.ROOT)),
        stdout, flags=re.M,
    )
    assert status == 0 and not stderr, report + stderr


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_not_run_blocks_say_why(page):
    for block in docs_examples.blocks(page):
        if block.not_run is not None:
            assert len(block.not_run) > 10, f"{block}: give readers a real reason"
