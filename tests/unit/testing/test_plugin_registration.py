"""The pytest plugin is registered as users get it, and offers the documented fixtures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_plugin_is_a_pytest11_entry_point_named_like_its_module():
    # The entry point's name is the module's, so `-p directus_orm.testing.plugin` (the project's
    # own addopts) and the installed entry point never register the plugin twice.
    text = (ROOT / "pyproject.toml").read_text()
    section = re.search(r"^\[project\.entry-points\.pytest11\]\n(.*?)(?:^\[|\Z)", text, re.M | re.S)
    assert section is not None
    assert '"directus_orm.testing.plugin" = "directus_orm.testing.plugin"' in section.group(1)


def test_pytest_lists_the_fixtures_with_their_scopes_and_the_marker(tmp_path):
    def run(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "directus_orm.testing.plugin", "-p", "no:cacheprovider", *args],
            cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    fixtures = run("--fixtures")
    for name, scope in [
        ("directus_server", "session"), ("directus_server_factory", "session"),
        ("directus_test_server", None), ("directus_session", None),
        ("directus_async_session", None), ("directus_schema", None),
    ]:
        header = re.search(rf"^{name}( \[(\w+) scope\])? -- ", fixtures, re.M)
        assert header is not None, f"{name} is not offered"
        assert header.group(2) == scope, name
    assert "--directus-url" in run("--help")
    assert "@pytest.mark.directus(env" in run("--markers")
