"""Typed models of the Directus system collections (``directus_users``, ``directus_files`` ...).

Each model is bound to the collection's own endpoint (``/users``, ``/files``,
...), since Directus refuses ``/items/directus_*``. The fields are the ones
Directus 12.4 returns; every one is optional (``| None = None``), because a
query may fetch only some and permissions may hide others. Relations are typed
both ways (``role: DirectusRole | str | None``): the key as the server sends
it, or the related object when the query expands it, so lookups across them
work: ``DirectusUser.objects.filter(role__name="Editor")``.

Apps add their own fields by subclassing; the subclass reads the same
endpoint::

    class User(DirectusUser):
        level: int | None = None

    User.objects.filter(level__gte=3)

``DirectusUser``, ``DirectusFile`` and ``DirectusSettings`` keep fields they do
not declare (``extra="allow"``, in ``obj.model_extra``): those collections are
the ones apps extend. ``DirectusActivity`` and ``DirectusRevision`` are
read-only: Directus writes them itself.

``/collections``, ``/fields`` and ``/relations`` ignore every query parameter
(``filter``, ``limit``, ``offset``, ``sort``, ``fields``, ``meta``,
``aggregate``) and always return everything. Their QuerySet
(:class:`SchemaQuerySet`) therefore fetches the whole list and applies the
filter, search, sort and slice **in Python**, so results are what the query
says; ``aggregate()`` and ``group_by()`` raise ``QueryError`` there (use
``count()``, or compute in Python).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from ._exceptions import Forbidden, QueryError
from ._filters import EmptyResultSet
from ._flow import Flow
from ._model import Model
from ._persistence import (
    Progress,
    absorb,
    changed_fields,
    from_db,
    hydrate_one,
    insert_fields,
    mark_loaded,
    payload,
    state_of,
)
from ._queryset import QuerySet, _Batch
from ._request import Call, path_of

if TYPE_CHECKING:
    from ._aggregates import Aggregate
    from ._session import BaseSession

T = TypeVar("T")

__all__ = [
    "CollectionMetaInfo",
    "CollectionSchemaInfo",
    "DirectusAccess",
    "DirectusActivity",
    "DirectusCollection",
    "DirectusComment",
    "DirectusDashboard",
    "DirectusField",
    "DirectusFile",
    "DirectusFlow",
    "DirectusFolder",
    "DirectusNotification",
    "DirectusOperation",
    "DirectusPanel",
    "DirectusPermission",
    "DirectusPolicy",
    "DirectusPreset",
    "DirectusRelation",
    "DirectusRevision",
    "DirectusRole",
    "DirectusSettings",
    "DirectusShare",
    "DirectusTranslation",
    "DirectusUser",
    "DirectusVersion",
    "FieldMetaInfo",
    "FieldSchemaInfo",
    "PermissionQuerySet",
    "RelationMetaInfo",
    "RelationSchemaInfo",
    "SchemaQuerySet",
]


# ===================================================================== access


class DirectusUser(Model, collection="directus_users", endpoint="users", extra="allow"):
    """A row of ``directus_users`` (``/users``). ``password``, ``token`` and
    ``tfa_secret`` read back as ``"**********"``."""

    id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    password: str | None = None
    location: str | None = None
    title: str | None = None
    description: str | None = None
    tags: list[str] | None = None
    avatar: DirectusFile | str | None = None
    language: str | None = None
    tfa_secret: str | None = None
    status: str | None = None
    """``active``, ``invited``, ``draft``, ``suspended``, ``archived`` (or ``unverified``)."""
    role: DirectusRole | str | None = None
    token: str | None = None
    last_access: datetime | None = None
    last_page: str | None = None
    provider: str | None = None
    external_identifier: str | None = None
    auth_data: Any = None
    email_notifications: bool | None = None
    appearance: str | None = None
    theme_dark: str | None = None
    theme_light: str | None = None
    theme_light_overrides: dict[str, Any] | None = None
    theme_dark_overrides: dict[str, Any] | None = None
    text_direction: str | None = None
    policies: list[DirectusAccess] | list[str] | None = None
    """``directus_access`` rows (not policy ids); expand ``policies.policy`` for the policies."""


class DirectusRole(Model, collection="directus_roles", endpoint="roles"):
    """A row of ``directus_roles`` (``/roles``). Since Directus 11 the access
    flags live on policies, attached through ``policies`` (access rows)."""

    id: str | None = None
    name: str | None = None
    icon: str | None = None
    description: str | None = None
    parent: DirectusRole | str | None = None
    children: list[DirectusRole] | list[str] | None = None
    policies: list[DirectusAccess] | list[str] | None = None
    users: list[DirectusUser] | list[str] | None = None


class DirectusPolicy(Model, collection="directus_policies", endpoint="policies"):
    """A row of ``directus_policies`` (``/policies``): access flags and permissions."""

    id: str | None = None
    name: str | None = None
    icon: str | None = None
    description: str | None = None
    ip_access: list[str] | None = None
    enforce_tfa: bool | None = None
    admin_access: bool | None = None
    app_access: bool | None = None
    permissions: list[DirectusPermission] | list[int] | None = None
    users: list[DirectusAccess] | list[str] | None = None
    roles: list[DirectusAccess] | list[str] | None = None


class DirectusAccess(Model, collection="directus_access", endpoint="access"):
    """A row of ``directus_access`` (``/access``): attaches a policy to a role or a user."""

    id: str | None = None
    role: DirectusRole | str | None = None
    user: DirectusUser | str | None = None
    policy: DirectusPolicy | str | None = None
    sort: int | None = None


class PermissionQuerySet(QuerySet[T]):
    """The QuerySet of ``/permissions``.

    For an admin, Directus 12.4 appends its built-in system permissions (no
    ``id``) to every list it answers, ignoring ``limit``, ``fields`` and
    ``aggregate`` for them (it does apply ``filter``), and it answers
    ``aggregate`` with those rows instead of a count. So slices are cut again
    here, ``count()`` counts the listed rows, and ``aggregate()`` raises.
    """

    def _rows_clone(self, **changes: Any) -> QuerySet[Any]:
        clone: PermissionQuerySet[Any] = PermissionQuerySet(
            self.model, replace(self._state, **changes), self._session
        )
        return clone

    def _fetch_flow(self, session: BaseSession, query: dict[str, Any]) -> Flow[_Batch[T]]:
        batch = yield from super()._fetch_flow(session, query)
        limit = query.get("limit")
        if isinstance(limit, int) and limit >= 0 and len(batch.items) > limit:
            batch.items = batch.items[:limit]
        return batch

    def _count_flow(self, session: BaseSession) -> Flow[int]:
        pk = self.model._meta.pk_field.api_name
        rows = yield from self._rows_clone(
            fields=(pk,), rows="flat", row_fields=(pk,), sort=(), meta=()
        )._all_flow(session)
        return len(rows)

    def _aggregate_flow(
        self, session: BaseSession, aggregates: Mapping[str, Aggregate], group: tuple[str, ...]
    ) -> Flow[list[dict[str, Any]]]:
        raise QueryError(
            "/permissions answers aggregate queries with its system permissions instead of "
            "a result; use count(), or iterate and compute in Python"
        )
        yield  # pragma: no cover - makes this a generator


class DirectusPermission(Model, collection="directus_permissions", endpoint="permissions"):
    """A row of ``directus_permissions`` (``/permissions``).

    An admin's list also holds the built-in system permissions, which have no
    ``id`` (``system=True``, ``policy=None``). On the Core license only
    ``fields=["*"]`` permissions without rules can be created.
    """

    objects = PermissionQuerySet["DirectusPermission"].as_manager()

    id: int | None = None
    collection: str | None = None
    action: str | None = None
    """``create``, ``read``, ``update``, ``delete`` or ``share``."""
    permissions: dict[str, Any] | None = None
    validation: dict[str, Any] | None = None
    presets: dict[str, Any] | None = None
    fields: list[str] | None = None
    policy: DirectusPolicy | str | None = None
    system: bool | None = None


# ====================================================================== files


class DirectusFolder(Model, collection="directus_folders", endpoint="folders"):
    """A row of ``directus_folders`` (``/folders``)."""

    id: str | None = None
    name: str | None = None
    parent: DirectusFolder | str | None = None
    type: str | None = None


class DirectusFile(Model, collection="directus_files", endpoint="files", extra="allow"):
    """A row of ``directus_files`` (``/files``). Upload with ``session.files.upload()``."""

    id: str | None = None
    storage: str | None = None
    filename_disk: str | None = None
    filename_download: str | None = None
    title: str | None = None
    type: str | None = None
    folder: DirectusFolder | str | None = None
    uploaded_by: DirectusUser | str | None = None
    created_on: datetime | None = None
    modified_by: DirectusUser | str | None = None
    modified_on: datetime | None = None
    charset: str | None = None
    filesize: int | None = None
    width: int | None = None
    height: int | None = None
    duration: int | None = None
    embed: str | None = None
    description: str | None = None
    location: str | None = None
    tags: list[str] | None = None
    metadata: dict[str, Any] | None = None
    focal_point_x: int | None = None
    focal_point_y: int | None = None
    tus_id: str | None = None
    tus_data: dict[str, Any] | None = None
    uploaded_on: datetime | None = None


# ============================================================ history, comments


class DirectusActivity(
    Model, collection="directus_activity", endpoint="activity", read_only=True
):
    """A row of ``directus_activity`` (``/activity``, read-only). Comments are
    not activity any more (Directus 11.1): see :class:`DirectusComment`."""

    id: int | None = None
    action: str | None = None
    """``create``, ``update``, ``delete``, ``login``, ``run`` ..."""
    user: DirectusUser | str | None = None
    timestamp: datetime | None = None
    ip: str | None = None
    user_agent: str | None = None
    collection: str | None = None
    item: str | None = None
    """The item's primary key, always as a string."""
    origin: str | None = None
    revisions: list[DirectusRevision] | list[int] | None = None


