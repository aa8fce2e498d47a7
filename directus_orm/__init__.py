"""directus_orm: a typed, Django-style ORM for the Directus headless CMS, sync and async."""

from __future__ import annotations

from ._aggregates import (
    Aggregate,
    Avg,
    AvgDistinct,
    Count,
    CountDistinct,
    Max,
    Min,
    Sum,
    SumDistinct,
)
from ._auth import AsyncAuth, Auth, AuthData, AuthMode
from ._exceptions import (
    AuthenticationError,
    BatchError,
    BatchLimitExceeded,
    ClientError,
    CollectionInactive,
    ConnectError,
    ContentTooLarge,
    DirectusError,
    DirectusORMError,
    FailedValidation,
    FieldError,
    FieldNotLoaded,
    Forbidden,
    HeadersTooLarge,
    InternalServerError,
    InvalidCredentials,
    InvalidForeignKey,
    InvalidIP,
    InvalidOTP,
    InvalidPayload,
    InvalidQuery,
    InvalidToken,
    LimitExceeded,
    LookupNotSupported,
    MissingExtraError,
    MultipleObjectsReturned,
    NoSessionError,
    ObjectDoesNotExist,
    QueryError,
    RecordNotUnique,
    RequestsExceeded,
    ResourceRestricted,
    RouteNotFound,
    ServiceUnavailable,
    TimeoutError,
    TokenExpired,
    TransportError,
    UnsupportedMediaType,
    UserSuspended,
    WrongSessionKind,
)
from ._items import AsyncItems, AsyncSingleton, Items, Result, Singleton
from ._manager import Manager, QuerySetManager
from ._model import Model
from ._persistence import Progress, ProgressBar
from ._q import Q
from ._queryset import GroupedQuerySet, Page, QuerySet
from ._request import Call
from ._services import AsyncServer, Server
from ._session import AsyncSession, BaseSession, Session, get_current_session, set_default_session
from ._storage import BaseStorage, FileStorage, MemoryStorage
from ._variables import (
    CURRENT_POLICIES,
    CURRENT_ROLE,
    CURRENT_ROLES,
    CURRENT_USER,
    NOW,
    DynamicVariable,
    current_user,
    now,
)

__version__ = "0.1.0"

__all__ = [
    "Aggregate",
    "AsyncAuth",
    "AsyncItems",
    "AsyncServer",
    "AsyncSession",
    "AsyncSingleton",
    "Auth",
    "AuthData",
    "AuthenticationError",
    "AuthMode",
    "Avg",
    "AvgDistinct",
    "BaseSession",
    "BaseStorage",
    "BatchError",
    "BatchLimitExceeded",
    "Call",
    "ClientError",
    "CollectionInactive",
    "ConnectError",
    "ContentTooLarge",
    "Count",
    "CountDistinct",
    "CURRENT_POLICIES",
    "CURRENT_ROLE",
    "CURRENT_ROLES",
    "CURRENT_USER",
    "current_user",
    "DirectusError",
    "DirectusORMError",
    "DynamicVariable",
    "FailedValidation",
    "FieldError",
    "FieldNotLoaded",
    "FileStorage",
    "Forbidden",
    "get_current_session",
    "GroupedQuerySet",
    "HeadersTooLarge",
    "InternalServerError",
    "InvalidCredentials",
    "InvalidForeignKey",
    "InvalidIP",
    "InvalidOTP",
    "InvalidPayload",
    "InvalidQuery",
    "InvalidToken",
    "Items",
    "LimitExceeded",
    "LookupNotSupported",
    "Manager",
    "Max",
    "MemoryStorage",
    "Min",
    "MissingExtraError",
    "Model",
    "MultipleObjectsReturned",
    "NoSessionError",
    "now",
    "NOW",
    "ObjectDoesNotExist",
    "Page",
    "Progress",
    "ProgressBar",
    "Q",
    "QueryError",
    "QuerySet",
    "QuerySetManager",
    "RecordNotUnique",
    "RequestsExceeded",
    "ResourceRestricted",
    "Result",
    "RouteNotFound",
    "Server",
    "ServiceUnavailable",
    "Session",
    "set_default_session",
    "Singleton",
    "Sum",
    "SumDistinct",
    "TimeoutError",
    "TokenExpired",
    "TransportError",
    "UnsupportedMediaType",
    "UserSuspended",
    "WrongSessionKind",
]

# Reprs, tracebacks and docs say directus_orm.Session, not directus_orm._session.Session.
for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("directus_orm."):
        try:
            _obj.__module__ = "directus_orm"
        except (AttributeError, TypeError):
            pass
