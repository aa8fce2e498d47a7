"""The fault matrix: every fault the proxy can inject x every write and read operation.

Each test injects one fault into one request of one operation, checks what the library
reports, applies the documented recovery, and ends by counting the rows in the database through
a direct connection: every expected row exactly once, nothing else (see ``Check.rows``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import directus_orm as d
from directus_orm import Model

from .. import schema as f
from ..schema import Schema
from .conftest import ROW_FIELDS
from .faultproxy import AFTER

COLL = f.unique("fmx")
ITEMS = rf"/items/{COLL}"
ITEM = rf"/items/{COLL}/[^/]+"


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


@pytest.fixture
def prefix() -> str:
    """Tags of this test start with it; the counts only look at them."""
    return uuid.uuid4().hex[:10] + "-"


# (kind, options): the faults injected into one write request.
WRITE_FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("drop_before", {}),
    ("reset_before", {}),
    ("status_before", {"status": 502}),
    ("status_before", {"status": 503}),
    ("status_before", {"status": 429, "retry_after": "1"}),
    ("delay", {"delay": 0.3}),
    ("drop_after", {}),
    ("reset_mid", {}),
    ("truncate", {}),
    ("status_after", {"status": 502}),
    ("status_after", {"status": 504}),
]


def fault_id(fault: tuple[str, dict[str, Any]]) -> str:
    kind, options = fault
    return f"{kind}-{options['status']}" if "status" in options else kind


def params(faults):
    return [pytest.param(fault, id=fault_id(fault)) for fault in faults]


WRITE_PARAMS = params(WRITE_FAULTS)


def tags_in_db(check, prefix: str) -> dict[str, dict[str, Any]]:
    return {row["tag"]: row for row in check.direct.rows(COLL) if row["tag"].startswith(prefix)}


def count(check, prefix: str, expected: list[str]) -> None:
    """The end of every matrix test: the fault did fire, and the database holds each expected
    row once."""
    assert check.faults >= 1, "the fault was never injected"
    check.rows(COLL, expected, prefix=prefix)


@pytest.fixture
def seed(session, prefix):
    """Write ``n`` rows without the proxy: ``seed(n)``."""

    def write(n: int) -> list[Row]:
        return Row.objects.using(session).bulk_create([Row(tag=f"{prefix}{i:04d}", n=i) for i in range(n)])

    return write


def expect_failure(kind: str):
    """The failure a fault surfaces as (none for a delay)."""
    if kind == "delay":
        return _nothing()
    return pytest.raises(d.DirectusORMError)


class _nothing:
    value = None

    def __enter__(self) -> _nothing:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def assert_report_matches_db(error: d.BatchError, present: list[bool], kind: str) -> None:
    """``done`` is in the database, ``pending`` is not, each ``unknown`` batch is all-or-nothing
    (all in, for a fault after the server answered); together they cover the input once."""
    covered = sorted(i for part in [*error.done, *error.unknown, *error.pending] for i in part)
    assert covered == list(range(len(present)))
    for part in error.done:
        assert all(present[i] for i in part), f"done batch {part} is not in the database"
    for part in error.pending:
        assert not any(present[i] for i in part), f"pending batch {part} is in the database"
    for part in error.unknown:
        states = {present[i] for i in part}
        assert len(states) == 1, f"unknown batch {part} is half written"
        if kind in AFTER:
            assert states == {True}
    assert error.written == sum(len(part) for part in error.done)
    assert error.unknown, "a lost reply must be reported as unknown"


# ------------------------------------------------------------------ single writes


@pytest.mark.parametrize("fault", WRITE_PARAMS)
def test_create(fault, proxy, fsession, check, prefix, seed):
    kind, options = fault
    proxy.add(kind, "POST", ITEMS, **options)
    tag = f"{prefix}one"
    with expect_failure(kind):
        Row.objects.create(tag=tag)
    # The recovery: create it unless it exists.
    obj, _ = Row.objects.get_or_create(tag=tag)
    assert obj.pk is not None
    count(check, prefix, [tag])


@pytest.mark.parametrize("fault", WRITE_PARAMS)
def test_save(fault, proxy, fsession, check, prefix, seed):
    kind, options = fault
    (seeded,) = seed(1)
    obj = Row.objects.get(pk=seeded.pk)
    obj.n = 500
    proxy.add(kind, "PATCH", ITEM, **options)
    with expect_failure(kind):
        obj.save()
    if kind != "delay":
        assert obj.changed_fields == ["n"]  # the change is kept: saving again sends it
        assert obj.save() is True
    assert tags_in_db(check, prefix)[seeded.tag]["n"] == 500
    count(check, prefix, [seeded.tag])


@pytest.mark.parametrize("fault", WRITE_PARAMS)
def test_queryset_update_one_request(fault, proxy, fsession, check, prefix, seed):
    kind, options = fault
    objs = seed(5)
    proxy.add(kind, "PATCH", ITEMS, **options)
    qs = Row.objects.filter(tag__startswith=prefix)
    with expect_failure(kind):
        qs.update(n=77)
    assert qs.update(n=77) == 5  # the recovery: the same update again (it is idempotent)
    assert {row["n"] for row in tags_in_db(check, prefix).values()} == {77}
    count(check, prefix, [o.tag for o in objs])


@pytest.mark.parametrize("fault", WRITE_PARAMS)
def test_delete(fault, proxy, fsession, check, prefix, seed):
    kind, options = fault
    keep, gone = seed(2)
    obj = Row.objects.get(pk=gone.pk)
    proxy.add(kind, "DELETE", ITEM, **options)
    with expect_failure(kind):
        obj.delete()
    # The recovery: delete by key again; it deletes nothing if the first one got through.
    assert Row.objects.filter(pk=gone.pk).delete() in (0, 1)
    assert not Row.objects.filter(pk=gone.pk).exists()
    count(check, prefix, [keep.tag])


# ------------------------------------------------------------------ batches

N, BATCH, NTH = 50, 10, 3  # five batches, the third one hit


@pytest.mark.parametrize("fault", WRITE_PARAMS)
def test_bulk_create(fault, proxy, fsession, check, prefix, seed):
    kind, options = fault
    objs = [Row(tag=f"{prefix}{i:04d}", n=i) for i in range(N)]
    proxy.add(kind, "POST", ITEMS, nth=NTH, **options)
    try:
        Row.objects.bulk_create(objs, batch_size=BATCH)
    except d.BatchError as error:
        assert kind != "delay"
        present_tags = tags_in_db(check, prefix)
        assert_report_matches_db(error, [o.tag in present_tags for o in objs], kind)
        assert error.done == [range(10), range(10, 20)]
        assert error.unknown == [range(20, 30)]
        assert error.pending == [range(30, 40), range(40, 50)]
        assert all(o.pk is not None for part in error.done for o in objs[part.start:part.stop])
        # The recovery: the same call, creating only what is not there yet.
        Row.objects.bulk_create(objs, batch_size=BATCH, ignore_conflicts=True, unique_fields=["tag"])
    else:
        assert kind == "delay"
    count(check, prefix, [o.tag for o in objs])


@pytest.mark.parametrize("fault", WRITE_PARAMS)
def test_bulk_update(fault, proxy, fsession, check, prefix, seed):
    kind, options = fault
    objs = seed(N)
    for obj in objs:
        obj.n = 1000 + obj.n
    proxy.add(kind, "PATCH", ITEMS, nth=NTH, **options)
    try:
        Row.objects.bulk_update(objs, ["n"], batch_size=BATCH)
    except d.BatchError as error:
        assert kind != "delay"
        rows = tags_in_db(check, prefix)
        assert_report_matches_db(error, [rows[o.tag]["n"] == o.n for o in objs], kind)
        assert error.unknown == [range(20, 30)]
        again = [objs[i] for part in [*error.unknown, *error.pending] for i in part]
        assert Row.objects.bulk_update(again, ["n"], batch_size=BATCH) == len(again)
    else:
        assert kind == "delay"
    rows = tags_in_db(check, prefix)
    assert all(rows[o.tag]["n"] == o.n >= 1000 for o in objs)
    count(check, prefix, [o.tag for o in objs])


@pytest.mark.parametrize("fault", WRITE_PARAMS)
def test_queryset_update_batches(fault, proxy, fsession, check, prefix, seed):
    kind, options = fault
    objs = seed(N)
    qs = Row.objects.filter(tag__startswith=prefix).order_by("id")[:N]  # sliced: by keys, batched
    proxy.add(kind, "PATCH", ITEMS, nth=NTH, **options)
    try:
        assert qs.update(n=-1, batch_size=BATCH) == N
    except d.BatchError as error:
        assert kind != "delay"
        rows = tags_in_db(check, prefix)
        assert_report_matches_db(error, [rows[o.tag]["n"] == -1 for o in objs], kind)
        assert error.unknown == [range(20, 30)]
        assert qs.update(n=-1, batch_size=BATCH) == N
    else:
        assert kind == "delay"
    assert {row["n"] for row in tags_in_db(check, prefix).values()} == {-1}
    count(check, prefix, [o.tag for o in objs])


@pytest.mark.parametrize("fault", WRITE_PARAMS)
def test_queryset_delete_batches(fault, proxy, fsession, check, prefix, seed):
    kind, options = fault
    objs = seed(N + 5)
    doomed, kept = objs[:N], objs[N:]
    qs = Row.objects.filter(pk__in=[o.pk for o in doomed]).order_by("id")
    proxy.add(kind, "DELETE", ITEMS, nth=NTH, **options)
    try:
        assert qs.delete(batch_size=BATCH) == N
    except d.BatchError as error:
        assert kind != "delay"
        rows = tags_in_db(check, prefix)
        assert_report_matches_db(error, [o.tag not in rows for o in doomed], kind)
        assert error.unknown == [range(20, 30)]
        left = qs.delete(batch_size=BATCH)  # the recovery: the same delete again
        assert left == N - error.written - (len(error.unknown[0]) if kind in AFTER else 0)
    else:
        assert kind == "delay"
    count(check, prefix, [o.tag for o in kept])


# ------------------------------------------------------------------ reads

READ_FAULTS: list[tuple[str, dict[str, Any]]] = [
    ("drop_before", {}),
    ("reset_before", {}),
    ("drop_after", {}),
    ("reset_mid", {}),
    ("truncate", {}),
    ("status_before", {"status": 502}),
    ("status_before", {"status": 503}),
    ("status_after", {"status": 504}),
    ("status_before", {"status": 429, "retry_after": "0"}),
    ("delay", {"delay": 0.3}),
]
READ_PARAMS = params(READ_FAULTS)


@pytest.mark.parametrize("fault", READ_PARAMS)
def test_iterator_half_way(fault, proxy, fsession, check, prefix, seed):
    kind, options = fault
    objs = seed(200)
    proxy.add(kind, "GET", ITEMS, nth=5, **options)  # 10 pages of 20: the 5th is hit
    seen = [o.tag for o in Row.objects.filter(tag__startswith=prefix).iterator(chunk_size=20)]
    assert sorted(seen) == sorted(o.tag for o in objs)
    assert len(set(seen)) == 200
    count(check, prefix, [o.tag for o in objs])


@pytest.mark.parametrize("fault", READ_PARAMS)
def test_reads(fault, proxy, fsession, check, prefix, seed):
    kind, options = fault
    objs = seed(30)
    qs = Row.objects.filter(tag__startswith=prefix)
    proxy.add(kind, "GET", ITEMS, nth=1, times=1, **options)
    assert sorted(o.tag for o in qs) == sorted(o.tag for o in objs)
    proxy.add(kind, "GET", ITEMS, nth=1, times=1, **options)
    assert qs.all().count() == 30  # a fresh QuerySet: count() of an evaluated one uses its cache
    proxy.add(kind, "GET", ITEMS, nth=1, times=1, **options)
    assert Row.objects.get(pk=objs[7].pk).tag == objs[7].tag
    proxy.add(kind, "GET", ITEMS, nth=1, times=1, **options)
    page = qs.order_by("id").page(2, size=10)
    assert [o.tag for o in page] == [o.tag for o in objs[10:20]]
    assert check.faults == 4
    count(check, prefix, [o.tag for o in objs])


@pytest.mark.anyio
@pytest.mark.parametrize("fault", READ_PARAMS)
async def test_aiterator_half_way(fault, proxy, afsession, check, prefix, seed):
    kind, options = fault
    objs = seed(100)
    proxy.add(kind, "GET", ITEMS, nth=3, **options)
    seen = [o.tag async for o in Row.objects.using(afsession).filter(tag__startswith=prefix).aiterator(chunk_size=20)]
    assert sorted(seen) == sorted(o.tag for o in objs)
    count(check, prefix, [o.tag for o in objs])


ASYNC_WRITE_PARAMS = params(
    [fault for fault in WRITE_FAULTS if fault[0] in ("drop_after", "reset_mid", "status_after", "drop_before")]
)


@pytest.mark.anyio
@pytest.mark.parametrize("fault", ASYNC_WRITE_PARAMS)
async def test_abulk_create(fault, proxy, afsession, check, prefix, seed):
    kind, options = fault
    objs = [Row(tag=f"{prefix}{i:04d}") for i in range(N)]
    proxy.add(kind, "POST", ITEMS, nth=NTH, **options)
    with pytest.raises(d.BatchError) as caught:
        await Row.objects.using(afsession).abulk_create(objs, batch_size=BATCH)
    rows = tags_in_db(check, prefix)
    assert_report_matches_db(caught.value, [o.tag in rows for o in objs], kind)
    await Row.objects.using(afsession).abulk_create(objs, batch_size=BATCH, ignore_conflicts=True, unique_fields=["tag"])
    count(check, prefix, [o.tag for o in objs])