class DirectusRevision(
    Model, collection="directus_revisions", endpoint="revisions", read_only=True
):
    """A row of ``directus_revisions`` (``/revisions``, read-only).

    ``data`` is the full item after the change, ``delta`` the changed fields.
    Restore one with ``session.utils.revert(revision)``.
    """

    id: int | None = None
    activity: DirectusActivity | int | None = None
    collection: str | None = None
    item: str | None = None
    data: dict[str, Any] | None = None
    delta: dict[str, Any] | None = None
    parent: DirectusRevision | int | None = None
    version: DirectusVersion | str | None = None


class DirectusComment(Model, collection="directus_comments", endpoint="comments"):
    """A row of ``directus_comments`` (``/comments``): a comment on an item."""

    id: str | None = None
    collection: str | None = None
    item: str | None = None
    """The item's primary key, always as a string (a number is accepted on write)."""
    comment: str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    user_created: DirectusUser | str | None = None
    user_updated: DirectusUser | str | None = None


class DirectusVersion(Model, collection="directus_versions", endpoint="versions"):
    """A row of ``directus_versions`` (``/versions``): a content version of an item."""

    id: str | None = None
    key: str | None = None
    name: str | None = None
    collection: str | None = None
    item: str | None = None
    hash: str | None = None
    date_created: datetime | None = None
    date_updated: datetime | None = None
    user_created: DirectusUser | str | None = None
    user_updated: DirectusUser | str | None = None
    delta: dict[str, Any] | None = None


