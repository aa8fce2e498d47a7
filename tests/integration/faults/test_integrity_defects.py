"""Issue 11's defects that need a real server: each test failed before its fix.

Conflict options of bulk_create (2), rows the model rejects (4), writes validated before any
request (5), values Directus cannot hold (6), secrets in logs and errors (9), token storage
loaded by refresh() (10). Every test ends by counting the rows in the database.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Iterator
from typing import Literal

import pytest

import directus_orm as d
from directus_orm import FileStorage, Model, Session

from .. import schema as f
from ..schema import Schema

COLL = f.unique("fdx")
ITEMS = rf"/items/{COLL}"


class Row(Model, collection=COLL):
    id: int | None = None
    tag: str
    n: int = 0
    status: Literal["draft", "published"] | None = None
    ratio: float | None = None


class Loose(Model, collection=COLL):
    """The same collection with a status the model leaves unset: the server default comes back."""

    id: int | None = None
    tag: str
    strict_status: Literal["draft"] | None = None


@pytest.fixture(scope="module", autouse=True)
def rows_schema(module_session) -> Iterator[None]:
    builder = Schema(module_session)
    builder.collection(
        COLL,
        [
            f.string("tag"),
            f.integer("n", default=0),
            f.string("status"),
            f.float_("ratio"),
            {
                "field": "strict_status",
                "type": "string",
                "meta": {"interface": "input"},
                "schema": {"default_value": "published"},
            },
        ],
    )
    try:
        yield
    finally:
        builder.drop()


@pytest.fixture
def prefix() -> str:
    return uuid.uuid4().hex[:10] + "-"


@pytest.fixture
def tracked(proxy, fsession) -> Iterator[Session]:
    """The current session goes through the proxy, whose request log shows what was sent."""
    yield fsession


# ------------------------------------------------------------------ 2: conflict options


def test_bulk_create_ignore_conflicts_creates_only_the_missing(tracked, check, prefix, session):
    first = [Row(tag=f"{prefix}{i:03d}", n=i) for i in range(30)]
    Row.objects.using(session).bulk_create(first[:12])
    objs = [Row(tag=f"{prefix}{i:03d}", n=i) for i in range(30)]
    Row.objects.bulk_create(objs, batch_size=7, ignore_conflicts=True, unique_fields=["tag"])
    assert all(o.pk is not None for o in objs)
    Row.objects.bulk_create(objs, batch_size=7, ignore_conflicts=True, unique_fields=["tag"])  # again
    check.rows(COLL, [o.tag for o in objs], prefix=prefix)


def test_bulk_create_update_conflicts_is_an_upsert(tracked, check, prefix, session):
    Row.objects.using(session).bulk_create([Row(tag=f"{prefix}{i}", n=0) for i in range(5)])
    objs = [Row(tag=f"{prefix}{i}", n=100 + i) for i in range(8)]
    Row.objects.bulk_create(objs, update_conflicts=True, unique_fields=["tag"], update_fields=["n"])
    rows = {r["tag"]: r["n"] for r in check.direct.rows(COLL) if r["tag"].startswith(prefix)}
    assert rows == {o.tag: o.n for o in objs}
    check.rows(COLL, [o.tag for o in objs], prefix=prefix)


def test_bulk_create_ignore_conflicts_by_primary_key(tracked, check, prefix, session):
    objs = Row.objects.using(session).bulk_create([Row(tag=f"{prefix}{i}") for i in range(6)])
    more = [*objs, Row(tag=f"{prefix}new")]
    Row.objects.bulk_create(more, ignore_conflicts=True)
    check.rows(COLL, [o.tag for o in more], prefix=prefix)


def test_bulk_create_conflict_options_are_checked_before_any_request(tracked, proxy, check, prefix):
    objs = [Row(tag=f"{prefix}x")]
    with pytest.raises(d.QueryError):
        Row.objects.bulk_create(objs, ignore_conflicts=True, update_conflicts=True, unique_fields=["tag"])
    with pytest.raises(d.QueryError):
        Row.objects.bulk_create(objs, update_conflicts=True, unique_fields=["tag"])  # no update_fields
    with pytest.raises(d.FieldError):
        Row.objects.bulk_create(objs, ignore_conflicts=True, unique_fields=["nope"])
    assert proxy.requests == []
    check.rows(COLL, [], prefix=prefix)


@pytest.mark.anyio
async def test_abulk_create_ignore_conflicts(afsession, check, prefix, session):
    Row.objects.using(session).bulk_create([Row(tag=f"{prefix}{i}") for i in range(3)])
    objs = [Row(tag=f"{prefix}{i}") for i in range(9)]
    await Row.objects.using(afsession).abulk_create(objs, batch_size=4, ignore_conflicts=True,
                                                    unique_fields=["tag"])
    check.rows(COLL, [o.tag for o in objs], prefix=prefix)


# ------------------------------------------------------------------ 4: rows the model rejects


@pytest.fixture
def one_bad_row(session, prefix) -> tuple[list[int], int]:
    """Five rows, the third with a status the model's Literal lacks (an editor added it)."""
    keys = []
    for i in range(5):
        body = {"tag": f"{prefix}{i}", "status": "archived" if i == 2 else "draft"}
        keys.append(session.request("POST", f"/items/{COLL}", json=body)["data"]["id"])
    return keys, keys[2]


