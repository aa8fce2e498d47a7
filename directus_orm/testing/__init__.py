"""Test your Directus app against a real Directus: the ``directus_orm`` pytest plugin.

Installed with ``pip install 'directus_orm[testing]'``, the plugin is loaded by pytest on its
own (the ``pytest11`` entry point) and gives these fixtures:

- ``directus_server`` (session): a local Directus booted for the test run (Node.js and Directus
  installed from npm into the cache folder on first use, then reused), or the server named by
  ``--directus-url`` / ``$DIRECTUS_URL``. Its ``url``, ``email``, ``password`` and ``token``
  (a static admin token).
- ``directus_session`` / ``directus_async_session`` (function): a logged-in admin ``Session`` /
  ``AsyncSession``, current for the test (``Article.objects`` uses it).
- ``directus_schema`` (function): ``directus_schema(Author, Article)`` creates the models'
  collections with :func:`directus_orm.schema.migrate`; they are dropped after the test.
- ``directus_test_server`` (function): the server of this test: ``directus_server``, or the one
  ``@pytest.mark.directus(env={...})`` asked for.
- ``directus_server_factory`` (session): ``directus_server_factory(env={...})``, a local server
  with those settings (one per distinct env).

Isolation: collections a test creates are dropped after it, and rows it adds to existing
collections are deleted, so no test sees another one's data. See docs/testing.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from directus_orm import Model

from .server import DirectusServer

if TYPE_CHECKING:
    from collections.abc import Mapping

    from directus_orm.schema import Plan

__all__ = ["DirectusServer", "SchemaFactory", "ServerFactory"]


class SchemaFactory(Protocol):
    """The type of the ``directus_schema`` fixture."""

    def __call__(self, *models: type[Model]) -> Plan: ...


class ServerFactory(Protocol):
    """The type of the ``directus_server_factory`` fixture."""

    def __call__(self, env: Mapping[str, str] | None = None) -> DirectusServer: ...