# ============================================================ app configuration


class DirectusPreset(Model, collection="directus_presets", endpoint="presets"):
    """A row of ``directus_presets`` (``/presets``): bookmarks and layout presets.
    ``user=None`` and ``role=None`` make it global."""

    id: int | None = None
    bookmark: str | None = None
    user: DirectusUser | str | None = None
    role: DirectusRole | str | None = None
    collection: str | None = None
    search: str | None = None
    layout: str | None = None
    layout_query: dict[str, Any] | None = None
    layout_options: dict[str, Any] | None = None
    refresh_interval: int | None = None
    filter: dict[str, Any] | None = None
    icon: str | None = None
    color: str | None = None


class DirectusSettings(
    Model, collection="directus_settings", endpoint="settings", singleton=True, extra="allow"
):
    """The ``directus_settings`` singleton (``/settings``).

    Only the commonly used fields are declared; the rest (AI, MCP, theming ...)
    stay available in ``model_extra``. Read it with ``session.settings.read()``
    or ``DirectusSettings.objects.get()``.
    """

    id: int | None = None
    project_name: str | None = None
    project_url: str | None = None
    project_color: str | None = None
    project_logo: str | None = None
    project_descriptor: str | None = None
    project_id: str | None = None
    public_foreground: str | None = None
    public_background: str | None = None
    public_favicon: str | None = None
    public_note: str | None = None
    auth_login_attempts: int | None = None
    auth_password_policy: str | None = None
    storage_asset_transform: str | None = None
    """``all``, ``none`` or ``presets``."""
    storage_asset_presets: list[dict[str, Any]] | None = None
    storage_default_folder: DirectusFolder | str | None = None
    custom_css: str | None = None
    basemaps: list[dict[str, Any]] | None = None
    mapbox_key: str | None = None
    module_bar: list[dict[str, Any]] | None = None
    default_language: str | None = None
    custom_aspect_ratios: list[dict[str, Any]] | None = None
    default_appearance: str | None = None
    default_theme_light: str | None = None
    default_theme_dark: str | None = None
    theme_light_overrides: dict[str, Any] | None = None
    theme_dark_overrides: dict[str, Any] | None = None
    report_error_url: str | None = None
    report_bug_url: str | None = None
    report_feature_url: str | None = None
    public_registration: bool | None = None
    public_registration_verify_email: bool | None = None
    public_registration_role: DirectusRole | str | None = None
    public_registration_email_filter: dict[str, Any] | None = None
    visual_editor_urls: list[dict[str, Any]] | None = None
    mcp_enabled: bool | None = None
    collaborative_editing_enabled: bool | None = None
    default_save_action: str | None = None


class DirectusTranslation(Model, collection="directus_translations", endpoint="translations"):
    """A row of ``directus_translations`` (``/translations``): a custom translation string."""

    id: str | None = None
    language: str | None = None
    key: str | None = None
    value: str | None = None


class DirectusNotification(
    Model, collection="directus_notifications", endpoint="notifications"
):
    """A row of ``directus_notifications`` (``/notifications``)."""

    id: int | None = None
    timestamp: datetime | None = None
    status: str | None = None
    """``inbox`` or ``archived``."""
    recipient: DirectusUser | str | None = None
    sender: DirectusUser | str | None = None
    subject: str | None = None
    message: str | None = None
    collection: str | None = None
    item: str | None = None


class DirectusShare(Model, collection="directus_shares", endpoint="shares"):
    """A row of ``directus_shares`` (``/shares``). ``password`` reads back masked."""

    id: str | None = None
    name: str | None = None
    collection: str | None = None
    item: str | None = None
    role: DirectusRole | str | None = None
    password: str | None = None
    user_created: DirectusUser | str | None = None
    date_created: datetime | None = None
    date_start: datetime | None = None
    date_end: datetime | None = None
    times_used: int | None = None
    max_uses: int | None = None


class DirectusFlow(Model, collection="directus_flows", endpoint="flows"):
    """A row of ``directus_flows`` (``/flows``). The Core license allows 5 active flows."""

    id: str | None = None
    name: str | None = None
    icon: str | None = None
    color: str | None = None
    description: str | None = None
    status: str | None = None
    """``active`` or ``inactive``."""
    trigger: str | None = None
    """``event``, ``webhook``, ``operation``, ``schedule`` or ``manual``."""
    accountability: str | None = None
    options: dict[str, Any] | None = None
    operation: DirectusOperation | str | None = None
    date_created: datetime | None = None
    user_created: DirectusUser | str | None = None
    folder: str | None = None
    operations: list[DirectusOperation] | list[str] | None = None


