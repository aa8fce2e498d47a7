"""What both drivers share about the ``websockets`` package: its errors, as ours."""

from __future__ import annotations

from websockets.exceptions import InvalidHandshake, InvalidStatus, InvalidURI

from .errors import RealtimeConnectionError, RealtimeError, RealtimeUnavailable

USER_AGENT = "directus_orm/0.1"


def connect_error(error: BaseException, url: str) -> RealtimeError:
    """The library's error for a failed WebSocket upgrade (no token is ever in ``url``)."""
    if isinstance(error, InvalidStatus):
        status = error.response.status_code
        if status == 404:
            hint = " (is WEBSOCKETS_ENABLED=true set on the server, and the path right?)"
        elif status == 403:
            hint = (
                " (an Origin header the server does not allow: see CORS_ENABLED/CORS_ORIGIN; "
                "or WEBSOCKETS_REST_CONN_LIMIT is reached)"
            )
        else:
            hint = ""
        return RealtimeUnavailable(
            f"the server refused the WebSocket upgrade at {url}: HTTP {status}{hint}", status=status
        )
    if isinstance(error, InvalidURI):
        return RealtimeUnavailable(f"not a WebSocket URL: {url}")
    if isinstance(error, (InvalidHandshake, OSError, TimeoutError)):
        return RealtimeConnectionError(
            f"cannot open the realtime WebSocket at {url}: {type(error).__name__}: {error}"
        )
    return RealtimeConnectionError(f"cannot open the realtime WebSocket at {url}: {type(error).__name__}")
