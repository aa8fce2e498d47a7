"""Every error directus_orm raises.

The tree::

    DirectusORMError                     anything raised by this library
    ├── ClientError                      wrong use, detected before any request
    │   ├── FieldError                   unknown or unusable field (names the model and field)
    │   ├── LookupNotSupported           unknown lookup, or one that cannot be negated
    │   ├── QueryError                   impossible QuerySet shape (negative index, step, ...)
    │   ├── WrongSessionKind             sync method on an AsyncSession or the reverse
    │   ├── NoSessionError               a model operation with no session in scope
    │   ├── SessionClosed                a closed session was used
    │   ├── ValidationError (+ ValueError) a value the model or Directus cannot hold (names fields)
    │   ├── MissingExtraError            an optional dependency is not installed
    │   └── FeatureNotSupported          the server's Directus version lacks the feature
    ├── HydrationError                   a row from the server does not fit the model (keys, fields)
    ├── FieldNotLoaded (+ AttributeError) reading a field that the query did not fetch
    ├── SchemaMismatch                   a model field the server's collection does not have
    ├── ObjectDoesNotExist               Model.DoesNotExist derives from it
    ├── MultipleObjectsReturned          Model.MultipleObjectsReturned derives from it
    ├── BatchError                       a bulk operation failed part-way (done/unknown/pending)
    ├── InviteNotCreated                 an invite answered 204 but created no user
    ├── RecordNotReturned                a write succeeded but no record came back (require=True)
    ├── TransportError                   the request never got an HTTP answer
    │   ├── ConnectError
    │   └── TimeoutError
    ├── RealtimeError                    the realtime WebSocket (subscriptions)
    │   ├── RealtimeUnavailable          the upgrade was refused (WebSockets off: 404; Origin: 403)
    │   ├── RealtimeAuthError            the socket could not be (re)authenticated
    │   ├── RealtimeConnectionError      the connection was lost and reconnecting gave up
    │   └── RealtimeServerError          the server answered a message with an error (.code)
    │       └── SubscriptionError        the server refused or ended a subscription
    └── DirectusError                    the server answered with an error status
        ├── AuthenticationError          401s
        │   ├── InvalidCredentials       INVALID_CREDENTIALS
        │   ├── InvalidOTP               INVALID_OTP
        │   ├── TokenExpired             TOKEN_EXPIRED
        │   ├── UserSuspended            USER_SUSPENDED
        │   └── InvalidIP                INVALID_IP
        ├── InvalidToken                 INVALID_TOKEN (403)
        ├── Forbidden                    FORBIDDEN (403; also "does not exist" for items)
        │   ├── ResourceRestricted       RESOURCE_RESTRICTED (license)
        │   ├── LimitExceeded            LIMIT_EXCEEDED (license)
        │   └── CollectionInactive       COLLECTION_INACTIVE
        ├── InvalidPayload               INVALID_PAYLOAD
        │   └── BatchLimitExceeded       INVALID_PAYLOAD "Exceeded max batch mutation limit"
        ├── InvalidQuery                 INVALID_QUERY
        ├── InvalidInvite                INVALID_INVITE
        ├── IllegalAssetTransformation   ILLEGAL_ASSET_TRANSFORMATION
        ├── FailedValidation             FAILED_VALIDATION (one entry per field in .errors)
        ├── InvalidValue                 a value the database refused
        │   ├── NotNullViolation         NOT_NULL_VIOLATION
        │   ├── ValueTooLong             VALUE_TOO_LONG
        │   ├── ValueOutOfRange          VALUE_OUT_OF_RANGE
        │   └── ContainsNullValues       CONTAINS_NULL_VALUES
        ├── RecordNotUnique              RECORD_NOT_UNIQUE
        ├── InvalidForeignKey            INVALID_FOREIGN_KEY
        ├── RouteNotFound                ROUTE_NOT_FOUND
        ├── MethodNotAllowed             METHOD_NOT_ALLOWED (405)
        ├── OutOfTime                    OUT_OF_TIME (408)
        ├── RangeNotSatisfiable          RANGE_NOT_SATISFIABLE (416)
        ├── UnprocessableContent         UNPROCESSABLE_CONTENT (422)
        │   └── VersionHashMismatch      VERSION_HASH_MISMATCH (promote with a stale hash)
        ├── RequestsExceeded             REQUESTS_EXCEEDED (429, .retry_after)
        │   └── EmailLimitExceeded       EMAIL_LIMIT_EXCEEDED
        ├── ServiceUnavailable           SERVICE_UNAVAILABLE
        ├── ContentTooLarge              CONTENT_TOO_LARGE / "request entity too large"
        ├── HeadersTooLarge              431, the URL or headers are too long (no JSON body)
        ├── UnsupportedMediaType         UNSUPPORTED_MEDIA_TYPE
        └── InternalServerError          INTERNAL_SERVER_ERROR and other 5xx

``DirectusError`` carries ``status``, ``code``, ``message``, ``extensions`` and
``errors`` (every error object the server sent). Messages never contain tokens
or passwords: the request URL is shown without its query string, and the values
of secret fields (``token``, ``password``, ...) quoted by the server are redacted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import httpx


class DirectusORMError(Exception):
    """Base class of every error raised by directus_orm."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors would break pickling (multiprocessing,
        # concurrent.futures): rebuild from args and restore the attributes.
        return (_rebuild, (type(self), self.args), self.__dict__)


