"""The pytest plugin (directus_orm.testing) run as a user runs it: pytest in a subprocess.

These runs point the plugin at this test session's server with ``--directus-url``, so nothing
is booted; the sample app's own tests (examples/testing) run in the main test session against
the server the plugin booted, marked test included.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from .schema import Schema, string, unique

ROOT = Path(__file__).resolve().parents[2]


def run_pytest(cwd: Path, server, *args: str, token: bool = True) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIRECTUS_") or k == "DIRECTUS_ORM_CACHE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    if token:
        env["DIRECTUS_TOKEN"] = server.token
    else:
        env["DIRECTUS_EMAIL"], env["DIRECTUS_PASSWORD"] = server.email, server.password
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "directus_orm.testing.plugin",
         "--directus-url", server.url, "-p", "no:cacheprovider", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )


def test_sample_app_against_an_already_running_server(directus_server):
    result = run_pytest(ROOT / "examples" / "testing", directus_server, "-m", "not directus", token=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed, 1 deselected" in result.stdout
    assert f"external Directus at {directus_server.url} (--directus-url)" in result.stdout
    assert "booted" not in result.stdout + result.stderr


def test_isolation_between_tests(directus_server, session, tmp_path):
    # A collection that exists before the run, with one row.
    schema = Schema(session)
    kept = schema.collection(unique("kept"), [string("name")])
    schema.seed(kept, [{"name": "before"}])
    made = unique("made")
    (tmp_path / "test_isolated.py").write_text(textwrap.dedent(f"""
        from directus_orm import Model

        class Kept(Model, collection="{kept}"):
            id: int | None = None
            name: str | None = None

        class Made(Model, collection="{made}"):
            id: int | None = None
            n: int = 0

        def test_writes(directus_schema, directus_session):
            directus_schema(Made)
            Made.objects.bulk_create([Made(n=i) for i in range(3)])
            Kept.objects.create(name="during")
            assert Kept.objects.count() == 2

        def test_sees_none_of_it(directus_session):
            names = [c["collection"] for c in directus_session.request("GET", "/collections")["data"]]
            assert "{made}" not in names
            assert [k.name for k in Kept.objects.all()] == ["before"]
    """))
    try:
        result = run_pytest(tmp_path, directus_server, "-q")
        assert result.returncode == 0, result.stdout + result.stderr
        assert "2 passed" in result.stdout
        rows = session.request("GET", f"/items/{kept}")["data"]
        assert [row["name"] for row in rows] == ["before"]
    finally:
        schema.drop()


def test_a_wrong_login_for_the_running_server_is_reported(directus_server, tmp_path):
    (tmp_path / "test_any.py").write_text("def test_x(directus_session):\n    pass\n")
    env_server = type("S", (), {"url": directus_server.url, "email": directus_server.email,
                                "password": "not-the-password", "token": None})()
    result = run_pytest(tmp_path, env_server, "-q", token=False)
    assert result.returncode != 0
    assert "InvalidCredentials" in result.stdout


def test_each_xdist_worker_boots_its_own_server(tmp_path):
    (tmp_path / "test_workers.py").write_text(textwrap.dedent("""
        import os
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_where(n, directus_server, directus_session):
            worker = os.environ["PYTEST_XDIST_WORKER"]
            assert not directus_server.external
            with open(f"{worker}.url", "a") as out:
                out.write(directus_server.url + "\\n")
            assert directus_session.server.ping() == "pong"
    """))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIRECTUS_") or k == "DIRECTUS_ORM_CACHE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "directus_orm.testing.plugin", "-p", "xdist",
         "-n", "2", "-p", "no:cacheprovider", "-q"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    urls = {p.stem: set(p.read_text().split()) for p in tmp_path.glob("gw*.url")}
    assert sorted(urls) == ["gw0", "gw1"], result.stdout
    assert all(len(u) == 1 for u in urls.values())             # one server per worker...
    assert urls["gw0"].isdisjoint(urls["gw1"])                  # ...not shared
