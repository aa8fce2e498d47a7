"""Faults in ``/auth/refresh``, and a server killed (SIGKILL) in the middle of a bulk write."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator

import pytest

import directus_orm as d
from directus_orm import Model, Session

from .. import schema as f
from ..schema import Schema
from .conftest import ROW_FIELDS, Direct, RestartableDirectus, admin_static_token
from .faultproxy import AFTER, FaultProxy

COLL = f.unique("fau")


class Row(Model, collection=COLL):
    id: int | None = None
    tag: str
    n: int = 0


@pytest.fixture(scope="module", autouse=True)
def rows_schema(module_session) -> Iterator[None]:
    builder = Schema(module_session)
    builder.collection(COLL, ROW_FIELDS)
    try:
        yield
    finally:
        builder.drop()


REFRESH_FAULTS = [
    pytest.param(("drop_before", {}), id="drop_before"),
    pytest.param(("reset_before", {}), id="reset_before"),
    pytest.param(("status_before", {"status": 502}), id="status_before-502"),
    pytest.param(("status_before", {"status": 503}), id="status_before-503"),
    *[
        pytest.param(fault, id=name)
        for fault, name in [
            (("drop_after", {}), "drop_after"),
            (("reset_mid", {}), "reset_mid"),
            (("truncate", {}), "truncate"),
            (("status_after", {"status": 502}), "status_after-502"),
            (("status_after", {"status": 504}), "status_after-504"),
        ]
    ],
]


@pytest.mark.parametrize("fault", REFRESH_FAULTS)
def test_refresh(fault, proxy, directus_server, check):
    kind, options = fault
    tag = f"{uuid.uuid4().hex[:10]}-auth"
    with Session(proxy.url, backoff=0.05, max_backoff=0.2, timeout=10) as s:
        s.auth.login(directus_server.email, directus_server.password)
        proxy.add(kind, "POST", "/auth/refresh", **options)
        with pytest.raises(d.DirectusORMError):
            s.auth.refresh()
        if kind in AFTER:
            # The server rotated the refresh token and the new one was lost: the session
            # holds a dead token. It must say so on every call, never go on anonymously.
            with pytest.raises(d.AuthenticationError):
                s.auth.refresh()
            for _ in range(2):
                with pytest.raises(d.AuthenticationError):
                    Row.objects.count()
                with pytest.raises(d.AuthenticationError):
                    Row.objects.create(tag=tag)
            assert proxy.count("POST", rf"/items/{COLL}") == 0  # nothing went out anonymously
            s.auth.login(directus_server.email, directus_server.password)  # the recovery
        else:
            s.auth.refresh()  # the old refresh token is still valid
        Row.objects.create(tag=tag)
    check.rows(COLL, [tag], prefix=tag)


def test_expired_token_refresh_lost_is_not_a_downgrade(directus_factory):
    """The access token expires, the automatic refresh's reply is lost: later calls raise
    AuthenticationError instead of going out without a token."""
    server = directus_factory(env={"ACCESS_TOKEN_TTL": "3s"})
    with FaultProxy(server.url) as proxy, Session(proxy.url, backoff=0.05, timeout=10) as s:
        s.auth.login(server.email, server.password)
        proxy.add("drop_after", "POST", "/auth/refresh")
        time.sleep(3.2)
        with pytest.raises(d.TransportError):
            s.request("GET", "/users/me")
        for _ in range(3):
            with pytest.raises(d.AuthenticationError):
                s.request("GET", "/users/me")
        requests = [p for m, p in proxy.requests if p == "/users/me"]
        assert len(requests) == 0  # none was sent without a token
        s.auth.login(server.email, server.password)
        assert s.request("GET", "/users/me")["data"]["email"] == server.email


# ------------------------------------------------------------------ a killed server


def test_server_killed_mid_bulk_create_and_restarted(check):
    server = RestartableDirectus(name="pytest-kill")
    server.start(timeout=180)
    try:
        token = admin_static_token(
            server.url, server.admin_email, server.admin_password, "kill-" + secrets.token_hex(16)
        )
        with Session(server.url, static_token=token) as admin:
            Schema(admin).collection(COLL, ROW_FIELDS)
        direct = Direct(server.url, token)
        proxy = FaultProxy(server.url).start()
        try:
            objs = [Row(tag=f"k{i:04d}") for i in range(50)]
            # The 3rd batch reaches the server, which commits it, answers, and is killed
            # before the answer is passed on.
            proxy.add("hook_after", "POST", rf"/items/{COLL}", nth=3, hook=server.kill)
            with Session(proxy.url, static_token=token, backoff=0.05, timeout=10):
                with pytest.raises(d.BatchError) as caught:
                    Row.objects.bulk_create(objs, batch_size=10)
                error = caught.value
                check.extra_faults += 1
                assert error.done == [range(10), range(10, 20)]
                assert error.unknown == [range(20, 30)]
                assert error.pending == [range(30, 40), range(40, 50)]
                # While it is down, reads fail with a typed error after their retries.
                with pytest.raises(d.DirectusORMError):
                    Row.objects.count()
                server.restart()
                # The recovery: the same call again, creating only what is missing.
                Row.objects.bulk_create(objs, batch_size=10, ignore_conflicts=True, unique_fields=["tag"])
            check.rows(COLL, [o.tag for o in objs], prefix="k", direct=direct)
        finally:
            proxy.close()
            direct.close()
    finally:
        server.stop()
