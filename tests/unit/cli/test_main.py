"""The directus-orm command line without a server: help, usage errors, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from directus_orm.cli.main import SUBCOMMANDS, main

ROOT = Path(__file__).resolve().parents[3]
BASE = "http://directus.test"


def test_the_command_line_helps_and_fails_clearly(capsys, monkeypatch) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    for name in SUBCOMMANDS:
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0
        out = capsys.readouterr().out
        # Every subcommand talks to a server, but serve, which starts one.
        assert ("--url" in out) is (name != "serve")
    for var in ("DIRECTUS_URL", "DIRECTUS_TOKEN", "DIRECTUS_EMAIL", "DIRECTUS_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    assert main(["inspect"]) == 1
    assert "no server: pass --url or set DIRECTUS_URL" in capsys.readouterr().err
    monkeypatch.setenv("DIRECTUS_URL", BASE)
    assert main(["check", "x.py"]) == 1
    assert "no credentials" in capsys.readouterr().err
    assert main([]) == 2
    run = subprocess.run([sys.executable, "-m", "directus_orm", "--help"], capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 0 and "inspect" in run.stdout
