"""What differs between the cells of the matrix (Directus 12.4 / 11.17 x SQLite / PostgreSQL).

Each test pins one server-side difference as the server shows it, and what the library does
about it (docs/compatibility.md, docs/server-notes.md). The expectations depend on the cell the
suite runs on: ``directus_server.database`` / ``.version`` (None for an external server, which
is then asked for its version and its snapshot's vendor).
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from decimal import Decimal

import httpx
import pytest

import directus_orm as d
from directus_orm import Avg, Count, Model, ServerVersion, Session, Sum

from . import schema as f
from .schema import unique

pytestmark = pytest.mark.smoke

BIG = 2**53 + 1  # not a JavaScript number: it rounds to 2**53


class Product(Model, collection="compat_products"):
    id: int | None = None
    name: str
    price: Decimal | None = None
    big: int | None = None
    ratio: float | None = None
    rank: int | None = None
    seen_at: datetime | None = None


@pytest.fixture
def vendor(session, directus_server) -> str:
    if directus_server.database is not None:
        return str(directus_server.database)
    return "postgres" if session.schema.snapshot()["vendor"] == "postgres" else "sqlite"


@pytest.fixture
def products(session, schema):
    name = schema.collection(unique("compat_products"), [
        f.string("name"), f.decimal("price", 10, 2), {"field": "big", "type": "bigInteger",
        "meta": {"interface": "input"}, "schema": {}}, f.float_("ratio"), f.integer("rank"),
        f.timestamp("seen_at"),
    ])
    model = type("P", (Product,), {}, collection=name)
    model.objects.bulk_create([
        model(name="Apple pie", price=Decimal("12.50"), big=5, ratio=0.5, rank=2,
              seen_at=datetime(2024, 5, 1, 10, 20, 30, tzinfo=timezone.utc)),
        model(name="apple_tart", price=Decimal("3"), big=2**40, ratio=1.0, rank=None,
              seen_at=datetime.fromisoformat("2024-05-01T10:20:30+02:00")),
        model(name="Banana", rank=1),
    ])
    return model


def test_server_version_is_parsed_and_hidden_from_anonymous_users(session, directus_server):
    version = session.server.version()
    assert isinstance(version, ServerVersion)
    if directus_server.version is not None:
        assert str(version) == directus_server.version
    assert session.server.supports("server_hash") is (version < "12.1")
    assert session.server.supports("policies") is True
    with Session(directus_server.url) as anonymous:  # Directus shows its version to admins only
        assert anonymous.server.version() is None
        assert anonymous.server.supports("policies") is None


def test_decimals_and_big_integers_are_strings_on_postgres(session, products, vendor, directus_server,
                                                           admin_token):
    raw = session.request("GET", f"/items/{products._meta.collection}",
                          params={"sort": "id", "fields": "price,big"})["data"]
    if vendor == "postgres":
        assert raw[0] == {"price": "12.50", "big": "5"}
        assert raw[1]["price"] == "3.00"
    else:
        assert raw[0] == {"price": 12.5, "big": 5}
        assert raw[1]["price"] == 3
    assert int(raw[1]["big"]) == 2**40
    # Beyond 2**53 a number is rounded on the way in (Directus parses JSON in JavaScript), on
    # both databases; the library refuses to send such an integer.
    pk = second_pk(products)
    with pytest.raises(d.ValidationError, match="beyond"):
        products.objects.filter(pk=pk).update(big=BIG)
    url = f"{directus_server.url}/items/{products._meta.collection}/{pk}"
    auth = {"Authorization": f"Bearer {admin_token}"}
    sent = httpx.patch(url, json={"big": BIG}, headers=auth, timeout=30)  # around the library
    assert int(sent.json()["data"]["big"]) == 2**53
    # As a string it is stored exactly; PostgreSQL sends it back as a string, SQLite as a
    # (rounded) number.
    back = httpx.patch(url, json={"big": str(BIG)}, headers=auth, timeout=30).json()["data"]["big"]
    assert back == (str(BIG) if vendor == "postgres" else 2**53)
    # Models are typed the same on both: Decimal and int.
    first, second, _ = products.objects.order_by("id")
    assert first.price == Decimal("12.50") and isinstance(first.price, Decimal)
    assert first.big == 5 and isinstance(first.big, int)
    assert second.big == (BIG if vendor == "postgres" else 2**53)  # the models read it as sent
    assert second.price == Decimal("3")
    # values() hands over the JSON values as the server sent them.
    values = list(products.objects.order_by("id").values("price")[:1])
    assert values == [{"price": "12.50" if vendor == "postgres" else 12.5}]


def second_pk(model):
    return model.objects.order_by("id").values_list("id", flat=True)[1]


def test_aggregates_and_relation_counts_are_numbers_on_every_database(session, products):
    totals = products.objects.aggregate(n=Count(), total=Sum("price"), avg_rank=Avg("rank"))
    assert totals["n"] == 3 and isinstance(totals["n"], int)
    assert totals["total"] == pytest.approx(15.5) and not isinstance(totals["total"], str)
    assert totals["avg_rank"] == pytest.approx(1.5) and isinstance(totals["avg_rank"], float)
    assert products.objects.count() == 3


def test_contains_and_startswith_are_case_sensitive_on_postgres_only(products, vendor):
    def names(**lookup):
        return sorted(p.name for p in products.objects.filter(**lookup))

    if vendor == "postgres":
        assert names(name__contains="apple") == ["apple_tart"]
        assert names(name__startswith="a") == ["apple_tart"]
    else:  # SQLite's LIKE ignores case
        assert names(name__contains="apple") == ["Apple pie", "apple_tart"]
        assert names(name__startswith="a") == ["Apple pie", "apple_tart"]
    assert names(name__icontains="apple") == ["Apple pie", "apple_tart"]
    assert names(name__istartswith="a") == ["Apple pie", "apple_tart"]


def test_like_wildcards_are_not_escaped_on_any_database(products):
    # _contains is LIKE '%value%' without escaping: "_" matches any one character.
    assert products.objects.filter(name__contains="_").count() == 3


def test_nulls_sort_first_on_sqlite_and_last_on_postgres(products, vendor):
    ascending = list(products.objects.order_by("rank").values_list("rank", flat=True))
    descending = list(products.objects.order_by("-rank").values_list("rank", flat=True))
    if vendor == "postgres":
        assert ascending == [1, 2, None] and descending == [None, 2, 1]
    else:
        assert ascending == [None, 1, 2] and descending == [2, 1, None]


def test_timestamps_come_back_in_utc_on_every_database(session, products):
    raw = session.request("GET", f"/items/{products._meta.collection}",
                          params={"sort": "id", "fields": "seen_at"})["data"]
    assert [row["seen_at"] for row in raw] == ["2024-05-01T10:20:30.000Z", "2024-05-01T08:20:30.000Z", None]
    first = products.objects.order_by("id").first()
    assert first is not None and first.seen_at == datetime(2024, 5, 1, 10, 20, 30, tzinfo=timezone.utc)
    later = products.objects.filter(seen_at__gt=datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc))
    assert [p.name for p in later] == ["Apple pie"]


def test_a_malformed_uuid_in_a_filter_is_a_server_error_on_postgres(session, vendor):
    query = d.DirectusPermission.objects.filter(policy="not-a-uuid")
    if vendor == "postgres":  # the uuid column refuses the text: 500 with the SQL in the message
        with pytest.raises(d.InternalServerError, match="invalid input syntax for type uuid"):
            query.exists()
    else:
        assert query.exists() is False


def test_updating_a_relation_keeps_directus_11_alive(session, schema, directus_server):
    authors = schema.collection(unique("compat_authors"), [f.string("name")])
    books = schema.collection(unique("compat_books"), [f.string("title"), f.m2o("author")])
    schema.m2o(books, "author", authors)
    # Directus 11 reads the relation's keys from the PATCH body; without them its process died.
    session.relations.update(books, "author", meta={"one_deselect_action": "nullify"})
    changed = session.relations.update(books, "author", schema={"on_delete": "CASCADE"})
    assert changed is not None and changed.schema_ is not None
    assert changed.schema_.on_delete == "CASCADE"
    assert httpx.get(f"{directus_server.url}/server/ping", timeout=10).text == "pong"


def test_schema_diff_modes_need_12_2(session):
    snapshot = session.schema.snapshot()
    version = session.server.version()
    assert version is not None
    if version >= "12.2":
        assert session.schema.diff(snapshot, mode="merge") is None  # no difference with itself
    else:
        with pytest.raises(d.FeatureNotSupported, match=f"this server runs {version}"):
            session.schema.diff(snapshot, mode="merge")


def test_a_late_second_file_part_is_left_out_of_the_upload_answer(session, directus_server, admin_token):
    """Directus answers a multipart upload once the files whose parts have arrived are saved."""
    boundary = "compat-boundary"

    def part(name: str, data: bytes) -> bytes:
        return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: text/plain\r\n\r\n").encode() + data + b"\r\n"

    late = part("late.txt", b"late") + f"--{boundary}--\r\n".encode()
    cut = late.index(b"Content-Type")  # the second part has begun, its headers are not complete

    def body():
        yield part("early.txt", b"early") + late[:cut]
        time.sleep(2.0)  # the first file is saved meanwhile
        yield late[cut:]

    response = httpx.post(f"{directus_server.url}/files", content=body(), timeout=60,
                          headers={"Authorization": f"Bearer {admin_token}",
                                   "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 200, response.text
    answer = response.json()["data"]
    assert isinstance(answer, dict) and answer["filename_download"] == "early.txt"  # one, not two
    time.sleep(1.0)
    saved = d.DirectusFile.objects.filter(filename_download__in=["early.txt", "late.txt"])
    names = sorted(f_.filename_download or "" for f_ in saved)
    saved.delete()
    assert "early.txt" in names
    # upload_many() sends a request per file, so every file is in its answer, in order.
    files = session.files.upload_many([d.Upload(b"one", filename="one.txt"), d.Upload(b"two", filename="two.txt")])
    try:
        assert [f_.filename_download for f_ in files] == ["one.txt", "two.txt"]
    finally:
        for item in files:
            item.delete()
