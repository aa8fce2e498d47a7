"""The examples run as documented against the real server, including a resumed migration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(script: str, server, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DIRECTUS_URL": server.url, "DIRECTUS_EMAIL": server.email,
           "DIRECTUS_PASSWORD": server.password}
    return subprocess.run([sys.executable, script, *args], cwd=EXAMPLES, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def demo(directus_server, module_session):
    seeded = run("seed_demo.py", directus_server)
    assert seeded.returncode == 0, seeded.stderr
    yield directus_server
    for name in ("demo_archive", "demo_articles", "demo_authors"):
        try:
            module_session.request("DELETE", f"/collections/{name}")
        except Exception:
            pass


def test_quickstart(demo):
    result = run("quickstart.py", demo)
    assert result.returncode == 0, result.stderr
    assert "published articles; the five most read" in result.stdout
    assert "streamed past the server's 100-item default: 250" in result.stdout
    assert "async, three counts at once" in result.stdout


def test_live_feed(demo, session):
    published = session.request("GET", "/items/demo_articles", query={"filter": {"published": {"_eq": True}},
                                                                       "aggregate": {"count": "*"}})
    result = run("live_feed.py", demo)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"init: {published['data'][0]['count']} published articles"
    assert [line.split(":")[0] for line in lines[1:]] == ["create", "update", "delete", "delete", "unsubscribed"]
    assert "'Breaking: live feeds' (0 views)" in lines[1] and "(42 views)" in lines[2]


def test_migration_resumes_after_a_failed_batch(demo, session, tmp_path):
    state = tmp_path / "state.json"
    # Make the copy of article 130 collide with a row already in the archive.
    first = run("migrate_articles.py", demo, "--state", str(state), "--batch", "50")
    assert first.returncode == 0, first.stderr
    assert "copied 250 articles" in first.stdout
    session.request("DELETE", "/items/demo_archive", json={"query": {"filter": {"source_id": {"_gt": 100}}, "limit": -1}})
    session.request("POST", "/items/demo_archive", json={"source_id": 130, "headline": "x", "words": 0})
    state.write_text(json.dumps({"last_id": 100}))

    broken = run("migrate_articles.py", demo, "--state", str(state), "--batch", "50")
    assert broken.returncode != 0 and "RecordNotUnique" in broken.stderr + broken.stdout
    assert json.loads(state.read_text())["last_id"] == 100  # nothing of the failed batch counted

    session.request("DELETE", "/items/demo_archive", json={"query": {"filter": {"source_id": {"_eq": 130}}}})
    resumed = run("migrate_articles.py", demo, "--state", str(state), "--batch", "50")
    assert resumed.returncode == 0, resumed.stderr
    assert "copied 150 articles; the archive holds 250" in resumed.stdout
    assert json.loads(state.read_text())["last_id"] == 250

