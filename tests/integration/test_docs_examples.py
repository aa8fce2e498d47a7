"""Every Python example of README.md and docs/ runs, page by page, against the real server.

A page's blocks run in order in one module (see tests/docs_examples.py), in a fresh context:
no session is current unless the page opens one. The collections the page expects are
created before it (tests/integration/docs_setup.py) and dropped after it, with everything else
the page created in them.
"""

from __future__ import annotations

import contextvars
import sys
import types
from pathlib import Path

import pytest

from directus_orm import Session, set_default_session
from tests import docs_examples

from .docs_setup import SETUPS
from .schema import Schema

PAGES = docs_examples.pages()


def test_every_page_with_examples_has_a_setup_entry():
    assert sorted(p.name for p in PAGES) == sorted(SETUPS)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(docs_examples.ROOT)))
def test_page_examples_run(page: Path, directus_server, admin_token):
    server = directus_server
    name = docs_examples.module_name(page)
    module = types.ModuleType(name)
    module.__file__ = str(page)
    admin = Session(server.url, static_token=admin_token)  # never current for the page
    builder = Schema(admin)
    sys.modules[name] = module
    try:
        SETUPS[page.name](builder)
        # One fresh context for the page, as in a new interpreter: no session is current but
        # what the page's own code makes current.
        context = contextvars.Context()
        ran = 0
        for block in docs_examples.blocks(page):
            if block.not_run:
                continue
            source = docs_examples.for_server(block.source, server.url, server.email, server.password)
            code = compile("\n" * (block.line - 1) + source, str(page), "exec")
            context.run(exec, code, module.__dict__)
            ran += 1
        assert ran > 0
    finally:
        set_default_session(None)
        for value in list(vars(module).values()):
            if isinstance(value, Session):
                value.close()
        del sys.modules[name]
        builder.drop()
        admin.close()
