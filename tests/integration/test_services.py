"""Services against a real Directus: users, 2FA, invites, files, history, schema, utils, server.

Every test deletes what it creates (the Core license allows 3 users with app
access and 25 collections; the users made here have no app access). Secrets
(passwords, TOTP secrets, tokens) are never printed.
"""

from __future__ import annotations

import asyncio
import email
import hashlib
import http.server
import io
import os
import re
import secrets
import sqlite3
import stat
import struct
import sys
import threading
import time
import tracemalloc
import uuid
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

import directus_orm as d
from directus_orm import AsyncSession, Session
from directus_orm._services.utils import ARGON2_PARAMETERS

from . import schema as f
from .schema import Schema, unique
from .totp import totp as _totp

MB = 1024 * 1024


def totp(secret: str) -> str:
    """The current code, never one about to expire: Directus checks with no window."""
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.2)
    return _totp(secret)


# ------------------------------------------------------------------ helpers


@contextmanager
def limited_user(
    session: Session, permissions: Sequence[tuple[str, str]] = ()
) -> Iterator[tuple[str, str, str]]:
    """A user without app access whose policy grants ``(collection, action)`` with fields *.

    Yields (id, email, password); deletes the user, role and policy afterwards.
    """
    tag = uuid.uuid4().hex[:8]
    email_ = f"svc-{tag}@example.com"
    password = "pw-" + secrets.token_urlsafe(12)
    policy = session.request("POST", "/policies", json={
        "name": f"svc policy {tag}", "app_access": False, "admin_access": False,
        "permissions": [{"collection": c, "action": a, "fields": ["*"]} for c, a in permissions],
    })["data"]
    role = session.request("POST", "/roles", json={
        "name": f"svc role {tag}", "policies": [{"policy": policy["id"]}],
    })["data"]
    user = session.request("POST", "/users", json={
        "email": email_, "password": password, "role": role["id"],
    })["data"]
    try:
        yield user["id"], email_, password
    finally:
        for path in (f"/users/{user['id']}", f"/roles/{role['id']}", f"/policies/{policy['id']}"):
            try:
                session.request("DELETE", path)
            except d.DirectusError:
                pass


def delete_users_by_email(session: Session, emails: list[str]) -> None:
    for user in d.DirectusUser.objects.using(session).filter(email__in=emails):
        user.delete(using=session)


def png(width: int, height: int) -> bytes:
    """A small RGB PNG, made without any imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"".join(bytes([(x * 7) % 256, (y * 5) % 256, 90]) for x in range(width))
                   for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    return struct.unpack(">II", data[16:24])


def db_path(server: Any) -> Path | None:
    """The SQLite file of a local SQLite test server (None for an external or PostgreSQL one)."""
    return server.sqlite_path


# ----------------------------------------------------------- extra server

MAIL_SCRIPT = """#!/bin/sh
cat > "{dir}/mail-$(date +%s%N)-$$.eml"
"""


@pytest.fixture(scope="session")
def mail_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("directus-mail")


@pytest.fixture(scope="session")
def extra_server(directus_factory, mail_dir: Path):
    """A second server: mail goes to ``mail_dir`` (sendmail), loopback imports allowed."""
    script = mail_dir / "sendmail.sh"
    script.write_text(MAIL_SCRIPT.format(dir=mail_dir))
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return directus_factory(env={
        "EMAIL_TRANSPORT": "sendmail",
        "EMAIL_SENDMAIL_PATH": str(script),
        "IMPORT_IP_DENY_LIST": "169.254.169.254",
        "DIRECTUS_ORM_TEST_SERVICES": "1",
    })


@pytest.fixture
def extra(extra_server) -> Iterator[Session]:
    with Session(extra_server.url) as s:
        s.auth.login(extra_server.email, extra_server.password)
        yield s


def wait_for_mail(mail_dir: Path, to: str, timeout: float = 20.0) -> str:
    """The decoded text of the newest mail to ``to``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("mail-*.eml"), reverse=True):
            message = email.message_from_bytes(path.read_bytes())
            if to not in str(message.get("To", "")):
                continue
            texts = []
            for part in message.walk():
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    texts.append(payload.decode("utf-8", "replace"))
            return "\n".join(texts)
        time.sleep(0.2)
    raise AssertionError(f"no mail to {to} within {timeout}s")


# ====================================================================== users


class User(d.DirectusUser):
    """An app's user model: DirectusUser plus fields of its own."""

    nickname: str | None = None


def test_me_returns_the_typed_user(session, directus_server):
    me = session.users.me()
    assert isinstance(me, d.DirectusUser)
    assert me.email == directus_server.email
    assert me.status == "active"
    assert me.password == "**********"  # concealed, never the hash

    partial = session.users.me(fields=["id", "email"])
    assert partial.loaded_fields == {"id", "email"}
    with pytest.raises(d.FieldNotLoaded):
        _ = partial.first_name

    extended = session.users.me(model=User)
    assert isinstance(extended, User) and extended.id == me.id


def test_update_me_and_its_errors(session):
    before = session.users.me(fields=["id", "location"]).location
    try:
        updated = session.users.update_me(location="Mars base")
        assert updated is not None and updated.location == "Mars base"
        again = session.users.update_me({"location": "Moon"}, fields=["location"])
        assert again is not None and again.loaded_fields == {"location"}
        assert again.location == "Moon"
    finally:
        session.users.update_me(location=before)
    with pytest.raises(d.FailedValidation) as caught:
        session.users.update_me(email="not an email")
    assert caught.value.fields == ["email"]


def test_me_without_login_is_invalid_credentials(directus_server):
    with Session(directus_server.url) as anonymous, pytest.raises(d.InvalidCredentials):
        anonymous.users.me()