def test_a_bad_row_raises_hydration_error(tracked, one_bad_row, check, prefix):
    _keys, bad = one_bad_row
    qs = Row.objects.filter(tag__startswith=prefix)
    for read in (lambda: list(qs), lambda: qs.page(1, size=10), lambda: list(qs.iterator(chunk_size=2)),
                 lambda: Row.objects.get(pk=bad)):
        with pytest.raises(d.HydrationError) as caught:
            read()
        error = caught.value
        assert isinstance(error, d.DirectusORMError)
        assert error.model is Row and error.collection == COLL
        assert error.keys == [bad]
        assert error.fields == ["status"]
        assert "archived" not in str(error) and "archived" not in repr(error.args)
    check.rows(COLL, [f"{prefix}{i}" for i in range(5)], prefix=prefix)


def test_iterator_can_skip_bad_rows(tracked, one_bad_row, check, prefix):
    keys, bad = one_bad_row
    qs = Row.objects.filter(tag__startswith=prefix)
    errors: list[d.HydrationError] = []
    got = [o.pk for o in qs.iterator(chunk_size=2, on_invalid=errors.append)]
    assert got == [k for k in keys if k != bad]
    assert [e.keys for e in errors] == [[bad]]
    assert [o.pk for o in qs.iterator(on_invalid="skip")] == got
    check.rows(COLL, [f"{prefix}{i}" for i in range(5)], prefix=prefix)


# ------------------------------------------------------------------ 5: writes validated first


def test_writes_are_validated_before_any_request(tracked, proxy, check, prefix, session):
    (obj,) = Row.objects.using(session).bulk_create([Row(tag=f"{prefix}ok", n=1)])
    proxy.clear()
    qs = Row.objects.filter(pk=obj.pk)
    attempts = [
        lambda: qs.update(status="bogus"),
        lambda: qs.update(n="a lot"),
        lambda: Row.objects.create(tag=f"{prefix}bad", n="lots"),
        lambda: Row.objects.bulk_create([Row.model_construct(tag=f"{prefix}bad", n="x")]),
        lambda: Row.objects.get_or_create(tag=f"{prefix}bad", defaults={"n": "x"}),
        lambda: Row.objects.update_or_create(tag=f"{prefix}ok", defaults={"status": "bogus"}),
        lambda: tracked.items(COLL, Row).create_one({"tag": f"{prefix}bad", "n": "x"}),
        lambda: tracked.items(COLL, Row).update_one(obj.pk, {"status": "bogus"}),
    ]
    for attempt in attempts:
        with pytest.raises(d.ValidationError) as caught:
            attempt()
        assert isinstance(caught.value, d.DirectusORMError)
        assert caught.value.fields and set(caught.value.fields) <= {"n", "status"}
    obj.n = "lots"  # type: ignore[assignment]
    with pytest.raises(d.ValidationError, match="n"):
        obj.save()
    again = Row.objects.get(pk=obj.pk)
    again.status = "bogus"  # type: ignore[assignment]
    with pytest.raises(d.ValidationError, match="status"):
        Row.objects.bulk_update([again], ["status"])
    writes = [r for r in proxy.requests if r[0] in ("POST", "PATCH", "DELETE")]
    assert writes == []
    row = next(r for r in check.direct.rows(COLL, "id,tag,n,status") if r["id"] == obj.pk)
    assert (row["n"], row["status"]) == (1, None)
    check.rows(COLL, [f"{prefix}ok"], prefix=prefix)


