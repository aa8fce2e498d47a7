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

from directus_orm import NoSessionError, Session, get_current_session, set_default_session
from tests import docs_examples

from .docs_setup import SETUPS
from .schema import Schema

PAGES = docs_examples.pages()


def test_every_page_with_examples_has_a_setup_entry():
    assert sorted(p.name for p in PAGES) == sorted(SETUPS)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(docs_examples.ROOT)))
def test_page_examples_run(page: Path, directus_server, admin_token, tmp_path, monkeypatch):
    server = directus_server
    name = docs_examples.module_name(page)
    module = types.ModuleType(name)
    module.__file__ = str(page)
    admin = Session(server.url, static_token=admin_token)  # never current for the page
    builder = Schema(admin)
    sys.modules[name] = module
    monkeypatch.chdir(tmp_path)  # files the examples write (token storage, uploads) land here
    cleanup = None
    # One fresh context for the page, as in a new interpreter: no session is current but
    # what the page's own code makes current.
    context = contextvars.Context()
    try:
        cleanup = SETUPS[page.name](builder)
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
        sessions = [v for v in vars(module).values() if isinstance(v, Session)]
        default = context.run(get_current_session) if context.run(_has_session) else None
        set_default_session(None)
        for value in [*sessions, default]:
            if isinstance(value, Session):
                value.close()
        del sys.modules[name]
        if cleanup is not None:
            cleanup()
        builder.drop()
        admin.close()


def _has_session() -> bool:
    try:
        get_current_session()
    except NoSessionError:
        return False
    return True