def test_me_of_a_user_who_may_not_read_users_has_only_the_id(session, directus_server):
    with limited_user(session) as (user_id, email_, password), \
            Session(directus_server.url) as s:
        s.auth.login(email_, password)
        me = s.users.me()
        assert me.id == user_id
        assert me.loaded_fields == {"id"}


def test_tfa_enable_then_totp_login_then_disable(session, directus_server):
    perms = [("directus_users", "read"), ("directus_users", "update")]
    with limited_user(session, perms) as (user_id, email_, password), \
            Session(directus_server.url) as s:
        s.auth.login(email_, password)
        with pytest.raises(d.InvalidCredentials):
            s.users.tfa.generate("wrong password")
        assert s.users.me().id == user_id  # a wrong password is not a dead token
        with pytest.raises(d.InvalidPayload):  # not enabled yet
            s.users.tfa.disable("123456")

        secret = s.users.tfa.generate(password)
        assert set(secret) == {"secret", "otpauth_url"}
        assert secret["otpauth_url"].startswith("otpauth://totp/")
        with pytest.raises(d.InvalidPayload):  # a wrong code does not enable 2FA
            s.users.tfa.enable(secret["secret"], "000000" if totp(secret["secret"]) != "000000"
                               else "111111")
        s.users.tfa.enable(secret["secret"], totp(secret["secret"]))
        assert s.users.me().tfa_secret == "**********"

        with Session(directus_server.url) as other:
            with pytest.raises(d.InvalidOTP):
                other.auth.login(email_, password)
            with pytest.raises(d.InvalidOTP):
                other.auth.login(email_, password, otp="000000" if totp(secret["secret"]) != "000000"
                                 else "111111")
            other.auth.login(email_, password, otp=totp(secret["secret"]))
            assert other.users.me().id == user_id

        s.users.tfa.disable(totp(secret["secret"]))
        assert s.users.me().tfa_secret is None
        with Session(directus_server.url) as plain:
            plain.auth.login(email_, password)  # no otp needed any more


def test_admin_disables_another_users_tfa(session, directus_server):
    perms = [("directus_users", "read"), ("directus_users", "update")]
    with limited_user(session, perms) as (user_id, email_, password), \
            Session(directus_server.url) as s:
        s.auth.login(email_, password)
        secret = s.users.tfa.generate(password)["secret"]
        s.users.tfa.enable(secret, totp(secret))
        session.users.tfa.disable_for(user_id)
        with Session(directus_server.url) as plain:
            plain.auth.login(email_, password)


async def test_async_users_and_tfa(asession, session, directus_server):
    me = await asession.users.me(model=User, fields=["id", "email"])
    assert isinstance(me, User) and me.email == directus_server.email
    perms = [("directus_users", "read"), ("directus_users", "update")]
    with limited_user(session, perms) as (_user_id, email_, password):
        async with AsyncSession(directus_server.url) as s:
            await s.auth.login(email_, password)
            updated = await s.users.update_me(title="Tester")
            assert updated is not None and updated.title == "Tester"
            secret = (await s.users.tfa.generate(password))["secret"]
            await s.users.tfa.enable(secret, totp(secret))
            async with AsyncSession(directus_server.url) as other:
                with pytest.raises(d.InvalidOTP):
                    await other.auth.login(email_, password)
                await other.auth.login(email_, password, otp=totp(secret))
            await s.users.tfa.disable(totp(secret))


def test_invite_is_verified_and_accepted_end_to_end(extra, extra_server, mail_dir):
    role = extra.request("POST", "/roles", json={"name": "invitees " + uuid.uuid4().hex[:6]})["data"]
    address = f"invitee-{uuid.uuid4().hex[:8]}@example.com"
    try:
        result = extra.users.invite(address, role["id"])
        assert result.verified and result.invited == (address,) and result.existing == ()
        assert result.users[0].status == "invited"

        text = wait_for_mail(mail_dir, address)
        match = re.search(r"token=([A-Za-z0-9._-]+)", text)
        assert match, "the invite mail carries a token"
        token = match.group(1)

        with Session(extra_server.url) as anonymous:
            with pytest.raises(d.InvalidToken):
                anonymous.users.accept_invite(token[:-4] + "abcd", "whatever-123")
            anonymous.users.accept_invite(token, "accepted-Pw-123")
            anonymous.auth.login(address, "accepted-Pw-123")
            # The invitee's role has no policy: /users/me tells only the id.
            assert anonymous.users.me().id == result.users[0].id
            with pytest.raises(d.DirectusError):  # an invite works once
                anonymous.users.accept_invite(token, "again-Pw-123")

        # Inviting an existing, active user sends nothing and says so.
        again = extra.users.invite([address], role["id"])
        assert again.verified and again.invited == () and again.existing == (address,)
    finally:
        delete_users_by_email(extra, [address])
        extra.request("DELETE", f"/roles/{role['id']}")


def test_forbidden_invite_is_never_reported_as_success(session, directus_server):
    """Directus 12 answers 204 to a forbidden invite and creates nothing (11 answers 403)."""
    role = session.users.me(fields=["role"]).role
    address = f"never-{uuid.uuid4().hex[:8]}@example.com"
    version = session.server.version()
    assert version is not None
    # Can read users but not create them: the read-back shows nothing was created.
    with limited_user(session, [("directus_users", "read")]) as (_id, email_, password), \
            Session(directus_server.url) as s:
        s.auth.login(email_, password)
        if version >= "12":
            with pytest.raises(d.InviteNotCreated) as caught:
                s.users.invite(address, role)
            assert caught.value.missing == [address]
        else:
            with pytest.raises(d.Forbidden):
                s.users.invite(address, role)
    # Cannot even read users: nothing can be known, and the result says so.
    with limited_user(session) as (_id, email_, password), Session(directus_server.url) as s:
        s.auth.login(email_, password)
        if version >= "12":
            result = s.users.invite(address, role)
            assert result.verified is False and result.invited == ()
        else:
            with pytest.raises(d.Forbidden):
                s.users.invite(address, role)
    assert not d.DirectusUser.objects.filter(email=address).exists()

    with pytest.raises(d.InvalidPayload):  # not a valid role id
        session.users.invite(address, "not-a-uuid")


