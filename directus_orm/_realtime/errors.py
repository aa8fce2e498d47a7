"""The errors of realtime subscriptions (all of them ``DirectusORMError`` subclasses).

::

    RealtimeError                  anything that went wrong on the WebSocket
    ├── RealtimeUnavailable        the server refused the WebSocket upgrade (404: WEBSOCKETS_ENABLED
    │                              is off; 403: Origin not allowed, or the connection limit)
    ├── RealtimeAuthError          the socket could not be authenticated (AUTH_FAILED, or an
    │                              expired token that cannot be refreshed)
    ├── RealtimeConnectionError    the connection failed and reconnecting gave up
    └── RealtimeServerError        the server answered a message with an error (``code``)
        └── SubscriptionError      the server refused or ended a subscription (FORBIDDEN,
                                   INVALID_QUERY, INVALID_PAYLOAD, ...)
"""

from __future__ import annotations

from .._core.exceptions import DirectusORMError

__all__ = [
    "RealtimeAuthError",
    "RealtimeConnectionError",
    "RealtimeError",
    "RealtimeServerError",
    "RealtimeUnavailable",
    "SubscriptionError",
]


class RealtimeError(DirectusORMError):
    """Something went wrong on the realtime WebSocket."""


class RealtimeUnavailable(RealtimeError):
    """The server refused the WebSocket upgrade.

    ``status`` is the HTTP status of the refusal: 404 when the server runs without
    ``WEBSOCKETS_ENABLED=true``, 403 when the ``Origin`` sent is not allowed
    (``CORS_ENABLED``/``CORS_ORIGIN``) or ``WEBSOCKETS_REST_CONN_LIMIT`` is reached.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class RealtimeAuthError(RealtimeError):
    """The socket could not be authenticated (``code`` is Directus's, e.g. ``AUTH_FAILED``)."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        self.code = code
        super().__init__(message)


class RealtimeConnectionError(RealtimeError):
    """The connection to the server failed and could not be re-established."""


class RealtimeServerError(RealtimeError):
    """The server answered a message with an error.

    ``code`` is Directus's error code (``FORBIDDEN``, ``INVALID_QUERY``,
    ``INVALID_PAYLOAD``, ...), ``message`` its text, ``uid`` the message's id.
    """

    def __init__(self, message: str, *, code: str | None = None, uid: str | None = None) -> None:
        self.code = code
        self.message = message
        self.uid = uid
        prefix = f"{code}: " if code else ""
        super().__init__(f"{prefix}{message}")


class SubscriptionError(RealtimeServerError):
    """The server refused a subscription, or sent an error for it (``code``, ``message``, ``uid``)."""