def _rebuild(cls: type[DirectusORMError], args: tuple[Any, ...]) -> DirectusORMError:
    error = cls.__new__(cls, *args)
    error.args = args
    return error


# ---------------------------------------------------------------- client side


class ClientError(DirectusORMError):
    """The library was used in a way that cannot work; nothing was sent."""


class FieldError(ClientError):
    """A field name does not exist on the model, or cannot be used that way."""


class LookupNotSupported(ClientError):
    """A lookup is unknown, not supported by Directus, or cannot be negated."""


class QueryError(ClientError, ValueError):
    """A QuerySet operation that has no meaning (negative index, step, ...)."""


class WrongSessionKind(ClientError):
    """A sync method was called on an AsyncSession, or an async one on a Session."""


class SessionClosed(ClientError):
    """The session was closed (its ``with`` block ended, or ``close()`` was called)."""


class ValidationError(ClientError, ValueError):
    """A value that the model's field types, or Directus, cannot hold; nothing was sent.

    ``model`` is the model's name (``None`` for untyped writes) and ``fields`` the
    offending field names. The message names the fields and the reason, never the values.
    """

    def __init__(self, message: str, *, model: str | None = None, fields: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.model = model
        self.fields: list[str] = list(fields)


class HydrationError(DirectusORMError):
    """Rows from the server do not fit the model (a choice the ``Literal`` lacks, a changed type).

    ``model`` is the model class, ``collection`` its collection, ``keys`` the primary keys
    of the rows that failed and ``fields`` the fields that failed; the message holds no
    field values. ``written`` is True when the failing reply answered a write that the
    server committed (the object took its primary key).
    """

    def __init__(
        self,
        message: str,
        *,
        model: Any = None,
        collection: str | None = None,
        keys: Sequence[Any] = (),
        fields: Sequence[str] = (),
        written: bool = False,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.collection = collection
        self.keys: list[Any] = list(keys)
        self.fields: list[str] = list(fields)
        self.written = written


class NoSessionError(ClientError):
    """A model operation needs a session and none is active or set as default."""


class MissingExtraError(ClientError):
    """A feature needs an optional dependency that is not installed."""


class FeatureNotSupported(ClientError):
    """The server's Directus version does not have the feature (raised before any request).

    ``feature`` is its name in ``directus_orm``'s feature table, ``server_version`` the version
    the server reported; the message says which versions have it.
    """

    def __init__(self, message: str, *, feature: str = "", server_version: str = "") -> None:
        super().__init__(message)
        self.feature = feature
        self.server_version = server_version


class FieldNotLoaded(DirectusORMError, AttributeError):
    """A field was read that the query did not fetch (see ``QuerySet.fields``)."""


class SchemaMismatch(DirectusORMError):
    """A model and the server's schema disagree: a read asked for a field the server's
    collection does not have (Directus answers 403), or a write sent one (Directus drops it
    silently). ``directus-orm check`` lists every such difference at once."""

    def __init__(
        self, message: str, *, model: str | None = None, field: str | None = None,
        collection: str | None = None,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.field = field
        self.collection = collection


class ObjectDoesNotExist(DirectusORMError):
    """The query matched no item. ``Model.DoesNotExist`` derives from it."""


class MultipleObjectsReturned(DirectusORMError):
    """The query matched more than one item where one was expected."""


class BatchError(DirectusORMError):
    """A bulk operation failed part-way.

    ``done`` lists the index ranges (``range`` objects over the input) that the
    server confirmed; ``unknown`` the batch whose request may have reached the
    server but whose reply never arrived (connection lost, truncated, a proxy's
    5xx): it may or may not be written, all or nothing; ``pending`` those that
    were certainly not written (never sent, or refused by the server).
    ``results`` holds what the server returned for ``done``.
    ``__cause__`` is the error of the failed batch.
    """

    def __init__(
        self,
        message: str,
        *,
        done: Sequence[range],
        pending: Sequence[range],
        unknown: Sequence[range] = (),
        results: Sequence[Any] = (),
    ) -> None:
        super().__init__(message)
        self.done: list[range] = list(done)
        self.unknown: list[range] = list(unknown)
        self.pending: list[range] = list(pending)
        self.results: list[Any] = list(results)

    @property
    def written(self) -> int:
        """How many input items the server confirmed as written (``done`` only)."""
        return sum(len(r) for r in self.done)


class RecordNotReturned(DirectusORMError):
    """A write succeeded, but the server sent no record back (``require=True``).

    Directus leaves the record out when the user may not read what it wrote;
    ``files.upload(..., require=True)`` raises this instead of returning ``None``.
    """


class InviteNotCreated(DirectusORMError):
    """``invite()``: Directus answered 204, but reading back shows no invited user.

    Directus answers 204 to a forbidden invite and creates nothing; ``missing``
    lists the emails with no user afterwards.
    """

    def __init__(self, message: str, missing: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.missing = list(missing)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.missing))


# --------------------------------------------------------------- transport


class TransportError(DirectusORMError):
    """The request got no HTTP answer (connection refused, reset, timed out).

    ``sent`` is False when the request certainly never reached the server (the
    connection could not be opened), True when it may have.
    """

    sent: bool = True


class ConnectError(TransportError):
    """The server could not be reached."""

    sent = False


class TimeoutError(TransportError):
    """The server did not answer in time."""


# ------------------------------------------------------------- server side


class DirectusError(DirectusORMError):
    """The server answered with an error.

    Attributes: ``status`` (HTTP status), ``code`` (``errors[0].extensions.code``
    or ``None``), ``message``, ``extensions`` (of the first error), ``errors``
    (every error object in the response), ``method`` and ``path`` of the request.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        extensions: Mapping[str, Any] | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
        method: str = "",
        path: str = "",
    ) -> None:
        self.message = message
        self.status = status
        self.code = code
        self.extensions: dict[str, Any] = dict(extensions or {})
        self.errors: list[dict[str, Any]] = [dict(e) for e in errors]
        self.method = method
        self.path = path
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f" ({self.method} {self.path})" if self.method else ""
        code = f" {self.code}" if self.code else ""
        text = f"{self.status}{code}: {self.message}{where}"
        if len(self.errors) > 1:
            others = "; ".join(str(e.get("message", "")) for e in self.errors[1:])
            text += f" [+{len(self.errors) - 1} more: {others}]"
        return text


class AuthenticationError(DirectusError):
    """The request was not authenticated (HTTP 401)."""


class InvalidCredentials(AuthenticationError):
    """Wrong email/password, unknown or used token (``INVALID_CREDENTIALS``)."""


class InvalidOTP(AuthenticationError):
    """Two-factor one-time password missing or wrong (``INVALID_OTP``)."""


class TokenExpired(AuthenticationError):
    """The access token has expired (``TOKEN_EXPIRED``)."""


class UserSuspended(AuthenticationError):
    """The user is suspended (``USER_SUSPENDED``)."""


class InvalidIP(AuthenticationError):
    """The request came from an IP the user's policy does not allow."""


class InvalidToken(DirectusError):
    """Tampered JWT, bad invite or password-reset token (``INVALID_TOKEN``)."""


class Forbidden(DirectusError):
    """No permission, or the collection, field or item does not exist (``FORBIDDEN``)."""


class ResourceRestricted(Forbidden):
    """The license tier does not allow this (``RESOURCE_RESTRICTED``)."""


class LimitExceeded(Forbidden):
    """A license count limit was reached (``LIMIT_EXCEEDED``)."""


class CollectionInactive(Forbidden):
    """The collection is inactive (``COLLECTION_INACTIVE``)."""


class InvalidPayload(DirectusError):
    """The request body was refused (``INVALID_PAYLOAD``)."""


class BatchLimitExceeded(InvalidPayload):
    """More rows than the server's ``MAX_BATCH_MUTATION`` in one request."""


class InvalidQuery(DirectusError):
    """A query parameter was refused (``INVALID_QUERY``)."""


class FailedValidation(DirectusError):
    """Field validation failed; ``errors`` has one entry per failing field."""

    @property
    def fields(self) -> list[str]:
        """The names of the fields that failed validation."""
        out: list[str] = []
        for error in self.errors:
            field = error.get("extensions", {}).get("field")
            if isinstance(field, str):
                out.append(field)
        return out


class InvalidInvite(DirectusError):
    """The invite cannot be accepted (``INVALID_INVITE``)."""


class IllegalAssetTransformation(DirectusError):
    """An asset transform the server refuses, e.g. over 6000 px (``ILLEGAL_ASSET_TRANSFORMATION``)."""


class InvalidValue(DirectusError):
    """The database refused a value (not null, too long, out of range)."""


class NotNullViolation(InvalidValue):
    """A NOT NULL column got no value (``NOT_NULL_VIOLATION``)."""


class ValueTooLong(InvalidValue):
    """A value is longer than its column allows (``VALUE_TOO_LONG``)."""


class ValueOutOfRange(InvalidValue):
    """A number is out of its column's range (``VALUE_OUT_OF_RANGE``)."""


class ContainsNullValues(InvalidValue):
    """A column cannot become NOT NULL: it holds nulls (``CONTAINS_NULL_VALUES``)."""


class MethodNotAllowed(DirectusError):
    """HTTP 405 (``METHOD_NOT_ALLOWED``)."""


class OutOfTime(DirectusError):
    """HTTP 408 (``OUT_OF_TIME``)."""


class RangeNotSatisfiable(DirectusError):
    """HTTP 416: the requested byte range is not in the file (``RANGE_NOT_SATISFIABLE``)."""


class UnprocessableContent(DirectusError):
    """HTTP 422 (``UNPROCESSABLE_CONTENT``), e.g. a duplicate version key."""


class VersionHashMismatch(UnprocessableContent):
    """Promoting a content version whose main item changed since (``VERSION_HASH_MISMATCH``)."""


class RecordNotUnique(DirectusError):
    """A unique constraint was violated (``RECORD_NOT_UNIQUE``)."""


class InvalidForeignKey(DirectusError):
    """A foreign key points nowhere (``INVALID_FOREIGN_KEY``)."""


class RouteNotFound(DirectusError):
    """No such endpoint or verb (``ROUTE_NOT_FOUND``)."""


class RequestsExceeded(DirectusError):
    """Rate limited (HTTP 429, ``REQUESTS_EXCEEDED``); see ``retry_after``."""

    retry_after: float | None = None


class EmailLimitExceeded(RequestsExceeded):
    """Too many emails sent (``EMAIL_LIMIT_EXCEEDED``)."""


class ServiceUnavailable(DirectusError):
    """A service the server depends on is unavailable (``SERVICE_UNAVAILABLE``)."""


class ContentTooLarge(DirectusError):
    """The request body is larger than the server accepts."""


class HeadersTooLarge(DirectusError):
    """HTTP 431: the URL or headers are too long. The server sends no JSON body."""


class UnsupportedMediaType(DirectusError):
    """The server does not accept this file type (``UNSUPPORTED_MEDIA_TYPE``)."""


class InternalServerError(DirectusError):
    """The server failed (``INTERNAL_SERVER_ERROR`` or another 5xx)."""


# Error code -> class. The data table that ``error_from_response`` reads.
ERROR_CODES: dict[str, type[DirectusError]] = {
    "INVALID_CREDENTIALS": InvalidCredentials,
    "INVALID_OTP": InvalidOTP,
    "TOKEN_EXPIRED": TokenExpired,
    "USER_SUSPENDED": UserSuspended,
    "INVALID_IP": InvalidIP,
    "INVALID_TOKEN": InvalidToken,
    "FORBIDDEN": Forbidden,
    "RESOURCE_RESTRICTED": ResourceRestricted,
    "LIMIT_EXCEEDED": LimitExceeded,
    "COLLECTION_INACTIVE": CollectionInactive,
    "INVALID_PAYLOAD": InvalidPayload,
    "INVALID_QUERY": InvalidQuery,
    "FAILED_VALIDATION": FailedValidation,
    "RECORD_NOT_UNIQUE": RecordNotUnique,
    "INVALID_FOREIGN_KEY": InvalidForeignKey,
    "ROUTE_NOT_FOUND": RouteNotFound,
    "REQUESTS_EXCEEDED": RequestsExceeded,
    "SERVICE_UNAVAILABLE": ServiceUnavailable,
    "CONTENT_TOO_LARGE": ContentTooLarge,
    "UNSUPPORTED_MEDIA_TYPE": UnsupportedMediaType,
    "INTERNAL_SERVER_ERROR": InternalServerError,
    "INVALID_INVITE": InvalidInvite,
    "ILLEGAL_ASSET_TRANSFORMATION": IllegalAssetTransformation,
    "NOT_NULL_VIOLATION": NotNullViolation,
    "VALUE_TOO_LONG": ValueTooLong,
    "VALUE_OUT_OF_RANGE": ValueOutOfRange,
    "CONTAINS_NULL_VALUES": ContainsNullValues,
    "METHOD_NOT_ALLOWED": MethodNotAllowed,
    "OUT_OF_TIME": OutOfTime,
    "RANGE_NOT_SATISFIABLE": RangeNotSatisfiable,
    "UNPROCESSABLE_CONTENT": UnprocessableContent,
    "VERSION_HASH_MISMATCH": VersionHashMismatch,
    "EMAIL_LIMIT_EXCEEDED": EmailLimitExceeded,
}


# Used when the body has no code (or an unknown one).
_STATUS_FALLBACK: dict[int, type[DirectusError]] = {
    401: AuthenticationError,
    403: Forbidden,
    404: RouteNotFound,
    405: MethodNotAllowed,
    408: OutOfTime,
    416: RangeNotSatisfiable,
    422: UnprocessableContent,
    413: ContentTooLarge,
    415: UnsupportedMediaType,
    429: RequestsExceeded,
    431: HeadersTooLarge,
    503: ServiceUnavailable,
}


def error_from_response(
    status: int,
    body: bytes,
    *,
    method: str = "",
    path: str = "",
    retry_after: str | None = None,
) -> DirectusError:
    """Build the typed error for an error response. Pure: no I/O."""
    errors: list[dict[str, Any]] = []
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("errors"), list):
        errors = [e for e in parsed["errors"] if isinstance(e, dict)]
    first = errors[0] if errors else {}
    extensions = first.get("extensions") if isinstance(first.get("extensions"), dict) else {}
    assert isinstance(extensions, dict)
    code = extensions.get("code") if isinstance(extensions.get("code"), str) else None
    message = str(first.get("message") or _default_message(status, body))

    cls: type[DirectusError]
    if code in ERROR_CODES:
        cls = ERROR_CODES[code]
    elif status >= 500 and status not in _STATUS_FALLBACK:
        cls = InternalServerError
    else:
        cls = _STATUS_FALLBACK.get(status, DirectusError)
    if cls is InvalidPayload and "max batch mutation" in message.lower():
        cls = BatchLimitExceeded
    elif cls is InvalidPayload and "entity too large" in message.lower():
        cls = ContentTooLarge
    elif cls is UnprocessableContent and "main item has changed" in message.lower():
        cls = VersionHashMismatch  # Directus 11 sends no VERSION_HASH_MISMATCH code
    message, extensions, errors = _redact_secrets(message, extensions, errors)
    error = cls(
        message,
        status=status,
        code=code,
        extensions=extensions,
        errors=errors,
        method=method,
        path=path,
    )
    if isinstance(error, RequestsExceeded) and retry_after is not None:
        error.retry_after = parse_retry_after(retry_after)
    return error


#: Fields whose values are never shown in an error (``register_secret_field`` adds more).
SECRET_FIELDS: set[str] = {"token", "password", "tfa_secret", "auth_data", "access_token",
                           "refresh_token", "secret"}

_REDACTED = "***"


def register_secret_field(name: str) -> None:
    """Redact the values of fields called ``name`` in errors built from server text."""
    SECRET_FIELDS.add(name)


def _redact_text(text: str, fields: Iterable[str], values: Iterable[str]) -> str:
    for value in values:
        if value:
            text = text.replace(value, _REDACTED)
    for name in fields:
        # RECORD_NOT_UNIQUE: 'Value "..." for field "token" in collection ...'
        text = re.sub(
            rf'(?i)(value\s+)"(?:[^"\\]|\\.)*"(\s+for field "{re.escape(name)}")',
            rf'\1"{_REDACTED}"\2',
            text,
        )
    return text


def _redact_secrets(
    message: str, extensions: dict[str, Any], errors: list[dict[str, Any]]
) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """Hide the values of secret fields that the server quoted in its error."""
    fields: set[str] = set()
    values: set[str] = set()
    for entry in [extensions, *(e.get("extensions") or {} for e in errors)]:
        if not isinstance(entry, dict):
            continue
        field = entry.get("field")
        if isinstance(field, str) and field in SECRET_FIELDS:
            fields.add(field)
            value = entry.get("value")
            if isinstance(value, str):
                values.add(value)
    text = " ".join([message, *(str(e.get("message", "")) for e in errors)])
    fields.update(
        name for name in SECRET_FIELDS if re.search(rf'for field "{re.escape(name)}"', text)
    )
    if not fields:
        return message, extensions, errors

    def clean(entry: Any) -> Any:
        if isinstance(entry, dict):
            out = {}
            for key, value in entry.items():
                if key == "value" and entry.get("field") in fields:
                    out[key] = _REDACTED
                else:
                    out[key] = clean(value)
            return out
        if isinstance(entry, list):
            return [clean(v) for v in entry]
        if isinstance(entry, str):
            return _redact_text(entry, fields, values)
        return entry

    return _redact_text(message, fields, values), clean(extensions), clean(errors)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    import email.utils
    import time

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    seconds = when.timestamp() - (time.time() if now is None else now)
    return seconds if seconds > 0 else None  # a date in the past: the usual backoff


def outcome_unknown(error: BaseException) -> bool:
    """True when a failed write may nevertheless have been applied by the server.

    The request may have reached the server and no answer from Directus itself came
    back: the connection broke after it was opened (reset, closed, truncated, timed
    out), or something in between (a proxy) answered a 5xx or 429 without Directus's
    JSON error body. An answer from Directus (a JSON error with a code) means the
    write was refused and rolled back; a connection that never opened means it never
    left.
    """
    if isinstance(error, TransportError):
        return error.sent
    if isinstance(error, DirectusError):
        return error.code is None and (error.status >= 500 or error.status == 429)
    return False


def _default_message(status: int, body: bytes) -> str:
    if status == 431:
        return "Request header fields too large (the URL is too long)"
    text = body[:200].decode("utf-8", "replace").strip()
    return text or f"HTTP {status}"


_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def convert_transport_error(error: httpx.TransportError) -> TransportError:
    """The library's error for an httpx transport failure (no URL query shown).

    A write whose request may have reached the server says so in the message.
    """
    request = getattr(error, "_request", None)
    where = f" ({request.method} {request.url.path})" if request is not None else ""
    sent = not isinstance(error, _NOT_SENT)
    maybe = ""
    if sent and request is not None and request.method not in ("GET", "HEAD", "SEARCH", "OPTIONS"):
        maybe = "; the request may have reached the server: the write may have been applied"
    converted: TransportError
    if isinstance(error, httpx.ConnectError):
        converted = ConnectError(f"cannot reach Directus{where}: {error}")
    elif isinstance(error, httpx.TimeoutException):
        converted = TimeoutError(
            f"Directus did not answer in time{where}: {type(error).__name__}{maybe}"
        )
    else:
        converted = TransportError(
            f"the connection to Directus failed{where}: {type(error).__name__}{maybe}"
        )
    converted.sent = sent
    return converted