def test_register_follows_the_public_registration_setting(session, directus_server):
    address = f"reg-{uuid.uuid4().hex[:8]}@example.com"
    with Session(directus_server.url) as anonymous:
        with pytest.raises(d.Forbidden):  # public_registration is off by default
            anonymous.users.register(address, "Reg-Pw-12345")
        session.settings.update(public_registration=True, public_registration_verify_email=False)
        try:
            anonymous.users.register(address, "Reg-Pw-12345", first_name="Reg")
        finally:
            session.settings.update(public_registration=False,
                                    public_registration_verify_email=True)
        try:
            user = d.DirectusUser.objects.using(session).get(email=address)
            assert user.first_name == "Reg" and user.status == "active"
            anonymous.auth.login(address, "Reg-Pw-12345")
        finally:
            delete_users_by_email(session, [address])
        with pytest.raises(d.InvalidToken):
            anonymous.users.register_verify("not-a-token")


# ====================================================================== files


def test_upload_of_a_large_file_streams_with_progress(session, tmp_path):
    size = 12 * MB + 12345
    path = tmp_path / "big.bin"
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        block = secrets.token_bytes(MB)
        written = 0
        while written < size:
            piece = block[: min(MB, size - written)]
            out.write(piece)
            digest.update(piece)
            written += len(piece)

    seen: list[tuple[int, int | None]] = []
    tracemalloc.start()
    try:
        uploaded = session.files.upload(path, title="Big file", on_progress=lambda a, b: seen.append((a, b)))
        _, upload_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert uploaded is not None
    try:
        assert uploaded.filesize == size and uploaded.filename_download == "big.bin"
        assert uploaded.title == "Big file"
        sent = [a for a, _ in seen]
        assert len(sent) > 100
        assert all(b == size for _, b in seen)
        assert sent == sorted(sent) and len(set(sent)) == len(sent)  # strictly increasing
        assert sent[-1] == size
        assert upload_peak < 4 * MB, f"upload held {upload_peak} bytes"

        # Streaming download: never holds the file.
        received = hashlib.sha256()
        count = 0
        tracemalloc.start()
        try:
            with session.files.stream(uploaded.id) as stream:
                assert stream.content_length == size
                assert stream.filename == "big.bin"
                for chunk in stream:
                    received.update(chunk)
                    count += len(chunk)
            _, download_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert count == size and received.hexdigest() == digest.hexdigest()
        assert download_peak < 2 * MB, f"download held {download_peak} bytes"
    finally:
        uploaded.delete()


def test_upload_from_bytes_and_stream_with_metadata(session):
    folder = d.DirectusFolder.objects.create(name="svc " + uuid.uuid4().hex[:6])
    created: list[d.DirectusFile] = []
    try:
        one = session.files.upload(
            b"hello world", filename="hello.txt", title="Greeting", folder=folder.id,
            description="said once", tags=["a", "b"], metadata={"k": 1},
        )
        assert one is not None
        created.append(one)
        assert (one.title, one.folder, one.description, one.tags, one.metadata) == (
            "Greeting", folder.id, "said once", ["a", "b"], {"k": 1})
        assert one.type == "text/plain" and one.filesize == 11

        stream = io.BytesIO(b"\x00\x01binary" * 1000)
        two = session.files.upload(stream, filename="data.bin", fields=["id", "type", "filesize"])
        assert two is not None
        created.append(two)
        assert two.loaded_fields == {"id", "type", "filesize"}
        assert two.filesize == 8000 and two.type == "application/octet-stream"
        assert session.files.download(two.id) == b"\x00\x01binary" * 1000

        replaced = session.files.replace(one.id, b"new and longer content", filename="hello.txt")
        assert replaced is not None and replaced.filesize == 22
        assert session.files.download(one) == b"new and longer content"

        assert len(d.DirectusFile.objects.filter(folder=folder.id)) == 1
        archive = session.files.download_folder_zip(folder.id)
        assert archive[:2] == b"PK"
        assert session.files.download_zip([one.id, two.id])[:2] == b"PK"
    finally:
        for item in created:
            item.delete()
        folder.delete()


def test_upload_many_keeps_each_files_metadata(session):
    files = session.files.upload_many([
        d.Upload(b"first", filename="first.txt", title="First"),
        d.Upload(b"second!", filename="second.txt", title="Second", description="2nd"),
        b"third file",
    ])
    try:
        assert [f_.title for f_ in files] == ["First", "Second", "File"]
        assert [f_.filesize for f_ in files] == [5, 7, 10]
        assert files[1].description == "2nd"
    finally:
        for item in files:
            item.delete()


def test_upload_errors(session):
    with pytest.raises(TypeError):
        session.files.upload(12345)  # type: ignore[arg-type]
    with pytest.raises(d.InvalidForeignKey):  # no such folder
        session.files.upload(b"x", filename="x.txt", folder=str(uuid.uuid4()))
    with pytest.raises(FileNotFoundError):
        session.files.upload("/no/such/file.txt")