class DirectusOperation(Model, collection="directus_operations", endpoint="operations"):
    """A row of ``directus_operations`` (``/operations``): one step of a flow."""

    id: str | None = None
    name: str | None = None
    key: str | None = None
    type: str | None = None
    position_x: int | None = None
    position_y: int | None = None
    options: dict[str, Any] | None = None
    resolve: DirectusOperation | str | None = None
    reject: DirectusOperation | str | None = None
    flow: DirectusFlow | str | None = None
    date_created: datetime | None = None
    user_created: DirectusUser | str | None = None


class DirectusDashboard(Model, collection="directus_dashboards", endpoint="dashboards"):
    """A row of ``directus_dashboards`` (``/dashboards``, the Insights module)."""

    id: str | None = None
    name: str | None = None
    icon: str | None = None
    note: str | None = None
    date_created: datetime | None = None
    user_created: DirectusUser | str | None = None
    color: str | None = None
    panels: list[DirectusPanel] | list[str] | None = None


class DirectusPanel(Model, collection="directus_panels", endpoint="panels"):
    """A row of ``directus_panels`` (``/panels``): one panel of a dashboard."""

    id: str | None = None
    dashboard: DirectusDashboard | str | None = None
    name: str | None = None
    icon: str | None = None
    color: str | None = None
    show_header: bool | None = None
    note: str | None = None
    type: str | None = None
    position_x: int | None = None
    position_y: int | None = None
    width: int | None = None
    height: int | None = None
    options: dict[str, Any] | None = None
    date_created: datetime | None = None
    user_created: DirectusUser | str | None = None


# ============================================ schema: collections, fields, relations


