"""The documentation site: its API reference documents every public name of ``directus_orm``.

The reference pages (docs/reference/*.md) name each object with a mkdocstrings ``::: name``
line. The first test compares those lines with ``directus_orm.__all__``; the second builds the
site with ``mkdocs build --strict`` (every link resolves, every ``:::`` renders) and reads the
inventory mkdocstrings writes, so a name counts only once its page really documents it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import directus_orm

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference"


def documented_names() -> list[str]:
    names: list[str] = []
    for page in sorted(REFERENCE.glob("*.md")):
        names += re.findall(r"^::: directus_orm\.(\w+)\s*$", page.read_text(), re.M)
    return names


def test_reference_pages_name_every_public_name_once():
    names = documented_names()
    public = set(directus_orm.__all__)
    assert sorted(public - set(names)) == [], "public names missing from docs/reference/"
    assert sorted(set(names) - public) == [], "docs/reference/ documents names that are not public"
    assert len(names) == len(set(names)), "a name is documented twice"


def test_mkdocs_build_strict_documents_every_public_name(tmp_path):
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    # objects.inv: four header lines, then the zlib-compressed "name domain:role prio uri dispname".
    raw = (tmp_path / "site" / "objects.inv").read_bytes().split(b"\n", 4)[4]
    inventory = {line.split(" ", 1)[0] for line in zlib.decompress(raw).decode().splitlines()}
    missing = [name for name in directus_orm.__all__ if f"directus_orm.{name}" not in inventory]
    assert missing == [], f"not rendered in the API reference: {missing}"