def test_asset_transforms_and_their_errors(session):
    image = session.files.upload(png(64, 48), filename="pic.png")
    assert image is not None
    try:
        assert (image.width, image.height) == (64, 48)
        assert png_size(session.files.download(image.id)) == (64, 48)
        assert png_size(session.files.download(image.id, width=16, height=16, fit="inside")) == (16, 12)
        assert png_size(session.files.download(image.id, width=20, height=20, fit="cover")) == (20, 20)
        webp = session.files.download(image.id, width=10, format="webp", quality=50)
        assert webp[:4] == b"RIFF" and webp[8:12] == b"WEBP"
        with session.files.stream(image.id, download=True) as stream:
            assert stream.response.headers["content-disposition"].startswith("attachment")
            assert stream.content_type == "image/png"

        with pytest.raises(ValueError):
            session.files.download(image.id, fit="stretch")  # type: ignore[typeddict-item]
        with pytest.raises(ValueError):
            session.files.download(image.id, quality=0)
        with pytest.raises(TypeError):
            session.files.download(image.id, colour="red")  # type: ignore[call-arg]
        with pytest.raises(d.InvalidQuery):  # unknown preset key
            session.files.download(image.id, key="no-such-preset")
        version = session.server.version()
        assert version is not None
        if version >= "12":
            with pytest.raises(d.DirectusError) as caught:  # over the 6000 px output cap
                session.files.download(image.id, width=7000)
            assert caught.value.status == 400 and caught.value.code == "ILLEGAL_ASSET_TRANSFORMATION"
        else:  # Directus 11 caps the source image's size only, not the output's
            assert png_size(session.files.download(image.id, width=7000))[0] == 7000
    finally:
        image.delete()
    with pytest.raises(d.Forbidden):  # a missing file looks like a forbidden one
        session.files.download(image.id or str(uuid.uuid4()))
    with pytest.raises(d.Forbidden), session.files.stream(str(uuid.uuid4())):
        pass


