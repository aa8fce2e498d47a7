"""``Model.objects``: the descriptor that starts every query.

``Article.objects`` returns a fresh ``QuerySet[Article]``; it is not reachable
from an instance (``article.objects`` raises ``AttributeError``), as in Django.
A custom QuerySet class becomes the manager with ``MyQuerySet.as_manager()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .queryset import QuerySet

if TYPE_CHECKING:
    from .model import Model
M = TypeVar("M", bound="Model")
QS = TypeVar("QS", bound="QuerySet[Any]")


def _no_instance_access(owner: type[Any]) -> AttributeError:
    return AttributeError(
        f"the manager isn't accessible via {owner.__name__} instances; "
        f"use {owner.__name__}.objects"
    )


class Manager:
    """The default manager: ``Model.objects`` is a ``QuerySet`` of the model."""

    def __get__(self, instance: None, owner: type[M]) -> QuerySet[M]:
        if instance is not None:
            raise _no_instance_access(owner)
        return QuerySet(owner)


class QuerySetManager(Manager, Generic[QS]):
    """A manager that builds a custom QuerySet class (``MyQuerySet.as_manager()``)."""

    def __init__(self, queryset_class: type[QS]) -> None:
        self.queryset_class = queryset_class

    def __get__(self, instance: None, owner: type[Any]) -> QS:
        if instance is not None:
            raise _no_instance_access(owner)
        return self.queryset_class(owner)