def test_a_committed_write_with_an_unparsable_reply_keeps_its_key(tracked, check, prefix):
    obj = Loose(tag=f"{prefix}loose")
    with pytest.raises(d.HydrationError, match="written") as caught:
        obj.save()  # the server default "published" is not in the model's Literal
    assert caught.value.written is True
    assert obj.pk is not None
    assert caught.value.keys == [obj.pk]
    check.rows(COLL, [obj.tag], prefix=prefix)


# ------------------------------------------------------------------ 6: values Directus cannot hold



def test_values_directus_cannot_hold_are_refused(tracked, proxy, check, prefix, directus_server):
    bad = [
        ("n", 2**53 + 1),
        ("n", -(2**60)),
        ("ratio", float("nan")),
        ("ratio", float("inf")),
        ("tag", "half \ud800 a pair"),
    ]
    for name, value in bad:
        with pytest.raises(d.ValidationError, match=name):
            Row.objects.create(**{"tag": f"{prefix}v", name: value})
        with pytest.raises(d.ValidationError, match=name):
            tracked.items(COLL).create_one({"tag": f"{prefix}v", name: value})
        with pytest.raises(d.ValidationError, match=name):
            Row.objects.filter(tag=f"{prefix}none").update(**{name: value})
    assert [r for r in proxy.requests if r[0] != "GET"] == []
    # An integer field is 64-bit on SQLite and 32-bit on PostgreSQL.
    edge = 2**31 - 1 if directus_server.database == "postgres" else 2**53
    if directus_server.database == "postgres":
        with pytest.raises(d.ValueOutOfRange):
            Row.objects.create(tag=f"{prefix}big", n=2**31)
    Row.objects.create(tag=f"{prefix}edge", n=edge)  # still exact
    row = next(r for r in check.direct.rows(COLL) if r["tag"] == f"{prefix}edge")
    assert row["n"] == edge
    check.rows(COLL, [f"{prefix}edge"], prefix=prefix)


# ------------------------------------------------------------------ 9: secrets


@pytest.mark.parametrize("mode", ["cookie", "session"])
def test_no_token_in_any_log_record(directus_server, caplog, mode, check):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "directus_orm"):
        caplog.set_level(logging.DEBUG, logger=name)
    with Session(directus_server.url, auth_mode=mode) as s:
        data = s.auth.login(directus_server.email, directus_server.password)
        s.request("GET", "/users/me")
        if mode != "session":
            s.auth.refresh()
        secrets_seen = {t for t in (data.access_token, data.refresh_token, s.auth.token) if t}
        text = "\n".join(r.getMessage() + repr(r.args) for r in caplog.records)
        s.auth.logout()
    assert caplog.records, "the loggers recorded nothing"
    for token in secrets_seen:
        assert token not in text
    check.rows(COLL, [], prefix="never-")


def test_secret_field_values_are_redacted_in_errors(session, admin_token, check):
    email = f"u{uuid.uuid4().hex[:8]}@example.com"
    user = session.request("POST", "/users", json={"email": email, "password": secrets.token_hex(8)})
    try:
        with pytest.raises(d.RecordNotUnique) as caught:
            session.request("PATCH", f"/users/{user['data']['id']}", json={"token": admin_token})
        error = caught.value
        for shown in (str(error), repr(error), error.message, repr(error.errors), repr(error.extensions)):
            assert admin_token not in shown
    finally:
        session.request("DELETE", f"/users/{user['data']['id']}")
    check.rows(COLL, [], prefix="never-")


# ------------------------------------------------------------------ 10: storage


def test_refresh_loads_the_storage_first(directus_server, tmp_path, check):
    path = tmp_path / "tokens.json"
    with Session(directus_server.url, storage=FileStorage(path)) as first:
        first.auth.login(directus_server.email, directus_server.password)
    with Session(directus_server.url, storage=FileStorage(path)) as second:
        second.auth.refresh()  # its first call
        assert second.request("GET", "/users/me")["data"]["email"] == directus_server.email
    check.rows(COLL, [], prefix="never-")
