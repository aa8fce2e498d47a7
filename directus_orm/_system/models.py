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

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import Field

from .._core.flow import Flow
from .._models.model import Model
from .info import (
    CollectionMetaInfo,
    CollectionSchemaInfo,
    FieldMetaInfo,
    FieldSchemaInfo,
    RelationMetaInfo,
    RelationSchemaInfo,
)
from .querysets import (
    _FIELD_ROUTES,
    _RELATION_ROUTES,
    PermissionQuerySet,
    SchemaQuerySet,
    _permission_save_flow,
    _schema_delete_flow,
    _schema_refresh_flow,
    _schema_save_flow,
)

if TYPE_CHECKING:
    from .._transport.session import BaseSession


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


class DirectusPermission(Model, collection="directus_permissions", endpoint="permissions"):
    """A row of ``directus_permissions`` (``/permissions``).

    ``DirectusPermission.objects`` reads the stored permissions only: the
    built-in ones Directus appends to an app user's lists (no ``id``,
    ``system=True``, ``policy=None``) are left out on the server. On the Core
    license only permissions whose ``fields`` include ``"*"`` and that have no
    rules can be written, and the server checks every write body: ``save()``
    sends the rule fields the object holds with every change.
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

    def _save_flow(
        self, session: BaseSession, force_insert: bool, update_fields: Sequence[str] | None
    ) -> Flow[bool]:
        return _permission_save_flow(self, session, force_insert, update_fields)


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