class _Info(BaseModel):
    """An open object: known keys typed, unknown ones kept (``model_extra``)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    @model_serializer(mode="wrap")
    def _only_set(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Send back only what the server sent or you set: a PATCH of a field's
        # meta must not turn every unmentioned key into null.
        data: dict[str, Any] = handler(self)
        keep = self.model_fields_set | set(self.model_extra or {})
        return {k: v for k, v in data.items() if k in keep}


class CollectionMetaInfo(_Info):
    """``meta`` of a collection: its ``directus_collections`` row (``None`` for a
    database-only table)."""

    collection: str | None = None
    icon: str | None = None
    note: str | None = None
    display_template: str | None = None
    hidden: bool | None = None
    singleton: bool | None = None
    translations: list[dict[str, Any]] | None = None
    archive_field: str | None = None
    archive_app_filter: bool | None = None
    archive_value: str | None = None
    unarchive_value: str | None = None
    sort_field: str | None = None
    accountability: str | None = None
    color: str | None = None
    item_duplication_fields: list[str] | None = None
    sort: int | None = None
    group: str | None = None
    collapse: str | None = None
    preview_url: str | None = None
    versioning: bool | None = None
    status: str | None = None
    """``active`` or ``inactive`` (set by the license; inactive collections answer 403)."""
    autosave_revision_interval: float | None = None
    system: bool | None = None


class CollectionSchemaInfo(_Info):
    """``schema`` of a collection: the database table (``None`` for a folder)."""

    name: str | None = None
    comment: str | None = None
    sql: str | None = None
    """The ``CREATE TABLE`` statement (SQLite only)."""


class FieldMetaInfo(_Info):
    """``meta`` of a field: its ``directus_fields`` row."""

    id: int | None = None
    collection: str | None = None
    field: str | None = None
    special: list[str] | None = None
    interface: str | None = None
    options: dict[str, Any] | None = None
    display: str | None = None
    display_options: dict[str, Any] | None = None
    readonly: bool | None = None
    hidden: bool | None = None
    sort: int | None = None
    width: str | None = None
    translations: list[dict[str, Any]] | None = None
    note: str | None = None
    conditions: list[dict[str, Any]] | None = None
    required: bool | None = None
    group: str | None = None
    validation: dict[str, Any] | None = None
    validation_message: str | None = None
    searchable: bool | None = None
    system: bool | None = None


class FieldSchemaInfo(_Info):
    """``schema`` of a field: the database column (``None`` for an alias field)."""

    name: str | None = None
    table: str | None = None
    data_type: str | None = None
    default_value: Any = None
    max_length: int | None = None
    numeric_precision: int | None = None
    numeric_scale: int | None = None
    is_generated: bool | None = None
    generation_expression: str | None = None
    is_nullable: bool | None = None
    is_unique: bool | None = None
    is_indexed: bool | None = None
    is_primary_key: bool | None = None
    has_auto_increment: bool | None = None
    foreign_key_column: str | None = None
    foreign_key_table: str | None = None
    comment: str | None = None


class RelationMetaInfo(_Info):
    """``meta`` of a relation: its ``directus_relations`` row."""

    id: int | None = None
    many_collection: str | None = None
    many_field: str | None = None
    one_collection: str | None = None
    one_field: str | None = None
    one_collection_field: str | None = None
    one_allowed_collections: list[str] | None = None
    one_deselect_action: str | None = None
    junction_field: str | None = None
    sort_field: str | None = None
    system: bool | None = None


class RelationSchemaInfo(_Info):
    """``schema`` of a relation: the foreign key constraint (``None`` without one)."""

    table: str | None = None
    column: str | None = None
    foreign_key_table: str | None = None
    foreign_key_column: str | None = None
    constraint_name: str | None = None
    on_update: str | None = None
    on_delete: str | None = None


# ------------------------------------------------------- client-side evaluation

_Row = Mapping[str, Any]
_CONDITION_RE = re.compile(r"^[a-z_]+\(")


def _missing_operator(op: str) -> QueryError:
    return QueryError(
        f"the filter operator {op!r} cannot be evaluated in Python; /collections, "
        "/fields and /relations ignore filters, so this QuerySet filters locally"
    )


def _as_number(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _compare(left: Any, right: Any) -> int | None:
    """-1/0/1, or None when the two cannot be ordered."""
    if isinstance(left, bool) or isinstance(right, bool):
        left, right = int(left) if isinstance(left, bool) else left, (
            int(right) if isinstance(right, bool) else right)
    if isinstance(left, (int, float)) != isinstance(right, (int, float)):
        left, right = _as_number(left), _as_number(right)
    try:
        return -1 if left < right else (1 if left > right else 0)
    except TypeError:
        return None


def _equal(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is right
    return _compare(left, right) == 0 if not isinstance(left, (dict, list)) else left == right


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _str_op(fn: Callable[[str, str], bool], fold: bool) -> Callable[[Any, Any], bool]:
    def test(value: Any, arg: Any) -> bool:
        text, needle = _text(value), _text(arg)
        if text is None or needle is None:
            return False
        if fold:
            text, needle = text.lower(), needle.lower()
        return fn(text, needle)

    return test


def _contains(value: Any, arg: Any) -> bool:
    if isinstance(value, list):
        return any(_equal(v, arg) for v in value)
    return _str_op(lambda t, n: n in t, False)(value, arg)


def _between(value: Any, arg: Any) -> bool:
    if value is None or not isinstance(arg, (list, tuple)) or len(arg) != 2:
        return False
    low, high = _compare(value, arg[0]), _compare(value, arg[1])
    return low is not None and high is not None and low >= 0 and high <= 0


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _ordered(pred: Callable[[int], bool]) -> Callable[[Any, Any], bool]:
    def test(value: Any, arg: Any) -> bool:
        if value is None or arg is None:
            return False
        result = _compare(value, arg)
        return result is not None and pred(result)

    return test


def _in(value: Any, arg: Any) -> bool:
    items = arg if isinstance(arg, (list, tuple)) else str(arg).split(",")
    return any(_equal(value, item) for item in items)


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "_eq": _equal,
    "_neq": lambda v, a: not _equal(v, a),
    "_lt": _ordered(lambda r: r < 0),
    "_lte": _ordered(lambda r: r <= 0),
    "_gt": _ordered(lambda r: r > 0),
    "_gte": _ordered(lambda r: r >= 0),
    "_in": _in,
    "_nin": lambda v, a: not _in(v, a),
    "_null": lambda v, a: (v is None) == bool(a),
    "_nnull": lambda v, a: (v is not None) == bool(a),
    "_empty": lambda v, a: _empty(v) == bool(a),
    "_nempty": lambda v, a: (not _empty(v)) == bool(a),
    "_contains": _contains,
    "_ncontains": lambda v, a: not _contains(v, a),
    "_icontains": _str_op(lambda t, n: n in t, True),
    "_nicontains": lambda v, a: not _str_op(lambda t, n: n in t, True)(v, a),
    "_starts_with": _str_op(str.startswith, False),
    "_nstarts_with": lambda v, a: not _str_op(str.startswith, False)(v, a),
    "_istarts_with": _str_op(str.startswith, True),
    "_nistarts_with": lambda v, a: not _str_op(str.startswith, True)(v, a),
    "_ends_with": _str_op(str.endswith, False),
    "_nends_with": lambda v, a: not _str_op(str.endswith, False)(v, a),
    "_iends_with": _str_op(str.endswith, True),
    "_niends_with": lambda v, a: not _str_op(str.endswith, True)(v, a),
    "_between": _between,
    "_nbetween": lambda v, a: v is not None and not _between(v, a),
    "_regex": lambda v, a: _text(v) is not None and re.search(str(a), str(_text(v))) is not None,
}


def _check_value(arg: Any) -> None:
    if isinstance(arg, str) and arg.startswith("$"):
        raise QueryError(
            f"dynamic variables ({arg}) cannot be evaluated in Python; /collections, "
            "/fields and /relations ignore filters, so this QuerySet filters locally"
        )


def _test_value(value: Any, condition: Any) -> bool:
    """Does ``value`` (a field's value) satisfy ``condition`` (operators or a nested filter)?"""
    if not isinstance(condition, Mapping):
        return _equal(value, condition)
    operators = {k: v for k, v in condition.items() if k.startswith("_")}
    nested = {k: v for k, v in condition.items() if not k.startswith("_")}
    for op, arg in operators.items():
        _check_value(arg)
        if op in ("_some", "_none"):
            rows = value if isinstance(value, list) else ([] if value is None else [value])
            hit = any(isinstance(r, Mapping) and matches(r, arg) for r in rows)
            if hit != (op == "_some"):
                return False
            continue
        if op in ("_and", "_or"):
            parts = [isinstance(value, Mapping) and matches(value, c) for c in arg]
            if not (all(parts) if op == "_and" else any(parts)):
                return False
            continue
        test = _OPERATORS.get(op)
        if test is None:
            raise _missing_operator(op)
        if isinstance(value, list) and op not in ("_contains", "_ncontains", "_null", "_nnull",
                                                   "_empty", "_nempty"):
            # A to-many field compared directly: any related row may match.
            if not any(test(v, arg) for v in value):
                return False
        elif not test(value, arg):
            return False
    if nested:
        rows = value if isinstance(value, list) else [value]
        return any(isinstance(r, Mapping) and matches(r, nested) for r in rows)
    return True


def matches(row: _Row, flt: Mapping[str, Any]) -> bool:
    """Whether ``row`` (a JSON object) satisfies the Directus filter ``flt``."""
    for key, condition in flt.items():
        if key == "_and":
            if not all(matches(row, part) for part in condition):
                return False
        elif key == "_or":
            if not any(matches(row, part) for part in condition):
                return False
        elif _CONDITION_RE.match(key):
            raise QueryError(
                f"functions such as {key!r} cannot be evaluated in Python; /collections, "
                "/fields and /relations ignore filters, so this QuerySet filters locally"
            )
        elif not _test_value(row.get(key), condition):
            return False
    return True


def _dig(row: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(row, Mapping):
            return None
        row = row.get(part)
    return row


def _searched(row: _Row, text: str) -> bool:
    needle = text.lower()
    return any(isinstance(v, str) and needle in v.lower() for v in row.values())


class _SortKey:
    """Orders JSON values like the database: NULLs first, then by value."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _SortKey) -> bool:
        a, b = self.value, other.value
        if a is None or b is None:
            return a is None and b is not None
        result = _compare(a, b)
        if result is None:
            return str(a) < str(b)
        return result < 0


def _sort_key(path: str) -> Callable[[Any], _SortKey]:
    return lambda row: _SortKey(_dig(row, path))


def _project(row: _Row, fields: Sequence[str]) -> dict[str, Any]:
    if "*" in fields:
        return dict(row)
    keep = {f.split(".", 1)[0] for f in fields}
    return {k: v for k, v in row.items() if k in keep}


class SchemaQuerySet(QuerySet[T]):
    """The QuerySet of ``/collections``, ``/fields`` and ``/relations``.

    Those endpoints ignore every query parameter and return everything, so this
    QuerySet fetches the full list once per evaluation and applies ``filter``,
    ``exclude``, ``search``, ``order_by``, slices and ``fields`` in Python
    (``count()`` and ``exists()`` too). A filter on ``collection`` alone is sent
    to the per-collection route (``/fields/{collection}``), which is smaller.
    Functions (``year(...)``), dynamic variables (``$CURRENT_USER``) and
    ``aggregate()``/``group_by()`` raise ``QueryError``: the server would
    ignore them, and this class will not pretend.
    """

    #: Whether ``/{endpoint}/{collection}`` lists only that collection's rows.
    by_collection_route: ClassVar[bool] = True

    def _collection_only(self, flt: Mapping[str, Any] | None) -> str | None:
        if not self.by_collection_route or not flt or set(flt) != {"collection"}:
            return None
        condition = flt["collection"]
        if isinstance(condition, Mapping) and set(condition) == {"_eq"}:
            condition = condition["_eq"]
        if not isinstance(condition, str) or not condition or condition.startswith("$"):
            return None
        return condition

    def _rows_flow(self, session: BaseSession, query: Mapping[str, Any]) -> Flow[list[Any]]:
        flt = query.get("filter")
        endpoint = self.model._meta.endpoint.split("/")
        asked = query.get("meta") or ()
        # total_count counts every row: then the whole list is needed.
        collection = None if ("total_count" in asked or "*" in asked) else self._collection_only(flt)
        call = Call("GET", path_of(*endpoint, collection) if collection else path_of(*endpoint))
        try:
            body = yield from session._call_flow(call)
        except Forbidden:
            if collection is None:
                raise
            return []  # unknown or hidden collection: matches nothing, as a filter would
        rows = body.get("data") if isinstance(body, dict) else None
        if isinstance(rows, dict):  # /collections/{name} answers with the one object
            return [rows]
        return list(rows) if isinstance(rows, list) else []

    def _local(self, rows: list[Any], query: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        total = len(rows)
        flt = query.get("filter")
        if flt:
            rows = [r for r in rows if isinstance(r, Mapping) and matches(r, flt)]
        search = query.get("search")
        if search:
            rows = [r for r in rows if isinstance(r, Mapping) and _searched(r, str(search))]
        for key in reversed(list(query.get("sort") or ())):
            desc = key.startswith("-")
            rows.sort(key=_sort_key(key[1:] if desc else key), reverse=desc)
        meta = {"total_count": total, "filter_count": len(rows)}
        offset = int(query.get("offset") or 0)
        limit = query.get("limit")
        end = None if limit is None or int(limit) < 0 else offset + int(limit)
        rows = rows[offset:end]
        fields = query.get("fields")
        if fields and self._state.rows == "model":
            rows = [_project(r, list(fields)) for r in rows]
        return rows, meta

    def _fetch_flow(self, session: BaseSession, query: dict[str, Any]) -> Flow[_Batch[T]]:
        if "aggregate" in query or "groupBy" in query:
            raise QueryError(
                f"{self.model.__name__}: /{self.model._meta.endpoint} ignores aggregate and "
                "groupBy; use count(), or compute in Python"
            )
        raw = yield from self._rows_flow(session, query)
        rows, meta = self._local(raw, query)
        pk = self.model._meta.pk_field.api_name
        last = rows[-1].get(pk) if rows and isinstance(rows[-1], Mapping) else None
        items: list[Any]
        if self._state.rows == "model":
            options = self.model._meta
            items = [options.validator("item").validate_python(r) for r in rows]
            options.strip(items)
        else:
            items = self._shape_rows(rows)
        asked = query.get("meta") or ()
        return _Batch(items, {k: v for k, v in meta.items() if k in asked or "*" in asked}
                      if asked else {}, last)

    def _rows_clone(self, **changes: Any) -> QuerySet[Any]:
        # values()/values_list() must stay local too.
        clone: SchemaQuerySet[Any] = SchemaQuerySet(
            self.model, replace(self._state, **changes), self._session
        )
        return clone

    def _chunks_plan(self) -> tuple[dict[str, Any], str | None, bool]:
        # The key is not unique across collections: page by offset, never by key.
        query = self._base_query()
        query.pop("meta", None)
        return query, None, False

    def _count_flow(self, session: BaseSession) -> Flow[int]:
        if self._state.empty:
            return 0
        try:
            query = self._base_query()
        except EmptyResultSet:
            return 0
        raw = yield from self._rows_flow(session, query)
        query["limit"] = self._state.limit if self._state.limit is not None else -1
        query["offset"] = self._state.offset
        rows, _ = self._local(raw, query)
        return len(rows)

    # Writes: these endpoints have no batch routes; each row has its own path.

    def _row_path(self, obj: Any) -> str:
        endpoint = self.model._meta.endpoint
        if endpoint == "collections":
            return path_of("collections", _need(obj, "collection"))
        return path_of(endpoint, _need(obj, "collection"), _need(obj, "field"))

    def _rows_to_write(self, session: BaseSession) -> Flow[list[Any]]:
        qs = self._clone(rows="model", row_fields=(), fields=None)
        return (yield from qs._all_flow(session))

    def _update_flow(
        self, session: BaseSession, data: Mapping[str, Any], batch_size: int,
        on_progress: Progress | None,
    ) -> Flow[int]:
        if not data:
            raise QueryError("update() needs at least one field=value")
        body = {self.model._meta.field(k).api_name: v for k, v in data.items()}
        rows = yield from self._rows_to_write(session)
        for done, obj in enumerate(rows, 1):
            yield from session._response_flow(
                Call("PATCH", self._row_path(obj), json=body, send_json=True)
            )
            if on_progress is not None:
                on_progress(done, len(rows))
        return len(rows)

    def _delete_flow(
        self, session: BaseSession, batch_size: int, on_progress: Progress | None
    ) -> Flow[int]:
        rows = yield from self._rows_to_write(session)
        for done, obj in enumerate(rows, 1):
            yield from session._response_flow(Call("DELETE", self._row_path(obj)))
            if on_progress is not None:
                on_progress(done, len(rows))
        return len(rows)

    def _bulk_create_flow(
        self, session: BaseSession, objs: Sequence[T], batch_size: int,
        on_progress: Progress | None,
    ) -> Flow[list[T]]:
        raise QueryError(
            f"{self.model.__name__}: /{self.model._meta.endpoint} has no batch create; "
            "save() each object, or use session.collections/fields/relations"
        )
        yield  # pragma: no cover - makes this a generator

    def _bulk_update_flow(
        self, session: BaseSession, objs: Sequence[T], fields: Sequence[str], batch_size: int,
        on_progress: Progress | None,
    ) -> Flow[int]:
        raise QueryError(
            f"{self.model.__name__}: /{self.model._meta.endpoint} has no batch update; "
            "save() each object, or use update() on a QuerySet"
        )
        yield  # pragma: no cover - makes this a generator

    def _aggregate_flow(
        self, session: BaseSession, aggregates: Mapping[str, Aggregate], group: tuple[str, ...]
    ) -> Flow[list[dict[str, Any]]]:
        raise QueryError(
            f"{self.model.__name__}: /{self.model._meta.endpoint} ignores aggregate and "
            "groupBy; use count(), or iterate and compute in Python"
        )
        yield  # pragma: no cover - makes this a generator


# ------------------------------------------------ writes of fields and relations


class _Routes:
    """Where a field or relation is created, addressed and deleted."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def create(self, obj: Model) -> str:
        if self.kind == "fields":
            return path_of("fields", _need(obj, "collection"))
        return "/relations"

    def item(self, obj: Model) -> str:
        return path_of(self.kind, _need(obj, "collection"), _need(obj, "field"))


def _need(obj: Model, name: str) -> str:
    value = obj.__dict__.get(name)
    if not value:
        raise QueryError(f"{type(obj).__name__}.{name} must be set to address it")
    return str(value)


def _schema_save_flow(
    obj: Model, session: BaseSession, routes: _Routes, force_insert: bool,
    update_fields: Sequence[str] | None,
) -> Flow[bool]:
    model = type(obj)
    creating = force_insert or (not from_db(obj) and update_fields is None)
    if creating:
        call = Call("POST", routes.create(obj), json=payload(obj, insert_fields(obj)),
                    send_json=True)
    else:
        names = list(update_fields) if update_fields is not None else changed_fields(obj)
        names = [model._meta.field(n).name for n in names]
        names = [n for n in names if n not in ("collection", "field")]
        if not names:
            return False
        call = Call("PATCH", routes.item(obj), json=payload(obj, names), send_json=True)
    response = yield from session._response_flow(call)
    fresh = hydrate_one(model, response.content) if response.content else None
    if fresh is not None:
        absorb(obj, fresh)
    else:
        mark_loaded((obj,), model._meta.json_fields)
    return True


def _schema_delete_flow(obj: Model, session: BaseSession, routes: _Routes) -> Flow[None]:
    yield from session._response_flow(Call("DELETE", routes.item(obj)))
    state_of(obj).clear()
    return None


def _schema_refresh_flow(
    obj: Model, session: BaseSession, routes: _Routes, fields: Sequence[str] | None
) -> Flow[None]:
    response = yield from session._response_flow(Call("GET", routes.item(obj)))
    fresh = hydrate_one(type(obj), response.content)
    if fresh is None:
        raise type(obj).DoesNotExist(f"{routes.item(obj)} returned nothing")
    if fields:
        keep = {type(obj)._meta.field(n).name for n in fields}
        for name in list(fresh.__dict__):
            if name not in keep:
                del fresh.__dict__[name]
    absorb(obj, fresh)
    return None


_FIELD_ROUTES = _Routes("fields")
_RELATION_ROUTES = _Routes("relations")


class DirectusCollection(
    Model, collection="directus_collections", endpoint="collections", primary_key="collection"
):
    """A collection as ``/collections`` describes it: name, ``meta`` and ``schema``.

    The QuerySet filters, sorts and slices in Python (:class:`SchemaQuerySet`).
    Create and delete with ``session.collections``.
    """

    objects = SchemaQuerySet["DirectusCollection"].as_manager()

    collection: str | None = None
    meta: CollectionMetaInfo | None = None
    schema_: CollectionSchemaInfo | None = Field(default=None, alias="schema")


class DirectusField(Model, collection="directus_fields", endpoint="fields", primary_key="field"):
    """A field as ``/fields`` describes it: ``collection``, ``field``, ``type``,
    ``meta`` and ``schema``.

    ``pk`` is the field name, unique only within its collection. The QuerySet
    filters in Python (:class:`SchemaQuerySet`); ``filter(collection="x")``
    reads ``/fields/x`` only. Manage fields with ``session.fields``.
    """

    objects = SchemaQuerySet["DirectusField"].as_manager()

    collection: str | None = None
    field: str | None = None
    type: str | None = None
    meta: FieldMetaInfo | None = None
    schema_: FieldSchemaInfo | None = Field(default=None, alias="schema")

    def _save_flow(
        self, session: BaseSession, force_insert: bool, update_fields: Sequence[str] | None
    ) -> Flow[bool]:
        return _schema_save_flow(self, session, _FIELD_ROUTES, force_insert, update_fields)

    def _delete_flow(self, session: BaseSession) -> Flow[None]:
        return _schema_delete_flow(self, session, _FIELD_ROUTES)

    def _refresh_flow(self, session: BaseSession, fields: Sequence[str] | None) -> Flow[None]:
        return _schema_refresh_flow(self, session, _FIELD_ROUTES, fields)


class DirectusRelation(
    Model, collection="directus_relations", endpoint="relations", primary_key="field"
):
    """A relation as ``/relations`` describes it: the many side (``collection``,
    ``field``), ``related_collection``, ``meta`` and ``schema``.

    ``pk`` is the field name, unique only within its collection. The QuerySet
    filters in Python (:class:`SchemaQuerySet`). Manage relations with
    ``session.relations``.
    """

    objects = SchemaQuerySet["DirectusRelation"].as_manager()

    collection: str | None = None
    field: str | None = None
    related_collection: str | None = None
    meta: RelationMetaInfo | None = None
    schema_: RelationSchemaInfo | None = Field(default=None, alias="schema")

    def _save_flow(
        self, session: BaseSession, force_insert: bool, update_fields: Sequence[str] | None
    ) -> Flow[bool]:
        return _schema_save_flow(self, session, _RELATION_ROUTES, force_insert, update_fields)

    def _delete_flow(self, session: BaseSession) -> Flow[None]:
        return _schema_delete_flow(self, session, _RELATION_ROUTES)

    def _refresh_flow(self, session: BaseSession, fields: Sequence[str] | None) -> Flow[None]:
        return _schema_refresh_flow(self, session, _RELATION_ROUTES, fields)


SYSTEM_MODELS: tuple[type[Model], ...] = (
    DirectusUser, DirectusRole, DirectusPolicy, DirectusAccess, DirectusPermission,
    DirectusFolder, DirectusFile, DirectusActivity, DirectusRevision, DirectusComment,
    DirectusVersion, DirectusPreset, DirectusSettings, DirectusTranslation,
    DirectusNotification, DirectusShare, DirectusFlow, DirectusOperation, DirectusDashboard,
    DirectusPanel, DirectusCollection, DirectusField, DirectusRelation,
)

for _model in SYSTEM_MODELS:
    _model.model_rebuild()


