"""``directus-orm serve``: a local server from the command line, and ``--data`` across restarts."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from directus_orm import localserver
from directus_orm.cli.main import main as cli_main

from ..conftest import DATABASE, VERSION

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[2]


class Serve:
    """``python -m directus_orm.cli serve ...`` in the background, read until it is ready."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "DIRECTUS_VERSION": VERSION, "DIRECTUS_DB": DATABASE}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "directus_orm.cli", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.output: list[str] = []
        self.url = ""
        deadline = time.monotonic() + 240
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            found = re.search(r"is running at (http://127\.0\.0\.1:\d+)", line)
            if found:
                self.url = found.group(1)
            if "Press Ctrl-C to stop." in line:
                return
            if time.monotonic() > deadline:
                break
        self.stop()
        pytest.fail("serve did not start:\n" + "".join(self.output))

    def stop(self) -> int:
        """Ctrl-C, as a user would; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            rest, _ = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rest, _ = self.proc.communicate()
        self.output.append(rest or "")
        return self.proc.returncode


def _token(url: str) -> str:
    response = httpx.post(
        f"{url}/auth/login",
        json={"email": localserver.ADMIN_EMAIL, "password": localserver.ADMIN_PASSWORD},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["data"]["access_token"])


def test_serve_prints_url_and_login_and_stops_on_ctrl_c(tmp_path):
    server = Serve()
    try:
        text = "".join(server.output)
        assert f"Directus {VERSION} ({DATABASE}) is running at {server.url}" in text
        assert f"admin email:    {localserver.ADMIN_EMAIL}" in text
        assert f"admin password: {localserver.ADMIN_PASSWORD}" in text
        assert httpx.get(f"{server.url}/server/ping", timeout=30).text == "pong"
    finally:
        code = server.stop()
    assert code == 0
    with pytest.raises(httpx.TransportError):  # stopped: nothing listens any more
        httpx.get(f"{server.url}/server/ping", timeout=5)


@pytest.fixture
def data_dir():
    # Not under pytest's tmp_path: pytest sessions running at the same time prune each other's
    # old temp folders, and a PostgreSQL cluster must not vanish under its server.
    with tempfile.TemporaryDirectory(prefix="directus-orm-serve-") as folder:
        yield Path(folder) / "directus-data"


def test_serve_data_keeps_a_collection_and_the_port_across_restarts(data_dir):
    data = data_dir
    first = Serve("--data", str(data))
    try:
        headers = {"Authorization": f"Bearer {_token(first.url)}"}
        created = httpx.post(
            f"{first.url}/collections",
            json={"collection": "kept_notes", "meta": {}, "schema": {},
                  "fields": [{"field": "id", "type": "integer", "schema": {"is_primary_key": True,
                              "has_auto_increment": True}, "meta": {"hidden": True}},
                             {"field": "text", "type": "string", "meta": {}, "schema": {}}]},
            headers=headers, timeout=60,
        )
        assert created.status_code == 200, created.text
        item = httpx.post(f"{first.url}/items/kept_notes", json={"text": "still here"},
                          headers=headers, timeout=30)
        assert item.status_code == 200, item.text
        upload = httpx.post(f"{first.url}/files", files={"file": ("note.txt", b"kept bytes", "text/plain")},
                            headers=headers, timeout=30)
        assert upload.status_code == 200, upload.text
        file_id = upload.json()["data"]["id"]
    finally:
        assert first.stop() == 0

    second = Serve("--data", str(data))
    try:
        assert second.url == first.url  # the same port: bookmarks and .env files keep working
        headers = {"Authorization": f"Bearer {_token(second.url)}"}
        items = httpx.get(f"{second.url}/items/kept_notes", headers=headers, timeout=30)
        assert items.status_code == 200, items.text
        assert [row["text"] for row in items.json()["data"]] == ["still here"]
        asset = httpx.get(f"{second.url}/assets/{file_id}", headers=headers, timeout=30)
        assert asset.status_code == 200 and asset.content == b"kept bytes"
    finally:
        assert second.stop() == 0


def test_serve_data_refuses_another_version_or_database(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    (data / "directus-orm-server.json").write_text('{"directus": "10.0.0", "database": "sqlite"}')
    code = cli_main(["serve", "--data", str(data), "--version", VERSION, "--db", DATABASE])
    assert code == 1
    err = capsys.readouterr().err
    assert "holds a Directus 10.0.0 database on sqlite" in err


def test_serve_rejects_a_malformed_env_pair(capsys):
    assert cli_main(["serve", "--env", "NOEQUALS"]) == 2
    assert "--env expects KEY=VALUE, got 'NOEQUALS'" in capsys.readouterr().err
