"""Directus from npm, one install per version, built with Node 22 (see ``node``)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from ._common import LocalServerError, cache_dir, file_lock, log, package_version, run_logged
from .node import NODE_VERSION, ensure_node, node_bin, node_env, npm, npm_env

__all__ = [
    "DEFAULT_VERSION",
    "TESTED_VERSIONS",
    "default_version",
    "directus_cli",
    "directus_package",
    "ensure_directus",
]

#: The Directus the harness runs when nothing else is asked for.
DEFAULT_VERSION = "12.4.0"
#: The versions the test matrix covers (12.4.1 cannot be installed: one of its dependencies,
#: ``@directus/app@18.0.1``, is missing from the npm registry).
TESTED_VERSIONS = ("12.4.0", "11.17.4")

_NATIVE_CHECK = "require('isolated-vm');require('sqlite3');require('argon2');require('pg')"
_VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")


def default_version() -> str:
    """``$DIRECTUS_VERSION`` when set, else :data:`DEFAULT_VERSION`."""
    return check_version(os.environ.get("DIRECTUS_VERSION") or DEFAULT_VERSION)


def check_version(version: str) -> str:
    if not _VERSION_RE.match(version):
        raise LocalServerError(f"a Directus version looks like 12.4.0, got {version!r}")
    return version


def install_dir(version: str) -> Path:
    return cache_dir() / f"directus-{check_version(version)}"


def directus_package(version: str) -> Path:
    """The ``node_modules/directus`` folder of ``version`` (installed or not)."""
    return install_dir(version) / "node_modules" / "directus"


def _stamp_path(version: str) -> Path:
    return install_dir(version) / ".directus_orm-verified.json"


def _stamp_expected(version: str) -> dict[str, str]:
    return {"directus": version, "node": NODE_VERSION, "node_bin": str(node_bin())}


def _verified(version: str) -> bool:
    if package_version(directus_package(version)) != version:
        return False
    try:
        return bool(json.loads(_stamp_path(version).read_text()) == _stamp_expected(version))
    except (OSError, ValueError):
        return False


def _native_modules_load(version: str) -> tuple[bool, str]:
    result = subprocess.run(
        [str(node_bin()), "-e", _NATIVE_CHECK],
        cwd=install_dir(version),
        env=node_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode == 0, (result.stdout + result.stderr).strip()


def ensure_directus(version: str | None = None) -> Path:
    """Install Node 22 and ``directus@<version>`` into the cache (idempotent, lock-protected).

    Returns the ``node_modules/directus`` folder. A re-run only reads two small files.
    """
    version = check_version(version or default_version())
    ensure_node()
    if _verified(version):
        return directus_package(version)
    with file_lock(cache_dir() / "install.lock"):
        if _verified(version):
            return directus_package(version)
        if package_version(directus_package(version)) == version:
            ok, output = _native_modules_load(version)
            if ok:
                _stamp_path(version).write_text(json.dumps(_stamp_expected(version)))
                log(f"found directus@{version} in {install_dir(version)}; native modules load")
                return directus_package(version)
            log(f"existing Directus {version} install is broken, reinstalling:\n{output[-2000:]}")
        _install(version)
    return directus_package(version)


def _install(version: str) -> None:
    started = time.monotonic()
    target = install_dir(version)
    log(
        f"installing directus@{version} into {target} with Node {NODE_VERSION} "
        f"(builds native modules; takes about 3 minutes on 2 cores) ..."
    )
    target.mkdir(parents=True, exist_ok=True)
    _stamp_path(version).unlink(missing_ok=True)
    shutil.rmtree(target / "node_modules", ignore_errors=True)
    (target / "package-lock.json").unlink(missing_ok=True)
    (target / "package.json").write_text('{"name":"directus-local","private":true}\n')
    run_logged(
        [npm(), "install", "--no-audit", "--no-fund", "--save-exact", f"directus@{version}"],
        cwd=target,
        env=npm_env(),
        log_path=cache_dir() / f"directus-{version}-install.log",
        timeout=1800,
        what=f"npm install directus@{version}",
    )
    if package_version(directus_package(version)) != version:
        raise LocalServerError(f"npm finished but {directus_package(version)} is not version {version}")
    ok, output = _native_modules_load(version)
    if not ok:
        raise LocalServerError(f"Directus {version} installed, but its native modules do not load:\n{output}")
    _stamp_path(version).write_text(json.dumps(_stamp_expected(version)))
    log(f"directus@{version} installed in {time.monotonic() - started:.1f}s")


def directus_cli(version: str) -> Path:
    """The Directus command-line entry point of ``version`` (run it with Node 22)."""
    package = directus_package(version)
    for candidate in ("cli.js", "dist/cli/run.js"):
        path = package / candidate
        if path.is_file():
            return path
    raise LocalServerError(f"no Directus CLI entry point found in {package}")
