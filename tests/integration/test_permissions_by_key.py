"""DirectusPermission by key and its writes on an unlicensed Directus 12.4.

For a user with app access the server appends its built-in permissions (no
``id``) to every ``/permissions`` list and matches conditions on ``id`` as true
for them; an unlicensed server checks every permission write body for "fields
include '*' and no rules". These tests pin both against the real server.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

import directus_orm as d
from directus_orm import DirectusPermission, DirectusPolicy


def _policy(session: d.Session) -> DirectusPolicy:
    return DirectusPolicy.objects.create(
        name=f"perm-by-key {uuid.uuid4().hex[:8]}", app_access=False, admin_access=False)


@pytest.fixture
def perms(session) -> Iterator[tuple[DirectusPolicy, list[DirectusPermission]]]:
    policy = _policy(session)
    try:
        made = [
            DirectusPermission.objects.create(
                policy=policy.id, collection="directus_files", action=action, fields=["*"])
            for action in ("read", "create", "update")
        ]
        yield policy, made
    finally:
        policy.delete()  # its permissions go with it


def test_the_server_appends_built_in_rows_that_ignore_id_filters(session, perms):
    # What the QuerySet works around, pinned: a raw read by id gets ~20 more rows.
    _, made = perms
    raw = session.request("GET", "/permissions", query={"filter": {"id": {"_eq": made[0].id}}})
    ids = [row.get("id") for row in raw["data"]]
    assert ids[0] == made[0].id
    assert len(ids) > 1 and all(i is None for i in ids[1:])
    assert all(row.get("system") is True for row in raw["data"][1:])


def test_results_and_counts_by_key_see_only_matching_rows(session, perms):
    _, made = perms
    keys = [p.id for p in made[:2]]
    one = DirectusPermission.objects.get(pk=made[0].id)
    assert one.id == made[0].id and one.action == "read"
    listed = list(DirectusPermission.objects.filter(pk__in=keys).order_by("id"))
    assert [p.id for p in listed] == keys
    assert [p.action for p in listed] == ["read", "create"]
    assert DirectusPermission.objects.filter(pk__in=keys).count() == 2
    assert DirectusPermission.objects.filter(pk=made[2].id).exists()
    assert sorted(DirectusPermission.objects.filter(pk__in=keys).values_list("action", flat=True)) \
        == ["create", "read"]
    assert set(DirectusPermission.objects.in_bulk(keys)) == set(keys)
    # No built-in row anywhere in a full listing either.
    assert all(p.id is not None for p in DirectusPermission.objects.all())
    assert DirectusPermission.objects.count() == len(list(DirectusPermission.objects.all()))
    with pytest.raises(DirectusPermission.DoesNotExist):
        DirectusPermission.objects.get(pk=10**9)
    fresh = DirectusPermission.objects.get(pk=made[1].id)
    fresh.refresh_from_db()
    assert fresh.action == "create"


def test_update_and_delete_by_query_touch_only_matching_rows(session, perms):
    policy, made = perms
    keys = [p.id for p in made[:2]]
    # No `fields` in the change: the QuerySet sends the rules each row holds.
    assert DirectusPermission.objects.filter(pk__in=keys).update(collection="directus_folders") == 2
    assert DirectusPermission.objects.filter(pk=made[2].id).update(action="delete") == 1
    rows = {p.id: p for p in DirectusPermission.objects.filter(policy=policy.id)}
    assert {rows[k].collection for k in keys} == {"directus_folders"}
    assert rows[made[2].id].action == "delete" and rows[made[2].id].collection == "directus_files"
    assert rows[made[2].id].fields == ["*"]
    assert DirectusPermission.objects.filter(pk__in=keys).delete() == 2
    assert [p.id for p in DirectusPermission.objects.filter(policy=policy.id)] == [made[2].id]


def test_save_and_bulk_update_of_an_allowed_change(session, perms):
    policy, made = perms
    first = DirectusPermission.objects.get(pk=made[0].id)
    first.action = "share"
    first.save()  # the server wants `fields` in the body: it is sent along
    assert DirectusPermission.objects.get(pk=first.id).action == "share"

    objs = list(DirectusPermission.objects.filter(pk__in=[made[1].id, made[2].id]).order_by("id"))
    objs[0].action = "delete"
    objs[1].collection = "directus_folders"
    assert DirectusPermission.objects.bulk_update(objs, ["action", "collection"]) == 2
    after = {p.id: p for p in DirectusPermission.objects.filter(policy=policy.id)}
    assert after[made[1].id].action == "delete"
    assert after[made[2].id].collection == "directus_folders"
    assert all(p.fields == ["*"] for p in after.values())


def test_refused_permission_writes_say_what_to_do(session, perms):
    policy, made = perms
    version = session.server.version()
    assert version is not None
    if version < "12":  # Directus 11 has no license limits: the same writes go through
        partial = DirectusPermission.objects.only("id", "action").get(pk=made[0].id)
        partial.action = "share"
        partial.save()
        assert DirectusPermission.objects.filter(pk=made[0].id).update(permissions={"id": {"_eq": 1}}) == 1
        assert DirectusPermission.objects.get(pk=made[0].id).action == "share"
        return
    # Loaded without `fields`: nothing to send along, the server refuses.
    partial = DirectusPermission.objects.only("id", "action").get(pk=made[0].id)
    partial.action = "share"
    with pytest.raises(d.ResourceRestricted) as info:
        partial.save()
    assert "fields=['*']" in str(info.value)
    # A rule is refused whatever is sent; the message names the rule fields.
    with pytest.raises(d.ResourceRestricted) as info:
        DirectusPermission.objects.filter(pk=made[0].id).update(permissions={"id": {"_eq": 1}})
    assert "no `permissions`, `validation` or `presets` rules" in str(info.value)
    with pytest.raises(d.ResourceRestricted):
        DirectusPermission.objects.create(policy=policy.id, collection="directus_files",
                                          action="share")
    assert DirectusPermission.objects.get(pk=made[0].id).action == "read"


@pytest.fixture
async def aperms(asession) -> AsyncIterator[tuple[DirectusPolicy, list[DirectusPermission]]]:
    policy = await DirectusPolicy.objects.acreate(
        name=f"perm-by-key {uuid.uuid4().hex[:8]}", app_access=False, admin_access=False)
    try:
        made = [
            await DirectusPermission.objects.acreate(
                policy=policy.id, collection="directus_files", action=action, fields=["*"])
            for action in ("read", "create")
        ]
        yield policy, made
    finally:
        await policy.adelete()


async def test_async_permissions_by_key_and_writes(asession, aperms):
    policy, made = aperms
    keys = [p.id for p in made]
    assert (await DirectusPermission.objects.aget(pk=keys[0])).action == "read"
    assert [p.id async for p in DirectusPermission.objects.filter(pk__in=keys).order_by("id")] \
        == keys
    assert await DirectusPermission.objects.filter(pk__in=keys).acount() == 2
    assert await DirectusPermission.objects.filter(pk=keys[0]).aupdate(action="share") == 1
    obj = await DirectusPermission.objects.aget(pk=keys[1])
    obj.action = "delete"
    await obj.asave()
    assert await DirectusPermission.objects.abulk_update([obj], ["collection"]) == 1
    actions = {p.id: p.action for p in await DirectusPermission.objects.filter(pk__in=keys).alist()}
    assert actions == {keys[0]: "share", keys[1]: "delete"}
    assert await DirectusPermission.objects.filter(pk__in=keys).adelete() == 2
    assert not await DirectusPermission.objects.filter(policy=policy.id).aexists()
