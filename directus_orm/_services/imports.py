"""The batch import of items as JSON (``POST /utils/import``, Directus 12.2+).

``session.utils.import_items({"articles": [...], "tags": [...]})`` sends
``[{"collection": "articles", "items": [...]}, ...]`` and returns what the server
did per collection. In ``add`` mode supplied primary keys are remapped (foreign
keys follow, ``mapped`` says how); ``merge`` updates items whose keys exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic_core import to_jsonable_python

from .._core.exceptions import QueryError
from .._core.flow import Flow
from .._core.version import require
from .._models.changes import insert_fields, payload
from .._models.model import Model
from .._models.state import from_db
from .common import _data, _json

if TYPE_CHECKING:
    from .._transport.session import BaseSession

ImportMode = Literal["add", "merge"]


@dataclass(frozen=True)
class ImportedCollection:
    """What the import did to one collection."""

    existing: list[Any] = field(default_factory=list)
    """Keys of items that already existed (updated in ``merge`` mode)."""
    new: list[Any] = field(default_factory=list)
    """Keys of the items created."""
    deleted: list[Any] = field(default_factory=list)
    mapped: dict[str, Any] = field(default_factory=dict)
    """Supplied key (as a string) -> the key it was created with (``add`` mode)."""


@dataclass(frozen=True)
class ImportResult:
    """``POST /utils/import``: whether it was applied, and per collection what happened."""

    applied: bool
    """False for a ``dry_run``."""
    mode: str
    collections: dict[str, ImportedCollection]


def _row(item: Any) -> Any:
    if isinstance(item, Model):
        # The body save() would send: what a create sends, or every loaded field.
        names = sorted(item.loaded_fields) if from_db(item) else insert_fields(item)
        return to_jsonable_python(payload(item, names))
    if isinstance(item, Mapping):
        return dict(item)
    raise QueryError(f"import_items takes dicts or model objects, not {type(item).__name__}")


def import_items_flow(
    session: BaseSession,
    batches: Mapping[str, Sequence[Any]],
    mode: ImportMode,
    dry_run: bool,
    dangerously_allow_delete: bool,
) -> Flow[ImportResult]:
    if mode not in ("add", "merge"):
        raise QueryError(f"import mode must be 'add' or 'merge', not {mode!r}")
    body = [{"collection": name, "items": [_row(i) for i in items]} for name, items in batches.items()]
    if not body:
        raise QueryError("import_items needs at least one collection")
    params: dict[str, Any] = {"mode": mode}
    # Since 12.2 a valueless flag means true: send them only when wanted, with a value.
    if dry_run:
        params["dryRun"] = "true"
    if dangerously_allow_delete:
        params["dangerouslyAllowDelete"] = "true"
    version = yield from session.server_version_flow()
    require(version, "items_import")  # Directus 11 has no /utils/import (404)
    answer = yield from session.call_flow(_json("POST", "/utils/import", body, query=params))
    data = _data(answer) or {}
    collections = {
        name: ImportedCollection(
            existing=list(part.get("existing") or []),
            new=list(part.get("new") or []),
            deleted=list(part.get("deleted") or []),
            mapped=dict(part.get("mapped") or {}),
        )
        for name, part in (data.get("collections") or {}).items()
    }
    return ImportResult(bool(data.get("applied")), str(data.get("mode") or mode), collections)
