"""The examples say what they need when DIRECTUS_URL and the login are missing (no KeyError)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("script", ["seed_demo.py", "quickstart.py", "migrate_articles.py"])
def test_examples_say_what_they_need_without_a_server(script):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIRECTUS_")}
    result = subprocess.run([sys.executable, script], cwd=EXAMPLES, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "KeyError" not in result.stderr
    assert f"{script} needs a Directus server: set DIRECTUS_URL, DIRECTUS_EMAIL, DIRECTUS_PASSWORD" in result.stderr
    assert "directus-orm serve --data .cache/demo" in result.stderr
