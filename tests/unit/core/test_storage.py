"""Token storage: MemoryStorage, FileStorage (0600, atomic, corruption-tolerant), prefixes."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpx import HTTPXMock

from directus_orm import BaseStorage, FileStorage, MemoryStorage, Session
from directus_orm._core.auth import AuthCore, AuthData

from ..wire import BASE


@pytest.fixture(params=["memory", "file"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> BaseStorage:
    if request.param == "memory":
        return MemoryStorage()
    return FileStorage(tmp_path / "tokens.json")


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ------------------------------------------------------------------ both storages


def test_get_set_delete(storage: BaseStorage) -> None:
    assert storage.get("auth") is None
    value = {"mode": "json", "access_token": "A", "refresh_token": "R", "expires_at": 1.5}
    storage.set("auth", value)
    assert storage.get("auth") == value
    storage.set("auth", {"access_token": "B"})
    assert storage.get("auth") == {"access_token": "B"}
    storage.set("other", [1, "two", None])
    assert storage.get("other") == [1, "two", None]
    storage.delete("auth")
    assert storage.get("auth") is None
    assert storage.get("other") == [1, "two", None]


def test_delete_of_a_missing_key_is_not_an_error(storage: BaseStorage) -> None:
    storage.delete("never-set")
    storage.set("k", 1)
    storage.delete("k")
    storage.delete("k")
    assert storage.get("k") is None


def test_values_are_json_values(storage: BaseStorage) -> None:
    storage.set("n", 0)
    storage.set("f", False)
    storage.set("s", "")
    assert (storage.get("n"), storage.get("f"), storage.get("s")) == (0, False, "")


def test_storages_are_base_storages() -> None:
    assert issubclass(MemoryStorage, BaseStorage)
    assert issubclass(FileStorage, BaseStorage)
    with pytest.raises(TypeError):
        BaseStorage()  # type: ignore[abstract]


def test_memory_storages_are_independent() -> None:
    first, second = MemoryStorage(), MemoryStorage()
    first.set("auth", 1)
    assert second.get("auth") is None
    assert "auth" in repr(first)


# ------------------------------------------------------------------ FileStorage


def test_file_storage_persists_across_instances(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    FileStorage(path).set("auth", {"access_token": "A"})
    assert FileStorage(path).get("auth") == {"access_token": "A"}
    assert json.loads(path.read_text(encoding="utf-8")) == {"auth": {"access_token": "A"}}
    assert FileStorage(str(path)).get("auth") == {"access_token": "A"}


def test_file_is_created_with_mode_0600(tmp_path: Path, permissive_umask: None) -> None:
    path = tmp_path / "tokens.json"
    FileStorage(path).set("auth", {"access_token": "A"})
    assert mode_of(path) == 0o600


def test_a_readable_file_becomes_0600_on_the_next_write(tmp_path: Path, permissive_umask: None) -> None:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps({"auth": 1}), encoding="utf-8")
    path.chmod(0o644)
    storage = FileStorage(path)
    storage.set("auth", 2)
    assert mode_of(path) == 0o600
    storage.set("other", 3)
    storage.delete("other")
    assert mode_of(path) == 0o600


def test_missing_parent_folders_are_created(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "tokens.json"
    storage = FileStorage(path)
    assert storage.get("auth") is None
    assert not path.parent.exists()  # reading creates nothing
    storage.set("auth", 1)
    assert path.exists() and storage.get("auth") == 1


def test_writes_replace_the_file_atomically_and_leave_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    storage = FileStorage(path)
    storage.set("auth", {"refresh_token": "R0"})
    holders = []
    try:
        for i in range(1, 6):
            holders.append(path.open(encoding="utf-8"))  # a reader of the previous version
            storage.set("auth", {"refresh_token": f"R{i}"})
        # Every reader still sees the complete version it opened: each write replaced the
        # file (a new inode), none rewrote it in place.
        seen = [json.loads(h.read())["auth"]["refresh_token"] for h in holders]
        assert seen == ["R0", "R1", "R2", "R3", "R4"]
        inodes = {os.fstat(h.fileno()).st_ino for h in holders} | {path.stat().st_ino}
        assert len(inodes) == 6
    finally:
        for holder in holders:
            holder.close()
    assert storage.get("auth") == {"refresh_token": "R5"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tokens.json", "tokens.json.lock"]
    storage.delete("auth")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tokens.json", "tokens.json.lock"]
    assert json.loads(path.read_text(encoding="utf-8")) == {}


def test_a_failed_write_keeps_the_old_file_and_removes_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "tokens.json"
    storage = FileStorage(path)
    storage.set("auth", {"refresh_token": "R1"})

    def broken_dump(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(json, "dump", broken_dump)
    with pytest.raises(OSError, match="disk full"):
        storage.set("auth", {"refresh_token": "R2"})
    monkeypatch.undo()
    assert storage.get("auth") == {"refresh_token": "R1"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tokens.json", "tokens.json.lock"]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b'{"auth": {"access_token": "A"',  # truncated
        b"[1, 2, 3]",  # JSON, but not an object
        b'"a string"',
        b"null",
        # BUG (directus_orm/_storage.py, FileStorage._read): read_text() raises
        # UnicodeDecodeError outside the ``except ValueError``, so get() and even set() crash
        # and the session can never log in again. Fix: ``raw = self.path.read_bytes()`` in the
        # FileNotFoundError try, then ``json.loads(raw)`` in the ValueError try (a
        # UnicodeDecodeError is a ValueError).
        b"\xff\xfe\x00garbage",  # not even UTF-8
    ],
    ids=["empty", "garbage", "truncated", "list", "string", "null", "binary"],
)
def test_a_corrupted_file_is_treated_as_empty(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "tokens.json"
    path.write_bytes(content)
    storage = FileStorage(path)
    assert storage.get("auth") is None
    storage.delete("auth")
    storage.set("auth", {"access_token": "A"})
    assert storage.get("auth") == {"access_token": "A"}
    assert json.loads(path.read_text(encoding="utf-8")) == {"auth": {"access_token": "A"}}


def test_concurrent_writers_on_one_instance_lose_nothing(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path / "tokens.json")

    def write(n: int) -> None:
        for i in range(10):
            storage.set(f"k{n}-{i}", i)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(storage.get(f"k{n}-{i}") == i for n in range(4) for i in range(10))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tokens.json", "tokens.json.lock"]


# ------------------------------------------------------------------ AuthCore and prefixes


def log_in(core: AuthCore, access: str, refresh: str) -> AuthData:
    """Drive the login flow by hand with a canned server answer."""
    flow = core.login_flow("ada@example.com", "secret", None, None)
    step = next(flow)
    assert step.call.path == "/auth/login"  # type: ignore[union-attr]
    answer = httpx.Response(
        200, json={"data": {"access_token": access, "refresh_token": refresh, "expires": 900_000}}
    )
    with pytest.raises(StopIteration) as stop:
        flow.send(answer)
    data: AuthData = stop.value.value
    return data


def test_two_auth_cores_with_different_prefixes_share_one_storage(storage: BaseStorage) -> None:
    a = AuthCore(storage=storage, prefix="site-a:", clock=lambda: 1000.0)
    b = AuthCore(storage=storage, prefix="site-b:", clock=lambda: 1000.0)
    log_in(a, "A-access", "A-refresh")
    log_in(b, "B-access", "B-refresh")
    assert storage.get("site-a:auth") == {
        "mode": "json",
        "access_token": "A-access",
        "refresh_token": "A-refresh",
        "expires_at": 1900.0,
        "lifetime": 900.0,
    }
    assert storage.get("site-b:auth")["access_token"] == "B-access"  # type: ignore[index]
    assert storage.get("auth") is None

    # A restarted process resumes each login from its own key.
    resumed_a = AuthCore(storage=storage, prefix="site-a:")
    resumed_b = AuthCore(storage=storage, prefix="site-b:")
    resumed_a.load()
    resumed_b.load()
    assert (resumed_a.access_token, resumed_a.refresh_token, resumed_a.expires_at) == (
        "A-access",
        "A-refresh",
        1900.0,
    )
    assert resumed_b.headers() == {"Authorization": "Bearer B-access"}

    # Logging one out leaves the other alone.
    b.clear()
    assert storage.get("site-b:auth") is None
    assert storage.get("site-a:auth") is not None
    fresh_b = AuthCore(storage=storage, prefix="site-b:")
    fresh_b.load()
    assert fresh_b.access_token is None and fresh_b.headers() == {}


def test_the_default_prefix_is_empty(storage: BaseStorage) -> None:
    log_in(AuthCore(storage=storage), "A", "R")
    assert storage.get("auth")["access_token"] == "A"  # type: ignore[index]


def test_static_tokens_are_never_stored(storage: BaseStorage) -> None:
    core = AuthCore(storage=storage, prefix="p:")
    core.set_static("static-token")
    assert core.headers() == {"Authorization": "Bearer static-token"}
    assert storage.get("p:auth") is None


def test_a_stored_login_is_loaded_once_and_ignores_junk(storage: BaseStorage) -> None:
    storage.set("p:auth", "not a mapping")
    core = AuthCore(storage=storage, prefix="p:")
    core.load()
    assert core.access_token is None
    storage.set("p:auth", {"mode": "bogus", "access_token": 42, "refresh_token": "", "expires_at": "x"})
    core = AuthCore(storage=storage, prefix="p:")
    core.load()
    assert (core.mode, core.access_token, core.refresh_token, core.expires_at) == ("json", None, None, None)


def test_sessions_resume_a_file_stored_login_by_prefix(httpx_mock: HTTPXMock, tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    shared = FileStorage(path)
    log_in(AuthCore(storage=shared, prefix="one:"), "ONE", "R1")
    log_in(AuthCore(storage=shared, prefix="two:"), "TWO", "R2")
    httpx_mock.add_response(json={"data": {"id": "u1"}})
    httpx_mock.add_response(json={"data": {"id": "u2"}})
    with Session(BASE, storage=FileStorage(path), storage_prefix="one:") as one:
        one.request("GET", "/users/me")
    with Session(BASE, storage=FileStorage(path), storage_prefix="two:") as two:
        two.request("GET", "/users/me")
    first, second = httpx_mock.get_requests()
    assert first.headers["Authorization"] == "Bearer ONE"
    assert second.headers["Authorization"] == "Bearer TWO"
    assert mode_of(path) == 0o600