async def test_async_upload_stream_and_download(asession, tmp_path):
    path = tmp_path / "async.bin"
    path.write_bytes(os.urandom(3 * MB))
    seen: list[int] = []
    uploaded = await asession.files.upload(path, on_progress=lambda a, b: seen.append(a))
    assert uploaded is not None
    try:
        assert uploaded.filesize == 3 * MB and seen[-1] == 3 * MB
        chunks = [c async for c in asession.files.stream(uploaded.id, chunk_size=MB // 2)]
        assert b"".join(chunks) == path.read_bytes()
        async with asession.files.stream(uploaded.id) as stream:
            assert stream.content_length == 3 * MB
            total = 0
            async for chunk in stream:
                total += len(chunk)
        assert total == 3 * MB
        assert (await asession.files.download(uploaded.id))[:100] == path.read_bytes()[:100]
        many = await asession.files.upload_many([d.Upload(b"a", filename="a.txt"),
                                                  d.Upload(b"bb", filename="b.txt")])
        assert [m.filesize for m in many] == [1, 2]
        for item in many:
            await item.adelete()
        replaced = await asession.files.replace(uploaded, b"tiny", filename="async.bin")
        assert replaced is not None and replaced.filesize == 4
        assert (await asession.files.download_zip([uploaded.id]))[:2] == b"PK"
    finally:
        await uploaded.adelete()
    with pytest.raises(d.ServiceUnavailable):
        await asession.files.import_url("http://127.0.0.1:9/nothing.txt")


class _OneFile(http.server.BaseHTTPRequestHandler):
    body = b"imported over http\n"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def http_file_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OneFile)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/notes.txt"
    finally:
        server.shutdown()
        server.server_close()


def test_import_url(session, extra):
    with http_file_server() as url:
        # The default IMPORT_IP_DENY_LIST blocks loopback and private addresses.
        with pytest.raises(d.ServiceUnavailable):
            session.files.import_url(url)
        imported = extra.files.import_url(url, title="Imported", description="from a URL")
        assert imported is not None
        try:
            assert imported.title == "Imported" and imported.description == "from a URL"
            assert extra.files.download(imported.id) == _OneFile.body
        finally:
            imported.delete(using=extra)
    with pytest.raises(d.InvalidPayload):
        session.files.import_url("")


# ============================================ comments, activity, revisions, presets


@pytest.fixture
def notes(schema: Schema) -> str:
    name = unique("svc_notes")
    schema.collection(name, [f.string("title"), f.integer("sort")], sort_field="sort")
    return name


def test_comments_crud_and_errors(session, notes):
    item = session.request("POST", f"/items/{notes}", json={"title": "commented"})["data"]["id"]
    first = session.comments.create(notes, item, "first!")
    second = session.comments.create(notes, item, "second")
    assert first is not None and second is not None
    assert first.item == str(item) and first.collection == notes
    assert [c.comment for c in session.comments.list(notes, item)] == ["first!", "second"]
    changed = session.comments.update(first, "edited")
    assert changed is not None and changed.comment == "edited"
    session.comments.delete([first, second.id])
    assert session.comments.list(notes, item) == []
    with pytest.raises(d.DirectusError) as caught:  # item is required
        session.comments.create(notes, "", "orphan")
    assert caught.value.status == 400
    # Directus answers 204 to a PATCH of a comment that does not exist: no object.
    assert session.comments.update(str(uuid.uuid4()), "nobody") is None


def test_activity_revisions_and_revert(session, notes):
    item = session.request("POST", f"/items/{notes}", json={"title": "v1"})["data"]["id"]
    session.request("PATCH", f"/items/{notes}/{item}", json={"title": "v2"})

    activity = session.activity.list(notes, item)
    assert [a.action for a in activity] == ["update", "create"]  # newest first
    assert session.activity.get(activity[0].id).item == str(item)
    assert len(session.activity.list(action="create", limit=2)) <= 2

    revisions = session.revisions.list(notes, item)
    assert [r.delta for r in revisions] == [{"title": "v2"}, {"title": "v1", "sort": None}] or \
        revisions[0].delta == {"title": "v2"}
    original = revisions[-1]
    assert session.revisions.get(original.id).data["title"] == "v1"  # type: ignore[index]

    session.revisions.revert(original)
    assert session.request("GET", f"/items/{notes}/{item}")["data"]["title"] == "v1"
    session.utils.revert(revisions[0].id)
    assert session.request("GET", f"/items/{notes}/{item}")["data"]["title"] == "v2"

    with pytest.raises(d.Forbidden):
        session.utils.revert(10**9)
    with pytest.raises(d.DirectusActivity.DoesNotExist):
        session.activity.get(10**9)
    with pytest.raises(d.DirectusRevision.DoesNotExist):
        session.revisions.get(10**9)


def test_presets_crud(session, notes):
    preset = session.presets.create(collection=notes, bookmark="Mine", layout="tabular",
                                    layout_query={"tabular": {"sort": ["-id"]}})
    assert preset is not None and preset.id is not None
    try:
        assert [p.bookmark for p in session.presets.list(notes)] == ["Mine"]
        assert session.presets.get(preset.id).layout_query == {"tabular": {"sort": ["-id"]}}
        renamed = session.presets.update(preset, bookmark="Renamed")
        assert renamed is not None and renamed.bookmark == "Renamed"
    finally:
        session.presets.delete(preset)
    assert session.presets.list(notes) == []
    with pytest.raises(d.DirectusPreset.DoesNotExist):
        session.presets.get(preset.id)


async def test_async_history_services(asession, session, notes):
    item = session.request("POST", f"/items/{notes}", json={"title": "a1"})["data"]["id"]
    comment = await asession.comments.create(notes, item, "async comment")
    assert comment is not None
    assert [c.comment for c in await asession.comments.list(notes, item)] == ["async comment"]
    assert (await asession.comments.update(comment, "changed")).comment == "changed"  # type: ignore[union-attr]
    await asession.comments.delete(comment)
    activity = await asession.activity.list(notes, item)
    assert activity[0].action == "create"
    assert (await asession.activity.get(activity[0].id)).collection == notes
    revisions = await asession.revisions.list(notes, item)
    assert (await asession.revisions.get(revisions[0].id)).item == str(item)
    await asession.revisions.revert(revisions[0])
    preset = await asession.presets.create(collection=notes, bookmark="Async")
    assert preset is not None
    assert (await asession.presets.get(preset.id)).bookmark == "Async"
    assert (await asession.presets.update(preset, icon="star")).icon == "star"  # type: ignore[union-attr]
    assert len(await asession.presets.list(notes)) == 1
    await asession.presets.delete(preset.id)


# ==================================================================== settings


def test_settings_read_and_update(session):
    settings = session.settings.read()
    assert isinstance(settings, d.DirectusSettings)
    assert settings.auth_login_attempts == 25
    assert "mcp_allow_deletes" in (settings.model_extra or {})  # undeclared fields are kept
    original = settings.project_name
    try:
        updated = session.settings.update(project_name="Services test", project_color="#112233")
        assert updated is not None and updated.project_name == "Services test"
        assert session.settings.read(fields=["project_color"]).project_color == "#112233"
    finally:
        session.settings.update({"project_name": original, "project_color": settings.project_color})
    with pytest.raises(d.InvalidForeignKey):
        session.settings.update(public_registration_role=str(uuid.uuid4()))


async def test_async_settings(asession):
    settings = await asession.settings.read(fields=["project_name"])
    assert settings.loaded_fields == {"project_name"}
    updated = await asession.settings.update(project_descriptor="async")
    assert updated is not None and updated.project_descriptor == "async"
    await asession.settings.update(project_descriptor=None)


# ====================================================== collections, fields, relations


def test_collections_fields_relations_from_python(session):
    authors, books = unique("svc_authors"), unique("svc_books")
    try:
        made = session.collections.create(authors, [
            {"field": "name", "type": "string", "schema": {"is_nullable": False}},
            {"field": "born", "type": "timestamp"},  # SQLite needs a meta: added for us
            {"field": "extra", "type": "json", "meta": {"special": ["cast-json"]}},
        ], meta={"note": "people who write"})
        assert made is not None and made.collection == authors
        assert made.meta is not None and made.meta.note == "people who write"
        assert made.schema_ is not None and made.schema_.name == authors
        session.collections.create(books, [{"field": "title", "type": "string"}])

        names = {c.collection for c in session.collections.list()}
        assert {authors, books} <= names and "directus_users" in names
        assert session.collections.get(authors).meta.note == "people who write"  # type: ignore[union-attr]
        updated = session.collections.update(authors, {"note": "changed", "icon": "person"})
        assert updated is not None and updated.meta is not None and updated.meta.icon == "person"

        fields = session.fields.list(authors)
        assert [x.field for x in fields] == ["id", "name", "born", "extra"]
        assert fields[0].schema_ is not None and fields[0].schema_.is_primary_key

        field = session.fields.create(books, "author", "integer", meta={"special": ["m2o"]})
        assert field is not None and field.type == "integer" and field.collection == books
        session.fields.create(authors, "books", "alias", meta={"special": ["o2m"]})
        relation = session.relations.create(books, "author", authors,
                                            meta={"one_field": "books"},
                                            schema={"on_delete": "SET NULL"})
        assert relation is not None and relation.related_collection == authors
        assert relation.meta is not None and relation.meta.one_field == "books"
        assert [r.field for r in session.relations.list(books)] == ["author"]
        assert session.relations.get(books, "author").schema_.on_delete == "SET NULL"  # type: ignore[union-attr]
        changed = session.relations.update(books, "author", schema={"on_delete": "CASCADE"})
        assert changed is not None and changed.schema_ is not None
        assert changed.schema_.on_delete == "CASCADE"

        # It works as a relation: write and read through it.
        author = session.request("POST", f"/items/{authors}", json={"name": "Ann"})["data"]["id"]
        session.request("POST", f"/items/{books}", json={"title": "B1", "author": author})
        got = session.request("GET", f"/items/{authors}/{author}", query={"fields": ["books.title"]})
        assert got["data"]["books"] == [{"title": "B1"}]

        session.relations.delete(books, "author")
        # On SQLite the foreign key stays; /relations lists it without meta.
        assert [r.meta for r in session.relations.list(books)] in ([], [None])
        session.fields.delete(books, "author")
        assert "author" not in {x.field for x in session.fields.list(books)}

        # (Not before deleting the relation: on SQLite, Directus 12.4 deadlocks on
        # DELETE /relations after a PATCH /fields of the same collection.)
        note = session.fields.update(books, "title", meta={"note": "the title"})
        assert note is not None and note.meta is not None and note.meta.note == "the title"
        assert session.fields.get(books, "title").meta.note == "the title"  # type: ignore[union-attr]

        # Error paths.
        with pytest.raises(d.Forbidden):
            session.collections.get("svc_no_such_collection")
        with pytest.raises(d.Forbidden):
            session.fields.get(books, "no_such_field")
        with pytest.raises(d.Forbidden):
            session.relations.get(books, "title")
        with pytest.raises(d.InvalidPayload):  # exists already
            session.collections.create(books)
        with pytest.raises(d.InvalidPayload):
            session.fields.create(books, "title", "string")
        with pytest.raises(d.InvalidPayload):
            session.fields.create(books, "weird", "no-such-type")
    finally:
        for name in (books, authors):
            try:
                session.collections.delete(name)
            except d.DirectusError:
                pass
    with pytest.raises(d.Forbidden):
        session.collections.delete(books)


async def test_async_collections_fields_relations(asession):
    left, right = unique("svc_left"), unique("svc_right")
    try:
        await asession.collections.create(left, [{"field": "name", "type": "string"}])
        await asession.collections.create(right, [{"field": "left", "type": "integer"}])
        assert (await asession.collections.get(left)).collection == left
        assert any(c.collection == left for c in await asession.collections.list())
        assert (await asession.collections.update(left, {"note": "n"})).meta.note == "n"  # type: ignore[union-attr]
        await asession.fields.create(left, "size", "integer", schema={"default_value": 3})
        assert (await asession.fields.get(left, "size")).schema_.default_value == 3  # type: ignore[union-attr]
        assert len(await asession.fields.list(left)) == 3
        await asession.relations.create(right, "left", left)
        assert (await asession.relations.get(right, "left")).related_collection == left
        await asession.relations.update(right, "left", meta={"one_deselect_action": "delete"})
        assert len(await asession.relations.list(right)) == 1
        await asession.relations.delete(right, "left")
        await asession.fields.update(left, "size", meta={"note": "how big"})
        await asession.fields.delete(left, "size")
    finally:
        for name in (right, left):
            try:
                await asession.collections.delete(name)
            except d.DirectusError:
                pass


@pytest.mark.smoke
def test_schema_snapshot_diff_apply_onto_a_fresh_server(session, extra, directus_server):
    name = unique("svc_schema")
    session.collections.create(name, [
        {"field": "title", "type": "string"},
        {"field": "count", "type": "integer", "schema": {"default_value": 0}},
    ], meta={"note": "travels"})
    try:
        snapshot = session.schema.snapshot()
        assert snapshot["directus"]
        if directus_server.database is not None:  # our own server: "sqlite" or "postgres"
            assert snapshot["vendor"] == directus_server.database
        assert name in {c["collection"] for c in snapshot["collections"]}

        assert session.schema.diff(snapshot) is None  # no difference with itself: 204

        diff = extra.schema.diff(snapshot)
        assert diff is not None and diff["hash"]
        assert any(c["collection"] == name for c in diff["diff"]["collections"])
        extra.schema.apply(diff)
        try:
            copied = extra.collections.get(name)
            assert copied.meta is not None and copied.meta.note == "travels"
            assert {x.field for x in extra.fields.list(name)} == {"id", "title", "count"}
            assert extra.schema.diff(snapshot) is None

            with pytest.raises(d.InvalidPayload):  # the diff's hash is stale now
                extra.schema.apply(diff)
        finally:
            extra.collections.delete(name)
    finally:
        session.collections.delete(name)
    with pytest.raises(d.InvalidPayload):
        session.schema.diff({"version": 1})


def test_schema_needs_an_admin(session, directus_server):
    with limited_user(session) as (_id, email_, password), Session(directus_server.url) as s:
        s.auth.login(email_, password)
        with pytest.raises(d.Forbidden):
            s.schema.snapshot()


async def test_async_schema(asession):
    snapshot = await asession.schema.snapshot()
    assert await asession.schema.diff(snapshot) is None
    version = await asession.server.version()
    assert version is not None
    if version >= "12.2":
        assert await asession.schema.diff(snapshot, force=True, mode="merge") is None
    else:  # the modes came with 12.2: named before anything is sent
        with pytest.raises(d.FeatureNotSupported, match=f"this server runs {version}"):
            await asession.schema.diff(snapshot, force=True, mode="merge")


# ====================================================================== utils


def test_random_string_sort_cache(session, notes):
    value = session.utils.random_string(40)
    assert len(value) == 40 and value != session.utils.random_string(40)
    assert len(session.utils.random_string()) == 32
    with pytest.raises(d.InvalidQuery):
        session.utils.random_string(501)

    ids = [session.request("POST", f"/items/{notes}", json={"title": t})["data"]["id"]
           for t in ("one", "two", "three")]
    session.utils.sort(notes, ids[2], ids[0])  # "three" takes the place of "one"
    rows = session.request("GET", f"/items/{notes}", query={"sort": ["sort"], "fields": ["title"]})
    assert [r["title"] for r in rows["data"]] == ["three", "one", "two"]
    with pytest.raises(d.InvalidPayload):  # directus_files has no sort field
        session.utils.sort("directus_files", ids[0], ids[1])

    session.utils.cache_clear()
    session.utils.cache_clear(system=True)


def test_import_file_and_background_export(session, notes, tmp_path):
    csv = tmp_path / "rows.csv"
    csv.write_text("title\nalpha\nbeta\ngamma\n")
    session.utils.import_file(notes, csv)
    session.utils.import_file(notes, b'[{"title": "delta"}]', filename="rows.json")
    titles = {r["title"] for r in session.request("GET", f"/items/{notes}")["data"]}
    assert titles == {"alpha", "beta", "gamma", "delta"}
    with pytest.raises(d.UnsupportedMediaType):
        session.utils.import_file(notes, b"<x/>", filename="rows.xml")

    title = "export " + uuid.uuid4().hex[:8]
    session.utils.export(notes, {"filter": {"title": {"_neq": "delta"}}, "fields": ["title"]},
                         "json", file={"title": title})
    # 204 at once; the file appears when the background export is done.
    deadline = time.monotonic() + 30
    exported = None
    while exported is None and time.monotonic() < deadline:
        exported = d.DirectusFile.objects.filter(title=title).first()
        if exported is None:
            time.sleep(0.3)
    assert exported is not None, "the background export wrote no file"
    try:
        content = session.files.download(exported.id)
        assert b"alpha" in content and b"delta" not in content
    finally:
        exported.delete()
        d.DirectusNotification.objects.filter(subject__icontains="export").delete()
    with pytest.raises(d.Forbidden):
        session.utils.export("svc_no_such_collection", {}, "csv")


def test_export_of_a_queryset(session, notes):
    class Note(d.Model, collection=notes):
        id: int | None = None
        title: str | None = None

    session.request("POST", f"/items/{notes}", json=[{"title": "q1"}, {"title": "q2"}])
    title = "qs export " + uuid.uuid4().hex[:8]
    session.utils.export(Note.objects.filter(title="q2"), format="csv", file={"title": title})
    deadline = time.monotonic() + 30
    exported = None
    while exported is None and time.monotonic() < deadline:
        exported = d.DirectusFile.objects.filter(title=title).first()
        if exported is None:
            time.sleep(0.3)
    assert exported is not None
    try:
        content = session.files.download(exported.id).decode()
        assert "q2" in content and "q1" not in content
    finally:
        exported.delete()
        d.DirectusNotification.objects.filter(subject__icontains="export").delete()
    with pytest.raises(ValueError):
        session.utils.export(Note.objects.filter(id__in=[]))


@pytest.mark.smoke
def test_hash_is_computed_locally_like_directus(session, directus_server):
    """/utils/hash/* is gone since 12.1: the same argon2 hash is made locally; 11.x hashes."""
    import argon2  # noqa: F401 - the dev extra installs the hash extra's argon2-cffi
    version = session.server.version()
    assert version is not None  # an admin sees it
    if version >= "12.1":
        with pytest.raises(d.RouteNotFound):
            session.request("POST", "/utils/hash/generate", json={"string": "x"})
    else:  # the server still hashes, and the library lets it
        served = session.request("POST", "/utils/hash/generate", json={"string": "x"})["data"]
        assert served.startswith("$argon2")
    hashed = session.utils.hash_generate("correct horse")
    prefix = "$argon2id$v=19$m={memory_cost},t={time_cost},p={parallelism}$".format(**ARGON2_PARAMETERS)
    assert hashed.startswith(prefix)
    assert session.utils.hash_verify("correct horse", hashed)
    assert not session.utils.hash_verify("wrong horse", hashed)
    with pytest.raises(ValueError):
        session.utils.hash_verify("x", "not a hash")

    database = db_path(directus_server)
    if database is None:  # an external or PostgreSQL server: no SQLite file to open
        return
    with limited_user(session) as (user_id, email_, password):
        with sqlite3.connect(database) as db:
            (server_hash,) = db.execute(
                "SELECT password FROM directus_users WHERE id = ?", (user_id,)).fetchone()
        # Directus' own hash: same parameters, and it verifies here.
        assert server_hash.startswith(prefix)
        assert session.utils.hash_verify(password, server_hash)
        # Our hash, stored by Directus' side: Directus accepts it at login.
        ours = session.utils.hash_generate("Local-Hash-Pw-1")
        with sqlite3.connect(database) as db:
            db.execute("UPDATE directus_users SET password = ? WHERE id = ?", (ours, user_id))
        with Session(directus_server.url) as s:
            s.auth.login(email_, "Local-Hash-Pw-1")


def test_hash_without_the_extra_names_it(session, monkeypatch):
    monkeypatch.setitem(sys.modules, "argon2", None)
    version = session.server.version()
    assert version is not None
    if version < "12.1":  # the server hashes: no extra needed
        hashed = session.utils.hash_generate("x")
        assert hashed.startswith("$argon2") and session.utils.hash_verify("x", hashed)
        return
    with pytest.raises(d.MissingExtraError, match=r"directus_orm\[hash\]"):
        session.utils.hash_generate("x")
    with pytest.raises(d.MissingExtraError, match=r"directus_orm\[hash\]"):
        session.utils.hash_verify("x", "$argon2id$...")


async def test_async_utils(asession, session, notes):
    assert len(await asession.utils.random_string(8)) == 8
    ids = [session.request("POST", f"/items/{notes}", json={"title": t})["data"]["id"]
           for t in ("a", "b")]
    await asession.utils.sort(notes, ids[1], ids[0])
    await asession.utils.cache_clear()
    await asession.utils.import_file(notes, io.BytesIO(b"title\nfrom-async\n"), filename="x.csv")
    assert any(r["title"] == "from-async"
               for r in session.request("GET", f"/items/{notes}")["data"])
    try:
        hashed = await asession.utils.hash_generate("pw")
    except d.MissingExtraError:
        pass  # argon2-cffi not installed: covered by test_hash_without_the_extra_names_it
    else:
        assert await asession.utils.hash_verify("pw", hashed)
    await asession.utils.export(notes, None, "yaml", file={"title": "async export " + uuid.uuid4().hex})
    item = ids[0]
    revisions = await asession.revisions.list(notes, item)
    await asession.utils.revert(revisions[-1])
    await asyncio.sleep(0)


# ========================================================== server and access


def test_server_specs_and_info(session):
    specs = session.server.specs()
    assert specs["openapi"].startswith("3.") and "/items/{collection}" not in specs.get("x", {})
    assert any(path.startswith("/users") for path in specs["paths"])
    assert session.server.specs_oas().keys() == specs.keys()
    assert "type Query" in session.server.specs_graphql("system")
    assert session.server.ping() == "pong"
    assert session.server.info()["version"]


async def test_async_server_specs(asession):
    specs = await asession.server.specs()
    assert "paths" in specs


def test_permissions_policies_roles_of_the_current_user(session, directus_server, notes):
    mine = session.permissions.me()
    assert mine["directus_users"]["read"]["access"] == "full"
    assert session.policies.globals() == {"app_access": True, "admin_access": True,
                                          "enforce_tfa": False}
    assert [r.name for r in session.roles.me()] == ["Administrator"]
    item = session.request("POST", f"/items/{notes}", json={"title": "p"})["data"]["id"]
    assert session.permissions.item(notes, item)["update"]["access"] is True

    with limited_user(session, [(notes, "read")]) as (_id, email_, password), \
            Session(directus_server.url) as s:
        s.auth.login(email_, password)
        theirs = s.permissions.me()
        assert theirs[notes]["read"]["access"] == "full"
        assert theirs[notes]["update"]["access"] == "none"
        assert s.policies.globals()["admin_access"] is False
        assert s.permissions.item(notes, item)["update"]["access"] is False
        assert len(s.roles.me(fields=["id"])) == 1


async def test_async_access_services(asession):
    assert (await asession.policies.globals())["admin_access"] is True
    assert "directus_files" in await asession.permissions.me()
    assert (await asession.roles.me())[0].name == "Administrator"


def test_access_services_without_a_login(directus_server):
    with Session(directus_server.url) as anonymous:
        assert anonymous.policies.globals() == {"app_access": False}
        with pytest.raises(d.Forbidden):
            anonymous.permissions.me()
        with pytest.raises(d.Forbidden):
            anonymous.roles.me()
        with pytest.raises(d.Forbidden):
            anonymous.permissions.item("directus_users", "x")
        assert "paths" in anonymous.server.specs()  # public, filtered by permissions


async def test_async_user_and_file_services_remaining(asession, session, directus_server, extra_server):
    role = session.users.me(fields=["role"]).role
    address = f"async-never-{uuid.uuid4().hex[:8]}@example.com"
    with limited_user(session) as (_id, email_, password):
        async with AsyncSession(directus_server.url) as s:
            await s.auth.login(email_, password)
            if (await asession.server.version() or "12") >= "12":
                result = await s.users.invite(address, role)
                assert result.verified is False
            else:  # Directus 11 refuses a forbidden invite outright
                with pytest.raises(d.Forbidden):
                    await s.users.invite(address, role)
            with pytest.raises(d.Forbidden):
                await s.schema.snapshot()
            with pytest.raises(d.InvalidPayload):
                await s.users.tfa.disable("123456")
    async with AsyncSession(directus_server.url) as anonymous:
        with pytest.raises(d.Forbidden):
            await anonymous.users.register(address, "Async-Reg-1")
        with pytest.raises(d.InvalidToken):
            await anonymous.users.register_verify("bad")
        with pytest.raises(d.InvalidToken):
            await anonymous.users.accept_invite("bad", "Whatever-123")

    perms = [("directus_users", "read"), ("directus_users", "update")]
    with limited_user(session, perms) as (user_id, email_, password):
        async with AsyncSession(directus_server.url) as s:
            await s.auth.login(email_, password)
            secret = (await s.users.tfa.generate(password))["secret"]
            await s.users.tfa.enable(secret, totp(secret))
        await asession.users.tfa.disable_for(user_id)
        async with AsyncSession(directus_server.url) as plain:
            await plain.auth.login(email_, password)

    folder = await d.DirectusFolder.objects.acreate(name="async zip")
    one = await asession.files.upload(b"zip me", filename="z.txt", folder=folder.id)
    try:
        assert (await asession.files.download_folder_zip(folder))[:2] == b"PK"
    finally:
        if one is not None:
            await one.adelete()
        await folder.adelete()

    async with AsyncSession(extra_server.url) as other:
        await other.auth.login(extra_server.email, extra_server.password)
        name = unique("svc_async_apply")
        await asession.collections.create(name, [{"field": "label", "type": "string"}])
        try:
            diff = await other.schema.diff(await asession.schema.snapshot())
            assert diff is not None
            await other.schema.apply(diff)
            assert (await other.collections.get(name)).collection == name
            await other.collections.delete(name)
        finally:
            await asession.collections.delete(name)
