"""No token in any log record: a filter on httpx's and httpcore's loggers.

httpcore logs every response's headers at DEBUG (``receive_response_headers.complete
return_value=(..., [(b'Set-Cookie', b'directus_refresh_token=...')])``), so in ``cookie`` and
``session`` auth modes a refresh or session token would reach any DEBUG handler. The filter
rewrites such records before any handler sees them: cookie and authorization header values,
Directus token cookies, bearer tokens and token query parameters become ``***``.
"""

from __future__ import annotations

import logging
import re

_HIDDEN = "***"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Header tuples in httpcore's traces: (b'Set-Cookie', b'...'), (b'Authorization', b'...')
    (
        re.compile(r"(\(b'(?:set-cookie|cookie|authorization|proxy-authorization)', b')([^']*)(')", re.I),
        rf"\g<1>{_HIDDEN}\g<3>",
    ),
    (re.compile(r"(directus_(?:refresh|session)_token=)[^;\s'\"&]+", re.I), rf"\g<1>{_HIDDEN}"),
    (re.compile(r"(\bbearer\s+)[A-Za-z0-9._~+/=-]+", re.I), rf"\g<1>{_HIDDEN}"),
    (re.compile(r"([?&](?:access_token|refresh_token|token)=)[^&\s'\"]+", re.I), rf"\g<1>{_HIDDEN}"),
)


def redact(text: str) -> str:
    """``text`` with token-bearing header values, cookies and parameters hidden."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactTokens(logging.Filter):
    """Rewrites a record whose message carries a token (the record is kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's business
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


#: The loggers whose records can carry tokens: httpcore's traces and httpx's request lines.
LOGGERS = (
    "httpx",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.connection",
    "httpcore.proxy",
    "httpcore.socks",
    "directus_orm",
)

_FILTER = RedactTokens()


def install() -> None:
    """Attach the filter to every logger in :data:`LOGGERS` (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
