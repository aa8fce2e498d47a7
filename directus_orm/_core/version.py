"""Directus versions, and the features that exist only in some of them.

``ServerVersion.parse("11.17.4")`` is ordered like a tuple (a pre-release sorts before its
release). ``FEATURES`` says from which version a feature exists (``since``) and from which it
is gone (``until``); :func:`require` raises :class:`FeatureNotSupported` naming the server's
version when a feature does not exist there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from .exceptions import FeatureNotSupported

__all__ = ["FEATURES", "Feature", "ServerVersion", "require", "supports"]

_VERSION_RE = re.compile(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-.]?([0-9A-Za-z.-]+))?\s*$")


class ServerVersion(NamedTuple):
    """A parsed Directus version: ``major``, ``minor``, ``patch`` and an optional ``pre``-release.

    Compares with another ``ServerVersion`` or with a string: ``version >= "12.1"``.
    """

    major: int
    minor: int = 0
    patch: int = 0
    pre: str = ""

    @classmethod
    def parse(cls, text: str) -> ServerVersion:
        match = _VERSION_RE.match(text)
        if match is None:
            raise ValueError(f"not a Directus version: {text!r}")
        major, minor, patch, pre = match.groups()
        return cls(int(major), int(minor or 0), int(patch or 0), pre or "")

    def _key(self) -> tuple[int, int, int, int, str]:
        # A release sorts after its pre-releases (12.0.0-rc.1 < 12.0.0).
        return (self.major, self.minor, self.patch, 0 if self.pre else 1, self.pre)

    @staticmethod
    def _other(other: object) -> ServerVersion | None:
        if isinstance(other, ServerVersion):
            return other
        if isinstance(other, str):
            return ServerVersion.parse(other)
        return None

    def __lt__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self._key() < o._key()

    def __le__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self._key() <= o._key()

    def __gt__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self._key() > o._key()

    def __ge__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self._key() >= o._key()

    def __eq__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self._key() == o._key()

    def __ne__(self, other: object) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self._key() != o._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        return f"{text}-{self.pre}" if self.pre else text


@dataclass(frozen=True)
class Feature:
    """A server feature that exists from ``since`` (inclusive) until ``until`` (exclusive)."""

    name: str
    description: str
    since: str | None = None
    until: str | None = None

    def exists_in(self, version: ServerVersion) -> bool:
        if self.since is not None and version < self.since:
            return False
        return not (self.until is not None and version >= self.until)

    def why_not(self, version: ServerVersion) -> str:
        if self.since is not None and version < self.since:
            return f"{self.description} needs Directus {self.since} or later; this server runs {version}"
        return f"{self.description} was removed in Directus {self.until}; this server runs {version}"


def _table(*features: Feature) -> dict[str, Feature]:
    return {feature.name: feature for feature in features}


#: The features the library adapts to, by name.
FEATURES: dict[str, Feature] = _table(
    Feature("policies", "policy-based access (/policies, users' and roles' policies)", since="11.0"),
    Feature("server_hash", "server-side hashing (/utils/hash/generate, /utils/hash/verify)", until="12.1"),
    Feature("schema_diff_mode", "schema diff modes (mode='merge' or 'mirror')", since="12.2"),
    Feature("version_published", "reading the published version of an item (version='published')",
            since="12.0"),
    Feature("version_queries", "reading a content version in a list query (QuerySet.version(...))",
            since="12.0"),
    Feature("version_new_item", "a draft of an item not created yet (versions.create(collection, None, "
            "'draft'))", since="12.0"),
    Feature("items_import", "importing items as JSON (POST /utils/import)", since="12.2"),
)


def supports(version: ServerVersion, feature: str) -> bool:
    """Whether ``feature`` (a key of :data:`FEATURES`) exists in ``version``."""
    return FEATURES[feature].exists_in(version)


def require(version: ServerVersion | None, feature: str) -> None:
    """Raise :class:`FeatureNotSupported` when ``feature`` does not exist in ``version``.

    An unknown version (the server shows it to admins only) lets the request go: the server
    answers for itself then.
    """
    spec = FEATURES[feature]
    if version is not None and not spec.exists_in(version):
        raise FeatureNotSupported(spec.why_not(version), feature=feature, server_version=str(version))
